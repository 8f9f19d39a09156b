"""Text files cut into blocks of whole lines, one block held at a time.

We cut files ourselves instead of using Arrow's streaming reader, which reads ahead without a bound
we can set (its buffered blocks grow with the file). A block ends after a newline; the last one may
lack it. A UTF-8 byte-order mark and ``skip`` header lines are passed over first. A quoted field
spanning lines is read whole when the block holds it whole (a block is cut after a newline, which may
fall inside such a field only in a file of more than one block); line numbers in messages count the
file's physical lines (:class:`RecordLines`), not its records.

* :func:`whole_line_arrays`: each block a uint8 view of a buffer that is read into and reused (one,
  or a few taking turns; the compiled Criteo pass reads these);
* :func:`whole_line_blocks`: each block as bytes;
* :func:`numbered_line_blocks`: bytes with the line number they start at, for error messages.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..fileio import BOM  # the UTF-8 byte-order mark that spreadsheets write at the start of a file


def count_byte(data: bytes, byte: int, step: int = 1 << 20) -> int:
    """How many times ``byte`` occurs in ``data``: numpy, a megabyte at a time (its scratch array stays
    small enough for the allocator to reuse), about three times faster than ``bytes.count``."""
    arr = np.frombuffer(data, dtype=np.uint8)
    return sum(int(np.count_nonzero(arr[i:i + step] == byte)) for i in range(0, len(arr), step))


def numbered_line_blocks(path: Path, block_bytes: int, skip: int) -> Iterator[tuple[int, bytes]]:
    """(first line number, bytes) blocks of whole lines, about block_bytes each."""
    line = 1 + skip
    for block in whole_line_blocks(path, block_bytes, skip):
        yield line, block
        line += count_byte(block, 10)


def whole_line_blocks(path: Path, block_bytes: int, skip: int) -> Iterator[bytes]:
    """Blocks of whole lines as bytes, about block_bytes each (:func:`whole_line_arrays`, copied out)."""
    for block in whole_line_arrays(path, block_bytes, skip):
        yield bytes(block)


def whole_line_arrays(path: Path, block_bytes: int, skip: int, buffers: int = 1) -> Iterator[np.ndarray]:
    """Blocks of whole lines, each a uint8 view of a buffer that is read into and reused: no copy of
    the text per block. ``buffers`` buffers take turns, so a view stays valid until ``buffers`` more
    have been asked for (1: until the next one; 2 lets a caller work on a block while the next is
    read)."""
    if buffers < 1:
        raise ValueError(f"buffers must be at least 1, not {buffers}")
    ring = [np.empty(block_bytes, dtype=np.uint8) for _ in range(buffers)]
    turn = 0
    buf = ring[0]
    tail = 0  # bytes of an unfinished line kept at the front of buf
    with open(path, "rb") as fh:
        if fh.read(len(BOM)) != BOM:
            fh.seek(0)
        for _ in range(skip):
            fh.readline()
        while True:
            if tail == len(buf):  # a line longer than the buffer: grow it
                buf = ring[turn] = np.concatenate([buf, np.empty(len(buf), dtype=np.uint8)])
            got = fh.readinto(memoryview(buf)[tail:])
            if not got:
                break
            end = tail + got
            cut = _after_last_newline(buf, end)
            if cut == 0:
                tail = end
                continue
            yield buf[:cut]
            tail = end - cut
            turn = (turn + 1) % buffers
            nxt = ring[turn]
            if len(nxt) < len(buf):  # the previous buffer grew for a long line: this one follows
                nxt = ring[turn] = np.empty(len(buf), dtype=np.uint8)
            nxt[:tail] = buf[cut:end] if nxt is not buf else buf[cut:end].copy()
            buf = nxt
    if tail and bytes(buf[:tail]).strip():
        yield buf[:tail]


def _after_last_newline(buf: np.ndarray, end: int, step: int = 1 << 16) -> int:
    """The position after the last newline in buf[:end], 0 when there is none."""
    for stop in range(end, 0, -step):
        at = bytes(buf[max(0, stop - step):stop]).rfind(b"\n")
        if at >= 0:
            return max(0, stop - step) + at + 1
    return 0


def iter_records(data: bytes, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of every record of a block of delimited text as a csv parser reads it, ``line``
    the 0-based physical line of the block the record starts on: a quoted field may span lines, and an
    empty line holds no record (Arrow skips it too)."""
    text = data.decode("utf-8", "replace")
    reader = csv.reader((line + "\n" for line in text.split("\n")), delimiter=delimiter)
    start = 0
    try:
        for record in reader:
            if record:
                yield start, record
            start = reader.line_num
    except csv.Error:
        return


class RecordLines:
    """Row -> the file's 1-based physical line where that row starts, for a block of delimited text
    that starts on line ``first``. Only an error message asks, so the block is scanned on the first
    question, not before."""

    def __init__(self, data: bytes, delimiter: str, first: int):
        self.data, self.delimiter, self.first = data, delimiter, first
        self._starts: list[int] | None = None

    def __call__(self, row: int) -> int:
        if self._starts is None:
            self._starts = [start for start, _ in iter_records(self.data, self.delimiter)]
        return self.first + (self._starts[row] if row < len(self._starts) else row)


__all__ = ["BOM", "RecordLines", "count_byte", "iter_records", "numbered_line_blocks", "whole_line_arrays",
           "whole_line_blocks"]
