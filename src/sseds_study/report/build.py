"""Build a report: execute its chapters on a profile and build a small Jupyter Book of them.

The chapters are jupytext notebooks in ``book/report_template/`` over the book's analysis functions
(``analysis.data.profile_data_chapter``, ``analysis.search.widths_chapter``,
``analysis.budget.verdict_chapter``, ``analysis.claims_report.summary_chapter``); each is executed by
papermill with ``-p profile <the profile's path>``, as ``make chapters`` executes the book's, and its
injected-parameters cell hidden (``publish hide-injected``). ``_config.yml`` and ``_toc.yml`` come
from the template, with the profile's name and data filled in. The HTML book is built with
``jupyter-book build -W -n --keep-going`` and the PDF by the same route as ``make pdf`` (the
single-page build printed by headless Chromium, ``publish pdf``).

Everything is written to a temporary folder beside the report's place and renamed into it only when
every step has succeeded, so ``results/<profile>/report/`` holds a whole report or the previous one,
never part of one. A chapter that fails leaves its executed notebook (with the traceback) in a
temporary folder outside ``results/``, named in the error.
"""

from __future__ import annotations

import datetime
import os
import shutil
import string
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..data.paths import ENV_DATA_DIR, default_cache_dir, repo_root
from ..errors import SsedsError, one_line

TEMPLATE = repo_root() / "book" / "report_template"
CHAPTERS = ("summary", "data", "widths", "verdict")
PDF_NAME = "report.pdf"
KERNELS = ("sseds", "python3")
# The kernel's own log stays quiet below errors (ipykernel warns on every start that it listens on
# loopback TCP without encryption, which is how papermill always runs it).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


@dataclass
class Report:
    """Where a built report lies: its folder, the HTML entry page and the PDF (None when skipped)."""

    folder: Path
    html: Path
    pdf: Path | None
    notes: list[str]


def kernel_name() -> str:
    """The Jupyter kernel the chapters run in: ``sseds`` (``make setup`` registers it) if it exists,
    else ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    for name in KERNELS:
        if name in specs:
            return name
    raise SsedsError("no Jupyter kernel to run the report's chapters: run `make setup` (it registers the "
                     "'sseds' kernel) or `python -m ipykernel install --user`")


def _tool(name: str) -> str:
    """An executable of this Python's environment (``jupyter-book``), else the one on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SsedsError(f"{name} not found beside {sys.executable} nor on PATH; install the project's requirements")
    return found


@contextmanager
def _environment(results_root: Path):
    """The kernels find the same results and data folders as this process, whatever their working
    directory: both as absolute paths in the environment they inherit."""
    saved = {k: os.environ.get(k) for k in ("SSEDS_RESULTS_DIR", ENV_DATA_DIR)}
    os.environ["SSEDS_RESULTS_DIR"] = str(results_root.resolve())
    os.environ[ENV_DATA_DIR] = str(default_cache_dir().resolve())
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def write_book_files(folder: Path, *, profile: str, data: str) -> None:
    """``_config.yml`` and ``_toc.yml`` from the template, and the book's own Sphinx extension."""
    values = {"profile": profile, "data": data, "year": str(datetime.date.today().year)}
    for name in ("_config.yml", "_toc.yml"):
        text = string.Template((TEMPLATE / name).read_text()).substitute(values)
        (folder / name).write_text(text)
    shutil.copytree(repo_root() / "book" / "_ext", folder / "_ext", ignore=shutil.ignore_patterns("__pycache__"))


def execute_chapter(name: str, profile_path: Path, folder: Path, kernel: str, failed_dir: Path) -> Path:
    """Convert ``book/report_template/<name>.py`` to a notebook and execute it with papermill into ``folder``."""
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from ..publish.notebooks import hide_injected_parameters

    source = folder / "_src" / f"{name}.ipynb"
    source.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(jupytext.read(TEMPLATE / f"{name}.py"), source)
    out = folder / f"{name}.ipynb"
    try:
        papermill.execute_notebook(str(source), str(out), parameters={"profile": str(profile_path)},
                                   kernel_name=kernel, cwd=str(folder), progress_bar=False, log_output=False,
                                   extra_arguments=KERNEL_ARGUMENTS)
    except PapermillExecutionError as exc:
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / f"{name}.ipynb"
        if out.exists():
            shutil.copy2(out, kept)
        raise SsedsError(f"report chapter {name}: {exc.ename}: {one_line(exc.evalue)} (the executed notebook is "
                         f"kept at {kept})") from None
    hide_injected_parameters(out)
    return out


def _jupyter_book(folder: Path, *args: str) -> None:
    cmd = [_tool("jupyter-book"), "build", str(folder), "-W", "-n", "--keep-going", *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()][-8:]
        raise SsedsError(f"jupyter-book build {' '.join(args) or 'html'} of the report failed: "
                         + " | ".join(one_line(t, 200) for t in tail))


def build_pdf(folder: Path, notes: list[str]) -> Path | None:
    """The single-page build printed to ``_build/pdf/report.pdf`` (``make pdf``'s route); None, with a
    note, when no Chromium is installed."""
    from ..publish.cdp import find_chromium
    from ..publish.pdf import print_pdf

    try:
        find_chromium()
    except SsedsError as exc:
        notes.append(f"no PDF: {exc}")
        return None
    _jupyter_book(folder, "--builder", "singlehtml")
    out = folder / "_build" / "pdf" / PDF_NAME
    printed = print_pdf(folder / "_build" / "singlehtml", out)
    if not printed.pages:
        problems = "; ".join(str(p) for p in printed.problems[:3])
        raise SsedsError(f"report PDF not written: the single-page build has problems ({problems})")
    return out


def replace_folder(staging: Path, target: Path) -> None:
    """Put ``staging`` in ``target``'s place: the old report is moved aside first and deleted after."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def build_report(profile_path, target, *, results_root, data: str, profile: str, pdf: bool = True,
                 log: Callable[[str], None] = print) -> Report:
    """Execute the report's chapters on the profile at ``profile_path`` and build the book into
    ``target`` (``results/<profile>/report``); see the module docstring."""
    profile_path, target = Path(profile_path).resolve(), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp's folder is private; the report is an ordinary folder
    failed_dir = Path(tempfile.gettempdir()) / f"sseds-report-{profile}-failed"
    notes: list[str] = []
    try:
        kernel = kernel_name()
        with _environment(Path(results_root)):
            for name in CHAPTERS:
                log(f"report: executing {name}")
                execute_chapter(name, profile_path, staging, kernel, failed_dir)
        shutil.rmtree(staging / "_src")
        write_book_files(staging, profile=profile, data=data)
        log("report: building the HTML book")
        _jupyter_book(staging)
        printed = None
        if pdf:
            log("report: printing the PDF")
            printed = build_pdf(staging, notes)
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Report(target, target / "_build" / "html" / "index.html",
                  target / "_build" / "pdf" / PDF_NAME if printed else None, notes)
