"""Results rows for the claims' tests: a full model and a method at a budget, per seed, with given AUC
differences; shared by test_claims_checks.py and test_claims.py."""

from __future__ import annotations

import dataclasses

import pandas as pd

from sseds_study.config import SearchConfig

SEARCH = {f"search_{f.name}": getattr(SearchConfig(), f.name) for f in dataclasses.fields(SearchConfig)}
FULL = [0.80, 0.81, 0.82]


def result_row(method, budget, seed, auc, dataset="d", model="FM", **extra):
    return {"dataset": dataset, "model": model, "method": method, "budget": budget, "seed": seed, "status": "ok",
            "test_auc": auc, "achieved_budget": budget, "rows": 1000, **SEARCH, **extra}


def result_table(diffs, method="sseds", budget=0.1, dataset="d", model="FM", with_full=True):
    rows = [result_row("full", 1.0, s, a, dataset, model) for s, a in enumerate(FULL)] if with_full else []
    rows += [result_row(method, budget, s, a + d, dataset, model) for s, (a, d) in enumerate(zip(FULL, diffs, strict=True))]
    return pd.DataFrame(rows)
