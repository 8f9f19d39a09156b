"""Wall time of each stage of ``make reproduce`` (data, each sweep, each chapter, the book), kept in
``$SSEDS_RESULTS_DIR/reproduce-times.csv`` for the reproducibility appendix to read.

``time_stage`` runs a command and, when it succeeds, records one row for its stage: stage, seconds,
finished_at (UTC, ISO 8601) and the git commit. A stage keeps only its latest row, so the file holds
the last time each stage actually ran (make skips a stage that is up to date, and its earlier time
stays). The file is rewritten atomically under a lock, so parallel recipes (``make -j``) do not lose
each other's rows. A failed command records nothing: its time would describe no finished result.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..fileio import atomic_write_text
from ..study.provenance import git_commit

TIMES_FILE = "reproduce-times.csv"
COLUMNS = ["stage", "seconds", "finished_at", "git_commit"]


def default_times_path() -> Path:
    return Path(os.environ.get("SSEDS_RESULTS_DIR", "results")) / TIMES_FILE


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_stage_times(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The recorded stages in the order they last finished; empty (with the columns) when none are."""
    path = Path(path) if path is not None else default_times_path()
    if not path.is_file():
        return pd.DataFrame(columns=COLUMNS)
    table = pd.read_csv(path, dtype={"stage": str, "finished_at": str, "git_commit": str})
    return table[COLUMNS].sort_values("finished_at", kind="stable").reset_index(drop=True)


def record_stage(stage: str, seconds: float, path: str | os.PathLike | None = None, commit: str | None = None,
                 finished_at: datetime | None = None) -> pd.DataFrame:
    """Replace ``stage``'s row with this run's time; returns the table written."""
    path = Path(path) if path is not None else default_times_path()
    finished_at = (finished_at or datetime.now(UTC)).isoformat(timespec="seconds")
    row = {"stage": stage, "seconds": round(float(seconds), 1), "finished_at": finished_at,
           "git_commit": commit if commit is not None else git_commit()}
    with _locked(path):
        table = read_stage_times(path)
        table = pd.concat([table[table["stage"] != stage], pd.DataFrame([row])], ignore_index=True)
        atomic_write_text(path, table.to_csv(index=False))
    return table


def time_stage(stage: str, command: Sequence[str], path: str | os.PathLike | None = None) -> int:
    """Run ``command``; record its wall time under ``stage`` if it exits 0; return its exit status.

    The commit recorded is the one the stage started at: a stage that writes into the tree (``make
    regime-rule`` writes the fitted rule) ran the committed code, not a dirty tree."""
    if not command:
        raise ValueError("time-stage: no command to run (give it after --)")
    commit = git_commit()
    start = time.monotonic()
    try:
        status = subprocess.call(list(command))
    except OSError as exc:  # not found, not executable: as a shell reports it
        print(f"time-stage {stage}: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127
    except KeyboardInterrupt:  # Ctrl-C reached the command too; stop as it does, without a traceback
        return 130
    if status < 0:  # killed by a signal: the shell's convention, so make reports it as a failure
        return 128 - status
    if status == 0:
        record_stage(stage, time.monotonic() - start, path, commit=commit)
    return status
