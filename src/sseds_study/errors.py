"""Errors raised for bad user input.

Every error names where the problem is (file, line, field) and what was expected, so the command
line can print it as one clear line instead of a traceback.
"""

from __future__ import annotations

import errno
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


class DataFormatError(SsedsError):
    """A data file does not have the expected shape or content."""

    def __init__(self, path, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class ChecksumError(SsedsError):
    """A downloaded or local file does not match its published checksum."""


class DownloadError(SsedsError):
    """A download failed or was interrupted; the partial file is kept for resume, never used."""


class ConfigError(SsedsError):
    """A configuration value is missing, unknown or out of range."""


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
