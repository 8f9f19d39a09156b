"""Chapter 07's verdicts: the rules at their edges, missing data read as not testable, and the advice
derived from a constructed results table."""

from __future__ import annotations

import dataclasses
import json
import math

import pandas as pd
import pytest
from scipy import stats

from sseds_study.analysis import claims as c
from sseds_study.config import SearchConfig, study_from_dict
from sseds_study.figures.claims import plot_interval_claim

SEARCH = {f"search_{f.name}": getattr(SearchConfig(), f.name) for f in dataclasses.fields(SearchConfig)}
FULL = [0.80, 0.81, 0.82]


def _row(method, budget, seed, auc, dataset="d", model="FM", **extra):
    return {"dataset": dataset, "model": model, "method": method, "budget": budget, "seed": seed, "status": "ok",
            "test_auc": auc, "achieved_budget": budget, "rows": 1000, **SEARCH, **extra}


def _table(diffs, method="sseds", budget=0.1, dataset="d", model="FM", with_full=True):
    rows = [_row("full", 1.0, s, a, dataset, model) for s, a in enumerate(FULL)] if with_full else []
    rows += [_row(method, budget, s, a + d, dataset, model) for s, (a, d) in enumerate(zip(FULL, diffs, strict=True))]
    return pd.DataFrame(rows)


# -- (a), (b) --------------------------------------------------------------------------------------------

def test_parameter_claim_interval_is_the_paired_t_interval():
    diffs = [0.0001, 0.0002, 0.0006]
    row = c.parameter_claim(_table(diffs), profile="p", datasets=["d"], models=["FM"]).iloc[0]
    half = stats.t.ppf(0.975, 2) * pd.Series(diffs).std() / math.sqrt(3)
    assert row["n"] == 3 and row["difference"] == pytest.approx(0.0003)
    assert row["lower"] == pytest.approx(0.0003 - half) and row["upper"] == pytest.approx(0.0003 + half)
    assert row["verdict"] == c.SUPPORTED and row["full"] == pytest.approx(0.81)


@pytest.mark.parametrize(("diffs", "expected"), [
    ([-0.010, -0.011, -0.012], c.NOT_SUPPORTED),
    ([-0.004, 0.0, 0.004], c.INCONCLUSIVE),
    ([-0.0009, -0.0009, -0.0009], c.SUPPORTED),  # no spread: the interval is the point, just above the margin
])  # the exact edge is tested on margin_verdict: AUC - margin - AUC is not exactly -margin in floats
def test_parameter_claim_verdicts(diffs, expected):
    assert c.parameter_claim(_table(diffs), profile="p", datasets=["d"], models=["FM"])["verdict"].item() == expected


def test_parameter_claim_missing_runs_are_not_testable_with_the_reason():
    table = _table([0.0, 0.0, 0.0], budget=0.2)
    out = c.parameter_claim(table, profile="smoke", datasets=["d", "other"], models=["FM"], budget=0.1)
    assert list(out["verdict"]) == [c.NOT_TESTABLE, c.NOT_TESTABLE]
    assert out.loc[0, "reason"] == "not testable here: no runs of sseds at budget 0.1 on d / FM in profile smoke"
    assert "no runs of full on other / FM in profile smoke" in out.loc[1, "reason"]
    one_seed = _table([0.0, 0.0, 0.0]).query("seed == 0 or method == 'full'")
    row = c.parameter_claim(one_seed, profile="p", datasets=["d"], models=["FM"]).iloc[0]
    assert row["verdict"] == c.NOT_TESTABLE and "1 seed(s)" in row["reason"]
    empty = c.parameter_claim(pd.DataFrame(), profile="p", datasets=["d"], models=["FM"])
    assert empty["verdict"].item() == c.NOT_TESTABLE


def test_model_agnostic_only_when_every_model_holds():
    table = pd.concat([_table([0.0002] * 3, model="FM"), _table([-0.01, -0.012, -0.011], model="DCN")])
    cells = c.parameter_claim(table, profile="p", datasets=["d"], models=["FM", "DCN", "DeepFM"])
    per_model = c.model_agnostic_claim(cells, ["FM", "DCN", "DeepFM"]).set_index("model")["verdict"]
    assert per_model.to_dict() == {"FM": c.SUPPORTED, "DCN": c.NOT_SUPPORTED, "DeepFM": c.NOT_TESTABLE}
    assert c.all_hold(list(per_model)) == c.NOT_SUPPORTED


# -- (c) -------------------------------------------------------------------------------------------------

def test_baseline_claim_counts_holm_verdicts_per_dataset():
    rows = [_row("sseds", b, s, 0.80 + s / 100) for b in (0.2, 0.1) for s in range(3)]
    rows += [_row("uniform", b, s, 0.79 + s / 100) for b in (0.2, 0.1) for s in range(3)]  # SSEDS +0.01 each seed
    rows += [_row("random", b, s, 0.80 + s / 100 + (0.001, -0.001, 0.0)[s]) for b in (0.2, 0.1) for s in range(3)]
    paired, summary = c.baseline_claim(pd.DataFrame(rows), profile="p", datasets=["d", "gone"], budgets=[0.2, 0.1],
                                       baselines=["uniform", "random"])
    assert len(paired) == 4
    first = summary.iloc[0]
    assert (first["better"], first["worse"], first["indistinguishable"], first["cells"]) == (2, 0, 2, 4)
    assert first["verdict"] == c.INCONCLUSIVE  # better in half the cells, not more
    assert summary.iloc[1]["verdict"] == c.NOT_TESTABLE
    assert "no runs of sseds, uniform, random at budget 0.2 or 0.1 on gone in profile p" in summary.iloc[1]["reason"]


# -- (d) -------------------------------------------------------------------------------------------------

def _costs(sseds_seconds, pep_seconds=None):
    extra = {"pretrain_epoch_seconds": 2.0, "epoch_passes": 40, "emb_bytes": 10, "model_bytes": 20,
             "search_epochs": 0.0}
    rows = [_row("sseds", 0.1, s, 0.8, search_seconds=sseds_seconds, search_passes=32, **extra) for s in range(3)]
    if pep_seconds is not None:
        rows += [_row("pep", 0.1, s, 0.8, search_seconds=pep_seconds, search_passes=800, **extra) for s in range(3)]
    return pd.DataFrame(rows)


def test_cost_claim_against_an_epoch_and_pep():
    table, verdict, _ = c.cost_claim(_costs(0.5, pep_seconds=20.0), profile="p")
    assert verdict == c.SUPPORTED
    assert table["epoch_fraction"].item() == pytest.approx(0.25) and table["pep_over_sseds"].item() == pytest.approx(40)
    assert c.cost_claim(_costs(0.5, pep_seconds=0.4), profile="p")[1] == c.NOT_SUPPORTED  # PEP was quicker
    assert c.cost_claim(_costs(3.0), profile="p")[1] == c.NOT_SUPPORTED  # more than an epoch


def test_cost_claim_without_the_columns_is_not_testable():
    rows = pd.DataFrame([_row("sseds", 0.1, 0, 0.8)])
    _, verdict, reason = c.cost_claim(rows, profile="old")
    assert verdict == c.NOT_TESTABLE and "search-cost" in reason
    assert c.cost_claim(pd.DataFrame([_row("full", 1.0, 0, 0.8)]), profile="p")[2] == \
        "not testable here: no runs of sseds in profile p"


# -- (e) -------------------------------------------------------------------------------------------------

def _planted(widths_by_seed, oracle=True):
    rows = [_row("sseds", 0.2, s, 0.70, dataset="syn", emb_dims=json.dumps(w)) for s, w in enumerate(widths_by_seed)]
    if oracle:
        rows += [_row("oracle", 1.0, s, 0.7002 + s * 1e-4, dataset="syn") for s in range(len(widths_by_seed))]
    return pd.DataFrame(rows)


def test_planted_claim_rank_and_oracle():
    ranks = [4, 2, 1, 0]
    per_field, summary = c.planted_claim(_planted([[4, 2, 1, 1], [3, 2, 1, 1], [4, 3, 1, 1]]), {"syn": ranks},
                                         profile="p", datasets=["syn"], budget=0.2)
    row = summary.iloc[0]
    assert row["runs"] == 3 and row["spearman"] > 0.8 and row["rank_verdict"] == c.SUPPORTED
    assert row["oracle_difference"] == pytest.approx(-0.0003)
    # -0.0003 ± 0.00025: the whole interval above the margin
    assert row["oracle_difference"] - row["oracle_ci95"] > -0.001
    assert row["oracle_verdict"] == c.SUPPORTED and row["verdict"] == c.SUPPORTED
    assert len(per_field) == 12 and set(per_field["true_rank"]) == set(ranks)


def test_planted_claim_without_truth_or_oracle():
    _, no_truth = c.planted_claim(_planted([[1, 1]] * 2), {}, profile="p", datasets=["syn"], budget=0.2)
    assert no_truth["verdict"].item() == c.NOT_TESTABLE and "syn has no planted ranks" in no_truth["reason"].item()
    _, no_oracle = c.planted_claim(_planted([[4, 2, 1, 1], [3, 2, 1, 1]], oracle=False), {"syn": [4, 2, 1, 0]},
                                   profile="p", datasets=["syn"], budget=0.2)
    row = no_oracle.iloc[0]
    assert row["oracle_verdict"] == c.NOT_TESTABLE and "no runs of oracle on syn in profile p" in row["reason"]
    assert row["verdict"] != c.SUPPORTED  # half the claim unknown


# -- the chapter -----------------------------------------------------------------------------------------

def test_build_claims_on_a_profile_without_the_claims_budgets():
    study = study_from_dict({"name": "mini", "datasets": [{"name": "synthetic", "options": {"rows": 3000}}],
                             "models": ["FM"], "methods": ["full", "sseds", "uniform"], "budgets": [1.0, 0.3],
                             "seeds": [0, 1, 2]})
    table = pd.concat([_table([0.0002] * 3, budget=0.3, dataset="synthetic"),
                       _table([0.0] * 3, method="uniform", budget=0.3, dataset="synthetic", with_full=False)])
    chapter = c.build_claims(study, {"book": c.Loaded(study, table)}, {})
    # The smallest budget stands in for 0.1, and the text says so.
    assert chapter.text["claim_a_budget"] == "0.3" and chapter.text["claim_a_saving"] == "70%"
    assert chapter.text["claim_a_verdict"] == c.SUPPORTED
    assert chapter.text["claim_e_verdict"] == c.NOT_TESTABLE
    assert chapter.text["claim_f_verdict"] == c.NOT_TESTABLE and "Criteo" in chapter.text["claim_f_data"]
    assert set(chapter.figures) == {"fig_claim_params", "fig_claim_models", "fig_claim_baselines", "fig_claim_cost",
                                    "fig_claim_planted"}
    # SSEDS leads uniform by exactly 0.0002 in every seed: a distinguishable lead, so SSEDS is advised
    assert chapter.text["advice_cheapest"] == "0 of 1" and chapter.text["claim_c_verdict"] == c.SUPPORTED
    assert chapter.text["claim_d_verdict"] == c.NOT_TESTABLE  # the rows carry no search costs
    overview = chapter.tables["overview"].cells
    assert list(overview["verdict"])[0] == c.SUPPORTED and len(overview) == 6


def test_claim_budget_falls_back_to_the_smallest():
    assert c.claim_budget([1.0, 0.2, 0.1]) == 0.1
    assert c.claim_budget([1.0, 0.5, 0.3]) == 0.3
    assert c.claim_budget([1.0]) == 0.1


def test_interval_figure_without_data_says_why():
    fig = plot_interval_claim(pd.DataFrame(columns=["dataset", "difference", "ci95", "verdict"]), labels=["dataset"],
                              headline="h", label="l", reason="not testable here: no runs")
    assert any("no runs" in t.get_text() for ax in fig.axes for t in ax.texts)
