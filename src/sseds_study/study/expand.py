"""A study profile -> its runs, in a stable order, grouped by the pretrained model they share."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..config import SearchConfig, StudyConfig, from_dict, to_dict
from .methods import get_method
from .pep import resolve_pep
from .runs import RunSpec


def study_searches(study: StudyConfig) -> list[SearchConfig]:
    """The study's search settings followed by one per ablation variant."""
    return [study.search] + [from_dict(SearchConfig, {**to_dict(study.search), **v}) for v in study.variants]


def expand_runs(study: StudyConfig) -> list[RunSpec]:
    """Every run of a study, in a stable order (grouped by pretrained model)."""
    searches = study_searches(study)
    runs: dict[str, RunSpec] = {}
    for data in study.datasets:
        for model_name in study.models:
            model = dataclasses.replace(study.model, name=model_name, emb_dims=None)
            for seed in study.seeds:
                train = dataclasses.replace(study.train, seed=seed)
                for name in study.methods:
                    method = get_method(name)
                    # Methods that ignore the search options are keyed without them, so an ablation
                    # variant does not re-run the baselines.
                    method_searches = searches if method.reads_search else [SearchConfig()]
                    budgets = [float(b) for b in method.budgets(study.budgets) if method.applies(b, model.emb_dim)]
                    # One PEP search serves every budget of the method: its settings name them all.
                    pep = resolve_pep(study.pep, sorted(budgets, reverse=True)) if method.reads_pep else None
                    for search in method_searches:
                        if method.evaluation != "retrain":
                            # Nothing is retrained, so the init option does not apply.
                            search = dataclasses.replace(search, init="scratch")
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
