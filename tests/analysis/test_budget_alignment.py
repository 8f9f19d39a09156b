"""The alignment-map decision: fractions, slopes and the generated sentence on a hand-made table."""

from __future__ import annotations

import pandas as pd
import pytest

from sseds_study.analysis.budget_alignment import alignment_effect, alignment_text


def table() -> pd.DataFrame:
    rows = []
    for seed, noise in enumerate((-0.002, 0.002)):
        for budget, auc, align in ((0.1, 0.77, 100), (0.2, 0.78, 200), (1.0, 0.79, 0)):
            rows.append({"status": "ok", "dataset": "d", "model": "FM", "method": "sseds", "budget": budget,
                         "seed": seed, "test_auc": auc + noise, "align_params": align, "base_emb_params": 10_000})
            rows.append({"status": "ok", "dataset": "d", "model": "FM", "method": "uniform", "budget": budget,
                         "seed": seed, "test_auc": auc + noise, "align_params": 0, "base_emb_params": 10_000})
    return pd.DataFrame(rows)


def test_fraction_slope_and_equivalent_by_hand():
    effect = alignment_effect(table())
    assert set(effect["method"]) == {"sseds"}  # a method without alignment maps is left out
    at01 = effect[effect["budget"] == 0.1].iloc[0]
    assert at01["align_fraction"] == pytest.approx(0.01)
    assert at01["auc_per_budget"] == pytest.approx(0.1)  # (0.78 - 0.77) / (0.2 - 0.1)
    assert at01["auc_equivalent"] == pytest.approx(0.001)
    at02 = effect[effect["budget"] == 0.2].iloc[0]
    assert at02["auc_per_budget"] == pytest.approx(0.01 / 0.8)


def test_the_sentence_names_the_worst_case_and_the_seed_spread():
    text = alignment_text(alignment_effect(table()), table())
    assert text["align_max_fraction"] == "0.0200"
    assert text["align_worst"] == "sseds on d FM at b = 0.1"
    assert text["align_seed_sd"] == "0.0028"
    assert text["align_compare"] == "smaller than"
    assert not any("`" in v for v in text.values())  # numbers and short phrases, no markup
    assert alignment_text(pd.DataFrame(), table())["align_worst"] == "no model"


def test_a_worth_as_large_as_the_seed_spread_is_said_to_be_at_the_margin():
    quiet = table().assign(test_auc=lambda d: d["test_auc"].round(2))  # no seed spread left
    quiet.loc[quiet["seed"] == 1, "test_auc"] += 0.0001
    text = alignment_text(alignment_effect(quiet), quiet)
    assert text["align_compare"] == "not smaller than"
