"""Study profiles: the settings of a sweep, read from ``configs/*.yaml``.

A profile may inherit another with ``extends: <profile>`` (a file name in the same folder, without
``.yaml``, or a path relative to the profile): the parent's mapping is merged under the child's,
mappings key by key and everything else (lists, numbers, strings) replaced whole, before the result is
validated. So ``ablation.yaml`` states only what differs from ``default.yaml``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config.settings import (
    EXECUTORS,
    SEED_LIMIT,
    DataConfig,
    ModelConfig,
    PEPConfig,
    SearchConfig,
    TrainConfig,
    TuneConfig,
    apply_variant,
    check_budget,
    check_choice,
    check_seed,
    check_workers,
    from_dict,
    load_yaml,
)
from ..data import DATASET_NAMES, check_dataset_options, has_planted_truth
from ..data.paths import repo_root
from ..errors import ConfigError, show, show_names
from ..models.registry import canonical_model_name
from .methods import check_method, get_method

REQUIRED = ("name", "datasets", "models", "methods", "budgets", "seeds")
# A profile's name becomes a folder under the results directory: nothing that could leave it.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class StudyConfig:
    """A sweep: the cross product of datasets x models x methods x budgets x seeds (x variants)."""

    name: str
    datasets: tuple[DataConfig, ...]
    models: tuple[str, ...]
    methods: tuple[str, ...]
    budgets: tuple[float, ...]
    seeds: tuple[int, ...]
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    pep: PEPConfig = field(default_factory=PEPConfig)
    variants: tuple[dict, ...] = ()
    workers: int = 1
    executor: str = "local"
    # Seed s splits the data with data.split_seed + s, so the intervals over seeds include the split's
    # variance as well as initialisation and batch order (False: every seed shares one split).
    split_per_seed: bool = False
    tune: TuneConfig | None = None
    # What the tuning stage chose (``study.tune``): one entry per dataset and base model,
    # {dataset: <data config hash>, model, lr, emb_weight_decay}; filled in by the sweep.
    tuned: tuple[dict, ...] = ()
    # A full factorial of search settings, {setting: [level, ...]}: every combination becomes a variant
    # (before those of ``variants``); kept here as written so that the analysis can name the factors.
    factorial: dict = field(default_factory=dict)
    # Other profiles whose journals hold runs this one shares: a run (or tuning fit) whose settings
    # hash to a key already finished there is copied, not recomputed (the key covers every setting).
    reuse: tuple[str, ...] = ()
    # The profiles a book chapter reads beside this one, by role ({"headline": "headline", ...}); a
    # role not named falls back to the profile itself (see ``companion``).
    companions: dict = field(default_factory=dict)

    def __post_init__(self):
        if not _NAME.match(self.name) or ".." in self.name:
            raise ConfigError(f"study.name: expected letters, digits, '_', '-' or '.' (it names a results "
                              f"folder); got {show(self.name)}")
        for what in ("datasets", "models", "methods", "budgets", "seeds"):
            if not getattr(self, what):
                raise ConfigError(f"study.{what}: expected at least one entry; got none")
        _check_methods(self.methods)
        for b in self.budgets:
            check_budget(b, "study.budgets")
        for s in self.seeds:
            check_seed(s, "study.seeds")
        if self.split_per_seed:  # seed s splits with split_seed + s: that too is a seed
            for d in self.datasets:
                if d.split_seed + max(self.seeds) >= SEED_LIMIT:
                    raise ConfigError(f"study.seeds: with split_per_seed, dataset {d.name}'s split_seed "
                                      f"{d.split_seed} + seed {max(self.seeds)} must stay below 2**63")
        check_workers(self.workers, "study.workers")
        check_choice(self.executor, EXECUTORS, "study.executor")
        object.__setattr__(self, "models", tuple(_canonical_model(m) for m in self.models))
        searches = [self.search, *(apply_variant(self.search, v, "study.variants") for v in self.variants)]
        _check_datasets(self.datasets)
        _check_runs(self, searches)
        for name in (*self.reuse, *self.companions.values()):
            if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
                raise ConfigError(f"study.reuse / study.companions: expected profile names; got {show(name)}")


def _check_datasets(datasets) -> None:
    for i, d in enumerate(datasets):
        try:
            check_dataset_options(d.name, d.options)
        except ConfigError as exc:
            raise ConfigError(f"study.datasets[{i}]: {exc}") from None


def _check_runs(study: StudyConfig, searches) -> None:
    """Every method runs at one budget at least, one that needs planted ranks (``oracle``) has only
    data with them, and no budget is too small for ``min_dim`` (such runs would only fail after
    pretraining)."""
    emb_dim = study.model.emb_dim
    for name in study.methods:
        method = get_method(name)
        budgets = method.run_budgets(study.budgets, emb_dim)
        if not budgets:
            need = method.min_budget(emb_dim) if method.min_budget else method.only_budget
            raise ConfigError(f"study.methods: {show(name)} runs at none of the budgets "
                              f"{', '.join(map(str, study.budgets))}; it needs a budget of at least {need:g}")
        lacking = [d.name for d in study.datasets if not has_planted_truth(d.name)]
        if method.needs_planted_truth and lacking:
            planted = ", ".join(n for n in DATASET_NAMES if has_planted_truth(n))
            raise ConfigError(f"study.methods: {show(name)} needs data with planted ranks ({planted}); "
                              f"dataset(s) {', '.join(lacking)} have none")
        followed = {method.run_search(s) for s in searches} if "min_dim" in method.search_fields else ()
        for search in followed:
            low = min(budgets)
            if search.min_dim > emb_dim or search.min_dim / emb_dim > low:
                raise ConfigError(f"study.search.min_dim: {search.min_dim} of the base width {emb_dim} needs a budget "
                                  f"of at least {search.min_dim / emb_dim:g}; the budgets go down to {low:g}")


def _check_methods(methods) -> None:
    for m in methods:
        check_method(m, owner="study.methods")


def _canonical_model(name: str) -> str:
    try:
        return canonical_model_name(name)
    except ConfigError as exc:
        raise ConfigError(f"study.models: {exc}") from None


def _as_list(value, what: str, source: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{source}: {what}: expected a list; got {show(value)}")
    return list(value)


def _numbers(values, what: str, source: str, cast) -> tuple:
    out = []
    for v in _as_list(values, what, source):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (cast is int and not _is_whole(v)):
            raise ConfigError(f"{source}: {what}: expected {'integers' if cast is int else 'numbers'}; got {show(v)}")
        out.append(cast(v))
    return tuple(out)


def _is_whole(v) -> bool:
    return isinstance(v, int) or (math.isfinite(v) and v == int(v))


def study_from_dict(data: dict, source: str = "study") -> StudyConfig:
    """Build a StudyConfig from a parsed (and already merged) mapping, with errors naming the key."""
    data = dict(data)
    data.pop("extends", None)
    known = {f.name for f in dataclasses.fields(StudyConfig)}
    unknown = sorted(map(str, set(data) - known))
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {show_names(unknown)}; known: {', '.join(sorted(known))}")
    for required in REQUIRED:
        if required not in data:
            raise ConfigError(f"{source}: missing required setting {show(required)}")
    datasets = []
    for i, d in enumerate(_as_list(data["datasets"], "datasets", source)):
        d = {"name": d} if isinstance(d, str) else d
        datasets.append(from_dict(DataConfig, d, owner=f"{source}: datasets[{i}]"))
    workers = data.get("workers", 1)
    factorial = _factorial(data.get("factorial") or {}, source)
    variants = _as_list(data.get("variants") or [], "variants", source)
    companions = data.get("companions") or {}
    if not isinstance(companions, dict):
        raise ConfigError(f"{source}: companions: expected a mapping of role to profile name; got {show(companions)}")
    return StudyConfig(
        name=str(data["name"]),
        datasets=tuple(datasets),
        models=tuple(str(m) for m in _as_list(data["models"], "models", source)),
        methods=tuple(str(m) for m in _as_list(data["methods"], "methods", source)),
        budgets=_numbers(data["budgets"], "budgets", source, float),
        seeds=_numbers(data["seeds"], "seeds", source, int),
        model=from_dict(ModelConfig, data.get("model"), owner=f"{source}: model"),
        train=from_dict(TrainConfig, data.get("train"), owner=f"{source}: train"),
        search=from_dict(SearchConfig, data.get("search"), owner=f"{source}: search"),
        pep=from_dict(PEPConfig, data.get("pep"), owner=f"{source}: pep"),
        variants=tuple(dict(v) if isinstance(v, dict) else v for v in [*factorial_variants(factorial), *variants]),
        factorial=factorial,
        reuse=tuple(str(r) for r in _as_list(data.get("reuse") or [], "reuse", source)),
        companions={str(k): str(v) for k, v in companions.items()},
        workers=workers if isinstance(workers, int) else _numbers([workers], "workers", source, int)[0],
        executor=str(data.get("executor", "local")),
        split_per_seed=_flag(data.get("split_per_seed", False), "split_per_seed", source),
        tune=None if data.get("tune") is None else from_dict(TuneConfig, data["tune"], owner=f"{source}: tune"),
        tuned=tuple(_tuned_entry(t, i, source) for i, t in enumerate(_as_list(data.get("tuned") or [], "tuned",
                                                                                 source))),
    )


def _factorial(value, source: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(v, list) and v for v in value.values()):
        raise ConfigError(f"{source}: factorial: expected a mapping of search setting to a non-empty list of "
                          f"levels; got {show(value)}")
    return {str(k): list(v) for k, v in value.items()}


def factorial_variants(factorial: dict) -> list[dict]:
    """Every combination of the factorial's levels, as variants, the first factor varying slowest."""
    if not factorial:
        return []  # the product of no factors is one empty combination: no variant at all
    names = list(factorial)
    return [dict(zip(names, levels, strict=True)) for levels in itertools.product(*factorial.values())]


def _flag(value, what: str, source: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{source}: {what}: expected true or false; got {show(value)}")
    return value


_TUNED_KEYS = ("dataset", "model", "lr", "emb_weight_decay")


def _tuned_entry(entry, i: int, source: str) -> dict:
    if not isinstance(entry, dict) or set(entry) != set(_TUNED_KEYS):
        raise ConfigError(f"{source}: tuned[{i}]: expected a mapping with exactly {', '.join(_TUNED_KEYS)}; "
                          f"got {show(entry)}")
    return {k: entry[k] for k in _TUNED_KEYS}


def merge(parent: dict, child: dict) -> dict:
    """``child`` over ``parent``: mappings are merged key by key, anything else is replaced whole."""
    out = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


# Dataset options that name a file or folder: relative ones are read from the profile's own folder.
FILE_OPTIONS = ("path", "train", "valid", "test", "spec")


def _anchor_paths(data: dict, folder: Path) -> dict:
    """``data`` with every relative file option of its datasets made relative to ``folder`` (the folder
    of the profile that wrote it), so a profile means the same files whatever the current directory."""
    datasets = data.get("datasets")
    if not isinstance(datasets, list):
        return data
    anchored = []
    for entry in datasets:
        options = entry.get("options") if isinstance(entry, dict) else None
        if isinstance(options, dict):
            options = {k: str(folder / v) if k in FILE_OPTIONS and isinstance(v, str) and v
                       and not Path(v).expanduser().is_absolute() else v for k, v in options.items()}
            entry = {**entry, "options": options}
        anchored.append(entry)
    return {**data, "datasets": anchored}


def resolve_profile(path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The mapping of a profile with its ``extends`` chain merged in (not yet validated); relative file
    options of its datasets are read from the folder of the profile that states them."""
    path = Path(path)
    data = _anchor_paths(load_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent:
        raise ConfigError(f"{path}: extends: expected the name of another profile; got {show(parent)}")
    parent_path = path.parent / (parent if parent.endswith((".yaml", ".yml")) else f"{parent}.yaml")
    if parent_path.resolve() in _seen + (path.resolve(),):
        chain = " -> ".join(str(p) for p in (*_seen, path.resolve(), parent_path.resolve()))
        raise ConfigError(f"{path}: extends: profiles inherit from each other in a loop ({chain})")
    if not parent_path.is_file():
        raise ConfigError(f"{path}: extends: no profile {parent_path}")
    if "name" not in data:
        # Two profiles with one name would share a results folder.
        raise ConfigError(f"{path}: a profile that extends another must set its own 'name'")
    return merge(resolve_profile(parent_path, _seen + (path.resolve(),)), data)


def load_study(path) -> StudyConfig:
    """Read a study profile from YAML (``configs/smoke.yaml``, ``configs/default.yaml``, ...); every
    error names the file."""
    try:
        return study_from_dict(resolve_profile(path), source=str(path))
    except ConfigError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise ConfigError(f"{path}: {exc}") from None


def companion(study: StudyConfig, role: str) -> StudyConfig:
    """The profile that plays ``role`` (``headline``, ``large``, ``planted``, ``ablation``) beside
    ``study`` in the book: the one its ``companions`` names, else ``study`` itself."""
    name = study.companions.get(role)
    return study if name is None or name == study.name else load_profile(name)


def load_profile(name: str) -> StudyConfig:
    """A study profile shipped in ``configs/`` by name: ``smoke``, ``default``, ``ablation``, ``paper``."""
    return load_study(repo_root() / "configs" / f"{name}.yaml")
