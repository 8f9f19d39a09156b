"""One sweep at a time per results folder: an exclusive lock on ``<results>/.lock``.

A second sweep on the same folder would redo every run the first has not journalled yet, and both
would rewrite the table. The lock is an ``flock`` held for the sweep's lifetime by the process that
runs the sweep; the kernel releases it when that process exits, however it exits (Ctrl-C, a crash,
kill -9), so a lock is never stale. Worker processes never take it, so they are not blocked. The
holder writes its pid into the file, for the message the second sweep prints.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import SsedsError, notice

LOCK_FILE = ".lock"


class SweepLocked(SsedsError):
    """Another sweep holds the results folder."""


@contextlib.contextmanager
def sweep_lock(results_dir) -> Iterator[None]:
    """Hold the results folder's lock in the block; raise SweepLocked at once when another process
    holds it (no waiting: a sweep may run for hours)."""
    path = Path(results_dir) / LOCK_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SsedsError(f"results folder {results_dir}: cannot write there ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepLocked(
                f"results folder {results_dir}: another sweep is running on it ({holder(path)}); wait for it to "
                "finish, or give this one another --results folder") from None
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
            # some network file systems have no locks: run, but say that nothing guards the folder
            notice(f"{path}: cannot lock the results folder ({exc.strerror}); do not run two sweeps on it at once")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def holder(path: Path) -> str:
    """'pid N' of the process that wrote the lock file, as far as the file tells."""
    try:
        pid = path.read_text().strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "pid unknown"
