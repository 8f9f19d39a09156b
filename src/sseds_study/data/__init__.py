"""Datasets: raw files -> :class:`EncodedDataset` (see spec.py for the encoded form).

    ds = load_dataset("movielens100k")            # downloads once, encodes once, then reads the cache
    ds = load_dataset("criteo", path="train.txt")  # local raw data
    ds = load_dataset("synthetic", rows=20000, ranks=(8, 4, 2, 0))
    ds = load_dataset("synthetic2", rows=200_000)   # planted ranks, unequal vocabularies
    dataset_summary(ds)                            # per-field table (stats.py has the others)

Cache layout under ``$SSEDS_DATA_DIR`` (default ``<repo>/data``): ``raw/`` downloads,
``encoded/<name>-<key>/`` encoded arrays + manifest.json + vocabularies.json.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..errors import ConfigError
from .avazu import load_avazu
from .cache import load_encoded, manifest_checksum
from .criteo import download_criteo, load_criteo
from .frappe import load_frappe
from .movielens import load_movielens
from .options import check_common, check_option_names
from .paths import default_cache_dir, resolve_cache_dir
from .spec import EncodedDataset, FieldSpec, make_field_specs
from .stats import dataset_summary
from .synthetic import generate_synthetic, load_synthetic
from .synthetic2 import generate_synthetic2, load_synthetic2
from .table import load_table

# name -> loader(*, cache_dir, progress, **options) -> EncodedDataset
DATASETS: dict[str, Callable[..., EncodedDataset]] = {
    "movielens100k": partial(load_movielens, "movielens100k"),
    "movielens1m": partial(load_movielens, "movielens1m"),
    "synthetic": load_synthetic,
    "synthetic2": load_synthetic2,
    "criteo": load_criteo,
    "avazu": load_avazu,
    "frappe": load_frappe,
    "table": load_table,
}
# How the book names each dataset in its prose and tables (``display_name``; others as they are).
DISPLAY_NAMES: dict[str, str] = {"movielens100k": "MovieLens-100K", "movielens1m": "MovieLens-1M", "criteo": "Criteo",
                                 "avazu": "Avazu", "frappe": "Frappe"}

__all__ = [
    "DATASETS", "EncodedDataset", "FieldSpec", "make_field_specs", "check_dataset_options", "load_dataset",
    "load_dataset_from_config", "load_dataset_from_study", "dataset_summary", "default_cache_dir", "download_criteo",
    "generate_synthetic", "generate_synthetic2", "has_planted_truth", "load_encoded", "manifest_checksum",
    "DISPLAY_NAMES", "display_name",
]


def load_dataset(name: str, *, cache_dir=None, progress: bool = True, **options) -> EncodedDataset:
    """Load (fetching, encoding and caching as needed) one dataset by name.

    options: the dataset's own settings (e.g. ``path=``, ``min_count=``, ``split_seed=``; for
    synthetic ``rows=``, ``ranks=``...). Unknown names raise ConfigError listing the known ones; an
    unknown option or a value of the wrong type raises OptionError naming it.
    """
    check_dataset_options(name, options)
    return DATASETS[name](cache_dir=resolve_cache_dir(cache_dir), progress=progress, **options)


def check_dataset_options(name: str, options) -> None:
    """The dataset exists and takes these options (names and the shared ones' types); study profiles
    call it when they are read, so a typo fails before a sweep starts."""
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    check_option_names(name, DATASETS[name], options)
    check_common(name, options)


def has_planted_truth(name: str) -> bool:
    """Whether dataset ``name`` is generated with a planted truth: per-field ranks in its manifest, so
    found widths can be compared with the right ones (the ``oracle`` method needs them)."""
    return bool(getattr(DATASETS.get(name), "planted_truth", False))


def display_name(name: str) -> str:
    """The dataset's name as the book writes it (``MovieLens-100K`` for ``movielens100k``)."""
    return DISPLAY_NAMES.get(name, name)


def load_dataset_from_config(cfg, cache_dir=None, progress: bool = True) -> EncodedDataset:
    """``load_dataset`` from a DataConfig: its min_count and split_seed, plus its options.

    A ``min_count`` of None keeps the dataset's own protocol default (Criteo 10, Avazu 2, others 1).
    """
    options = dict(cfg.options)
    if cfg.min_count is not None:
        options.setdefault("min_count", cfg.min_count)
    options.setdefault("split_seed", cfg.split_seed)
    return load_dataset(cfg.name, cache_dir=cache_dir, progress=progress, **options)


def load_dataset_from_study(study, name: str, cache_dir=None, progress: bool = True) -> EncodedDataset:
    """The dataset ``name`` as a study profile configures it (its entry in ``study.datasets``).

    A name the profile does not list is a ConfigError naming the ones it does.
    """
    configs = {cfg.name: cfg for cfg in study.datasets}
    if name not in configs:
        raise ConfigError(f"study {study.name!r} has no dataset {name!r}; it has {', '.join(configs)}")
    return load_dataset_from_config(configs[name], cache_dir=cache_dir, progress=progress)
