"""Encoding Criteo-format files against fitted vocabularies, block by block (a served model's input
pipeline, and the second pass of ``fast_path.encode_files``).

:class:`FittedEncoder` turns the vocabularies into lookups once: a direct table per integer field,
a polars expression per categorical field and, when numba is installed, the compiled
parse-and-lookup pass of ``kernel``. Then each block of whole lines is encoded by the
compiled pass, or by polars (``frames``' parse) where the compiled pass does not take the
block or numba is missing. Both give the same ids, array for array (tested), and the same refusals.
The compiled pass reads one block ahead: it encodes a block while the next is read and the caller
stores the one before (two blocks in memory, still flat in the file's size).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from ..encode import log_square_bucket
from ..line_blocks import whole_line_arrays
from .block_encoder import BlockEncoder
from .frames import (
    FAST_BLOCK_BYTES,
    check_header,
    int_matrix,
    label_array,
    na_id,
    parse_block,
    raw_blocks,
    split_of,
)
from .kernel import available as numba_available
from .layout import CAT_FIELDS, INT_FIELDS, FileSpec

# the compiled pass reads an integer field's id from a table over these values (buckets included)
INT_TABLE_RANGE = (-1024, 1 << 16)


class _IntLookup:
    """An integer field's vocabulary (bucket strings) as a direct table over the buckets' range, or a
    sorted array for a binary search when the range is too wide: value -> id (0 = OOV)."""

    def __init__(self, vocab: Sequence[str]):
        self.na_id = na_id(vocab)
        ids = np.arange(len(vocab), dtype=np.int64)
        ints = pl.Series(list(vocab[1:]), dtype=pl.String).cast(pl.Int64, strict=False)
        ok = ints.is_not_null().to_numpy()
        vals, vids = ints.to_numpy()[ok].astype(np.int64), ids[1:][ok]
        self.lo = int(vals.min()) if len(vals) else 0
        span = int(vals.max()) - self.lo + 1 if len(vals) else 1
        self.direct = span <= 1 << 22
        if self.direct:
            self.table = np.zeros(span, dtype=np.int64)
            self.table[vals - self.lo] = vids
        else:
            order = np.argsort(vals)
            self.sorted_keys, self.sorted_ids = vals[order], vids[order]

    def encode(self, values: np.ndarray, valid: np.ndarray) -> np.ndarray:
        if self.direct:
            rel = values - self.lo
            inside = (rel >= 0) & (rel < len(self.table))
            out = self.table[np.where(inside, rel, 0)] * inside
        elif len(self.sorted_keys) == 0:
            out = np.zeros(len(values), dtype=np.int64)
        else:
            pos = np.searchsorted(self.sorted_keys, values).clip(0, len(self.sorted_keys) - 1)
            out = np.where(self.sorted_keys[pos] == values, self.sorted_ids[pos], 0)
        return np.where(valid, out, self.na_id)


def _string_lookup(name: str, vocab: Sequence[str]):
    """A categorical field's lookup as a polars expression: its string -> id (0 = OOV), a missing value
    the id of "<NA>" (0 when "<NA>" is not in the vocabulary), as the general path does.

    The vocabulary (without its OOV entry) becomes a polars ``Enum``; a non-strict cast to it gives each
    string its position there (a hash lookup in polars, one column per thread, a third faster than
    ``replace_strict``), and null for a string outside it, which becomes the OOV id 0."""
    missing_id = na_id(vocab)
    codes = pl.col(name).cast(pl.Enum(list(vocab[1:])), strict=False).to_physical().cast(pl.Int64) + 1
    return pl.when(pl.col(name).is_null()).then(pl.lit(missing_id, pl.Int64)).otherwise(codes.fill_null(0)).alias(name)


class FittedEncoder:
    """Fitted vocabularies ({field: [OOV, values...]}) made into lookups once, to encode any number of
    Criteo-format files block by block.

    numeric: the integer fields' transform, as at fitting ("log_square", or anything else for the raw
    values). compiled: encode with the compiled pass (numba) where a block allows it, polars
    elsewhere; None (the default) when numba is installed, False for polars alone, True to require
    it. Both give the same arrays.

    dtype: the ids' (int64, as the datasets hold them, or int32, half the memory and bytes written).

    Use as a context manager (or call :meth:`close`): the compiled pass keeps a thread pool.
    """

    def __init__(self, vocabularies: Mapping[str, Sequence[str]], *, numeric: str = "log_square",
                 compiled: bool | None = None, dtype=np.int64):
        if compiled and not numba_available():
            raise RuntimeError("compiled=True needs numba: pip install 'sseds-study[fast]'")
        missing = [f for f in INT_FIELDS + CAT_FIELDS if f not in vocabularies]
        if missing:
            raise ValueError(f"vocabularies lack the fields {missing}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.int64), np.dtype(np.int32)):
            raise ValueError(f"ids are int64 or int32, not {self.dtype}")
        self.vocabularies = vocabularies
        self.numeric = numeric
        self.compiled = compiled is not False and numba_available()
        self.int_lookups = [_IntLookup(vocabularies[f]) for f in INT_FIELDS]
        self.cat_exprs = [_string_lookup(f, vocabularies[f]) for f in CAT_FIELDS]
        self._kernels: dict = {}

    def prepare(self, spec: FileSpec) -> FittedEncoder:
        """Build the compiled pass for this file's layout now (its tables, and its machine code loaded
        or compiled), rather than at the first block; returns self."""
        kernel = self._kernel(spec)
        if kernel is not None:
            kernel.warm(self.dtype)
        return self

    def _kernel(self, spec: FileSpec):
        """The compiled pass for this file's layout (one per layout), or None without numba or for a
        layout it does not take (then polars encodes, as it would have). Its integer tables are this
        module's own bucketing and lookup over INT_TABLE_RANGE, so its ids are the polars path's."""
        if not self.compiled:
            return None
        key = (spec.names, spec.delimiter, spec.label)
        if key not in self._kernels:
            values = np.arange(*INT_TABLE_RANGE, dtype=np.int64)
            buckets = log_square_bucket(values) if self.numeric == "log_square" else values
            every = np.arange(buckets.min(), buckets.max() + 1)  # each bucket in the range, once
            present = np.ones(len(every), dtype=bool)
            tables = np.stack([lookup.encode(every, present) for lookup in self.int_lookups])
            try:
                self._kernels[key] = BlockEncoder(
                    spec.names, spec.delimiter, spec.label, INT_FIELDS, CAT_FIELDS,
                    [self.vocabularies[f] for f in CAT_FIELDS], [na_id(self.vocabularies[f]) for f in CAT_FIELDS],
                    buckets - buckets.min(), tables, INT_TABLE_RANGE[0], [lookup.na_id for lookup in self.int_lookups])
            except ValueError:
                self._kernels[key] = None
        return self._kernels[key]

    def iter_blocks(self, files: Sequence[FileSpec], *, split_seed: int = 2022,
                    block_bytes: int = FAST_BLOCK_BYTES) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(ids (n, 39) in the order I1..I13, C1..C26, labels float32 (n,), split int8 (n,)) per
        block of the files, rows numbered across the files for the split. Memory is one block,
        whatever the files' size. Unknown values get their field's OOV id 0, a missing value the id
        of "<NA>" (0 when "<NA>" is not in the vocabulary)."""
        rows = 0
        for spec in files:
            kernel = self._kernel(spec)
            if kernel is None:
                encoded = ((None, block) for block in raw_blocks(spec, block_bytes))
            else:
                encoded = _read_ahead(kernel, self.dtype, whole_line_arrays(
                    check_header(spec), block_bytes, 1 if spec.header else 0, buffers=2))
            for out, block in encoded:
                if out is None:  # polars: a block outside the compiled pass's plain case, or no numba
                    ids, labels = self._encode_with_polars(bytes(block), spec)
                else:
                    ids, labels, wide = out
                    self._encode_wide_ints(ids, wide)
                n = len(labels)
                yield ids, labels, split_of(spec, rows, n, split_seed)
                rows += n

    def _encode_with_polars(self, data: bytes, spec: FileSpec) -> tuple[np.ndarray, np.ndarray]:
        df = parse_block(data, spec)
        labels = label_array(df.get_column(spec.label))
        values, valid = int_matrix(df, INT_FIELDS, self.numeric)
        ids = np.empty((df.height, len(INT_FIELDS) + len(CAT_FIELDS)), dtype=self.dtype)
        ids[:, len(INT_FIELDS):] = df.select(self.cat_exprs).to_numpy()
        for j, lookup in enumerate(self.int_lookups):
            ids[:, j] = lookup.encode(values[:, j], valid[:, j])
        return ids, labels

    def _encode_wide_ints(self, ids: np.ndarray, wide: np.ndarray) -> None:
        """Fill in the integer ids the compiled pass left at -1: its list of (row, field, value) for the
        values outside INT_TABLE_RANGE."""
        for j in np.unique(wide[:, 1]):
            rows, v = wide[wide[:, 1] == j][:, [0, 2]].T
            buckets = log_square_bucket(v) if self.numeric == "log_square" else v
            ids[rows, j] = self.int_lookups[j].encode(buckets, np.ones(len(v), dtype=bool))

    def close(self) -> None:
        for kernel in self._kernels.values():
            if kernel is not None:
                kernel.close()
        self._kernels.clear()

    def __enter__(self) -> FittedEncoder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_ahead(kernel, dtype, blocks):
    """(the compiled pass's result or None, block) per block, each block's encoding started before the
    previous block's result is handed on: while the pass encodes a block on its threads, this thread
    reads the next block and the caller stores the last one (on 2 cores the reading and writing were a
    quarter of the time, with the cores otherwise idle). Two blocks are held at a time; ``blocks`` must
    keep a block's buffer intact until the one after next is read (``whole_line_arrays(buffers=2)``)."""
    with ThreadPoolExecutor(1, thread_name_prefix="criteo-encode") as driver:
        pending = None
        try:
            for block in blocks:
                started = driver.submit(kernel.encode, block, dtype)
                if pending is not None:
                    yield pending[0].result(), pending[1]
                pending = (started, block)
            if pending is not None:
                yield pending[0].result(), pending[1]
        finally:
            if pending is not None:
                pending[0].cancel()


def iter_encoded_blocks(files: Sequence[FileSpec], vocabularies: Mapping[str, Sequence[str]], *,
                        numeric: str = "log_square", split_seed: int = 2022, block_bytes: int = FAST_BLOCK_BYTES,
                        compiled: bool | None = None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Encode files against fitted vocabularies, one block at a time (:meth:`FittedEncoder.iter_blocks`
    with an encoder made for this call)."""
    with FittedEncoder(vocabularies, numeric=numeric, compiled=compiled) as encoder:
        yield from encoder.iter_blocks(files, split_seed=split_seed, block_bytes=block_bytes)


__all__ = ["INT_TABLE_RANGE", "FittedEncoder", "iter_encoded_blocks"]
