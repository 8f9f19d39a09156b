"""The factorial's effects: main effects and interactions are paired changes averaged over the other
factors; a missing combination leaves only its pair out; the effects table and its glued counts."""

from __future__ import annotations

import numpy as np
import pytest
from ablationhelpers import FACTORIAL, REFERENCE, additive, factorial_settings, runs

from sseds_study.analysis import ablation_factorial as fx


def test_main_effects_average_the_paired_change_over_the_other_factors():
    table = runs(factorial_settings(FACTORIAL) + [{"budget_unit": "dims"}], additive)
    design = fx.factorial_rows(table, FACTORIAL, REFERENCE)
    assert len(design) == 24 * 2 * 3  # the one-factor dims variant is not part of the factorial
    per_seed, summary = fx.main_effects(design, FACTORIAL, REFERENCE)
    effects = summary.groupby(["factor", "contrast"])["change"].mean()
    assert effects.loc[("score_split", "valid − train")] == pytest.approx(0.01)
    assert effects.loc[("estimator", "fisher − mean_abs")] == pytest.approx(0.002)
    assert effects.loc[("estimator", "taylor − mean_abs")] == pytest.approx(-0.004)
    # the base level is the default setting's (min_dim 1), and the interaction is averaged over init
    assert effects.loc[("min_dim", "0 − 1")] == pytest.approx(-0.006 + 0.008 / 2)
    assert effects.loc[("init", "inherit − scratch")] == pytest.approx(0.02 + 0.008 / 2)
    assert len(summary) == 5 * 2 and (summary["n"] == 3).all()
    assert np.allclose(summary["ci95"], 0.0)  # the per-seed offset cancels
    assert summary.loc[summary["contrast"] == "inherit − scratch", "verdict"].eq("better").all()
    assert per_seed.groupby(["factor", "contrast", "budget"]).size().eq(3).all()
    pooled = fx.pooled_effects(per_seed)
    assert pooled["contrast"].tolist()[:2] == ["inherit − scratch", "valid − train"]  # by size
    assert pooled["change"].tolist()[:2] == pytest.approx([0.024, 0.01]) and (pooled["n"] == 3).all()
    cells = fx.effects_table(summary, "note", pooled).cells
    assert list(cells.columns)[-1] == "pooled" and cells.loc[0, "pooled"] == "+0.0100 ± 0.0000 ▲"
    counts = fx.effect_counts(summary, "effects")
    assert counts["effects_entries"] == "10" and counts["effects_cells"] == "2"
    assert counts["effects_moved"] == "10"  # no seed-to-seed spread: every change is told from zero
    assert counts["effects_largest"] == "init (inherit − scratch)"
    assert counts["effects_largest_change"] == "+0.0240 ± 0.0000"
    assert counts["effects_largest_cell"].startswith("FM at b = 0.")  # the same change at both budgets


def test_interactions_are_the_change_of_one_effect_across_the_other_factor():
    table = runs(factorial_settings(FACTORIAL), additive)
    _, summary = fx.interactions(fx.factorial_rows(table, FACTORIAL, REFERENCE), FACTORIAL, REFERENCE)
    inter = summary.groupby(["factor", "contrast"])["change"].mean()
    assert inter.loc[("min_dim × init", "0 − 1 × inherit − scratch")] == pytest.approx(0.008)
    others = inter.drop(("min_dim × init", "0 − 1 × inherit − scratch"))
    assert np.allclose(others, 0.0)
    # pairs: score_split x estimator (2 contrasts), x min_dim, x init, estimator x min_dim (2), x init (2), min_dim x init
    assert len(inter) == 2 + 1 + 1 + 2 + 2 + 1


def test_a_missing_combination_leaves_only_that_pair_out():
    table = runs(factorial_settings({"min_dim": [0, 1], "init": ["scratch", "inherit"]}), additive)
    missing = (table["variant"] == "min_dim=0,init=inherit") & (table["seed"] == 0)
    factorial = {"min_dim": [0, 1], "init": ["scratch", "inherit"]}
    per_seed, summary = fx.main_effects(fx.factorial_rows(table[~missing], factorial, REFERENCE), factorial,
                                        REFERENCE)
    seed0 = per_seed[(per_seed["seed"] == 0) & (per_seed["contrast"] == "inherit − scratch")]
    assert np.allclose(seed0["change"], 0.02)  # from min_dim 1 alone: the min_dim 0 pair is incomplete
    later = per_seed[(per_seed["seed"] == 1) & (per_seed["contrast"] == "inherit − scratch")]
    assert np.allclose(later["change"], 0.024)


def test_effects_table_is_a_row_per_contrast_and_a_column_per_cell():
    table = runs(factorial_settings({"init": ["scratch", "inherit"]}), additive, models=("FM", "DeepFM"))
    factorial = {"init": ["scratch", "inherit"]}
    _, summary = fx.main_effects(fx.factorial_rows(table, factorial, REFERENCE), factorial, REFERENCE)
    cells = fx.effects_table(summary, "note").cells
    assert list(cells.columns) == ["factor", "contrast", "DeepFM, b = 0.2", "DeepFM, b = 0.1", "FM, b = 0.2",
                                   "FM, b = 0.1"]
    assert cells.loc[0, "FM, b = 0.1"] == "+0.0200 ± 0.0000 ▲"
