"""The user's own table (csv, tsv or parquet) with a 0/1 label column, through the same pipeline.

Declare the feature columns by kind, as keyword arguments or in a small YAML file (``spec=path``)
whose keys are the same names; keyword arguments win over the file::

    label: clicked            # values 0/1, or true/false (any case)
    categorical: [user, city]
    numeric: [age, price]     # bucketised: v > 2 -> floor(ln(v)^2), else the value itself
    multi: [tags]             # several values in one cell, separated by multi_sep
    multi_sep: "|"
    delimiter: ","            # default: by extension (.tsv/.tab -> tab, otherwise comma)

Columns not declared are ignored. Text files need a header row.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from ..errors import ConfigError, DataFormatError
from .cache import build_or_load, cached_sha256
from .raw import RawField
from .readers import first_line, iter_delimited, iter_parquet, resolve_split_files

SPEC_KEYS = ("label", "categorical", "numeric", "multi", "multi_sep", "delimiter", "numeric_bucket", "min_count")
PARQUET_SUFFIXES = (".parquet", ".pq")


def read_spec(path) -> dict:
    """The YAML column declaration as a dict (unknown keys are an error, so typos fail early)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: table spec not found")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {', '.join(SPEC_KEYS)}")
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(SPEC_KEYS)}")
    return data


def _delimiter(path: Path, delimiter: str | None) -> str:
    if delimiter:
        return delimiter
    return "\t" if path.suffix.lower() in (".tsv", ".tab") else ","


def _header(path: Path, delimiter: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([first_line(path)], delimiter=delimiter))]


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def load_table(*, cache_dir, progress: bool = True, path=None, train=None, valid=None, test=None, spec=None,
               label: str | None = None, categorical=None, numeric=None, multi=None, multi_sep: str | None = None,
               delimiter: str | None = None, numeric_bucket: str | None = None, min_count=None,
               split_seed: int = 2022, use_cache: bool = True, block_bytes: int | None = None):
    """Encode a user table. Fields come in the order categorical, numeric, multi."""
    declared = read_spec(spec) if spec is not None else {}

    def pick(key, value, default):
        return value if value is not None else declared.get(key, default)

    label = pick("label", label, "label")
    cats, nums, multis = (_as_list(pick(k, v, [])) for k, v in
                          (("categorical", categorical), ("numeric", numeric), ("multi", multi)))
    multi_sep = pick("multi_sep", multi_sep, "|")
    delimiter = pick("delimiter", delimiter, None)
    numeric_bucket = pick("numeric_bucket", numeric_bucket, "log_square")
    min_count = pick("min_count", min_count, 1)
    columns = cats + nums + multis
    if not columns:
        raise ConfigError("table: declare at least one feature column (categorical=, numeric= or multi=)")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes or label in columns:
        raise ConfigError(f"table: column(s) declared twice or as both label and feature: {', '.join(dupes or [label])}")
    if numeric_bucket not in ("log_square", "none"):
        raise ConfigError(f"table: numeric_bucket must be 'log_square' or 'none', got {numeric_bucket!r}")
    files = resolve_split_files("table", path, train, valid, test)
    for p, _ in files:
        if p.suffix.lower() not in PARQUET_SUFFIXES:
            header = _header(p, _delimiter(p, delimiter))
            missing = [c for c in [label, *columns] if c not in header]
            if missing:
                raise DataFormatError(p, 1, f"missing column(s) {', '.join(map(repr, missing))}; the header has "
                                      f"{', '.join(header)}")
    fields = ([RawField(c) for c in cats] + [RawField(c, "numeric", bucket=numeric_bucket) for c in nums]
              + [RawField(c, "multi", sep=multi_sep) for c in multis])
    kwargs = {} if block_bytes is None else {"block_bytes": block_bytes}

    def stream():
        for p, split in files:
            if p.suffix.lower() in PARQUET_SUFFIXES:
                for chunk in iter_parquet(p, columns=columns, label=label):
                    chunk.split = split
                    yield chunk
                continue
            d = _delimiter(p, delimiter)
            header = _header(p, d)
            yield from iter_delimited(p, names=header, delimiter=d, header=True, label=label, split=split,
                                      allow_bool_labels=True, describe="as many as the header", **kwargs)

    checksums = {f"{s}:{p.name}": cached_sha256(p, cache_dir) for p, s in files}
    source = {"files": [{"name": p.name, "split": s, "sha256": checksums[f"{s}:{p.name}"]} for p, s in files]}
    options = {"label": label, "categorical": cats, "numeric": nums, "multi": multis, "multi_sep": multi_sep,
               "delimiter": delimiter, "numeric_bucket": numeric_bucket}
    return build_or_load("table", stream=stream, fields=fields, cache_dir=cache_dir, options=options, source=source,
                         source_checksums=checksums, min_count=min_count, split_seed=split_seed, progress=progress,
                         use_cache=use_cache)
