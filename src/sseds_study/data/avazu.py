"""Avazu CTR data (Kaggle), as the raw csv, header-less csv, or BARS csv splits.

Columns: ``id, click, hour, C1, banner_pos, site_id, site_domain, site_category, app_id,
app_domain, app_category, device_id, device_ip, device_model, device_type, device_conn_type,
C14..C21``. A file with this header, or with no header at all (the first line is then a data row of
the same 24 columns), is read as such; a BARS-style file with a ``label,...`` header is read with
``label`` as the click and every other column as a categorical field.

What we do with the raw columns:

* ``id`` is dropped (unique per row, no signal);
* ``hour`` (YYMMDDHH) becomes two fields: ``hour_of_day`` (``HH``, "00".."23") and ``weekday``
  ("0" = Monday .. "6" = Sunday, from the date 20YY-MM-DD); the raw timestamp itself is dropped,
  since a test day never occurs in training;
* every other column is categorical (23 fields in all).

``min_count`` defaults to 2, as in BARS' Avazu_x4 preprocessing (``min_categr_count: 2``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataFormatError, show
from .cache import build_or_load, cached_sha256
from .raw import Chunk, RawField
from .readers import first_line, iter_delimited, resolve_split_files

RAW_COLUMNS = ("id", "click", "hour", "C1", "banner_pos", "site_id", "site_domain", "site_category", "app_id",
               "app_domain", "app_category", "device_id", "device_ip", "device_model", "device_type",
               "device_conn_type", "C14", "C15", "C16", "C17", "C18", "C19", "C20", "C21")
CATEGORICAL = RAW_COLUMNS[3:]
DEFAULT_MIN_COUNT = 2


def detect_layout(path) -> tuple[str, tuple[str, ...]]:
    """('raw' | 'noheader' | 'bars', column names) from the first line."""
    line = first_line(path)
    cols = [c.strip() for c in line.split(",")]
    if [c.lower() for c in cols] == [c.lower() for c in RAW_COLUMNS]:
        return "raw", RAW_COLUMNS
    if cols and cols[0].lower() == "label":
        return "bars", tuple(cols)
    if len(cols) == len(RAW_COLUMNS):
        return "noheader", RAW_COLUMNS
    raise DataFormatError(path, 1, f"cannot tell the Avazu layout: expected the header {','.join(RAW_COLUMNS[:4])},..."
                          f" ({len(RAW_COLUMNS)} columns), a BARS header 'label,...', or a header-less row of "
                          f"{len(RAW_COLUMNS)} columns; got {len(cols)} columns")


def split_hour(hour: pa.Array, chunk: Chunk) -> tuple[pa.Array, pa.Array]:
    """YYMMDDHH strings (n,) -> (hour_of_day, weekday) string arrays (n,); nulls stay null."""
    ok = pc.fill_null(pc.match_substring_regex(hour, r"^\d{8}$"), True)
    weekday_of = {}
    for day in pc.unique(pc.utf8_slice_codeunits(hour, 0, 6)).to_pylist():
        if day is None:
            continue
        try:
            weekday_of[day] = str(dt.date(2000 + int(day[:2]), int(day[2:4]), int(day[4:6])).weekday())
        except ValueError:
            weekday_of[day] = None
    bad = ~np.asarray(ok)
    days = pc.utf8_slice_codeunits(hour, 0, 6)
    if not bad.any():
        bad = np.asarray(pc.fill_null(pc.is_in(days, pa.array([d for d, w in weekday_of.items() if w is None],
                                                               type=pa.string())), False))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFormatError(chunk.path, chunk.line(i),
                              f"column 'hour': expected YYMMDDHH (8 digits, a real date), got {show(hour[i].as_py())}")
    keys = [d for d, w in weekday_of.items() if w is not None]
    idx = pc.index_in(days, value_set=pa.array(keys, type=pa.string()))
    weekday = pc.take(pa.array([weekday_of[d] for d in keys], type=pa.string()), idx)
    return pc.utf8_slice_codeunits(hour, 6, 8), weekday


def avazu_stream(files, block_bytes: int | None = None):
    """A restartable chunk stream over [(file, split)], with ``hour`` split into two fields."""
    kwargs = {} if block_bytes is None else {"block_bytes": block_bytes}

    def stream():
        for path, split in files:
            layout, names = detect_layout(path)
            label = "label" if layout == "bars" else "click"
            names = tuple("label" if (layout == "bars" and i == 0) else n for i, n in enumerate(names))
            for chunk in iter_delimited(path, names=names, delimiter=",", header=layout != "noheader", label=label,
                                        split=split, describe=f"{len(names)} comma-separated Avazu columns",
                                        **kwargs):
                chunk.columns.pop("id", None)
                if "hour" in chunk.columns:
                    hour = chunk.columns.pop("hour")
                    hour = hour.combine_chunks() if isinstance(hour, pa.ChunkedArray) else hour
                    chunk.columns["hour_of_day"], chunk.columns["weekday"] = split_hour(hour, chunk)
                yield chunk

    return stream


def avazu_fields(path) -> list[RawField]:
    layout, names = detect_layout(path)
    if layout == "bars":
        return [RawField(n) for n in names[1:] if n not in ("id", "hour")] + (
            [RawField("hour_of_day"), RawField("weekday")] if "hour" in names else [])
    return [RawField(n) for n in CATEGORICAL] + [RawField("hour_of_day"), RawField("weekday")]


def load_avazu(*, cache_dir, progress: bool = True, path=None, train=None, valid=None, test=None,
               min_count=DEFAULT_MIN_COUNT, split_seed: int = 2022, use_cache: bool = True,
               block_bytes: int | None = None):
    """Encode Avazu from local files (``path`` = a file or a split directory, or train/valid/test)."""
    files = resolve_split_files("avazu", path, train, valid, test)
    checksums = {f"{s}:{p.name}": cached_sha256(p, cache_dir) for p, s in files}
    source = {"files": [{"name": p.name, "split": s, "sha256": checksums[f"{s}:{p.name}"],
                         "layout": detect_layout(p)[0]} for p, s in files]}
    return build_or_load("avazu", stream=avazu_stream(files, block_bytes), fields=avazu_fields(files[0][0]),
                         cache_dir=cache_dir, options={"hour": "hour_of_day+weekday", "drop": ["id"]}, source=source,
                         source_checksums=checksums, min_count=min_count, split_seed=split_seed, progress=progress,
                         use_cache=use_cache)
