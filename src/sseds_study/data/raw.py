"""Raw data as every dataset module hands it on: field declarations and the raw chunk stream.

A dataset module turns its raw files into a stream of :class:`Chunk` objects (raw values as Arrow
string arrays, ``null`` = missing) and declares each field as a :class:`RawField`; ``encode.py``
does the rest, the same way for every dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .spec import KINDS


@dataclass(frozen=True)
class RawField:
    """How one raw column becomes one field.

    kind: ``categorical`` (value is the category), ``numeric`` (bucketised into categories, see
    :func:`~.encode.log_square_bucket`) or ``multi`` (``sep``-separated tokens; ``sep=None`` =
    whitespace).
    integer: numeric values must be integers (Criteo I1..I13); a float there is a format error.
    bucket: ``log_square`` (the Criteo rule) or ``none`` (the numeric value itself is the category).
    """

    name: str
    kind: str = "categorical"
    sep: str | None = None
    integer: bool = False
    bucket: str = "log_square"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.bucket not in ("log_square", "none"):
            raise ValueError(f"field {self.name!r}: bucket must be 'log_square' or 'none'")


@dataclass
class Chunk:
    """A block of consecutive raw rows from one file.

    columns: field name -> Arrow string array of length n (null = missing);
    labels: float32 (n,) in {0, 1}; path/first_line: where the rows came from (first_line is the
    1-based line of the first row, used in error messages); split: the split of every row when the
    file is itself a split, None when rows are to be split at random. lines: row -> the file's line
    where it starts, for text whose rows are not one line each (a quoted field spanning lines, an
    empty line); None: row i is on line first_line + i.
    """

    columns: dict[str, pa.Array]
    labels: np.ndarray
    path: str
    first_line: int
    split: int | None = None
    lines: Callable[[int], int] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def line(self, row: int) -> int:
        """The 1-based line of the file where row ``row`` of this chunk starts (for error messages)."""
        return self.lines(row) if self.lines is not None else self.first_line + row


ChunkStream = Callable[[], Iterator[Chunk]]  # called once per pass: must restart from the top
