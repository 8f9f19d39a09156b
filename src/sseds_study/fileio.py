"""Atomic file writes: a reader (or a resumed sweep) sees the old file or the new one, never a part.

Write to a temporary file beside the target, then ``os.replace`` it over the target (atomic on one
filesystem). If writing fails the temporary file is removed and the target is untouched.
``check_writable_dir`` checks an output place before any work starts.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import SsedsError


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is deleted."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (flushed to disk before the rename)."""
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def check_writable_dir(path, what: str) -> Path:
    """Check, before any work, that a folder can be created or written at ``path``; returns it.

    Nothing is left behind: a probe file is created and removed in the folder, or in its nearest
    existing parent when the folder does not exist yet (it is created later, by the first write).
    ``what`` names the place in the message (an option such as ``--out``).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SsedsError(f"{what} {path}: exists and is not a folder; expected a folder (new or existing)")
    probe = path
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise SsedsError(f"{what} {path}: {probe} is a file, so no folder can be made under it")
    try:
        fd, name = tempfile.mkstemp(prefix=".sseds-probe-", dir=probe)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise SsedsError(f"{what} {path}: cannot write in {probe} ({exc.strerror})") from None
    return path
