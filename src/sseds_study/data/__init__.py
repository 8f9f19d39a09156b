"""Datasets: raw files -> :class:`EncodedDataset` (see spec.py for the encoded form).

    ds = load_dataset("movielens100k")            # downloads once, encodes once, then reads the cache
    ds = load_dataset("criteo", path="train.txt")  # local raw data
    ds = load_dataset("synthetic", rows=20000, ranks=(8, 4, 2, 0))
    dataset_summary(ds)                            # per-field table for the data chapter

Cache layout under ``$SSEDS_DATA_DIR`` (default ``<repo>/data``): ``raw/`` downloads,
``encoded/<name>-<key>/`` encoded arrays + manifest.json + vocabularies.json.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .avazu import load_avazu
from .cache import load_encoded, manifest_checksum
from .criteo import download_criteo, load_criteo
from .frappe import load_frappe
from .movielens import load_movielens
from .paths import default_cache_dir, resolve_cache_dir
from .spec import PAD, SPLITS, EncodedDataset, FieldSpec, make_field_specs
from .synthetic import generate_synthetic, load_synthetic
from .table import load_table

# name -> loader(*, cache_dir, progress, **options) -> EncodedDataset
DATASETS: dict[str, Callable[..., EncodedDataset]] = {
    "movielens100k": partial(load_movielens, "movielens100k"),
    "movielens1m": partial(load_movielens, "movielens1m"),
    "synthetic": load_synthetic,
    "criteo": load_criteo,
    "avazu": load_avazu,
    "frappe": load_frappe,
    "table": load_table,
}

__all__ = [
    "DATASETS", "EncodedDataset", "FieldSpec", "make_field_specs", "load_dataset", "load_dataset_from_config",
    "dataset_summary", "default_cache_dir", "download_criteo", "generate_synthetic", "load_encoded",
    "manifest_checksum",
]


def load_dataset(name: str, *, cache_dir=None, progress: bool = True, **options) -> EncodedDataset:
    """Load (fetching, encoding and caching as needed) one dataset by name.

    options: the dataset's own settings (e.g. ``path=``, ``min_count=``, ``split_seed=``; for
    synthetic ``rows=``, ``ranks=``...). Unknown names raise ConfigError listing the known ones.
    """
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    try:
        return DATASETS[name](cache_dir=resolve_cache_dir(cache_dir), progress=progress, **options)
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise ConfigError(f"dataset {name!r}: {exc}") from None
        raise


def load_dataset_from_config(cfg, cache_dir=None, progress: bool = True) -> EncodedDataset:
    """``load_dataset`` from a DataConfig: its min_count and split_seed, plus its options.

    A ``min_count`` of None keeps the dataset's own protocol default (Criteo 10, Avazu 2, others 1).
    """
    options = dict(cfg.options)
    if cfg.min_count is not None:
        options.setdefault("min_count", cfg.min_count)
    options.setdefault("split_seed", cfg.split_seed)
    return load_dataset(cfg.name, cache_dir=cache_dir, progress=progress, **options)


def _oov_rate(cols: np.ndarray) -> float:
    """Fraction of non-padding ids that are OOV (0). cols: int64 (n, width)."""
    real = cols != PAD
    total = int(real.sum())
    return float(((cols == 0) & real).sum() / total) if total else float("nan")


def dataset_summary(ds: EncodedDataset) -> pd.DataFrame:
    """One row per field: name, kind, vocab_size, width, missing_rate, oov_rate_valid, oov_rate_test.

    missing_rate comes from the manifest (fraction of rows whose raw value was missing); the OOV
    rates are computed from the arrays (fraction of valid/test values mapped to id 0).
    """
    missing = ds.manifest.get("missing_rates", {})
    index = {s: ds.split_index(s) for s in SPLITS[1:]}
    rows = []
    for f, spec in enumerate(ds.fields):
        cols = ds.field_columns(f)
        rows.append({
            "name": spec.name, "kind": spec.kind, "vocab_size": spec.vocab_size, "width": spec.width,
            "missing_rate": missing.get(spec.name, float("nan")),
            "oov_rate_valid": _oov_rate(np.asarray(cols[index["valid"]])),
            "oov_rate_test": _oov_rate(np.asarray(cols[index["test"]])),
        })
    return pd.DataFrame(rows)
