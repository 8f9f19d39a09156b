"""Results tables of a synthetic factorial ablation, shared by test_ablation.py and test_ablation_factorial.py."""

from __future__ import annotations

import dataclasses
import itertools

import pandas as pd

from sseds_study.config import SearchConfig
from sseds_study.study import with_variant

REFERENCE = SearchConfig()
SEEDS = (0, 1, 2)
BUDGETS = (0.2, 0.1)


def runs(settings: list[dict], valid, test=None, *, seeds=SEEDS, budgets=BUDGETS, models=("FM",)) -> pd.DataFrame:
    """One sseds run per search setting (a dict of changes to the default), model, budget and seed, its
    variant named as the sweep names it; valid/test: functions of (settings, model, budget, seed)."""
    rows = []
    for change, model, budget, seed in itertools.product(settings, models, budgets, seeds):
        search = dataclasses.replace(REFERENCE, **change)
        rows.append({"dataset": "d", "model": model, "method": "sseds", "budget": budget, "seed": seed,
                     "status": "ok", **{f"search_{k}": v for k, v in dataclasses.asdict(search).items()},
                     "valid_auc": valid(change, model, budget, seed),
                     "test_auc": (test or valid)(change, model, budget, seed),
                     "achieved_budget": budget - 0.0001 * seed,
                     "empty_fields": 2 if search.min_dim == 0 else 0})
    return with_variant(pd.DataFrame(rows), REFERENCE)


def factorial_settings(factorial: dict) -> list[dict]:
    return [dict(zip(factorial, levels, strict=True)) for levels in itertools.product(*factorial.values())]


FACTORIAL = {"score_split": ["train", "valid"], "estimator": ["mean_abs", "fisher", "taylor"],
             "min_dim": [0, 1], "init": ["scratch", "inherit"]}
# An additive model with one interaction: valid split +0.01, fisher +0.002, taylor -0.004, min_dim 0
# -0.006, inherit +0.02, and inherit with min_dim 0 another +0.008; plus a per-seed offset, shared by
# every variant of the seed (it cancels out of every paired change).
EFFECT = {("score_split", "valid"): 0.01, ("estimator", "fisher"): 0.002, ("estimator", "taylor"): -0.004,
          ("min_dim", 0): -0.006, ("init", "inherit"): 0.02}


def additive(c, m, b, s):
    full = {**{k: getattr(REFERENCE, k) for k in FACTORIAL}, **c}
    value = 0.75 + 0.003 * s + sum(EFFECT.get((k, v), 0.0) for k, v in full.items())
    return value + 0.008 * (full["init"] == "inherit" and full["min_dim"] == 0)
