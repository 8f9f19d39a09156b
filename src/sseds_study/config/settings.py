"""Frozen, hashable settings for data, model, training and search, read from YAML.

Each dataclass validates its values on construction, so a typo in a YAML file fails at load time with
the field's name, not an hour into a sweep. ``config_hash`` gives a stable digest of any config: the
study keys its result cache by it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, one_line

# `exact` is the measured drop-column loss change (search/exact.py), the yardstick for the four
# gradient estimators; it costs one forward pass per column and batch.
ESTIMATORS = ("mean_abs", "abs_mean", "fisher", "taylor", "exact")
SCORE_SPLITS = ("train", "valid")
BUDGET_UNITS = ("params", "dims")
RANK_BY = ("saliency", "saliency_per_param")
# How a retrained slim model starts (docs/design.md, "The slim model and its initialisation"):
#   "scratch": fresh seeded weights at the slim widths, the standard retraining;
#   "inherit": prune-then-fine-tune: the pretrained model with the dropped columns cut out and every
#              other weight (first-order terms, biases, MLP, cross network, head) carried over, the
#              layers that read the embeddings sliced to the kept inputs. Before any training it
#              scores exactly as prune_only does (models.inherit).
INITS = ("scratch", "inherit")
PEP_GRANULARITIES = ("global", "dim", "field", "field_dim", "feature", "feature_dim")
# The optimizer of the embedding tables (train.optim.make_optimizer): "adam" is dense Adam on every
# parameter (the study's protocol); "sparse_adam" gives every embedding table sparse gradients and
# torch's SparseAdam (lazy: only the rows a batch touches are updated); "auto" does that only for
# tables of at least train.optim.SPARSE_MIN_ROWS rows, which no dataset of the study reaches.
OPTIMIZERS = ("adam", "sparse_adam", "auto")
# Where a sweep's runs execute: processes on this machine, or a Ray cluster.
EXECUTORS = ("local", "ray")


def check_budget(value, owner: str) -> float:
    """A budget: the fraction of the full model's embedding parameters kept, a number in (0, 1]. The one
    check of a budget's range, for profiles, PEP's settings and the command line alike."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value <= 1  # false for nan
    if not ok:
        raise ConfigError(f"{owner}: expected a fraction of the embedding parameters in (0, 1]; got {value!r}")
    return float(value)


def _check_choice(owner: str, name: str, value, choices):
    if value not in choices:
        raise ConfigError(f"{owner}.{name}: expected one of {', '.join(map(str, choices))}; got {value!r}")


def _is_positive_int(value) -> bool:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    return ok and value == int(value) and value >= 1


def _check_positive(owner: str, name: str, value, allow_zero=False):
    ok = value >= 0 if allow_zero else value > 0
    if not ok:
        raise ConfigError(f"{owner}.{name}: expected a {'non-negative' if allow_zero else 'positive'} value; got {value!r}")


@dataclass(frozen=True)
class DataConfig:
    """Which dataset, and how to preprocess it. ``options`` holds dataset-specific settings
    (for example ``rows`` and ``seed`` for synthetic data, ``path`` for a local file).
    ``min_count`` None keeps the dataset's protocol default (Criteo 10, Avazu 2, others 1)."""

    name: str = "movielens100k"
    min_count: int | None = None
    split_seed: int = 2022
    options: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.min_count is not None:
            _check_positive("data", "min_count", self.min_count)
        if not isinstance(self.options, dict):
            raise ConfigError(f"data.options: expected a mapping of option names to values; got {self.options!r}")
        object.__setattr__(self, "options", dict(self.options))

    def __hash__(self):
        return hash(config_hash(self))


@dataclass(frozen=True)
class ModelConfig:
    """A base model and its embedding widths. ``emb_dims`` (one width per field) makes a mixed-width
    model; ``None`` gives every field ``emb_dim``."""

    name: str = "DeepFM"
    emb_dim: int = 16
    emb_dims: tuple[int, ...] | None = None
    hidden_dims: tuple[int, ...] = (64, 32)
    dropout: float = 0.0
    cross_layers: int = 2

    def __post_init__(self):
        _check_positive("model", "emb_dim", self.emb_dim)
        if self.emb_dims is not None:
            object.__setattr__(self, "emb_dims", tuple(int(d) for d in self.emb_dims))
            for d in self.emb_dims:
                if d < 0 or d > self.emb_dim:
                    raise ConfigError(f"model.emb_dims: every width must be in 0..{self.emb_dim}; got {d}")
        for h in self.hidden_dims:
            if not _is_positive_int(h):
                raise ConfigError(f"model.hidden_dims: expected positive integers; got {h!r}")
        object.__setattr__(self, "hidden_dims", tuple(int(h) for h in self.hidden_dims))
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"model.dropout: expected a value in [0, 1); got {self.dropout!r}")


@dataclass(frozen=True)
class TrainConfig:
    """Optimiser and loop settings. ``seed`` fixes initialisation and batch order. ``optimizer``: one of
    OPTIMIZERS (see there); at its default it is left out of ``to_dict`` and ``config_hash``, so the
    keys of results computed before it existed stay the same."""

    batch_size: int = 2048
    lr: float = 1e-3
    weight_decay: float = 0.0
    emb_weight_decay: float = 0.0
    max_epochs: int = 20
    patience: int = 2
    seed: int = 0
    device: str = "auto"
    progress: bool = True
    optimizer: str = "adam"

    # fields left out of to_dict / config_hash while they hold their default
    _omit_if_default = ("optimizer",)

    def __post_init__(self):
        _check_choice("train", "optimizer", self.optimizer, OPTIMIZERS)
        _check_positive("train", "batch_size", self.batch_size)
        _check_positive("train", "lr", self.lr)
        _check_positive("train", "max_epochs", self.max_epochs)
        _check_positive("train", "patience", self.patience)
        _check_positive("train", "weight_decay", self.weight_decay, allow_zero=True)
        _check_positive("train", "emb_weight_decay", self.emb_weight_decay, allow_zero=True)


@dataclass(frozen=True)
class SearchConfig:
    """SSEDS options (docs/design.md, "The search options at a glance"): how saliency is scored, how
    widths are allocated, and how the slim model starts its retraining: ``init="scratch"`` (fresh
    seeded weights) or ``"inherit"`` (prune-then-fine-tune: the pretrained model pruned to the kept
    columns, every other weight kept, so it starts where ``prune_only`` is; see ``INITS``)."""

    estimator: str = "mean_abs"
    score_split: str = "train"
    num_batches: int = 32
    budget_unit: str = "params"
    rank_by: str = "saliency"
    min_dim: int = 1
    init: str = "scratch"

    def __post_init__(self):
        _check_choice("search", "estimator", self.estimator, ESTIMATORS)
        _check_choice("search", "score_split", self.score_split, SCORE_SPLITS)
        _check_positive("search", "num_batches", self.num_batches)
        _check_choice("search", "budget_unit", self.budget_unit, BUDGET_UNITS)
        _check_choice("search", "rank_by", self.rank_by, RANK_BY)
        _check_positive("search", "min_dim", self.min_dim, allow_zero=True)
        _check_choice("search", "init", self.init, INITS)


def apply_variant(search: SearchConfig, variant: dict, owner: str = "variant") -> SearchConfig:
    """``search`` with an ablation variant's settings over it (the one way a variant is applied)."""
    if not isinstance(variant, dict):
        raise ConfigError(f"{owner}: expected mappings of search settings; got {variant!r}")
    return from_dict(SearchConfig, {**to_dict(search), **variant}, owner=owner)


@dataclass(frozen=True)
class TuneConfig:
    """The tuning stage of a study (``study.tune``): before any run, every (dataset, base model) trains
    the full-width model at each point of the grid ``lr`` x ``emb_weight_decay`` (one seed, ``seed``;
    None: the study's first seed) and keeps the point with the best validation AUC (ties: the first in
    grid order). Pretraining, scoring and retraining of every method then use that point, so the
    protocol is the same for every method and is chosen on validation data only."""

    lr: tuple[float, ...] = ()
    emb_weight_decay: tuple[float, ...] = (0.0,)
    seed: int | None = None

    def __post_init__(self):
        for name in ("lr", "emb_weight_decay"):
            values = tuple(float(v) for v in getattr(self, name))
            if not values:
                raise ConfigError(f"tune.{name}: expected at least one value; got none")
            for v in values:
                _check_positive("tune", name, v, allow_zero=name != "lr")
            if len(set(values)) != len(values):
                raise ConfigError(f"tune.{name}: expected distinct values; got {list(values)}")
            object.__setattr__(self, name, values)

    def grid(self) -> list[dict]:
        """The grid's points, in order: lr varies slowest."""
        return [{"lr": lr, "emb_weight_decay": wd} for lr in self.lr for wd in self.emb_weight_decay]


@dataclass(frozen=True)
class PEPConfig:
    """PEP's search run (Liu et al., ICLR 2021; ``study.pep``): soft thresholds g(s) = sigmoid(s) on
    the embedding entries, trained with the model from its initialisation.

    granularity: the shape of s (``models.pep``: global, dim, field, field_dim, feature, feature_dim).
    threshold_init: s at the start, the same for every threshold (g(init) is the first threshold).
    threshold_lr: Adam's learning rate for s (None: the training config's ``lr``).
    threshold_weight_decay: L2 on s: the pressure that raises the thresholds under Adam (it pulls s
        towards 0, so on its own it raises g(s) at most to 1/2).
    weight_decay: L2 on every other parameter (embeddings included) during the search run, as in PEP's
        reference code (one decay for all parameters); it shrinks the entries the loss does not hold
        up, so that the thresholds overtake them. None: the training config's decays.
    max_epochs: the search run stops once every budget has its mask, or after this many epochs (a
        budget not reached by then fails its runs with a message saying so); it is never stopped by
        validation AUC.
    budgets: where masks are saved (the first step the kept fraction falls to each); empty in a
        profile means the study's budgets below 1 (filled in when runs are expanded).

    The defaults are the default profile's, chosen on MovieLens-100K's validation data by
    ``scripts/choose_pep_settings.py`` (``configs/pep_selection/``).
    """

    granularity: str = "feature"
    threshold_init: float = -10.0
    threshold_lr: float | None = 0.02
    threshold_weight_decay: float = 0.01
    weight_decay: float | None = 3e-4
    max_epochs: int = 100
    budgets: tuple[float, ...] = ()

    def __post_init__(self):
        _check_choice("pep", "granularity", self.granularity, PEP_GRANULARITIES)
        if isinstance(self.threshold_init, bool) or not isinstance(self.threshold_init, (int, float)) \
                or not math.isfinite(self.threshold_init):
            raise ConfigError(f"pep.threshold_init: expected a finite number; got {self.threshold_init!r}")
        object.__setattr__(self, "threshold_init", float(self.threshold_init))
        if self.threshold_lr is not None:
            _check_positive("pep", "threshold_lr", self.threshold_lr)
            object.__setattr__(self, "threshold_lr", float(self.threshold_lr))
        _check_positive("pep", "threshold_weight_decay", self.threshold_weight_decay, allow_zero=True)
        if self.weight_decay is not None:
            _check_positive("pep", "weight_decay", self.weight_decay, allow_zero=True)
            object.__setattr__(self, "weight_decay", float(self.weight_decay))
        _check_positive("pep", "max_epochs", self.max_epochs)
        budgets = tuple(check_budget(b, "pep.budgets") for b in self.budgets)
        if len(set(budgets)) != len(budgets):
            raise ConfigError(f"pep.budgets: expected distinct values; got {list(budgets)}")
        object.__setattr__(self, "budgets", tuple(sorted(budgets, reverse=True)))


def _to_jsonable(obj):
    if dataclasses.is_dataclass(obj):
        omit = getattr(obj, "_omit_if_default", ())
        return {f.name: _to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if not (f.name in omit and getattr(obj, f.name) == f.default)}
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in sorted(obj.items())}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


def to_dict(cfg) -> dict:
    """A plain, JSON-serialisable dict of a config (nested dataclasses included)."""
    return _to_jsonable(cfg)


def config_hash(cfg, length: int = 16) -> str:
    """Stable hex digest of a config: the same settings give the same hash on every machine."""
    text = json.dumps(_to_jsonable(cfg), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _coerce(owner: str, name: str, tp, value):
    """Turn YAML values (lists) into the dataclass field's type (tuples)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        non_none = [a for a in args if a is not type(None)]
        return _coerce(owner, name, non_none[0], value)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{owner}.{name}: expected a list; got {value!r}")
        return tuple(value)
    if tp is float and isinstance(value, int):
        return float(value)
    if tp in (int, float, str, bool) and not isinstance(value, tp):
        raise ConfigError(f"{owner}.{name}: expected {tp.__name__}; got {value!r}")
    return value


def from_dict(cls, data: dict | None, owner: str | None = None):
    """Build a config dataclass from a dict, rejecting unknown keys with a clear message."""
    owner = owner or cls.__name__.replace("Config", "").lower()
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{owner}: expected a mapping of settings; got {data!r}")
    data = dict(data or {})
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{owner}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    kwargs = {k: _coerce(owner, k, hints[k], v) for k, v in data.items()}
    return cls(**kwargs)


def load_yaml(path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({one_line(exc)})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data
