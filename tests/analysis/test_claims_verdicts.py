"""One verdict per claim, computed once: the claims' table, and chapter 4's verdict count built from the
same rows and the same Holm family as claim (c)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from claimhelpers import result_row

from sseds_study.analysis.budget import verdict_parts
from sseds_study.analysis.chapter import Chapter
from sseds_study.analysis.claims_advice import NO_LEAD, advice_table, practical_advice
from sseds_study.analysis.claims_cost import end_to_end_cost
from sseds_study.analysis.claims_models import model_consistency
from sseds_study.analysis.claims_power import detectable_table, noise_cells
from sseds_study.analysis.claims_rules import INCONCLUSIVE, NOT_SUPPORTED
from sseds_study.analysis.claims_verdicts import Loaded, claim_verdicts, family_rows
from sseds_study.statistics import minimum_detectable_difference, pooled_sd
from sseds_study.study.profile import study_from_dict

BASELINES = ("uniform", "frequency", "random", "magnitude")
NOISE = np.random.default_rng(3).normal(0, 0.002, size=(2, 2, 2, 4, 5))  # dataset, model, budget, baseline, seed


def _rows(dataset: str, d: int, shift: float) -> list[dict]:
    """Five seeds of the full model, SSEDS and the four baselines on two models and two budgets; SSEDS
    trails uniform by ``shift`` in every seed on FM, the rest is noise."""
    rows = []
    for m, model in enumerate(("FM", "DeepFM")):
        for s in range(5):
            base = 0.80 + s / 100
            rows.append(result_row("full", 1.0, s, base + 0.01, dataset, model))
            for j, budget in enumerate((0.2, 0.1)):
                rows.append(result_row("sseds", budget, s, base, dataset, model))
                for k, name in enumerate(BASELINES):
                    gap = shift if (name == "uniform" and model == "FM") else 0.0
                    rows.append(result_row(name, budget, s, base + gap + NOISE[d, m, j, k, s], dataset, model))
    return rows


def _profiles():
    def study(name, dataset):
        return study_from_dict({"name": name, "datasets": [{"name": dataset}], "models": ["FM", "DeepFM"],
                                "methods": ["full", "sseds", *BASELINES], "budgets": [1.0, 0.2, 0.1],
                                "seeds": [0, 1, 2, 3, 4]})
    head, large = study("head", "movielens100k"), study("large", "movielens1m")
    def table(rows):  # chapter 4's means table reads the logloss beside the AUC
        frame = pd.DataFrame(rows)
        return frame.assign(test_logloss=0.5 - frame["test_auc"] / 10)
    return (head, table(_rows("movielens100k", 0, 0.01))), (large, table(_rows("movielens1m", 1, 0.0)))


def test_chapter_4_and_claim_c_count_the_same_cells_the_same_way():
    (head, head_rows), (large, large_rows) = _profiles()
    loaded = {"book": Loaded(head, head_rows), "headline": Loaded(head, head_rows), "large": Loaded(large, large_rows)}
    verdicts = claim_verdicts(loaded, {}).set_index("claim")
    chapter = Chapter(header="")
    rows = family_rows([(head_rows, ["movielens100k"]), (large_rows, ["movielens1m"])])
    verdict_parts(chapter, rows, head.search, [0.2, 0.1], {"model": ["FM", "DeepFM"], "budget": [0.2, 0.1]},
                  datasets={"movielens100k": "head", "movielens1m": "large"})
    c = verdicts.loc["(c)"]
    assert chapter.text["verdict_cells"] == f"{c['cells']}" == "32"  # one family: both datasets together
    for word in ("better", "worse", "indistinguishable"):
        assert chapter.text[f"verdict_{word}"] == f"{c[word]}"
    assert c["worse"] >= 1  # SSEDS trails uniform on FM by 0.01 (plus noise) in every seed
    assert chapter.text["verdict_claim"] == c["verdict"] == NOT_SUPPORTED
    assert "all 32 cells" in c["family"]


def test_the_verdict_table_has_one_scoped_row_per_claim():
    (head, head_rows), (large, large_rows) = _profiles()
    loaded = {"book": Loaded(head, head_rows), "large": Loaded(large, large_rows)}
    table = claim_verdicts(loaded, {})
    assert list(table["claim"]) == ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)"]
    a = table.set_index("claim").loc["(a)"]
    # SSEDS is 0.01 below the full model in every seed: inferior at margin 0.001
    assert a["verdict"] == NOT_SUPPORTED and "inferior in 4 of 4 cells" in a["finding"]
    assert "D = 16" in a["scope"] and "MovieLens-100K: FM, DeepFM (5 seeds)" in a["scope"]
    # the all-noise dataset alone is inconclusive, not "not supported": five seeds cannot see a 0.001 gain
    c = table.set_index("claim").loc["(c)"]
    assert "MovieLens-1M inconclusive" in c["finding"]
    assert not any(s in " ".join(table["finding"]) for s in ("(s)", "`"))


def test_no_all_indistinguishable_dataset_reads_not_supported():
    (_, _), (large, large_rows) = _profiles()
    verdicts = claim_verdicts({"book": Loaded(large, large_rows)}, {}).set_index("claim")
    assert verdicts.loc["(c)", "worse"] == 0 and verdicts.loc["(c)", "verdict"] == INCONCLUSIVE


def test_detectable_difference_table_uses_the_pooled_spread_of_both_comparisons():
    (_, head_rows), _ = _profiles()
    noise = noise_cells(head_rows, dataset="movielens100k", budgets=[0.2, 0.1])
    assert len(noise) == 8 and set(noise["against"]) == {"uniform", "full"}
    table = detectable_table(noise).set_index("seeds")
    sd = pooled_sd(noise["sd"], noise["n"])
    assert list(table.index) == [2, 3, 5, 10]
    assert table.loc[3, "pooled"] == pytest.approx(minimum_detectable_difference(sd, 3))
    assert table.loc[2, "pooled"] > table.loc[3, "pooled"] > table.loc[10, "pooled"]


def test_model_consistency_pairs_the_gaps_of_two_models_by_seed():
    (_, head_rows), _ = _profiles()
    con = model_consistency(head_rows, datasets=["movielens100k"], models=["FM", "DeepFM"], budget=0.1)
    full = con[con["against"] == "full"].iloc[0]
    assert (full["model"], full["first"], full["n"]) == ("DeepFM", "FM", 5)
    assert full["difference"] == pytest.approx(0.0, abs=1e-12)  # both models trail the full model by 0.01
    uniform = con[con["against"] == "uniform"].iloc[0]
    assert uniform["difference"] > 0.005  # FM's gap to uniform is 0.01 larger than DeepFM's


def test_end_to_end_cost_counts_pretraining_search_and_retraining():
    rows = []
    for s in range(3):
        rows += [result_row("full", 1.0, s, 0.8, epochs=10, epoch_passes=40, search_passes=0),
                 result_row("uniform", 0.1, s, 0.8, epochs=8 + s, epoch_passes=40, search_passes=0),
                 result_row("sseds", 0.1, s, 0.8, epochs=6, epoch_passes=40, search_passes=32),
                 result_row("pep", 0.1, s, 0.8, epochs=5, epoch_passes=40, search_passes=600)]
    end = end_to_end_cost(pd.DataFrame(rows), budget=0.1).set_index("method")
    ratios = [(400 + 32 + 240) / (40 * (8 + s)) for s in range(3)]
    assert end.loc["sseds", "ratio"] == pytest.approx(np.mean(ratios))
    assert end.loc["pep", "passes"] == pytest.approx(600 + 200)
    assert not math.isnan(end.loc["sseds", "ratio_ci95"])


def test_the_advice_table_shows_a_dash_where_uniform_is_best():
    rows = [result_row(m, 0.1, s, 0.80 + s / 100 + (0.001 if m == "uniform" else 0.0)) for m in ("uniform", "sseds")
            for s in range(3)]
    cells = advice_table(practical_advice(pd.DataFrame(rows), budgets=[0.1])).cells
    assert list(cells["best"]) == ["uniform"] and list(cells["lead on uniform"]) == [NO_LEAD]
