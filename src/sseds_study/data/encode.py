"""Raw chunks -> encoded arrays: vocabularies, OOV, bucketing and splits.

Every dataset module turns its raw files into a stream of :class:`~.raw.Chunk` objects and declares
its fields as :class:`~.raw.RawField` (see raw.py). This module encodes them, the same way for every
dataset:

1. pass 1 reads the stream once, assigns each row to train/valid/test, and counts every field's
   values on the *training rows only* (so valid/test never leak into the vocabulary);
2. vocabularies keep the values seen at least ``min_count`` times (per field if a mapping is
   given); everything else maps to the field's OOV id 0;
3. pass 2 reads the stream again and writes ids straight into preallocated output arrays.

Memory therefore grows with the output arrays and the number of distinct values, never with the
raw file. Caching the result on disk is cache.py's job.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..errors import DataFormatError, show
from .raw import Chunk, ChunkStream, RawField
from .spec import PAD, FieldSpec, make_field_specs

OOV = "<OOV>"  # vocabulary entry of id 0
MISSING = "<NA>"  # the category a missing raw value becomes (missing is its own category)
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
ENCODER_VERSION = 1  # bump when the encoding changes, so old caches are not reused

_INT_PATTERN = r"^\s*[+-]?\d+\s*$"


# -- transforms ---------------------------------------------------------------------------------------
def log_square_bucket(values: np.ndarray) -> np.ndarray:
    """Criteo bucketing (PEP, BARS Criteo_x4_001): v > 2 -> floor(ln(v)^2), otherwise v itself.

    values: float64 or int64 (n,); returns int64 (n,) for integer input. As in the reference
    protocol, buckets and small raw values share one number space (v = 3 and v = 1 both give 1);
    we keep that so vocabulary sizes match published setups.

    Integer input is mostly small: values in [0, 2^16) are read from a table that this same formula
    computed once (so the numbers are the formula's to the bit), which is several times faster than
    a logarithm per value; the rest are computed.
    """
    values = np.asarray(values)
    if values.dtype.kind not in "iu" or values.size < _SMALL_VALUES:
        return _log_square(values)
    small = (values >= 0) & (values < _SMALL_VALUES)
    out = _small_buckets().astype(values.dtype, copy=False)[np.where(small, values, 0)]
    if not small.all():
        out[~small] = _log_square(values[~small])
    return out


_SMALL_VALUES = 1 << 16


@functools.cache
def _small_buckets() -> np.ndarray:
    table = _log_square(np.arange(_SMALL_VALUES, dtype=np.int64))
    table.flags.writeable = False
    return table


def _log_square(values: np.ndarray) -> np.ndarray:
    big = values > 2
    out = values.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out[big] = np.floor(np.log(values[big].astype(np.float64)) ** 2).astype(values.dtype)
    return out


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """Counter-based 64-bit mixer (uint64 in, uint64 out); wrapping arithmetic is intended."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def assign_split(rows: np.ndarray, seed: int, fractions=SPLIT_FRACTIONS) -> np.ndarray:
    """Seeded random split of row ordinals: int64 (n,) -> int8 (n,) with 0/1/2 = train/valid/test.

    Each row's split depends only on (seed, row ordinal), through a counter-based hash, so a file
    can be split while streaming it without knowing its length. Proportions are 8:1:1 in
    expectation (binomial, not exact counts).
    """
    seed_mix = _splitmix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
    h = _splitmix64(np.asarray(rows, dtype=np.uint64) ^ seed_mix)
    u = (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))  # uniform in [0, 1)
    edges = np.cumsum(fractions)[:-1]
    return np.searchsorted(edges, u, side="right").astype(np.int8)


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _numeric_keys(fdef: RawField, arr: pa.Array, chunk: Chunk) -> pa.Array:
    """Numeric raw strings -> category keys (strings); missing -> MISSING.

    The rule for numbers: a value must be finite. ``nan``, ``inf``, ``-inf`` and numbers beyond a
    double's range (``1e309`` reads as inf) are refused, naming the line and column: an infinite value
    has no bucket (each would become a category of its own, apart from every finite value), so it is
    a format error like any other value that is not a number. An integer column's value must fit in 64
    bits."""
    valid = np.asarray(arr.is_valid())
    if fdef.integer:
        ok = pc.fill_null(pc.match_substring_regex(arr, _INT_PATTERN), True)
        bad = ~np.asarray(ok)
        if bad.any():
            i = _first_bad(bad)
            raise DataFormatError(chunk.path, chunk.line(i),
                                  f"column {fdef.name!r}: expected an integer, got {show(arr[i].as_py())}")
        trimmed = pc.fill_null(pc.utf8_trim_whitespace(arr), "0")
        try:
            values = np.asarray(pc.cast(trimmed, pa.int64()))
        except pa.ArrowInvalid:  # an integer beyond 64 bits; only runs on bad input
            i = next(i for i, v in enumerate(trimmed.to_pylist()) if not -2**63 <= int(v) < 2**63)
            raise DataFormatError(chunk.path, chunk.line(i), f"column {fdef.name!r}: expected an integer that "
                                  f"fits in 64 bits, got {show(arr[i].as_py())}") from None
    else:
        # Spaces around a number (" 3 ") are allowed, as in integer columns and by float().
        trimmed = pc.utf8_trim_whitespace(pc.fill_null(arr, "0"))
        try:
            values = np.asarray(pc.cast(trimmed, pa.float64()))
        except pa.ArrowInvalid:
            # find the offending row for the message, cell by cell; only runs on bad input
            for i, v in enumerate(trimmed.to_pylist()):
                try:
                    pc.cast(pa.array([v]), pa.float64())
                except pa.ArrowInvalid:
                    raise DataFormatError(chunk.path, chunk.line(i),
                                          f"column {fdef.name!r}: expected a number, got {show(arr[i].as_py())}") from None
            raise
        bad = ~np.isfinite(values) & valid
        if bad.any():
            i = _first_bad(bad)
            text = arr[i].as_py()
            overflow = not np.isnan(values[i]) and "inf" not in text.lower()  # 1e309: too large for a double
            raise DataFormatError(chunk.path, chunk.line(i), f"column {fdef.name!r}: expected a finite number, got "
                                  f"{show(text)}" + (" (too large for a 64-bit float)" if overflow else ""))
    if fdef.bucket == "log_square":
        values = log_square_bucket(values)
    keys = pc.cast(pa.array(values), pa.string())
    return pc.if_else(pa.array(valid), keys, MISSING)


def field_keys(fdef: RawField, arr: pa.Array, chunk: Chunk):
    """Raw column -> keys to look up in the vocabulary.

    Returns (keys, row_of_key): for single-valued fields keys is an Arrow string array (n,) and
    row_of_key None; for multi-valued fields keys holds all tokens (T,) and row_of_key int64 (T,)
    the row each token belongs to.
    """
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    if fdef.kind == "numeric":
        return _numeric_keys(fdef, arr, chunk), None
    filled = pc.fill_null(arr, MISSING)
    if fdef.kind == "categorical":
        return filled, None
    lists = pc.utf8_split_whitespace(filled) if fdef.sep is None else pc.split_pattern(filled, fdef.sep)
    lengths = np.asarray(pc.list_value_length(lists)).astype(np.int64)
    row_of_key = np.repeat(np.arange(len(arr), dtype=np.int64), lengths)
    return pc.list_flatten(lists), row_of_key


# -- vocabularies ------------------------------------------------------------------------------------
def build_vocab(counts: Mapping[str, int], min_count: int) -> list[str]:
    """Kept values, most frequent first (ties by value, so the order is deterministic).

    Returns the vocabulary *including* OOV at index 0: value vocab[i] has id i.
    """
    kept = [(-c, v) for v, c in counts.items() if c >= min_count]
    kept.sort()
    return [OOV] + [v for _, v in kept]


def _field_min_count(min_count: int | Mapping[str, int], name: str) -> int:
    if isinstance(min_count, Mapping):
        return int(min_count.get(name, min_count.get("default", 1)))
    return int(min_count)


def _chunk_split(chunk: Chunk, row0: int, seed: int) -> np.ndarray:
    if chunk.split is not None:
        return np.full(len(chunk), chunk.split, dtype=np.int8)
    return assign_split(np.arange(row0, row0 + len(chunk), dtype=np.int64), seed)


@dataclass
class EncodedArrays:
    """Output of :func:`encode_stream`: the bare encoded arrays, with the per-field statistics that go
    into the manifest. Not yet a dataset: ``cache.build_or_load`` adds the name and the manifest to
    make an :class:`~.spec.EncodedDataset`."""

    fields: tuple[FieldSpec, ...]
    ids: np.ndarray  # int64 (N, C)
    labels: np.ndarray  # float32 (N,)
    split: np.ndarray  # int8 (N,)
    vocabularies: dict[str, list[str]]
    missing_rates: dict[str, float]
    train_cardinality: dict[str, int]  # distinct raw values seen in train, before min_count


def encode_stream(stream: ChunkStream, fields: Iterable[RawField], *, min_count=1, split_seed: int = 2022,
                  progress: bool = True, desc: str = "encode") -> EncodedArrays:
    """Two streaming passes over ``stream()``: count on train rows, then encode. See module doc."""
    fields = list(fields)
    counts: dict[str, dict[str, int]] = {f.name: {} for f in fields}
    missing = dict.fromkeys(counts, 0)
    widths = dict.fromkeys(counts, 1)
    n_rows = 0
    # pass 1: split assignment, value counts on train rows, missing counts, multi-valued widths
    with tqdm(desc=f"{desc} (count)", unit=" rows", disable=not progress, leave=False) as bar:
        for chunk in stream():
            split = _chunk_split(chunk, n_rows, split_seed)
            train = split == 0
            for f in fields:
                arr = _column(chunk, f.name)
                missing[f.name] += arr.null_count
                keys, row_of_key = field_keys(f, arr, chunk)
                if row_of_key is None:
                    train_keys = keys.filter(pa.array(train))
                else:
                    if len(row_of_key):
                        widths[f.name] = max(widths[f.name], int(np.bincount(row_of_key).max()))
                    train_keys = keys.filter(pa.array(train[row_of_key]))
                vc = pc.value_counts(train_keys)
                acc = counts[f.name]
                for v, c in zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True):
                    acc[v] = acc.get(v, 0) + c
            n_rows += len(chunk)
            bar.update(len(chunk))
    if n_rows == 0:
        raise DataFormatError(desc, None, "no data rows found")
    vocabs = {f.name: build_vocab(counts[f.name], _field_min_count(min_count, f.name)) for f in fields}
    lookup = {name: pa.array(v[1:], type=pa.string()) for name, v in vocabs.items()}
    columns, col = {}, 0
    for f in fields:
        columns[f.name] = col
        col += widths[f.name]
    ids = np.full((n_rows, col), PAD, dtype=np.int64)
    labels = np.empty(n_rows, dtype=np.float32)
    split_all = np.empty(n_rows, dtype=np.int8)
    # pass 2: look every key up in its vocabulary; unknown -> 0 (OOV)
    row0 = 0
    with tqdm(desc=f"{desc} (encode)", total=n_rows, unit=" rows", disable=not progress, leave=False) as bar:
        for chunk in stream():
            n = len(chunk)
            if row0 + n > n_rows:
                raise DataFormatError(chunk.path, None, "the file changed while it was being read")
            split_all[row0:row0 + n] = _chunk_split(chunk, row0, split_seed)
            labels[row0:row0 + n] = chunk.labels
            for f in fields:
                keys, row_of_key = field_keys(f, _column(chunk, f.name), chunk)
                code = np.asarray(pc.fill_null(pc.index_in(keys, value_set=lookup[f.name]), -1)).astype(np.int64) + 1
                c = columns[f.name]
                if row_of_key is None:
                    ids[row0:row0 + n, c] = code
                else:
                    # position of each token inside its row: running index minus the row's first token
                    starts = np.searchsorted(row_of_key, row_of_key, side="left")
                    pos = np.arange(len(row_of_key)) - starts
                    if len(pos) and pos.max() >= widths[f.name]:
                        raise DataFormatError(chunk.path, None, "the file changed while it was being read")
                    ids[row0 + row_of_key, c + pos] = code
            row0 += n
            bar.update(n)
    if row0 != n_rows:
        raise DataFormatError(desc, None, "the file changed while it was being read")
    specs = make_field_specs([f.name for f in fields], [f.kind for f in fields],
                             [len(vocabs[f.name]) for f in fields], [widths[f.name] for f in fields])
    return EncodedArrays(
        fields=specs, ids=ids, labels=labels, split=split_all, vocabularies=vocabs,
        missing_rates={f.name: missing[f.name] / n_rows for f in fields},
        train_cardinality={f.name: len(counts[f.name]) for f in fields},
    )


def _column(chunk: Chunk, name: str) -> pa.Array:
    try:
        arr = chunk.columns[name]
    except KeyError:
        raise DataFormatError(chunk.path, None, f"missing column {name!r}") from None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr
