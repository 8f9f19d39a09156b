"""A Criteo file layout and its fitted vocabularies made into the tables of the compiled pass
(``kernel``) once; each block of whole lines is then cut at newlines into byte ranges and the
ranges encoded on threads (the compiled functions release the GIL)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .kernel import (
    CAT,
    END,
    INT,
    LABEL,
    OTHER,
    REFUSE,
    SKIP,
    count_rows,
    encode_range,
    next_line,
)
from .key_table import NIBBLE, build, numba

# byte ranges a block is cut into per thread (see BlockEncoder._ranges)
RANGES_PER_THREAD = 2


class BlockEncoder:
    """A file layout (its column names, delimiter, label column) and its vocabularies, compiled into
    lookup tables once; :meth:`encode` turns a block of whole lines into ids.

    cat_vocabularies: per categorical field, its vocabulary (entry 0, the OOV id, is not looked up);
    cat_na: per categorical field, the id of a missing (empty) value; integer value int_lo + i of field k
    has the id int_tables[k, int_buckets[i]] (the buckets shared by all fields, so that the per-field
    tables are small); int_na: per integer field, the id of a missing value.
    """

    def __init__(self, names: Sequence[str], delimiter: str, label: str, int_fields: Sequence[str],
                 cat_fields: Sequence[str], cat_vocabularies: Sequence[Sequence[str]], cat_na: Sequence[int],
                 int_buckets: np.ndarray, int_tables: np.ndarray, int_lo: int, int_na: Sequence[int],
                 threads: int | None = None):
        if numba is None:
            raise RuntimeError("numba is not installed: pip install 'sseds-study[fast]'")
        if len(delimiter) != 1 or ord(delimiter) >= 128 or delimiter in '"\r\n':
            raise ValueError(f"the compiled pass takes a one-character ASCII delimiter, not {delimiter!r}")
        index = {n: i for i, n in enumerate(names)}
        missing = [f for f in (label, *int_fields, *cat_fields) if f not in index]
        if missing:
            raise ValueError(f"columns {missing} are not among the file's columns {list(names)}")
        self.roles = np.full(len(names), SKIP, dtype=np.int64)  # a column not encoded is skipped
        self.slots = np.zeros(len(names), dtype=np.int64)
        self.roles[index[label]] = LABEL
        for role, fields in ((INT, int_fields), (CAT, cat_fields)):
            for k, f in enumerate(fields):
                self.roles[index[f]], self.slots[index[f]] = role, k
        self.classes = np.where(NIBBLE >= 0, NIBBLE, OTHER).astype(np.int64)
        self.classes[128:] = REFUSE
        self.classes[[ord('"'), 13]] = REFUSE
        self.classes[[10, ord(delimiter)]] = END
        self.n_int, self.n_cat = len(int_fields), len(cat_fields)
        # int32 where the ids fit (they always do for real vocabularies): half the cache the tables take
        small = int_tables.size == 0 or int(np.max(int_tables)) < 2**31
        self.int_tables = np.ascontiguousarray(int_tables, dtype=np.int32 if small else np.int64).reshape(self.n_int, -1)
        self.int_buckets = np.ascontiguousarray(int_buckets, dtype=np.int32)
        self.int_lo = int(int_lo)
        self.int_na = np.asarray(int_na, dtype=np.int64)
        self.cat_na = np.asarray(cat_na, dtype=np.int64)
        self.table, self.entries, self.key_bytes = build(cat_vocabularies)
        self.threads = max(1, threads or len(os.sched_getaffinity(0)))
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None

    def _ranges(self, buf: np.ndarray) -> list[tuple[int, int]]:
        """The block cut after newlines into about equal byte ranges, RANGES_PER_THREAD per thread: a
        thread that finishes early (or had its core taken for a while) takes the next range, rather
        than waiting for the slowest."""
        cuts = [0]
        pieces = self.threads * RANGES_PER_THREAD if self.threads > 1 else 1
        for t in range(1, pieces):
            at = next_line(buf, max(cuts[-1], len(buf) * t // pieces))
            if at >= len(buf):
                break
            cuts.append(at)
        cuts.append(len(buf))
        return [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1) if cuts[i + 1] > cuts[i]]

    def _map(self, fn, items):
        return list(self._pool.map(fn, items)) if self._pool is not None and len(items) > 1 else [fn(x) for x in items]

    def encode(self, block, dtype=np.int64) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """A block of whole lines (bytes, or a uint8 array) -> (ids (n, integer + categorical fields) of
        ``dtype`` (int64 or int32), labels float32 (n,), wide int64 (m, 3)), or None when the block is
        outside the plain case. An integer field's id is -1 where its value is outside the direct
        table; ``wide`` lists those as (row, field, value)."""
        buf = np.frombuffer(block, dtype=np.uint8) if isinstance(block, (bytes, bytearray, memoryview)) else block
        ranges = self._ranges(buf)
        counts = self._map(lambda ab: count_rows(buf, ab[0], ab[1]), ranges)
        n = sum(counts)
        ids = np.empty((n, self.n_int + self.n_cat), dtype=dtype)
        labels = np.empty(n, dtype=np.float32)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        # per range, room for every integer value to be listed (the pages are only touched when used)
        wide = [np.empty((1 + c * self.n_int, 3), dtype=np.int64) for c in counts]
        for w in wide:
            w[0, 0] = 0

        def run(i):
            return self._encode_range(buf, *ranges[i], starts[i], ids, labels, wide[i])

        done = self._map(run, list(range(len(ranges))))
        if any(got != want for got, want in zip(done, counts, strict=True)):
            return None
        return ids, labels, np.concatenate([np.zeros((0, 3), dtype=np.int64)] + [w[1:1 + w[0, 0]] for w in wide])

    def warm(self, dtype=np.int64) -> None:
        """Load (or compile) the compiled functions now rather than at the first block: an empty range
        of a writable buffer, the type ``line_blocks.whole_line_arrays`` gives."""
        buf = np.zeros(1, dtype=np.uint8)
        count_rows(buf, 0, 0)
        self._encode_range(buf, 0, 0, 0, np.zeros((0, self.n_int + self.n_cat), dtype=dtype),
                           np.zeros(0, dtype=np.float32), np.zeros((1, 3), dtype=np.int64))

    def _encode_range(self, buf, a, b, row0, ids, labels, wide) -> int:
        return encode_range(buf, a, b, self.classes, self.roles, self.slots, self.n_int, self.table, self.entries,
                            self.key_bytes, self.cat_na, self.int_buckets, self.int_tables, self.int_lo,
                            self.int_na, row0, ids, labels, wide)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


__all__ = ["RANGES_PER_THREAD", "BlockEncoder"]
