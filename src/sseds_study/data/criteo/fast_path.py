"""The fast path for Criteo-format files: a columnar engine (polars) that gives the same encoding.

``encode.encode_stream`` turns every value into an Arrow string and looks it up in the field's
vocabulary; this module does the same two passes (count on the training rows, then encode) with
polars, and returns the same ``encode.EncodedArrays``, array for array:

* the file is cut into blocks of whole lines and each block parsed by polars, its integer fields
  bucketised with the same ``log_square_bucket`` on the whole block at once (``frames``);
* pass 1 (:func:`fit_vocabularies`) counts every field's keys on the training rows; vocabularies are
  ordered as ``encode.build_vocab`` orders them (count descending, then value);
* pass 2 (encoding against the fitted vocabularies) is ``encoder``'s, which also serves a model's
  input pipeline: integer buckets looked up through a direct table, categorical columns by their
  strings with polars' hash lookup (a cast to an ``Enum`` of the vocabulary), all 26 in one select so
  that polars spreads them over the cores, or the compiled pass of ``kernel`` (numba) where it can.

Anything this path does not handle the same way (a bad label, a non-integer in an integer column, a
wrong column count, text that is not UTF-8) raises :class:`~.frames.FastPathUnsupported`, and the
caller encodes with the general pipeline instead, which reports the problem line by line. So the fast
path never changes an encoded result and never changes an error message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from ...errors import DataFormatError
from ..encode import MISSING, OOV, EncodedArrays
from ..spec import make_field_specs
from .encoder import iter_encoded_blocks
from .frames import FAST_BLOCK_BYTES, FastPathUnsupported, int_matrix, label_array, parsed_blocks, split_of
from .layout import CAT_FIELDS, INT_FIELDS, FileSpec


def _int_keys(values: np.ndarray, valid: np.ndarray):
    """One integer field's bucketised values and valid mask (a column of ``frames.int_matrix``) -> the category
    keys as strings ("<NA>" for missing), as the general path."""
    keys = pl.Series(values).cast(pl.String)
    return pl.select(pl.when(pl.Series(valid)).then(keys).otherwise(pl.lit(MISSING))).to_series()


def fit_vocabularies(files: Sequence[FileSpec], *, min_count, numeric: str = "log_square", split_seed: int = 2022,
                     block_bytes: int = FAST_BLOCK_BYTES) -> dict:
    """Pass 1: counts on the training rows -> {"vocabularies", "missing", "train_cardinality", "rows"}.

    ``min_count``: an int, or a mapping of field name (or "default") to int, as ``encode_stream``."""
    fields = INT_FIELDS + CAT_FIELDS
    partial: dict[str, list] = {f: [] for f in fields}
    missing = dict.fromkeys(fields, 0)
    rows = 0
    for spec in files:
        rows_before = rows
        for df in parsed_blocks(spec, block_bytes):
            n = df.height
            label_array(df.get_column(spec.label))
            train = pl.Series(split_of(spec, rows, n, split_seed) == 0)
            values, valid = int_matrix(df, INT_FIELDS, numeric)
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


__all__ = ["encode_files", "fit_vocabularies"]
