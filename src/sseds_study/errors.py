"""Errors raised for bad user input.

Every error names where the problem is (file, line, field) and what was expected, so the command
line can print it as one clear line instead of a traceback.
"""

from __future__ import annotations


class SsedsError(Exception):
    """Base class for errors caused by user input or the environment (not by a bug)."""


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


class WorkerError(SsedsError):
    """A sweep worker process died (killed, out of memory); finished runs are kept."""
