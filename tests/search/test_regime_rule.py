"""The regime rule (issue 25): the inputs a user can measure, the ridge fit, the verdict line, the
rule's JSON file and the held-out check."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sseds_study.errors import ConfigError, DataFormatError
from sseds_study.search import regime_rule as rr
from sseds_study.search.regime_rule import (
    FEATURES,
    RegimeRule,
    fit_rule,
    leave_out_check,
    load_rule,
    regime_inputs,
)

# Known coefficients on the features' own scale: gain = 0.002 + sum_k TRUE[k] * x_k.
TRUE = {"importance_gini": 0.01, "largest_row_share": -0.004, "log10_rows_per_row": 0.002,
        "size_importance_rho": -0.003, "floor_share": -0.005}


def linear_table(n: int = 40, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({
        "importance_gini": rng.uniform(0.0, 0.8, n),
        "largest_row_share": rng.uniform(0.1, 0.7, n),
        "log10_rows_per_row": rng.uniform(0.5, 3.0, n),
        "size_importance_rho": rng.uniform(-1, 1, n),
        "floor_share": rng.uniform(0.05, 0.6, n),
    })
    table["gain"] = 0.002 + sum(c * table[f] for f, c in TRUE.items()) + noise * rng.standard_normal(n)
    return table


def inputs_at(**changes) -> dict:
    base = {"importance_gini": 0.4, "largest_row_share": 0.4, "log10_rows_per_row": 1.5, "size_importance_rho": 0.0,
            "floor_share": 0.3, "emb_dim": 16, "budget": 0.2}
    return {**base, **changes}


# -- the inputs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, expected", [
    ([1, 0, 0, 0], 0.75),  # one field has everything: (F - 1) / F
    ([2, 2, 2, 2], 0.0),
    ([0, 0, 1, 3], 0.625),  # by hand: shares 0, 0, .25, .75 -> 2 (3 * .25 + 4 * .75) / 4 - 5 / 4
    ([5.0], 0.0),
])
def test_gini_by_hand(values, expected):
    assert rr.gini(values) == pytest.approx(expected)


def test_gini_ignores_order_and_scale():
    assert rr.gini([3, 1, 2]) == pytest.approx(rr.gini([20, 30, 10]))


@pytest.mark.parametrize("a, b", [
    ([10, 20, 20, 40, 5], [0.1, 0.5, 0.5, 0.2, 0.9]),  # ties on both sides
    ([1, 2, 3, 4], [4, 3, 2, 1]),
    ([3, 3, 1, 7, 7, 7], [1, 2, 3, 4, 5, 6]),
])
def test_spearman_matches_scipy_with_ties(a, b):
    assert rr.spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic)


def test_spearman_of_a_constant_is_zero():
    assert rr.spearman([5, 5, 5], [1, 2, 3]) == 0.0
    assert rr.spearman([1, 2, 3], [0.5, 0.5, 0.5]) == 0.0


def test_regime_inputs_by_hand():
    x = regime_inputs([1.0, 0.0, 0.0, 0.0], [100, 50, 30, 20], train_rows=20_000, emb_dim=8, budget=0.25)
    assert x["importance_gini"] == pytest.approx(0.75)
    assert x["largest_row_share"] == pytest.approx(0.5)
    assert x["log10_rows_per_row"] == pytest.approx(2.0)  # 20,000 rows over 200 embedding rows
    assert x["size_importance_rho"] == pytest.approx(stats.spearmanr([100, 50, 30, 20], [1, 0, 0, 0]).statistic)
    assert x["floor_share"] == pytest.approx(0.5)  # 1 / (0.25 * 8)
    assert (x["emb_dim"], x["budget"]) == (8, 0.25)
    assert set(FEATURES) <= set(x)


def test_floor_share_is_clipped_at_the_whole_budget():
    assert regime_inputs([1, 2], [10, 10], 100, emb_dim=4, budget=0.1)["floor_share"] == 1.0
    assert regime_inputs([1, 2], [10, 10], 100, emb_dim=16, budget=1.0)["floor_share"] == pytest.approx(1 / 16)


def test_field_importance_sums_absolute_scores():
    scores = np.array([[0.5, -0.5, 1.0], [0.0, 0.0, 0.0]])
    assert rr.field_importance(scores).tolist() == [2.0, 0.0]


@pytest.mark.parametrize("importance, vocab, rows, dim, budget, message", [
    ([1, 2], [10, 10, 10], 100, 4, 0.5, "expected 3 values, one per field"),
    ([1, 2], [10, 0], 100, 4, 0.5, r"vocab_sizes\[1\]: expected a positive integer"),
    ([1, 2], [10, 10], 100, 4, 0.0, "budget: expected a fraction"),
    ([1, 2], [10, 10], 100, 4, 1.5, "budget: expected a fraction"),
    ([1, math.nan], [10, 10], 100, 4, 0.5, "finite non-negative"),
    ([1, -1], [10, 10], 100, 4, 0.5, "finite non-negative"),
    ([0, 0], [10, 10], 100, 4, 0.5, "every field's importance is 0"),
    ([1, 2], [10, 10], 0, 4, 0.5, "train_rows"),
    ([1, 2], [10, 10], 100, 0, 0.5, "emb_dim"),
])
def test_regime_inputs_refuse_bad_values(importance, vocab, rows, dim, budget, message):
    with pytest.raises(ConfigError, match=message):
        regime_inputs(importance, vocab, rows, dim, budget)


# -- the fit --------------------------------------------------------------------------------------------
def test_fit_recovers_known_coefficients_on_a_noiseless_table():
    rule = fit_rule(linear_table(), ridge=0.0)
    raw = np.array(rule.coefs) / np.array(rule.scales)  # back on the features' own scale
    np.testing.assert_allclose(raw, [TRUE[f] for f in FEATURES], atol=1e-10)
    assert rule.intercept - float(np.dot(raw, rule.means)) == pytest.approx(0.002, abs=1e-10)
    assert rule.residual_sd == pytest.approx(0.0, abs=1e-10) and rule.n_cells == 40
    assert rule.features == FEATURES


def test_the_default_ridge_shrinks_little():
    table = linear_table()
    exact, ridged = fit_rule(table, ridge=0.0), fit_rule(table)
    np.testing.assert_allclose(ridged.coefs, exact.coefs, rtol=0.01)
    assert abs(ridged.coefs[0]) < abs(exact.coefs[0])
    assert ridged.intercept == pytest.approx(exact.intercept)  # unpenalised: the weighted mean gain


def test_weights_decide_between_contradicting_cells():
    table = pd.concat([linear_table(n=20, seed=1)] * 2, ignore_index=True)
    table.loc[20:, "gain"] += 0.01  # the same settings measured 0.01 higher
    table["weight"] = [1.0] * 20 + [3.0] * 20
    assert fit_rule(table, ridge=0.0).intercept == pytest.approx(table["gain"][:20].mean() + 0.0075)


def test_a_constant_feature_gets_no_coefficient():
    table = linear_table()
    table["floor_share"] = 0.25
    rule = fit_rule(table)
    assert rule.coefs[FEATURES.index("floor_share")] == 0.0 and rule.scales[FEATURES.index("floor_share")] == 1.0


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns=["floor_share"]), "missing column"),
    (lambda t: t.assign(gain=np.where(t.index == 3, np.nan, t["gain"])), "NaN"),
    (lambda t: t.iloc[:0], "no cells"),
    (lambda t: t.assign(weight=-1.0), "weights"),
])
def test_a_bad_table_is_refused(change, message):
    with pytest.raises(ConfigError, match=message):
        fit_rule(change(linear_table()))


# -- predictions and the line ---------------------------------------------------------------------------
def rule_of(intercept: float, **provenance) -> RegimeRule:
    """A rule predicting ``intercept`` + 0.01 per unit of standardised importance Gini (mean 0.4, scale 0.2)."""
    n = len(FEATURES)
    return RegimeRule(FEATURES, (0.4, 0.4, 1.5, 0.0, 0.3), (0.2,) + (1.0,) * (n - 1), (0.01,) + (0.0,) * (n - 1),
                      intercept, ((0.0, 0.8), (0.1, 0.7), (0.5, 3.0), (-1.0, 1.0), (0.05, 0.6)), 0.001, 24,
                      provenance=provenance)


def test_predict_is_the_linear_rule():
    rule = rule_of(0.0)
    assert rule.predict(inputs_at()) == pytest.approx(0.0)
    assert rule.predict(inputs_at(importance_gini=0.6)) == pytest.approx(0.01)


@pytest.mark.parametrize("intercept, verdict, words", [
    (0.0021, "search", "calls for a width search"),
    (0.001, "search", "calls for a width search"),  # exactly +margin
    (0.0009, "either", "either choice"),
    (-0.001, "uniform", "equal widths"),
    (-0.005, "uniform", "equal widths"),
])
def test_recommend_thresholds(intercept, verdict, words):
    rec = rule_of(intercept).recommend(inputs_at())
    assert rec.verdict == verdict and rec.predicted == pytest.approx(intercept)
    assert words in rec.line()


def test_the_line_shows_inputs_and_what_the_rule_was_fitted_on():
    rule = rule_of(0.0021, settings=24, held_out_sign_accuracy=0.8333)
    line = rule.recommend(inputs_at(importance_gini=0.4, largest_row_share=0.38, log10_rows_per_row=1.4,
                                    size_importance_rho=-0.2, floor_share=0.3125)).line()
    assert line == ("regime rule: predicted SSEDS - uniform test AUC +0.0021 -> the rule calls for a width search "
                    "(importance Gini 0.40, largest field 38% of rows, 10^1.4 rows per row, size-importance rho "
                    "-0.20, floor 31% of the budget; fitted on 24 synthetic settings, held-out sign accuracy 83%)")
    assert "fitted on 24 cells)" in rule_of(0.0).recommend(inputs_at()).line()  # no provenance: cells
    split = rule_of(0.0, settings=24, fit_settings=18, held_out_settings=6, held_out_sign_accuracy=0.75)
    assert split.recommend(inputs_at()).line().endswith(
        "fitted on 18 synthetic settings, held-out sign accuracy 75% on 6 other settings)")
    no_check = rule_of(0.0, settings=24, held_out_sign_accuracy=math.nan)  # no held-out cell had a nonzero gain
    assert no_check.recommend(inputs_at()).line().endswith("fitted on 24 synthetic settings)")


def test_a_rule_no_better_than_a_constant_says_it_is_not_advice():
    weak = rule_of(0.02, settings=24, held_out_sign_accuracy=0.46, held_out_constant_sign_accuracy=0.71)
    line = weak.recommend(inputs_at()).line()
    assert "held-out sign accuracy 46%, no better than a constant (71%): a description of the table, not advice" in line
    fair = rule_of(0.02, settings=24, held_out_sign_accuracy=0.8, held_out_constant_sign_accuracy=0.71)
    assert "not advice" not in fair.recommend(inputs_at()).line()


def test_an_input_outside_the_fitted_range_is_named():
    rule = rule_of(0.0)
    assert rule.outside(inputs_at()) == ()
    rec = rule.recommend(inputs_at(importance_gini=0.95, log10_rows_per_row=4.0))
    assert rec.outside == ("importance_gini", "log10_rows_per_row")
    line = rec.line()
    assert "outside the fitted range" in line and "importance_gini 0.95 (fitted 0.00 to 0.80)" in line
    assert "log10_rows_per_row 4.00 (fitted 0.50 to 3.00)" in line and "\n" not in line


def test_predict_needs_every_feature():
    inputs = inputs_at()
    del inputs["floor_share"]
    with pytest.raises(ConfigError, match="inputs lack floor_share"):
        rule_of(0.0).predict(inputs)


def test_fitted_ranges_are_the_tables():
    table = linear_table()
    rule = fit_rule(table)
    assert rule.ranges[0] == (table["importance_gini"].min(), table["importance_gini"].max())


# -- the file -------------------------------------------------------------------------------------------
def test_json_round_trip(tmp_path):
    rule = fit_rule(linear_table(noise=1e-4), provenance={"profiles": ["regime"], "settings": 24, "commit": "abc"})
    assert RegimeRule.from_json(json.loads(json.dumps(rule.to_json()))) == rule
    path = rule.save(tmp_path / "sub" / "rule.json")
    loaded = load_rule(path)
    assert loaded == rule and loaded.provenance == rule.provenance
    assert loaded.predict(inputs_at()) == rule.predict(inputs_at())


def test_a_missing_rule_is_none(tmp_path, monkeypatch):
    assert load_rule(tmp_path / "none.json") is None
    monkeypatch.setenv("SSEDS_REGIME_RULE", str(tmp_path / "none.json"))
    assert rr.rule_path() == tmp_path / "none.json" and load_rule() is None


def test_the_default_rule_is_package_data_beside_the_module(monkeypatch):
    monkeypatch.delenv("SSEDS_REGIME_RULE", raising=False)
    assert rr.rule_path() == Path(rr.__file__).with_name("regime_rule.json")


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a regime rule"),
    (None, "coefs: expected a list of 5 finite numbers"),
])
def test_a_malformed_rule_names_its_file(text, message, tmp_path):
    path = tmp_path / "rule.json"
    if text is None:  # a rule with a coefficient missing
        data = fit_rule(linear_table()).to_json()
        data["coefs"] = data["coefs"][:-1]
        text = json.dumps(data)
    path.write_text(text)
    with pytest.raises(DataFormatError, match=message) as err:
        load_rule(path)
    assert str(path) in str(err.value) and "make regime-rule" in str(err.value)


# -- the held-out check ---------------------------------------------------------------------------------
def test_leave_out_check_on_a_toy_table():
    table = linear_table(n=30, noise=1e-5)
    table.loc[27, "gain"] = 0.0  # a tie: not counted in the sign accuracy
    held = np.zeros(30, dtype=bool)
    held[[3, 11, 27, 29]] = True
    check = leave_out_check(table, held)
    assert check["n_held_out"] == 4 and check["n_signed"] == 3
    preds = check["predictions"]
    assert list(preds.index) == [3, 11, 27, 29]
    np.testing.assert_allclose(preds["measured"], table.loc[[3, 11, 27, 29], "gain"])
    signed = preds["measured"] != 0
    assert check["sign_accuracy"] == pytest.approx(preds["sign_ok"][signed].mean())
    assert check["mean_abs_error"] == pytest.approx((preds["predicted"] - preds["measured"]).abs().mean())
    assert check["rule"].n_cells == 26


def test_leave_out_check_sign_accuracy_by_hand():
    """Two features' worth of structure: the sign of gain follows importance_gini - 0.4."""
    table = linear_table(n=12, seed=4)
    table["gain"] = table["importance_gini"] - 0.4
    held = np.arange(12) >= 9
    check = leave_out_check(table, held, ridge=0.0)
    assert check["sign_accuracy"] == 1.0 and check["mean_abs_error"] == pytest.approx(0.0, abs=1e-10)


def test_leave_out_check_needs_both_sides():
    table = linear_table(n=5)
    with pytest.raises(ConfigError, match="some cells held out and some left"):
        leave_out_check(table, np.ones(5, dtype=bool))
    with pytest.raises(ConfigError, match="expected 5 booleans"):
        leave_out_check(table, [True, False])
