"""Where the groups of a sweep run: in this process, in local worker processes, or on Ray.

Each executor calls ``record(row)`` for every finished run as soon as it knows of it; the rows are
already in the journal by then (workers write them), so stopping an executor loses only runs in
progress.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import threading
import traceback
from pathlib import Path

from tqdm import tqdm

from ..errors import ConfigError, WorkerError, is_environment_error
from .execute import run_group
from .journal import journal_path, read_journal_entry


def sweep_in_process(groups, results_dir, provenance, record) -> None:
    for group in groups:
        run_group(group, results_dir, provenance=provenance, on_row=record)


def sweep_processes(groups, results_dir, provenance, workers, record) -> None:
    """Run groups on ``workers`` spawned processes; Ctrl-C or any error stops them all at once.

    Our own processes rather than ``multiprocessing.Pool``: Ctrl-C reaches the whole process group,
    pool workers died of it mid-task, and once (in CI) ``Pool.terminate()``/``join()`` then never
    returned. Here workers ignore SIGINT, the parent alone decides, and stopping means killing the
    workers without waiting on any queue they share.
    """
    ctx = mp.get_context("spawn")  # not fork: torch and its thread pools do not survive fork reliably
    wanted = {spec.key for g in groups for spec in g}
    # Failed runs being retried still have their old journal entry: only a rewritten file is news.
    before = {k: _mtime(results_dir, k) for k in wanted}
    tasks, results = ctx.Queue(), ctx.Queue()
    for group in groups:
        tasks.put(group)
    n = min(workers, len(groups))
    for _ in range(n):
        tasks.put(None)  # one stop sign per worker
    procs = [ctx.Process(target=_worker_loop, args=(tasks, results, str(results_dir), provenance),
                         name=f"sseds-worker-{i}", daemon=True) for i in range(n)]
    try:
        for proc in procs:
            proc.start()
        remaining = len(groups)
        while remaining:
            try:
                rows, error = results.get(timeout=2.0)
            except queue.Empty:
                rows = error = None
            _check_workers(procs)
            # Workers journal each run as it finishes: report those now, not when the group ends.
            for key, row in _new_journal_rows(results_dir, wanted, before).items():
                wanted.discard(key)
                record(row)
            if isinstance(error, BaseException):
                raise error  # the machine's fault (a full disk, say): reported like any other
            if error is not None:
                raise RuntimeError(f"a sweep worker failed outside any run:\n{error}")
            if rows is not None:
                remaining -= 1
                for row in rows:
                    record(row)
    except BaseException:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        raise
    finally:
        for proc in procs:
            proc.join(timeout=10)
        # Unsent tasks may remain in the queue's buffer: do not wait to flush them at exit.
        tasks.cancel_join_thread()
        for q in (tasks, results):
            q.close()


def _worker_loop(tasks, results, results_dir: str, provenance: dict) -> None:
    """Body of one sweep worker process: run groups until the stop sign."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # tqdm would otherwise create a multiprocessing lock here, which a worker killed on Ctrl-C never
    # releases, and the resource tracker then warns of leaked semaphores. One process, one thread lock.
    tqdm.set_lock(threading.RLock())
    while (group := tasks.get()) is not None:
        try:
            results.put((run_group(group, results_dir, provenance=provenance), None))
        except Exception as exc:  # run_group turns run errors into rows; this is anything else
            results.put((None, exc if is_environment_error(exc) else traceback.format_exc()))


def _check_workers(procs) -> None:
    """A worker that died (killed, out of memory) will never report: stop instead of waiting forever."""
    for proc in procs:
        if proc.exitcode not in (None, 0):
            raise WorkerError(
                f"sweep worker {proc.name} (pid {proc.pid}) died with exit code {proc.exitcode}; "
                "finished runs are saved, rerun the sweep to resume")


def _mtime(results_dir, key: str) -> int | None:
    try:
        return journal_path(results_dir, key).stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _new_journal_rows(results_dir, keys: set[str], before: dict[str, int | None]) -> dict[str, dict]:
    """Journal rows among ``keys`` written since ``before`` (each file is whole: writes are atomic)."""
    rows = {}
    for key in list(keys):
        stamp = _mtime(results_dir, key)
        if stamp is not None and stamp != before.get(key):
            row = read_journal_entry(journal_path(results_dir, key))
            if row is not None:
                rows[key] = row
    return rows


def sweep_ray(groups, results_dir, provenance, workers, record) -> None:
    try:
        import ray  # optional (the `cluster` extra): imported only when asked for
    except ImportError:
        raise ConfigError("executor 'ray' needs Ray: pip install 'sseds-study[cluster]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        # RAY_ADDRESS (if set) joins an existing cluster; otherwise a local instance with `workers` CPUs.
        ray.init(address=os.environ.get("RAY_ADDRESS"), num_cpus=None if os.environ.get("RAY_ADDRESS") else workers,
                 include_dashboard=False, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1)(run_group)
        pending = [remote.remote(g, str(Path(results_dir)), (), provenance) for g in groups]
        while pending:
            finished, pending = ray.wait(pending, num_returns=1)
            for row in ray.get(finished[0]):
                record(row)
    finally:
        if started_here:
            ray.shutdown()
