"""Chapter 03's planted-truth numbers: the default setting's own row (not the mean over estimators),
the oracle's budget against the test budget, the paired gaps to the oracle at both budgets, and the
relevant fields that end below their planted width."""

from __future__ import annotations

import pandas as pd
import pytest

from sseds_study.analysis import search_planted as sp
from sseds_study.config import SearchConfig


def _agreement():
    rows = []
    for e, share, noise, rho in (("mean_abs", 0.95, 2.0, 0.9), ("fisher", 0.75, 4.0, 0.2)):
        for split in ("train", "valid"):
            for seed in (0, 1):
                rows.append({"setting": f"{e} · {split}", "estimator": e, "score_split": split, "seed": seed,
                             "spearman": rho, "spearman_relevant": rho, "relevant_share": share,
                             "irrelevant_max_width": noise})
    return pd.DataFrame(rows)


def test_the_default_row_is_quoted_not_the_mean_over_estimators():
    text = sp.planted_text(_agreement(), SearchConfig())
    assert text["share_default"] == "95%" and text["noise_default"] == "2.0" and text["rho_relevant"] == "+0.90"
    assert text["share_train"] == "85%"  # averaged over the estimators, and said so in the prose
    assert text["relevant_verdict"].startswith("it also orders")
    frame = sp.planted_frame(_agreement(), SearchConfig())
    assert frame["estimator"].tolist()[0] == "mean_abs (default)" and frame["estimator"].tolist()[1] == "mean_abs"
    assert frame["widest noise field (dims)"].tolist()[0] == "2.0"


def _ref():
    rows = []
    for seed in (0, 1):
        for method, budget, auc, kept in (("oracle", 1.0, 0.90, 0.08), ("sseds", 0.2, 0.899, 0.2),
                                          ("sseds", 0.1, 0.85 - 0.01 * seed, 0.1), ("uniform", 0.1, 0.80, 0.1)):
            rows.append({"model": "FM", "method": method, "budget": budget, "seed": seed, "test_auc": auc + seed / 100,
                         "achieved_budget": kept, "bayes_auc": 0.92 + seed / 100})
    ref = pd.DataFrame(rows)
    ref["gap"] = ref["bayes_auc"] - ref["test_auc"]
    oracle = ref[ref["method"] == "oracle"].set_index("seed")["test_auc"]
    ref["vs_oracle"] = ref["test_auc"] - ref["seed"].map(oracle)
    return ref


def test_oracle_text_gives_the_budget_ratio_and_both_budgets():
    text = sp.oracle_text(_ref())
    assert text["oracle_budget"] == "0.080" and text["oracle_budget_ratio"] == "2.5"
    assert text["sseds_vs_oracle_high"] == "-0.0010 ± 0.0000"
    assert text["sseds_vs_oracle_low"].startswith("-0.0550 ± 0.06") and text["low_budget"] == "0.1"
    assert text["uniform_vs_oracle_low"] == "-0.1000 ± 0.0000" and text["uniform_vs_oracle_high"] == "not measured"
    frame = sp.oracle_frame(_ref()).set_index(["method", "budget b"])
    assert frame.loc[("oracle", "1"), "test AUC − oracle's"] == "0" and "model" not in frame.columns
    assert frame.loc[("sseds", "0.2"), "budget kept"] == "0.200"


def test_collapsed_fields_are_the_relevant_ones_below_their_rank():
    per_field = pd.DataFrame({"field": ["a", "b", "c", "a", "b", "c"], "true_rank": [6, 3, 0, 6, 3, 0],
                              "width": [2, 3, 1, 3, 4, 1], "seed": [0, 0, 0, 1, 1, 1]})
    assert sp.collapsed_fields(per_field) == "a (planted 6, width 2.5)"
    assert sp.collapsed_fields(per_field.assign(width=8)) == "none"


def test_the_planted_budget_is_a_fraction():
    assert 0 < sp.PLANTED_BUDGET < 1 and sp.ORDERED_RHO == pytest.approx(0.3)
