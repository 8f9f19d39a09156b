"""The dataset registry: every dataset by name, and loading one from its options or a config.

Names and where each loader lives are plain data (``DATASET_NAMES``), so the command line and profile
checks can list them without importing pandas, polars or scikit-learn; a loader is imported when it is
first used (``dataset_loader``). ``DATASETS`` (name -> loader) imports them all.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .options import check_common, check_option_names
from .paths import resolve_cache_dir

if TYPE_CHECKING:
    from .spec import EncodedDataset

# name -> (module of this package, loader function, leading arguments);
# loader(*args, cache_dir=..., progress=..., **options) -> EncodedDataset
_LOADERS: dict[str, tuple[str, str, tuple]] = {
    "movielens100k": ("movielens", "load_movielens", ("movielens100k",)),
    "movielens1m": ("movielens", "load_movielens", ("movielens1m",)),
    "synthetic": ("synthetic", "load_synthetic", ()),
    "synthetic2": ("synthetic2", "load_synthetic2", ()),
    "regime": ("regime", "load_regime", ()),
    "criteo": ("criteo", "load_criteo", ()),
    "avazu": ("avazu", "load_avazu", ()),
    "frappe": ("frappe", "load_frappe", ()),
    "table": ("table", "load_table", ()),
}
DATASET_NAMES: tuple[str, ...] = tuple(_LOADERS)
# How the book names each dataset in its prose and tables (``display_name``; others as they are).
DISPLAY_NAMES: dict[str, str] = {"movielens100k": "MovieLens-100K", "movielens1m": "MovieLens-1M", "criteo": "Criteo",
                                 "avazu": "Avazu", "frappe": "Frappe"}


def display_name(name: str) -> str:
    """The dataset's name as the book writes it (``MovieLens-100K`` for ``movielens100k``)."""
    return DISPLAY_NAMES.get(name, name)


def data_label(cfg) -> str:
    """A DataConfig as a report names it: the display name, and a table's file name
    (``table (clicks.csv)``)."""
    path = cfg.options.get("path") or cfg.options.get("train")
    return f"{display_name(cfg.name)} ({Path(str(path)).name})" if path else display_name(cfg.name)


@functools.cache
def dataset_loader(name: str) -> Callable[..., EncodedDataset]:
    """The loader of dataset ``name``; an unknown name is a ConfigError listing the known ones."""
    if name not in _LOADERS:
        raise ConfigError(f"unknown dataset {name!r}; known: {', '.join(DATASET_NAMES)}")
    module, func, args = _LOADERS[name]
    loader = getattr(importlib.import_module(f"{__package__}.{module}"), func)
    return functools.partial(loader, *args) if args else loader


def __getattr__(name: str):
    if name == "DATASETS":
        return {n: dataset_loader(n) for n in DATASET_NAMES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def data_identity(cfg) -> dict:
    """A DataConfig as the study keys it (runs, pretrained models, tuning choices): its settings, with a
    user table's files by content (``table.table_identity``) rather than by path. For every other
    dataset it is ``to_dict(cfg)``, so their keys are what they always were."""
    from ..config.settings import to_dict

    identity = to_dict(cfg)
    if cfg.name == "table":
        from .table import table_identity

        identity["options"] = table_identity(dict(cfg.options), resolve_cache_dir(None))
    return identity


def data_key(cfg) -> str:
    """The hash of ``data_identity``: the dataset entry of a tuning choice (``study.tuned``)."""
    from ..config.settings import config_hash

    return config_hash(data_identity(cfg))


def load_dataset(name: str, *, cache_dir=None, progress: bool = True, **options) -> EncodedDataset:
    """Load (fetching, encoding and caching as needed) one dataset by name.

    options: the dataset's own settings (e.g. ``path=``, ``min_count=``, ``split_seed=``; for
    synthetic ``rows=``, ``ranks=``...). Unknown names raise ConfigError listing the known ones; an
    unknown option or a value of the wrong type raises OptionError naming it.
    """
    check_dataset_options(name, options)
    return dataset_loader(name)(cache_dir=resolve_cache_dir(cache_dir), progress=progress, **options)


def check_dataset_options(name: str, options) -> None:
    """The dataset exists and takes these options (names and the shared ones' types); study profiles
    call it when they are read, so a typo fails before a sweep starts."""
    check_option_names(name, dataset_loader(name), options)
    check_common(name, options)


def has_planted_truth(name: str) -> bool:
    """Whether dataset ``name`` is generated with a planted truth: per-field ranks in its manifest, so
    found widths can be compared with the right ones (the ``oracle`` method needs them)."""
    return name in _LOADERS and bool(getattr(dataset_loader(name), "planted_truth", False))


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
