"""Errors raised for bad user input.

Every error names where the problem is (file, line, field) and what was expected, so the command
line can print it as one clear line instead of a traceback.
"""

from __future__ import annotations

import errno
import math
import reprlib
import sys

# OSErrors that come from the machine, not from a bug: a full disk, a quota, a read-only or
# forbidden place. The command line reports them in one line naming the file.
ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


class SsedsError(Exception):
    """Base class for errors caused by user input or the environment (not by a bug)."""


class NotReached(SsedsError):
    """A run whose method could not produce a model at its budget under the study's settings (PEP's
    thresholds stopped short of the budget): an outcome of the method, recorded as a failed row with
    ``not_reached`` set, not a fault of the code or the data; a sweep with only such failures succeeds."""


class ConfigError(SsedsError):
    """A configuration value is missing, unknown or out of range."""


class DataFormatError(SsedsError):
    """A data file does not have the expected shape or content."""

    def __init__(self, path, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class TextFileError(DataFormatError, ConfigError):
    """A file that should be text (a profile, a table spec, a csv) cannot be read as UTF-8 text: it is
    compressed, UTF-16, or holds bytes that are not UTF-8; or it is a folder or missing. Both a
    DataFormatError and a ConfigError, so the callers of data readers and of YAML loading catch it."""


class ChecksumError(SsedsError):
    """A downloaded or local file does not match its published checksum."""


class DownloadError(SsedsError):
    """A download failed or was interrupted; the partial file is kept for resume, never used."""


class OptionError(ConfigError, ValueError):
    """A dataset option (``--option KEY=VALUE``, a profile's ``options:``, a keyword argument) is unknown
    or has the wrong type or value. Also a ValueError, so plain Python callers can catch the usual type."""


class CacheError(SsedsError):
    """A cached file (encoded dataset, journal entry, results table) is damaged or belongs to something
    else; callers that can rebuild it do so."""


class WorkerError(SsedsError):
    """A sweep worker process died (killed, out of memory); finished runs are kept."""


def is_environment_error(exc: BaseException) -> bool:
    """An OSError caused by the machine (full disk, quota, read-only or forbidden place), not a bug."""
    return isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS


def notice(message: str) -> None:
    """One line on stderr about state that was found damaged and repaired (or set aside)."""
    print(f"sseds: {message}", file=sys.stderr)


def one_line(text, limit: int = 300) -> str:
    """A message on one line (whitespace collapsed), cut to ``limit`` characters: third-party errors
    (torch's) span many lines, and a notice or an error message is one."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# A user's value in a message: a few entries of each list and mapping, a few levels deep, long strings
# and numbers cut in the middle. Formatting stays cheap whatever the value (a YAML alias bomb expands
# to billions of leaves; a csv cell can hold megabytes), and the message stays one readable line.
class _ShortRepr(reprlib.Repr):
    def repr_int(self, x, level):
        if x.bit_length() > 10_000:  # repr() refuses integers of more than 4300 digits (and is slow)
            return f"<an integer of about {int(x.bit_length() * math.log10(2)):,} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()
_SHORT.maxlevel = 3
_SHORT.maxtuple = _SHORT.maxlist = _SHORT.maxarray = _SHORT.maxdict = 6
_SHORT.maxset = _SHORT.maxfrozenset = _SHORT.maxdeque = 6
_SHORT.maxstring = 80
_SHORT.maxlong = 40
_SHORT.maxother = 80


def show(value, limit: int = 160) -> str:
    """``repr(value)`` for an error message, bounded in time and length (``reprlib`` with caps, then cut
    to ``limit`` characters): every message that quotes a value the user gave goes through it."""
    text = _SHORT.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show_names(names, limit: int = 12) -> str:
    """Names for a message, comma-separated: the first ``limit`` and how many more (a header of 10,001
    columns is not quoted whole)."""
    names = [str(n) for n in names]
    shown = ", ".join(show(n) if len(n) > 80 else n for n in names[:limit])
    return shown + (f", ... ({len(names) - limit:,} more)" if len(names) > limit else "")
