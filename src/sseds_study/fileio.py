"""Reading and writing files: the one reader of text files, and atomic writes.

Reading: ``read_text`` is how every YAML file and every csv the project reads whole is opened (data
readers that stream a file check its first bytes with ``check_text_start``): a folder, a compressed
file, a UTF-16 file or bytes that are not UTF-8 are one error naming the file and the line and byte.

Writing: write to a temporary file beside the target, then ``os.replace`` it over the target (atomic
on one filesystem). If writing fails the temporary file is removed and the target is untouched, and
the error names the target. The file gets the mode a plain ``open`` would give it under the
process's umask (not ``mkstemp``'s 0600), so others sharing a results folder can read it.
``check_writable_dir`` checks an output place before any work starts; ``make_dirs`` creates one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import SsedsError, TextFileError

# -- reading -------------------------------------------------------------------------------------------
BOM = b"\xef\xbb\xbf"  # the UTF-8 byte-order mark that spreadsheets and some editors write first
# First bytes that say a file is not plain text: (magic, what it is, what to do).
_NOT_TEXT = (
    (b"\x1f\x8b", "compressed (gzip)", "decompress it first (gunzip)"),
    (b"\x28\xb5\x2f\xfd", "compressed (zstd)", "decompress it first (zstd -d)"),
    (b"\xfd7zXZ\x00", "compressed (xz)", "decompress it first (xz -d)"),
    (b"PK\x03\x04", "a zip archive", "extract it first (unzip)"),
    (b"PAR1", "a parquet file, not text", "give it the suffix .parquet"),
    (b"\xff\xfe", "UTF-16 text", "save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text", "save it as UTF-8"),
)
TEXT_LIMIT = 64 << 20  # a profile or a spec is a few kilobytes; read_text refuses more than this


def check_text_start(path, head: bytes) -> None:
    """Refuse a file whose first bytes say it is not plain text (compressed, an archive, UTF-16)."""
    kinds = [(what, todo) for magic, what, todo in _NOT_TEXT if head.startswith(magic)]
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] == b"1AY&SY":
        kinds.append(("compressed (bzip2)", "decompress it first (bunzip2)"))
    if kinds:
        what, todo = kinds[0]
        raise TextFileError(path, None, f"{what}; {todo}")


def not_utf8(path, line: int, raw: bytes, start: int, *, offset: int | None = None,
             column: str = "") -> TextFileError:
    """The error for bytes that are not UTF-8 at ``raw[start]`` (``raw`` is line ``line`` of the file,
    ``offset`` the byte's offset in the file when known, ``column`` a csv column to name)."""
    where = f"byte 0x{raw[start]:02x} at position {start + 1}"
    if offset is not None:
        where += f" of the line, byte offset {offset} of the file"
    return TextFileError(path, line, f"not UTF-8 text ({where}{column}); save the file as UTF-8")


def check_file(path, what: str = "file") -> Path:
    """``path`` as a Path when it is an existing regular file; else a TextFileError saying what it is
    (missing, a symbolic link to nothing, a folder)."""
    path = Path(path)
    if path.is_dir():
        raise TextFileError(path, None, f"is a folder; expected a {what}")
    if not path.exists():
        if path.is_symlink():
            raise TextFileError(path, None, f"a symbolic link to {os.readlink(path)}, which does not exist; "
                                f"expected a {what}")
        raise TextFileError(path, None, f"{what} not found")
    return path


def read_text(path, what: str = "file", limit: int = TEXT_LIMIT) -> str:
    """The whole of a UTF-8 text file (a leading byte-order mark dropped). Every YAML file and every csv
    read whole goes through here, so each refusal is the same one line naming the file: missing, a
    folder, larger than ``limit`` bytes, compressed or UTF-16, or not UTF-8 (with the line, the
    position in it and the byte offset in the file). ``what`` names the file's role in messages."""
    path = check_file(path, what)
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise TextFileError(path, None, f"larger than {limit >> 20} MiB; expected a {what} (text)")
    check_text_start(path, data[:16])
    skip = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = skip + exc.start
        begin = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        line = data.count(b"\n", 0, at) + 1
        raise not_utf8(path, line, data[begin:end if end >= 0 else len(data)], at - begin, offset=at) from None


# -- writing -------------------------------------------------------------------------------------------
def current_umask() -> int:
    """The process's umask. Read from /proc where there is one: setting it to learn it (the only
    portable way) would briefly change it for every thread."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: 0o666 less the umask."""
    return 0o666 & ~current_umask()


def new_dir_mode() -> int:
    """The mode ``mkdir`` gives a new folder: 0o777 less the umask."""
    return 0o777 & ~current_umask()


def _blocker(path: Path) -> str | None:
    """Why no folder can be made at ``path``: a component that is a file, or a symbolic link to nothing."""
    for p in (path, *path.parents):
        if p.is_symlink() and not p.exists():
            return f"{p} is a symbolic link to {os.readlink(p)}, which does not exist"
        if p.exists():
            return None if p.is_dir() else f"{p} is a file, so no folder can be made under it"
    return None


def make_dirs(path, what: str | None = None) -> Path:
    """``mkdir -p``, with one clear SsedsError (naming ``what``, an option, when given) instead of
    FileExistsError when a component of ``path`` is a file or a symbolic link that leads nowhere."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        reason = _blocker(path) or f"{path} exists and is not a folder"
        raise SsedsError(f"{what + ' ' if what else ''}{path}: {reason}; expected a folder (new or existing)") from None
    return path


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is deleted. An
    OSError names ``path`` (not the temporary file), so a full disk is reported with the file it
    stopped. The file gets the umask's mode, as a new file from ``open`` would."""
    path = Path(path)
    make_dirs(path.parent)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            os.fchmod(fd, new_file_mode())
        finally:
            os.close(fd)
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename in (None, tmp):
            exc.filename = str(path)
        raise


@contextlib.contextmanager
def atomic_open(path, mode: str = "w") -> Iterator:
    """An open file (``mode`` "w" for UTF-8 text, "wb" for bytes) that replaces ``path`` atomically when
    the block ends, flushed to disk first; on failure ``path`` is untouched (``atomic_path``)."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode must be 'w' or 'wb', not {mode!r}")
    with atomic_path(path) as tmp, open(tmp, mode, **({"encoding": "utf-8"} if mode == "w" else {})) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, as UTF-8 (flushed to disk before the rename)."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def check_writable_dir(path, what: str) -> Path:
    """Check, before any work, that a folder can be created or written at ``path``; returns it.

    Nothing is left behind: a probe file is created and removed in the folder, or in its nearest
    existing parent when the folder does not exist yet (it is created later, by the first write).
    ``what`` names the place in the message (an option such as ``--out``).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SsedsError(f"{what} {path}: exists and is not a folder; expected a folder (new or existing)")
    reason = _blocker(path)
    if reason is not None:
        raise SsedsError(f"{what} {path}: {reason}; expected a folder (new or existing)")
    probe = path
    while not probe.exists():
        probe = probe.parent
    try:
        fd, name = tempfile.mkstemp(prefix=".sseds-probe-", dir=probe)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise SsedsError(f"{what} {path}: cannot write in {probe} ({exc.strerror})") from None
    return path
