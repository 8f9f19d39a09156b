"""Chapter 05 as a screen: its resolution from the measured spread, sign tests over cells and over
cell × seed pairs, the consistent directions, and the exact estimator's cost."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from scipy import stats

from sseds_study.analysis import ablation_screen as sc


def _per_seed(changes):
    """changes: {(model, budget): [change per seed]} of the init contrast."""
    return pd.DataFrame([{"dataset": "d", "model": m, "budget": b, "seed": s, "factor": "init",
                          "contrast": "inherit − scratch", "change": c}
                         for (m, b), cs in changes.items() for s, c in enumerate(cs)])


def test_sign_tests_over_cells_and_pairs():
    per_seed = _per_seed({("FM", 0.2): [0.003, 0.002], ("FM", 0.1): [0.004, -0.001],
                          ("DeepFM", 0.2): [0.005, 0.001], ("DeepFM", 0.1): [0.002, 0.003]})
    signs = sc.sign_tests(per_seed).iloc[0]
    assert (signs["cells_up"], signs["cells"], signs["pairs_up"], signs["pairs"]) == (4, 4, 7, 8)
    assert signs["p_cells"] == pytest.approx(0.125) and signs["p_pairs"] == pytest.approx(stats.binomtest(7, 8).pvalue)
    pooled = pd.DataFrame([{"factor": "init", "contrast": "inherit − scratch", "change": 0.0024, "ci95": 0.01}])
    text = sc.contrast_text(sc.sign_tests(per_seed), pooled, sc.INHERIT, "inherit")
    assert text["inherit_cells"] == "4 of 4" and text["inherit_floor"] == "0.125"
    assert text["inherit_range"] == "+0.0015 to +0.0030" and text["inherit_pooled"] == "+0.0024 ± 0.0100"
    assert sc.contrast_text(sc.sign_tests(per_seed), pooled, sc.EXACT, "exact")["exact_cells"] == "not in this profile"
    assert sc.consistent_text(sc.sign_tests(per_seed)) == {"consistent_up": "init (inherit − scratch)",
                                                          "consistent_down": "none"}
    frame = sc.screen_frame(pooled, sc.sign_tests(per_seed))
    assert frame.loc[0, "cells raised"] == "4 of 4" and frame.loc[0, "sign test p (cells)"] == "0.125"


def test_the_screens_resolution_comes_from_the_measured_spread():
    # two seeds: half-width 0.0127 means a per-seed spread of sd = 0.0127 * sqrt(2) / 12.706
    effects = pd.DataFrame({"n": [2, 2], "change": [0.001, -0.003], "ci95": [0.0127, 0.0127]})
    text = sc.screen_power(effects)
    assert text["screen_seeds"] == "2" and text["screen_t"] == "12.7" and text["screen_typical"] == "0.0020"
    sd = 0.0127 * 2 ** 0.5 / stats.t.ppf(0.975, 1)
    mde = (stats.t.ppf(0.975, 1) + stats.t.ppf(0.8, 1)) * sd / 2 ** 0.5
    assert text["screen_mde"] == f"{mde:.3f}"


def test_the_exact_estimators_cost():
    rows = pd.DataFrame([{"search_estimator": e, "search_num_batches": 32, "emb_dims": json.dumps([1] * 8),
                          "search_seconds": s, "pretrain_epoch_seconds": 0.25}
                         for e, s in (("exact", 10.0), ("mean_abs", 0.2))])
    cost = sc.exact_cost(rows, 16)
    assert cost["exact_passes"] == "4,128" and cost["gradient_passes"] == "32"
    assert cost["exact_ratio"] == "50" and cost["exact_epochs"] == "40" and cost["exact_columns"] == "8 × 16 = 128"
    assert sc.exact_cost(rows[rows["search_estimator"] == "mean_abs"], 16)["exact_passes"] == "not measured"
