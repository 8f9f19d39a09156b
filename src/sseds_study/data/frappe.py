"""Frappe (app usage context) as CTR data: BARS Frappe_x1 in csv or libsvm form.

* csv: header ``label,user,item,daytime,weekday,isweekend,homework,cost,weather,country,city``;
* libsvm: ``label idx:1`` x 10, one token per field in field order, with *global* feature ids
  (0..5381 over all fields). The k-th token belongs to field k; its global id is read as a raw
  category of that field, so the per-field vocabulary maps global ids back to per-field ids.

``min_count`` defaults to 1: Frappe's values are already compact and BARS keeps them all.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from ..errors import DataFormatError, show
from .cache import build_or_load, cached_sha256
from .raw import RawField
from .readers import first_line, iter_delimited, resolve_split_files

FIELDS = ("user", "item", "daytime", "weekday", "isweekend", "homework", "cost", "weather", "country", "city")
DEFAULT_MIN_COUNT = 1


def detect_format(path) -> str:
    line = first_line(path)
    if line.lower().startswith("label,"):
        return "csv"
    if ":" in line:
        return "libsvm"
    raise DataFormatError(path, 1, f"cannot tell the Frappe format: expected a csv header 'label,user,item,...' or "
                          f"a libsvm row 'label idx:1 ...'; got {line[:80]!r}")


def frappe_stream(files, block_bytes: int | None = None):
    kwargs = {} if block_bytes is None else {"block_bytes": block_bytes}

    def stream():
        for path, split in files:
            if detect_format(path) == "csv":
                yield from iter_delimited(path, names=("label", *FIELDS), delimiter=",", header=True, label="label",
                                          split=split, describe="label + 10 Frappe fields", **kwargs)
                continue
            for chunk in iter_delimited(path, names=("label", *FIELDS), delimiter=" ", header=False, label="label",
                                        split=split, describe="label and 10 idx:value tokens", **kwargs):
                for name in FIELDS:
                    tokens = chunk.columns[name]
                    ok = pc.fill_null(pc.match_substring_regex(tokens, r"^\d+:"), False)
                    bad = ~np.asarray(ok)
                    if bad.any():
                        i = int(np.flatnonzero(bad)[0])
                        raise DataFormatError(path, chunk.line(i), f"field {name!r}: expected a libsvm "
                                              f"token 'index:value', got {show(tokens[i].as_py())}")
                    chunk.columns[name] = pc.replace_substring_regex(tokens, r":.*$", "")  # keep the global id
                yield chunk

    return stream


def load_frappe(*, cache_dir, progress: bool = True, path=None, train=None, valid=None, test=None,
                min_count=DEFAULT_MIN_COUNT, split_seed: int = 2022, use_cache: bool = True,
                block_bytes: int | None = None):
    """Encode Frappe from local files (``path`` = a file or a split directory, or train/valid/test)."""
    files = resolve_split_files("frappe", path, train, valid, test)
    checksums = {f"{s}:{p.name}": cached_sha256(p, cache_dir) for p, s in files}
    source = {"files": [{"name": p.name, "split": s, "sha256": checksums[f"{s}:{p.name}"], "format": detect_format(p)}
                        for p, s in files]}
    return build_or_load("frappe", stream=frappe_stream(files, block_bytes), fields=[RawField(n) for n in FIELDS],
                         cache_dir=cache_dir, options={}, source=source, source_checksums=checksums,
                         min_count=min_count, split_seed=split_seed, progress=progress, use_cache=use_cache)
