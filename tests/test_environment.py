"""The pinned environment is stated in three places; they must not drift apart.

requirements.lock (what `make setup` installs), environment.yml (for conda users) and pyproject.toml
(what the package declares). The checks read the files as text: no network, no installed packages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TORCH_VERSION = "2.13.0"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse_pins(lines, source: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"{source}: not an exact pin: {line!r}"
        name = _normalise(match.group(1))
        assert name not in pins, f"{source}: {name} is pinned twice"
        pins[name] = match.group(3)
    return pins


def lock_pins() -> dict[str, str]:
    return _parse_pins((ROOT / "requirements.lock").read_text().splitlines(), "requirements.lock")


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml: expected exactly one pip: section"
    return _parse_pins(pip_sections[0], "environment.yml (pip)")


def test_lock_is_not_empty_and_excludes_the_project():
    pins = lock_pins()
    assert len(pins) > 20
    assert "sseds-study" not in pins, "the editable project itself does not belong in the lock"


def test_environment_yml_and_lock_pin_the_same_versions():
    lock, env = lock_pins(), environment_pins()
    only_lock = sorted(set(lock) - set(env))
    only_env = sorted(set(env) - set(lock))
    differ = sorted(f"{n}: lock {lock[n]} vs environment.yml {env[n]}" for n in set(lock) & set(env) if lock[n] != env[n])
    assert not (only_lock or only_env or differ), (
        f"only in requirements.lock: {only_lock}; only in environment.yml: {only_env}; different: {differ} "
        "(run `make lock` to rewrite both from .venv)"
    )


def test_environment_yml_python_is_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in [d for d in env["dependencies"] if isinstance(d, str)]


@pytest.mark.parametrize("source", ["requirements.lock", "environment.yml"])
def test_torch_is_pinned_in_lock_and_environment(source):
    pins = lock_pins() if source == "requirements.lock" else environment_pins()
    assert pins.get("torch") == TORCH_VERSION


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_torch_is_pinned_in_pyproject():
    project = _pyproject()
    assert f"torch=={TORCH_VERSION}" in [d.replace(" ", "") for d in project["dependencies"]]


def test_pyproject_requirements_are_in_the_lock():
    """Every distribution pyproject.toml asks for (extras included) is pinned in the lock."""
    project = _pyproject()
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    lock = lock_pins()
    missing = sorted({_normalise(re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0]) for req in wanted} - set(lock))
    assert not missing, f"pyproject.toml needs {missing}, which requirements.lock does not pin"


# ---- the chapter list is stated in four places: keep them in step --------------------------------
def _makefile_notebooks() -> list[str]:
    text = (ROOT / "Makefile").read_text()
    match = re.search(r"^NOTEBOOKS\s*:?=\s*(.*)$", text, flags=re.MULTILINE)
    assert match, "Makefile: no NOTEBOOKS variable"
    return match.group(1).split()


def test_every_chapter_has_source_executed_notebook_smoke_reference_and_toc_entry():
    names = _makefile_notebooks()
    assert names, "Makefile: NOTEBOOKS is empty (nbval would collect nothing)"
    toc = (ROOT / "book" / "_toc.yml").read_text()
    for name in names:
        assert (ROOT / "notebooks" / f"{name}.py").is_file(), f"Makefile NOTEBOOKS lists {name}: no notebooks/{name}.py"
        assert (ROOT / "book" / "chapters" / f"{name}.ipynb").is_file(), f"run `make chapters` for {name}"
        assert (ROOT / "tests" / "nbval" / f"{name}.ipynb").is_file(), f"run `make smoke-notebooks` for {name}"
        assert f"chapters/{name}" in toc, f"book/_toc.yml does not list chapters/{name}"
