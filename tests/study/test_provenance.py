"""The provenance every result row carries: the CPU's model name."""

from __future__ import annotations

from sseds_study.study.provenance import cpu_model, provenance


def test_cpu_model_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC  7B13 64-Core Processor\n")
    assert cpu_model(info) == "AMD EPYC 7B13 64-Core Processor"


def test_cpu_model_without_cpuinfo_still_names_something(tmp_path):
    assert cpu_model(tmp_path / "absent") != ""


def test_provenance_has_the_cpu_and_the_numerical_mode():
    p = provenance("p")
    assert set(p) == {"versions", "git_commit", "cpu", "profile", "numerics", "numerics_detail"}
    assert p["numerics_detail"].startswith(p["numerics"] + " (MKL branch ")


def _repo(tmp_path):
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    for rel in ("src/a.py", "book/chapters/01.ipynb", "tests/nbval/01.ipynb"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    git("add", "-A")
    git("commit", "-qm", "first")
    return tmp_path


def test_the_builds_own_outputs_do_not_make_the_tree_dirty(tmp_path):
    from sseds_study.study.provenance import git_commit

    repo = _repo(tmp_path)
    clean = git_commit(repo)
    assert len(clean) == 40 and not clean.endswith("+dirty")
    (repo / "book/chapters/01.ipynb").write_text("executed\n")
    (repo / "tests/nbval/01.ipynb").write_text("executed\n")
    assert git_commit(repo) == clean
    (repo / "src/a.py").write_text("changed\n")
    assert git_commit(repo) == clean + "+dirty"
