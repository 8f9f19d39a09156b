"""A study profile -> its runs, in a stable order, grouped by the pretrained model they share."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..config import DataConfig, SearchConfig, TrainConfig, apply_variant
from ..data.registry import data_key
from ..errors import ConfigError
from .methods import get_method
from .pep import resolve_pep
from .profile import StudyConfig
from .runs import RunSpec


def study_searches(study: StudyConfig) -> list[SearchConfig]:
    """The study's search settings followed by one per ablation variant."""
    return [study.search] + [apply_variant(study.search, v) for v in study.variants]


def seed_data(study: StudyConfig, data: DataConfig, seed: int) -> DataConfig:
    """The data of a run with seed ``seed``: its own split when the study varies the split by seed."""
    return dataclasses.replace(data, split_seed=data.split_seed + seed) if study.split_per_seed else data


def tuned_train(study: StudyConfig, data: DataConfig, model_name: str) -> TrainConfig:
    """The training settings of a dataset and base model: the profile's, with what the tuning stage
    chose for them (``study.tuned``). A study with a tuning stage has no runs until it has been tuned."""
    if study.tune is None:
        return study.train
    key = data_key(data)
    for entry in study.tuned:
        if entry["dataset"] == key and entry["model"] == model_name:
            return dataclasses.replace(study.train, lr=float(entry["lr"]),
                                       emb_weight_decay=float(entry["emb_weight_decay"]))
    raise ConfigError(f"study {study.name!r}: {data.name} x {model_name} has not been tuned yet (study.tune); "
                      "a sweep tunes it first (`sseds sweep`), or read them from its results folder with sseds_study.study.resolve_tuned")


def expand_runs(study: StudyConfig) -> list[RunSpec]:
    """Every run of a study, in a stable order (grouped by pretrained model)."""
    searches = study_searches(study)
    runs: dict[str, RunSpec] = {}
    for profile_data in study.datasets:
        for model_name in study.models:
            model = dataclasses.replace(study.model, name=model_name, emb_dims=None)
            tuned = tuned_train(study, profile_data, model_name)
            for seed in study.seeds:
                train = dataclasses.replace(tuned, seed=seed)
                data = seed_data(study, profile_data, seed)
                for name in study.methods:
                    method = get_method(name)
                    # Methods are keyed by the search options they read or follow only, so an ablation
                    # variant does not re-run a baseline it leaves unchanged (equal keys collapse).
                    method_searches = list(dict.fromkeys(method.run_search(s) for s in searches))
                    budgets = method.run_budgets(study.budgets, model.emb_dim)
                    # One PEP search serves every budget of the method: its settings name them all.
                    pep = resolve_pep(study.pep, sorted(budgets, reverse=True)) if method.reads_pep else None
                    for search in method_searches:
                        for budget in budgets:
                            spec = RunSpec(data, model, train, search, name, budget, pep)
                            runs.setdefault(spec.key, spec)
    return list(runs.values())


def group_runs(specs: Iterable[RunSpec]) -> list[list[RunSpec]]:
    """Runs grouped by pretrained model (``group_key``), groups in first-seen order."""
    groups: dict[str, list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group_key, []).append(spec)
    return list(groups.values())


def balance_groups(groups: list[list[RunSpec]], workers: int) -> list[list[RunSpec]]:
    """With fewer than two groups per worker, split each group into chunks so that every worker has
    work to the end (three seeds on two workers otherwise leave one worker idle for a third of the
    sweep). First chunks come first: each is the first of its group to start, pretrains and saves the
    checkpoint, and the group's later chunks load it (a chunk that starts while its group is still
    pretraining elsewhere pretrains too: same seed, same weights, saved atomically). Runs keep their
    order within a group; nothing is split with one worker."""
    if workers < 2 or not groups or len(groups) >= 2 * workers:
        return groups
    k = -(-2 * workers // len(groups))  # chunks per group
    chunked = [[g[i::k] for i in range(k)] for g in groups]
    return [c for i in range(k) for chunks in chunked for c in chunks[i:i + 1] if c]
