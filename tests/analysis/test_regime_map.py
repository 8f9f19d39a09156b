"""The regime map's numbers: paired gains by hand, the best baseline chosen on validation only, the
rule's call against a measured interval, and the chapter's plain readings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sseds_study.analysis.regime import knob_summary, map_reading
from sseds_study.analysis.regime_map import agreement_word, best_baseline, gain_cells

KNOBS = {"concentration": 0.5, "noise_share": 0.2, "vocab_spread": 1.3, "vocab_order": "random", "zipf": 1.1,
         "rows_per_row": 20.0, "form": "fm", "D": 16}


def rows_of(results: dict[tuple[str, float], list[tuple[float, float]]], setting: int = 0, model: str = "FM",
            knobs: dict | None = None) -> pd.DataFrame:
    """Tagged result rows: (method, budget) -> [(test_auc, valid_auc) per seed]."""
    out = []
    for (method, budget), per_seed in results.items():
        for seed, (test, valid) in enumerate(per_seed):
            out.append({"setting": setting, "model": model, "method": method, "budget": budget, "seed": seed,
                        "test_auc": test, "valid_auc": valid, "status": "ok", **(knobs or KNOBS),
                        "config": json.dumps({"data": {"options": {"fields": 10, "vocab_total": 1000}}})})
    return pd.DataFrame(out)


def test_paired_gain_by_hand():
    rows = rows_of({("full", 1.0): [(0.80, 0.8), (0.82, 0.8), (0.81, 0.8)],
                    ("sseds", 0.1): [(0.78, 0.7), (0.79, 0.7), (0.80, 0.7)],
                    ("uniform", 0.1): [(0.76, 0.7), (0.78, 0.7), (0.77, 0.7)]})
    cells = gain_cells(rows)
    assert len(cells) == 1
    cell = cells.iloc[0]
    d = np.array([0.02, 0.01, 0.03])
    half = 4.302652729911275 * d.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert cell["gain"] == pytest.approx(0.02) and cell["gain_ci95"] == pytest.approx(half)
    assert cell["vs_full"] == pytest.approx(np.mean([-0.02, -0.03, -0.01]))
    assert cell["n"] == 3 and cell["best_baseline"] == "uniform"
    assert cell["verdict"] == "indistinguishable"  # p of a 3-seed t test here is about 0.057
    assert cell["concentration"] == 0.5 and cell["D"] == 16


def test_best_baseline_is_chosen_on_validation_not_test():
    rows = rows_of({("uniform", 0.1): [(0.90, 0.60)] * 2, ("frequency", 0.1): [(0.70, 0.65)] * 2,
                    ("magnitude", 0.1): [(0.80, 0.62)] * 2})
    assert best_baseline(rows, 0.1) == "frequency"  # the best test AUC (uniform) is not read
    assert best_baseline(rows, 0.2) is None


def test_holm_runs_over_the_whole_map():
    base = {("full", 1.0): [(0.8, 0.8)] * 4, ("uniform", 0.1): [(0.70, 0.7), (0.71, 0.7), (0.70, 0.7), (0.71, 0.7)]}
    strong = rows_of({**base, ("sseds", 0.1): [(0.75, 0.7), (0.761, 0.7), (0.752, 0.7), (0.759, 0.7)]}, setting=0)
    weak = rows_of({**base, ("sseds", 0.1): [(0.70, 0.7), (0.72, 0.7), (0.69, 0.7), (0.72, 0.7)]}, setting=1)
    cells = gain_cells(pd.concat([strong, weak], ignore_index=True))
    assert list(cells["verdict"]) == ["better", "indistinguishable"]
    assert (cells["gain_p_holm"] >= cells["gain_p"]).all()


@pytest.mark.parametrize("predicted, lo, hi, word", [
    (0.004, 0.001, 0.006, "agrees"),      # search, interval above 0
    (-0.004, -0.01, -0.002, "agrees"),    # uniform, interval below 0
    (0.0005, -0.01, 0.01, "agrees"),      # either, interval across 0
    (0.004, -0.01, 0.01, "partly"),       # search, interval across 0
    (0.004, -0.01, -0.002, "disagrees"),  # search, interval below 0
])
def test_agreement_word(predicted, lo, hi, word):
    assert agreement_word(predicted, lo, hi, margin=0.001) == word


def test_knob_summary_and_its_reading():
    cells = pd.DataFrame({"gain": [0.02, 0.03, 0.025, -0.01, -0.012, -0.011], "verdict": ["better"] * 3 + ["worse"] * 3,
                          **{k: [v] * 6 for k, v in KNOBS.items()}})
    cells["form"] = ["mlp"] * 3 + ["fm"] * 3
    cells["concentration"] = [1.0, 1.1, 1.2, 0.1, 0.2, 0.3]
    summary = knob_summary(cells)
    form = summary[summary["knob"] == "logit form"].set_index("level")
    assert form.loc["mlp", "mean_gain"] == pytest.approx(0.025) and form.loc["mlp", "better"] == 3
    assert form.loc["fm", "worse"] == 3
    conc = summary[summary["knob"] == "importance concentration c"]
    assert list(conc["cells"]) == [3, 3]  # split at the median
    reading = map_reading(summary)
    assert "above zero for" in reading and "logit form mlp" in reading and "below zero" in reading
    assert map_reading(summary.iloc[0:0]) == "No cell has been run."
