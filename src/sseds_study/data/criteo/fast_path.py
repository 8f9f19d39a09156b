"""The fast path for Criteo-format files: a columnar engine (polars) that gives the same encoding.

``encode.encode_stream`` turns every value into an Arrow string and looks it up in the field's
vocabulary; this module does the same two passes (count on the training rows, then encode) with
polars, and returns the same :class:`~.encode.EncodedArrays`, array for array:

* the file is cut into blocks of whole lines (``line_blocks.whole_line_blocks``, so memory is one block at a
  time, flat in the file's size) and each block is parsed by polars, the integer fields as integers
  and every other column a string, an empty field missing;
* integer columns are cast in one parallel select, bucketised with the same ``log_square_bucket``
  on the whole block at once and looked up through a direct table (their buckets are small
  integers); a missing value is the "<NA>" category;
* categorical columns are looked up by their strings with polars' hash lookup (a cast to an ``Enum`` of
  the vocabulary), all 26 in one select so that polars spreads them over the cores;
* vocabularies are ordered as ``encode.build_vocab`` orders them (count descending, then value).

Anything this path does not handle the same way (a bad label, a non-integer in an integer column, a
wrong column count, text that is not UTF-8) raises :class:`FastPathUnsupported`, and the caller
encodes with the general pipeline instead, which reports the problem line by line. So the fast path
never changes an encoded result and never changes an error message.

The second pass (encoding against the fitted vocabularies) is ``encoder``'s, which also
serves a model's input pipeline; it uses the compiled pass of ``kernel`` (numba) where it can,
and the polars parse and lookups of this module elsewhere.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import DataFormatError
from ..encode import MISSING, OOV, EncodedArrays, assign_split, log_square_bucket
from ..line_blocks import count_byte, whole_line_blocks
from ..readers import BLOCK_BYTES, check_file
from ..spec import make_field_specs

INT_FIELDS = tuple(f"I{i}" for i in range(1, 14))
CAT_FIELDS = tuple(f"C{i}" for i in range(1, 27))
FAST_BLOCK_BYTES = 16 << 20  # polars parses this much text per block (16 MiB measured faster than 64)
_LABELS = {"0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0}


class FastPathUnsupported(Exception):
    """The input needs the general pipeline (it reports bad input with the line; this path does not)."""


def available() -> bool:
    """Whether polars can be imported."""
    try:
        import polars  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class FileSpec:
    """One raw file: its column names in order, delimiter, header, label column, and its split (None:
    rows are split at random by ``assign_split``)."""

    path: Path
    names: tuple[str, ...]
    delimiter: str
    header: bool
    label: str
    split: int | None = None


def _check_header(spec: FileSpec) -> Path:
    """The file's path, checked; FastPathUnsupported when its header is not the expected one."""
    path = check_file(spec.path)
    if spec.header:
        with open(path, "rb") as fh:
            head = fh.readline().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").strip()
        got = [c.strip().lower() for c in head.split(spec.delimiter)]
        if got != [n.lower() for n in spec.names]:
            raise FastPathUnsupported("unexpected header")
    return path


def _raw_blocks(spec: FileSpec, block_bytes: int):
    """The file's data rows as blocks of whole lines (bytes)."""
    return whole_line_blocks(_check_header(spec), block_bytes, 1 if spec.header else 0)


def _blocks(spec: FileSpec, block_bytes: int):
    """One polars DataFrame per block of whole lines (``_frame``)."""
    for data in _raw_blocks(spec, block_bytes):
        yield _frame(data, spec)


def _frame(data: bytes, spec: FileSpec):
    """A block of whole lines parsed by polars: the integer fields as Int64, every other column a
    string, an empty field missing. A block whose integer fields polars cannot parse as they stand
    (spaces around a number, or not a number at all) is parsed again as strings; ``_int_matrix`` then
    strips what it may and refuses the rest."""
    import polars as pl

    strings = dict.fromkeys(spec.names, pl.String)
    # integers parsed by the CSV reader: no string per value to allocate, then cast
    typed = {**strings, **{f: pl.Int64 for f in INT_FIELDS if f in strings}}
    if b'"' in data:  # Arrow's parser honours quotes, polars' here does not
        raise FastPathUnsupported("quoted values")
    try:
        df = _parse(data, spec, typed)
    except Exception:  # polars raises several kinds; retried with strings, which parse whatever the text
        try:
            df = _parse(data, spec, strings)
        except Exception as exc:  # the general path names the line
            raise FastPathUnsupported(str(exc)) from None
    if df.height != count_byte(data, 10) + (0 if data.endswith(b"\n") else 1):
        raise FastPathUnsupported("blank lines or a row count polars and the general path disagree on")
    # polars fills a short row with missing values; a long one it refuses (above). So a total count of
    # delimiters below rows x (columns - 1) means a short row, which the general path reports.
    if count_byte(data, ord(spec.delimiter)) != df.height * (len(spec.names) - 1):
        raise FastPathUnsupported("a row with too few columns")
    # polars parses into many chunks; string lookups on one chunk are three times faster
    return df.rechunk()


def _parse(data: bytes, spec: FileSpec, schema: dict):
    import polars as pl

    return pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(spec.names), schema=schema,
                       separator=spec.delimiter, quote_char=None, truncate_ragged_lines=False, n_threads=None,
                       encoding="utf8", raise_if_empty=False)


def _label_array(s) -> np.ndarray:
    import polars as pl

    if s.null_count():
        raise FastPathUnsupported("missing label")
    out = s.replace_strict(list(_LABELS), list(_LABELS.values()), default=None, return_dtype=pl.Float32)
    if out.null_count():
        raise FastPathUnsupported("label that is not 0/1")
    return out.to_numpy().astype(np.float32, copy=False)


def _int_matrix(df, fields: Sequence[str], numeric: str) -> tuple[np.ndarray, np.ndarray]:
    """The integer columns of a block -> (bucketised int64 values (n, k), valid mask (n, k)), as
    ``encode._numeric_keys`` computes them; FastPathUnsupported on a value that is not an integer.

    The columns are cast in one polars select (in parallel); only a column with a value polars cannot
    cast as it stands (spaces around the number) is stripped first. The bucket is computed on the whole
    matrix at once, with the same numpy functions as ``log_square_bucket``, so it gives the same numbers."""
    import polars as pl

    raw = df.select(fields)
    cast = raw.select([pl.col(f).cast(pl.Int64, strict=False) for f in fields])  # a no-op on Int64 columns
    lost = [f for f in fields if cast.get_column(f).null_count() != raw.get_column(f).null_count()]
    if lost:
        cast = cast.with_columns([raw.get_column(f).str.strip_chars().cast(pl.Int64, strict=False) for f in lost])
        if any(cast.get_column(f).null_count() != raw.get_column(f).null_count() for f in lost):
            raise FastPathUnsupported("a value that is not an integer")
    valid = raw.select([pl.col(f).is_not_null() for f in fields]).to_numpy()
    values = cast.fill_null(0).to_numpy()
    if numeric == "log_square":
        values = log_square_bucket(values.ravel()).reshape(values.shape)
    return values, valid


def _na_id(vocab: Sequence[str]) -> int:
    """The id a missing value gets: that of "<NA>", or the OOV id 0 when "<NA>" is not in the vocabulary."""
    return int(vocab.index(MISSING)) if MISSING in vocab[1:] else 0


def _split_of(spec: FileSpec, row0: int, n: int, seed: int) -> np.ndarray:
    if spec.split is not None:
        return np.full(n, spec.split, dtype=np.int8)
    return assign_split(np.arange(row0, row0 + n, dtype=np.int64), seed)


def _int_keys(values: np.ndarray, valid: np.ndarray):
    """One integer field's bucketised values and valid mask (a column of ``_int_matrix``) -> the category
    keys as strings ("<NA>" for missing), as the general path."""
    import polars as pl

    keys = pl.Series(values).cast(pl.String)
    return pl.select(pl.when(pl.Series(valid)).then(keys).otherwise(pl.lit(MISSING))).to_series()


def fit_vocabularies(files: Sequence[FileSpec], *, min_count, numeric: str = "log_square", split_seed: int = 2022,
                     block_bytes: int = FAST_BLOCK_BYTES) -> dict:
    """Pass 1: counts on the training rows -> {"vocabularies", "missing", "train_cardinality", "rows"}.

    ``min_count``: an int, or a mapping of field name (or "default") to int, as ``encode_stream``."""
    import polars as pl

    fields = INT_FIELDS + CAT_FIELDS
    partial: dict[str, list] = {f: [] for f in fields}
    missing = dict.fromkeys(fields, 0)
    rows = 0
    for spec in files:
        rows_before = rows
        for df in _blocks(spec, block_bytes):
            n = df.height
            _label_array(df.get_column(spec.label))
            train = pl.Series(_split_of(spec, rows, n, split_seed) == 0)
            values, valid = _int_matrix(df, INT_FIELDS, numeric)
            for j, f in enumerate(fields):
                s = df.get_column(f)
                missing[f] += s.null_count()
                keys = _int_keys(values[:, j], valid[:, j]) if f in INT_FIELDS else s.fill_null(MISSING)
                vc = keys.filter(train).value_counts(name="count")
                partial[f].append(vc.rename({vc.columns[0]: "key"}))
            rows += n
        if rows == rows_before:  # an empty file: the general path says which and why
            raise FastPathUnsupported("a file without data rows")
    if rows == 0:
        raise DataFormatError(files[0].path if files else "criteo", None, "no data rows found")
    vocabs, cardinality = {}, {}
    for f in fields:
        counts = (pl.concat(partial[f]).group_by("key").agg(pl.col("count").sum())
                  if partial[f] else pl.DataFrame({"key": [], "count": []}))
        cardinality[f] = counts.height
        mc = _min_count(min_count, f)
        kept = counts.filter(pl.col("count") >= mc).sort(["count", "key"], descending=[True, False])
        vocabs[f] = [OOV] + kept.get_column("key").to_list()
    return {"vocabularies": vocabs, "missing": missing, "train_cardinality": cardinality, "rows": rows}


def _min_count(min_count, name: str) -> int:
    if isinstance(min_count, Mapping):
        return int(min_count.get(name, min_count.get("default", 1)))
    return int(min_count)


def encode_files(files: Sequence[FileSpec], *, min_count, numeric: str = "log_square", split_seed: int = 2022,
                 block_bytes: int = FAST_BLOCK_BYTES) -> EncodedArrays:
    """Both passes: the same EncodedArrays as ``encode_stream`` over these files' chunks."""
    fitted = fit_vocabularies(files, min_count=min_count, numeric=numeric, split_seed=split_seed,
                              block_bytes=block_bytes)
    n = fitted["rows"]
    fields = INT_FIELDS + CAT_FIELDS
    ids = np.empty((n, len(fields)), dtype=np.int64)
    labels = np.empty(n, dtype=np.float32)
    split = np.empty(n, dtype=np.int8)
    row0 = 0
    from .encoder import iter_encoded_blocks  # that module builds on this one

    for block_ids, block_labels, block_split in iter_encoded_blocks(files, fitted["vocabularies"], numeric=numeric,
                                                                    split_seed=split_seed, block_bytes=block_bytes):
        m = len(block_labels)
        if row0 + m > n:
            raise FastPathUnsupported("the file changed while it was being read")
        ids[row0:row0 + m], labels[row0:row0 + m], split[row0:row0 + m] = block_ids, block_labels, block_split
        row0 += m
    if row0 != n:
        raise FastPathUnsupported("the file changed while it was being read")
    vocabs = fitted["vocabularies"]
    specs = make_field_specs(list(fields), ["numeric"] * len(INT_FIELDS) + ["categorical"] * len(CAT_FIELDS),
                             [len(vocabs[f]) for f in fields], [1] * len(fields))
    return EncodedArrays(fields=specs, ids=ids, labels=labels, split=split, vocabularies=vocabs,
                         missing_rates={f: fitted["missing"][f] / n for f in fields},
                         train_cardinality=dict(fitted["train_cardinality"]))


__all__ = ["FAST_BLOCK_BYTES", "BLOCK_BYTES", "FastPathUnsupported", "FileSpec", "available", "encode_files",
           "fit_vocabularies"]
