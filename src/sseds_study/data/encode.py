"""Raw rows -> encoded arrays: vocabularies, OOV, bucketing, splits, and the on-disk cache.

Every dataset module turns its raw files into a stream of :class:`Chunk` objects (raw values as
Arrow string arrays, ``null`` = missing) and declares its fields as :class:`FieldDef`. This module
does the rest, the same way for every dataset:

1. pass 1 reads the stream once, assigns each row to train/valid/test, and counts every field's
   values on the *training rows only* (so valid/test never leak into the vocabulary);
2. vocabularies keep the values seen at least ``min_count`` times (per field if a mapping is
   given); everything else maps to the field's OOV id 0;
3. pass 2 reads the stream again and writes ids straight into preallocated output arrays.

Memory therefore grows with the output arrays and the number of distinct values, never with the
raw file. The encoded result is cached under ``<cache>/encoded/<name>-<key>/``; the key hashes the
preprocessing options and the sha256 of every raw input, so a changed file or option re-encodes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..errors import DataFormatError
from ..fileio import atomic_write_text
from .download import file_digest
from .spec import KINDS, PAD, SPLITS, EncodedDataset, make_field_specs

OOV = "<OOV>"  # vocabulary entry of id 0
MISSING = "<NA>"  # the category a missing raw value becomes (missing is its own category)
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
ENCODER_VERSION = 1  # bump when the encoding changes, so old caches are not reused

_INT_PATTERN = r"^\s*[+-]?\d+\s*$"


# -- field declarations and the raw chunk stream ---------------------------------------------------
@dataclass(frozen=True)
class FieldDef:
    """How one raw column becomes one field.

    kind: ``categorical`` (value is the category), ``numeric`` (bucketised into categories, see
    :func:`log_square_bucket`) or ``multi`` (``sep``-separated tokens; ``sep=None`` = whitespace).
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
    file is itself a split, None when rows are to be split at random.
    """

    columns: dict[str, pa.Array]
    labels: np.ndarray
    path: str
    first_line: int
    split: int | None = None

    def __len__(self) -> int:
        return len(self.labels)


ChunkStream = Callable[[], Iterator[Chunk]]  # called once per pass: must restart from the top


# -- transforms ---------------------------------------------------------------------------------------
def log_square_bucket(values: np.ndarray) -> np.ndarray:
    """Criteo bucketing (PEP, BARS Criteo_x4_001): v > 2 -> floor(ln(v)^2), otherwise v itself.

    values: float64 or int64 (n,); returns int64 (n,) for integer input. As in the reference
    protocol, buckets and small raw values share one number space (v = 3 and v = 1 both give 1);
    we keep that so vocabulary sizes match published setups.
    """
    values = np.asarray(values)
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


def _numeric_keys(fdef: FieldDef, arr: pa.Array, chunk: Chunk) -> pa.Array:
    """Numeric raw strings -> category keys (strings); missing -> MISSING."""
    valid = np.asarray(arr.is_valid())
    if fdef.integer:
        ok = pc.fill_null(pc.match_substring_regex(arr, _INT_PATTERN), True)
        bad = ~np.asarray(ok)
        if bad.any():
            i = _first_bad(bad)
            raise DataFormatError(chunk.path, chunk.first_line + i,
                                  f"column {fdef.name!r}: expected an integer, got {arr[i].as_py()!r}")
        values = np.asarray(pc.cast(pc.fill_null(pc.utf8_trim_whitespace(arr), "0"), pa.int64()))
    else:
        try:
            values = np.asarray(pc.cast(pc.fill_null(arr, "0"), pa.float64()))
        except pa.ArrowInvalid:
            # find the offending row for the message; only runs on bad input
            for i, v in enumerate(arr.to_pylist()):
                try:
                    float(v) if v is not None else None
                except ValueError:
                    raise DataFormatError(chunk.path, chunk.first_line + i,
                                          f"column {fdef.name!r}: expected a number, got {v!r}") from None
            raise
        if np.isnan(values[valid]).any():
            i = _first_bad(np.isnan(values) & valid)
            raise DataFormatError(chunk.path, chunk.first_line + i,
                                  f"column {fdef.name!r}: expected a number, got {arr[i].as_py()!r}")
    if fdef.bucket == "log_square":
        values = log_square_bucket(values)
    keys = pc.cast(pa.array(values), pa.string())
    return pc.if_else(pa.array(valid), keys, MISSING)


def field_keys(fdef: FieldDef, arr: pa.Array, chunk: Chunk):
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
class Encoded:
    """Output of :func:`encode_stream`: arrays plus per-field statistics for the manifest."""

    fields: tuple
    ids: np.ndarray  # int64 (N, C)
    labels: np.ndarray  # float32 (N,)
    split: np.ndarray  # int8 (N,)
    vocabularies: dict[str, list[str]]
    missing_rates: dict[str, float]
    train_cardinality: dict[str, int]  # distinct raw values seen in train, before min_count


def encode_stream(stream: ChunkStream, fields: Iterable[FieldDef], *, min_count=1, split_seed: int = 2022,
                  progress: bool = True, desc: str = "encode") -> Encoded:
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
    return Encoded(
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


# -- checksums ----------------------------------------------------------------------------------------
def cached_sha256(path, cache_dir: Path) -> str:
    """sha256 of a file, remembered by (absolute path, size, mtime) in ``<cache>/checksums.json``.

    Hashing a multi-gigabyte raw file takes minutes; remembering it keeps the second load of a
    dataset near-instant while the cache key still changes whenever the file does.
    """
    path = Path(path).resolve()
    st = path.stat()
    key = f"{path}|{st.st_size}|{st.st_mtime_ns}"
    book = Path(cache_dir) / "checksums.json"
    try:
        known = json.loads(book.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        return known[key]
    digest = file_digest(path, "sha256")
    known[key] = digest
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        atomic_write_text(book, json.dumps(known, indent=0, sort_keys=True))
    except OSError:
        pass  # a read-only cache only costs us the re-hash next time
    return digest


# -- cache ----------------------------------------------------------------------------------------------
def cache_key(name: str, options: Mapping[str, Any], source_checksums: Mapping[str, str]) -> str:
    """16 hex digits over the dataset name, preprocessing options and raw-input checksums."""
    payload = {"name": name, "options": _jsonable(options), "sources": dict(sorted(source_checksums.items())),
               "encoder_version": ENCODER_VERSION}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _jsonable(obj):
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


_ARRAYS = ("ids", "labels", "split")


def save_encoded(ds: EncodedDataset, directory) -> Path:
    """Write a dataset to ``directory`` atomically: a temp dir beside it, then ``os.replace``.

    Readers therefore see either no directory or a complete one. If another process finished the
    same directory first, ours is discarded (same key = same content).
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".tmp-{directory.name}-"))
    try:
        for key in _ARRAYS:
            np.save(tmp / f"{key}.npy", getattr(ds, key))
        (tmp / "vocabularies.json").write_text(json.dumps(ds.vocabularies or {}))
        (tmp / "manifest.json").write_text(json.dumps(_jsonable(ds.manifest), indent=1))
        try:
            os.replace(tmp, directory)
        except OSError:
            if not (directory / "manifest.json").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return directory


def load_encoded(directory, mmap: bool = False) -> EncodedDataset:
    """Read a dataset written by :func:`save_encoded`. ``mmap`` maps the arrays read-only."""
    directory = Path(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    arrays = {k: np.load(directory / f"{k}.npy", mmap_mode="r" if mmap else None) for k in _ARRAYS}
    vocabularies = json.loads((directory / "vocabularies.json").read_text())
    fields = make_field_specs(
        [f["name"] for f in manifest["fields"]], [f["kind"] for f in manifest["fields"]],
        [f["vocab_size"] for f in manifest["fields"]], [f["width"] for f in manifest["fields"]],
    )
    return EncodedDataset(name=manifest["dataset"], fields=fields, manifest=manifest,
                          vocabularies=vocabularies, cache_path=str(directory), from_cache=True, **arrays)


def manifest_checksum(manifest: Mapping[str, Any]) -> str:
    """sha256 of the manifest's canonical JSON: the dataset's identity in result provenance."""
    text = json.dumps(_jsonable(manifest), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def make_manifest(name: str, enc: Encoded, *, source: Mapping[str, Any], options: Mapping[str, Any],
                  key: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Provenance of an encoded dataset (JSON-serialisable, deterministic: no times, no abs paths)."""
    rows, pos_rate = {}, {}
    for s, split_name in enumerate(SPLITS):
        mask = enc.split == s
        rows[split_name] = int(mask.sum())
        pos_rate[split_name] = float(enc.labels[mask].mean()) if mask.any() else None
    manifest = {
        "dataset": name,
        "encoder_version": ENCODER_VERSION,
        "cache_key": key,
        "source": _jsonable(source),
        "options": _jsonable(options),
        "rows": rows,
        "rows_total": int(len(enc.labels)),
        "positive_rate": pos_rate,
        "fields": [
            {"name": f.name, "kind": f.kind, "vocab_size": f.vocab_size, "column": f.column, "width": f.width,
             "missing_rate": enc.missing_rates[f.name], "train_cardinality": enc.train_cardinality[f.name]}
            for f in enc.fields
        ],
        "vocab_sizes": {f.name: f.vocab_size for f in enc.fields},
        "missing_rates": dict(enc.missing_rates),
    }
    if extra:
        manifest.update(_jsonable(extra))
    return manifest


def build_or_load(name: str, *, stream: ChunkStream, fields: Iterable[FieldDef], cache_dir,
                  options: Mapping[str, Any], source: Mapping[str, Any], source_checksums: Mapping[str, str],
                  min_count=1, split_seed: int = 2022, progress: bool = True,
                  extra: Mapping[str, Any] | None = None, use_cache: bool = True) -> EncodedDataset:
    """The shared tail of every loader: cache hit -> load; miss -> encode, save atomically, return.

    ``options`` are the preprocessing options that define the encoding (they and the checksums
    make the cache key); min_count and split_seed are added to them here.
    """
    options = {**options, "min_count": _jsonable(min_count), "split_seed": split_seed}
    key = cache_key(name, options, source_checksums)
    directory = Path(cache_dir) / "encoded" / f"{name}-{key}"
    if use_cache and (directory / "manifest.json").is_file():
        return load_encoded(directory)
    enc = encode_stream(stream, fields, min_count=min_count, split_seed=split_seed, progress=progress, desc=name)
    manifest = make_manifest(name, enc, source=source, options=options, key=key, extra=extra)
    ds = EncodedDataset(name=name, fields=enc.fields, ids=enc.ids, labels=enc.labels, split=enc.split,
                        manifest=manifest, vocabularies=enc.vocabularies)
    if use_cache:
        save_encoded(ds, directory)
        ds = ds.replace(cache_path=str(directory))
    return ds
