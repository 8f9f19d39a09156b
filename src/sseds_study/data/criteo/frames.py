"""Blocks of a Criteo-format file parsed by polars, and the per-block pieces that both passes over a
file share: fitting (``fast_path``) and encoding against fitted vocabularies (``encoder``).

* the file is cut into blocks of whole lines (``line_blocks.whole_line_blocks``, so memory is one
  block at a time, flat in the file's size) and each block is parsed by polars, the integer fields as
  integers and every other column a string, an empty field missing (:func:`parse_block`);
* integer columns are cast in one parallel select and bucketised with the same ``log_square_bucket``
  on the whole block at once (:func:`int_matrix`); a missing value is the "<NA>" category.

Anything this parse does not handle the same way as the general pipeline (a bad label, a non-integer
in an integer column, a wrong column count, text that is not UTF-8) raises
:class:`FastPathUnsupported`, and the caller encodes with the general pipeline instead, which reports
the problem line by line.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from ..encode import MISSING, assign_split, log_square_bucket
from ..line_blocks import count_byte, whole_line_blocks
from ..readers import check_file
from .layout import INT_FIELDS, FileSpec

FAST_BLOCK_BYTES = 16 << 20  # polars parses this much text per block (16 MiB measured faster than 64)
_LABELS = {"0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0}


class FastPathUnsupported(Exception):
    """The input needs the general pipeline (it reports bad input with the line; this path does not)."""


def check_header(spec: FileSpec) -> Path:
    """The file's path, checked; FastPathUnsupported when its header is not the expected one."""
    path = check_file(spec.path)
    if spec.header:
        with open(path, "rb") as fh:
            head = fh.readline().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").strip()
        got = [c.strip().lower() for c in head.split(spec.delimiter)]
        if got != [n.lower() for n in spec.names]:
            raise FastPathUnsupported("unexpected header")
    return path


def raw_blocks(spec: FileSpec, block_bytes: int):
    """The file's data rows as blocks of whole lines (bytes)."""
    return whole_line_blocks(check_header(spec), block_bytes, 1 if spec.header else 0)


def parsed_blocks(spec: FileSpec, block_bytes: int):
    """One polars DataFrame per block of whole lines (``parse_block``)."""
    for data in raw_blocks(spec, block_bytes):
        yield parse_block(data, spec)


def parse_block(data: bytes, spec: FileSpec):
    """A block of whole lines parsed by polars: the integer fields as Int64, every other column a
    string, an empty field missing. A block whose integer fields polars cannot parse as they stand
    (spaces around a number, or not a number at all) is parsed again as strings; ``int_matrix`` then
    strips what it may and refuses the rest."""
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
    return pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(spec.names), schema=schema,
                       separator=spec.delimiter, quote_char=None, truncate_ragged_lines=False, n_threads=None,
                       encoding="utf8", raise_if_empty=False)


def label_array(s) -> np.ndarray:
    """A block's label column as float32; FastPathUnsupported on a missing label or one other than 0, 1,
    0.0 or 1.0."""
    if s.null_count():
        raise FastPathUnsupported("missing label")
    out = s.replace_strict(list(_LABELS), list(_LABELS.values()), default=None, return_dtype=pl.Float32)
    if out.null_count():
        raise FastPathUnsupported("label that is not 0/1")
    return out.to_numpy().astype(np.float32, copy=False)


def int_matrix(df, fields: Sequence[str], numeric: str) -> tuple[np.ndarray, np.ndarray]:
    """The integer columns of a block -> (bucketised int64 values (n, k), valid mask (n, k)), as
    ``encode._numeric_keys`` computes them; FastPathUnsupported on a value that is not an integer.

    The columns are cast in one polars select (in parallel); only a column with a value polars cannot
    cast as it stands (spaces around the number) is stripped first. The bucket is computed on the whole
    matrix at once, with the same numpy functions as ``log_square_bucket``, so it gives the same numbers."""
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


def na_id(vocab: Sequence[str]) -> int:
    """The id a missing value gets: that of "<NA>", or the OOV id 0 when "<NA>" is not in the vocabulary."""
    return int(vocab.index(MISSING)) if MISSING in vocab[1:] else 0


def split_of(spec: FileSpec, row0: int, n: int, seed: int) -> np.ndarray:
    """The split of rows row0..row0 + n of the files: the file's own, or ``assign_split``'s by row number."""
    if spec.split is not None:
        return np.full(n, spec.split, dtype=np.int8)
    return assign_split(np.arange(row0, row0 + n, dtype=np.int64), seed)


__all__ = ["FAST_BLOCK_BYTES", "FastPathUnsupported", "check_header", "int_matrix", "label_array", "na_id",
           "parse_block", "parsed_blocks", "raw_blocks", "split_of"]
