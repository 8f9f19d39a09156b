"""The user's own table (csv, tsv or parquet) with a 0/1 label column, through the same pipeline.

Declare the feature columns by kind, as keyword arguments or in a small YAML file (``spec=path``)
whose keys are the same names; keyword arguments win over the file::

    label: clicked            # values 0/1, or true/false (any case)
    categorical: [user, city]
    numeric: [age, price]     # bucketised: v > 2 -> floor(ln(v)^2), else the value itself
    multi: [tags]             # several values in one cell, separated by multi_sep
    multi_sep: "|"
    delimiter: ","            # one character ("\t" or tab for a tab); default: by extension
                              # (.tsv/.tab -> tab, otherwise comma)

Columns not declared are ignored. Text files need a header row.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from ..errors import ConfigError, DataFormatError, OptionError, one_line
from .cache import build_or_load, cached_sha256
from .options import min_count_option
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
        raise ConfigError(f"{path}: not valid YAML ({one_line(exc)})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {', '.join(SPEC_KEYS)}")
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(SPEC_KEYS)}")
    return data


# Spellings of a tab that survive a shell and a YAML file, besides the character itself.
_TAB_NAMES = ("\\t", "tab", "TAB", "Tab")


def _delimiter(path: Path, delimiter: str | None) -> str:
    if delimiter:
        return delimiter
    return "\t" if path.suffix.lower() in (".tsv", ".tab") else ","


def _header(path: Path, delimiter: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([first_line(path)], delimiter=delimiter))]


class _Declared:
    """The column declaration: keyword arguments over the spec file, with errors naming where a bad
    value came from (the spec file and its key, or the option)."""

    def __init__(self, spec):
        self.spec = spec
        self.data = read_spec(spec) if spec is not None else {}

    def pick(self, key, value, default):
        if value is not None:
            return value, f"table: option {key}"
        return self.data.get(key, default), (f"{self.spec}: {key}" if key in self.data else f"table: option {key}")

    def names(self, key, value) -> list[str]:
        """Column names: one name or a list of names (numbers are names too: a header may say 2019)."""
        value, where = self.pick(key, value, [])
        items = value if isinstance(value, (list, tuple)) else [value]
        if any(v is None or isinstance(v, (bool, dict, list, tuple)) for v in items):
            raise OptionError(f"{where}: expected a column name or a list of column names; got {value!r}")
        return [str(v) for v in items]

    def text(self, key, value, default, what: str) -> str | None:
        value, where = self.pick(key, value, default)
        if value is not None and (not isinstance(value, str) or not value):
            raise OptionError(f"{where}: expected {what}; got {value!r}")
        return value

    def delimiter(self, value) -> str | None:
        delimiter = self.text("delimiter", value, None, "one character, for example ',' or '\\t'")
        delimiter = "\t" if delimiter in _TAB_NAMES else delimiter
        if delimiter is not None and (len(delimiter) != 1 or delimiter in '\r\n"'):
            _, where = self.pick("delimiter", value, None)
            raise OptionError(f"{where}: expected one character, for example ',' or '\\t' (a tab); got {delimiter!r}")
        return delimiter


def _check_header(path: Path, header: list[str], wanted: list[str]) -> None:
    """Every declared column is in the header exactly once (a second column of the same name would
    silently be read in its place)."""
    missing = [c for c in wanted if c not in header]
    if missing:
        raise DataFormatError(path, 1, f"missing column(s) {', '.join(map(repr, missing))}; the header has "
                              f"{', '.join(header)}")
    for c in wanted:
        where = [i + 1 for i, h in enumerate(header) if h == c]
        if len(where) > 1:
            raise DataFormatError(path, 1, f"column {c!r} appears {len(where)} times in the header (columns "
                                  f"{', '.join(map(str, where))}); expected each declared column once")


# Options that name files: a run is keyed by what they hold, never by where they are.
FILE_OPTIONS = ("path", "train", "valid", "test")


def table_identity(options: dict, cache_dir) -> dict:
    """The table options as a run's key sees them: each data file replaced by its split and content hash
    (``cached_sha256``), the spec file by the declarations it holds. Moving or renaming the file keeps
    the key; editing one byte changes it."""
    out = {k: v for k, v in options.items() if k not in (*FILE_OPTIONS, "spec")}
    files = resolve_split_files("table", *(options.get(k) for k in FILE_OPTIONS))
    out["files"] = [{"split": split, "sha256": cached_sha256(p, cache_dir)} for p, split in files]
    if options.get("spec") is not None:
        out["spec"] = read_spec(options["spec"])
    return out


def load_table(*, cache_dir, progress: bool = True, path=None, train=None, valid=None, test=None, spec=None,
               label: str | None = None, categorical=None, numeric=None, multi=None, multi_sep: str | None = None,
               delimiter: str | None = None, numeric_bucket: str | None = None, min_count=None,
               split_seed: int = 2022, use_cache: bool = True, block_bytes: int | None = None):
    """Encode a user table. Fields come in the order categorical, numeric, multi."""
    declared = _Declared(spec)
    label = declared.text("label", None if label is None else str(label), "label", "a column name")
    cats, nums, multis = (declared.names(k, v) for k, v in
                          (("categorical", categorical), ("numeric", numeric), ("multi", multi)))
    multi_sep = declared.text("multi_sep", multi_sep, "|", "a separator string, for example '|'")
    delimiter = declared.delimiter(delimiter)
    numeric_bucket = declared.pick("numeric_bucket", numeric_bucket, "log_square")[0]
    min_count = min_count_option("table", declared.pick("min_count", min_count, 1)[0])
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
            _check_header(p, _header(p, _delimiter(p, delimiter)), [label, *columns])
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
