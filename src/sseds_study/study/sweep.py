"""A sweep: run every run of a study profile that has not finished yet, and return the results table.

A run whose key is in the journal with status ``ok`` is never recomputed, so an interrupted sweep
(Ctrl-C, a killed machine) resumes where it stopped. A run that raises is recorded with status
``failed`` and its error, does not stop the sweep, and is tried again by the next sweep.

Before any run, each dataset the runs still to do read is loaded once (``check_data``): a data file
that cannot be read (a malformed row, a missing file, a compressed csv) stops the sweep with one
error, instead of failing every run one by one. The encoding is cached, so the runs do not repeat it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..config import EXECUTORS, check_choice, check_workers, to_dict
from ..errors import SsedsError
from ..fileio import atomic_write_text, check_writable_dir
from .executors import sweep_in_process, sweep_processes, sweep_ray
from .expand import balance_groups, expand_runs, group_runs
from .journal import STUDY_FILE, journal_path, read_journal, read_journal_entry, write_journal, write_table
from .lock import sweep_lock
from .profile import StudyConfig
from .provenance import provenance
from .tune import TUNING_DIR, finish_tuning, tuning_runs


@dataclass
class SweepReport:
    table: pd.DataFrame
    executed: int
    skipped: int
    failed: int
    seconds: float
    study: StudyConfig | None = None  # the study as run: with its tuned settings, if it has a tuning stage


def default_results_dir(study: StudyConfig) -> Path:
    return Path(os.environ.get("SSEDS_RESULTS_DIR", "results")) / study.name


def sweep(
    study: StudyConfig,
    results_dir: str | os.PathLike | None = None,
    *,
    executor: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> SweepReport:
    """Run every run of a study that has not finished yet; return the results table.

    Interrupting a sweep (Ctrl-C, a killed process) loses at most the runs in progress. The results
    folder is checked first and locked for the sweep's lifetime: a second sweep on it fails at once
    (SweepLocked).
    """
    executor = executor or study.executor
    workers = study.workers if workers is None else workers
    check_choice(executor, EXECUTORS, "executor")
    check_workers(workers, "workers")
    results_dir = check_writable_dir(results_dir if results_dir is not None else default_results_dir(study),
                                     "results folder")
    results_dir.mkdir(parents=True, exist_ok=True)
    with sweep_lock(results_dir):
        return _sweep_locked(study, results_dir, executor, workers, progress)


def tune_study(study: StudyConfig, results_dir: str | os.PathLike | None = None, *, executor: str | None = None,
               workers: int | None = None, progress: bool = True) -> StudyConfig:
    """The study with its tuned settings (``study.tuned``), running or resuming only its tuning stage
    (nothing to do for a study without one, or one already tuned there): what a chapter that reads
    pretrained models needs before the runs of the whole sweep exist."""
    if study.tune is None or study.tuned:
        return study
    executor, workers = executor or study.executor, study.workers if workers is None else workers
    results_dir = check_writable_dir(results_dir if results_dir is not None else default_results_dir(study),
                                     "results folder")
    results_dir.mkdir(parents=True, exist_ok=True)
    with sweep_lock(results_dir):
        return _tune_locked(study, results_dir, executor, workers, progress)[0]


def _tune_locked(study: StudyConfig, results_dir: Path, executor: str, workers: int,
                 progress: bool) -> tuple[StudyConfig, SweepReport | None]:
    if study.tune is None or study.tuned:
        return study, None
    grid = tuning_runs(study)
    tuning = _execute(grid, results_dir / TUNING_DIR, f"tune {study.name}", study.name, executor, workers, progress,
                      reuse=[d / TUNING_DIR for d in _reuse_dirs(study, results_dir)])
    study = finish_tuning(study, results_dir)  # raises, naming the grid point, if one failed
    return study, tuning


def _sweep_locked(study: StudyConfig, results_dir: Path, executor: str, workers: int, progress: bool) -> SweepReport:
    start = time.perf_counter()
    executed = skipped = failed = 0
    study, tuning = _tune_locked(study, results_dir, executor, workers, progress)
    if tuning is not None:
        executed, skipped, failed = tuning.executed, tuning.skipped, tuning.failed
    atomic_write_text(results_dir / STUDY_FILE, json.dumps(to_dict(study), indent=2, sort_keys=True))
    report = _execute(expand_runs(study), results_dir, f"sweep {study.name}", study.name, executor, workers,
                      progress, reuse=_reuse_dirs(study, results_dir))
    return SweepReport(report.table, report.executed + executed, report.skipped + skipped, report.failed + failed,
                       time.perf_counter() - start, study)


def _reuse_dirs(study: StudyConfig, results_dir: Path) -> list[Path]:
    """The results folders of the profiles ``study.reuse`` names: beside this profile's own."""
    return [results_dir.parent / name for name in study.reuse if name != study.name]


def copy_reused(specs, results_dir: Path, reuse: list[Path]) -> int:
    """Copy into ``results_dir``'s journal every finished run of ``specs`` that one of the ``reuse``
    folders holds under the same key (the key hashes every setting of the run, so the copy is the run
    this profile would compute). Returns how many were copied."""
    copied = 0
    for spec in specs:
        if journal_path(results_dir, spec.key).exists():
            continue
        _copy_checkpoint(spec, results_dir, reuse)
        for other in reuse:
            path = journal_path(other, spec.key)
            row = read_journal_entry(path) if path.is_file() else None
            if row is not None and row.get("status") == "ok":
                write_journal(results_dir, {**row, "reused_from": str(other.name if other.name != TUNING_DIR
                                                                      else other.parent.name)})
                copied += 1
                break
    return copied


def _copy_checkpoint(spec, results_dir: Path, reuse: list[Path]) -> None:
    """A run still to compute whose pretrained model a reused profile holds (the checkpoint's name is
    the hash of everything that determines it, and its loader checks the settings stored in it) starts
    from that checkpoint instead of pretraining again: copied atomically, never overwriting one."""
    import shutil

    from ..fileio import atomic_path
    from .pretrain import checkpoint_path

    mine = checkpoint_path(results_dir, spec)
    if mine.exists():
        return
    for other in reuse:
        theirs = checkpoint_path(other, spec)
        if theirs.is_file():
            with atomic_path(mine) as tmp:
                shutil.copyfile(theirs, tmp)
            return


def check_data(specs, progress: bool = True) -> None:
    """Load, once, each dataset that ``specs`` read (one split of it: the file's content does not depend
    on the split): data that cannot be read raises its one error now, before any run starts. Only the
    user's mistakes (SsedsError) stop here; anything else is left to the runs, which record it."""
    from ..data import load_dataset_from_config

    seen = set()
    for spec in specs:
        what = json.dumps({"name": spec.data.name, "options": to_dict(spec.data.options)}, sort_keys=True,
                          default=str)
        if what in seen:
            continue
        seen.add(what)
        try:
            load_dataset_from_config(spec.data, progress=progress)
        except SsedsError:
            raise
        except Exception:  # noqa: S110 - not the user's mistake: each run fails with it and records it
            pass


def _execute(specs, results_dir: Path, desc: str, profile: str, executor: str, workers: int,
             progress: bool, reuse: list[Path] = ()) -> SweepReport:
    """Run the specs not yet journalled under ``results_dir`` (first copying those the ``reuse``
    folders finished); the table of all of them."""
    results_dir.mkdir(parents=True, exist_ok=True)
    if reuse:
        (results_dir / "runs").mkdir(exist_ok=True)
        copy_reused(specs, results_dir, reuse)
    journal = read_journal(results_dir)
    done = {k for k, r in journal.items() if r.get("status") == "ok"}
    todo = [s for s in specs if s.key not in done]
    check_data(todo, progress)
    current = {spec.key for spec in specs}
    origin = provenance(profile)
    start = time.perf_counter()
    bar = tqdm(total=len(specs), initial=len(specs) - len(todo), desc=desc,
               unit="run", disable=not progress)
    counts = {"executed": 0, "failed": 0}
    recorded: set[str] = set()

    def record(row: dict) -> None:
        if row["key"] in recorded:  # seen already through the journal
            return
        recorded.add(row["key"])
        journal[row["key"]] = row
        counts["executed"] += 1
        counts["failed"] += row["status"] != "ok"
        bar.update(1)
        bar.set_postfix(failed=counts["failed"])
        write_table(results_dir, journal, keep=current)

    groups = group_runs(todo) if executor == "ray" or workers == 1 else balance_groups(group_runs(todo), workers)
    try:
        if executor == "ray":
            sweep_ray(groups, results_dir, origin, workers, record)
        elif workers == 1:
            sweep_in_process(groups, results_dir, origin, record)
        else:
            sweep_processes(groups, results_dir, origin, workers, record)
    finally:
        bar.close()
        # Rows written by workers that were cut off still count: rebuild from the journal.
        journal.update(read_journal(results_dir))
        table = write_table(results_dir, journal, keep=current)
    return SweepReport(table, counts["executed"], len(specs) - len(todo), counts["failed"],
                       time.perf_counter() - start)
