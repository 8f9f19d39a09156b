"""Chapter 07 assembled from a constructed results table: the claims' verdicts and the advice in its
text, and the figures when there is nothing to show."""

from __future__ import annotations

import pandas as pd
from claimhelpers import result_table

from sseds_study.analysis import claims as c
from sseds_study.analysis.claims_rules import NOT_TESTABLE, SUPPORTED
from sseds_study.figures.claims import plot_interval_claim
from sseds_study.study.profile import study_from_dict


def test_build_claims_on_a_profile_without_the_claims_budgets():
    study = study_from_dict({"name": "mini", "datasets": [{"name": "synthetic", "options": {"rows": 3000}}],
                             "models": ["FM"], "methods": ["full", "sseds", "uniform"], "budgets": [1.0, 0.3],
                             "seeds": [0, 1, 2]})
    table = pd.concat([result_table([0.0002] * 3, budget=0.3, dataset="synthetic"),
                       result_table([0.0] * 3, method="uniform", budget=0.3, dataset="synthetic", with_full=False)])
    chapter = c.build_claims(study, {"book": c.Loaded(study, table)}, {})
    # The smallest budget stands in for 0.1, and the text says so.
    assert chapter.text["claim_a_budget"] == "0.3" and chapter.text["claim_a_saving"] == "70%"
    assert chapter.text["claim_a_verdict"] == SUPPORTED
    assert chapter.text["claim_e_verdict"] == NOT_TESTABLE
    assert chapter.text["claim_f_verdict"] == NOT_TESTABLE and "Criteo" in chapter.text["claim_f_data"]
    assert set(chapter.figures) == {"fig_claim_params", "fig_claim_models", "fig_claim_baselines", "fig_claim_cost",
                                    "fig_claim_planted"}
    # SSEDS leads uniform by exactly 0.0002 in every seed: a distinguishable lead, so SSEDS is advised
    assert chapter.text["advice_cheapest"] == "0 of 1" and chapter.text["claim_c_verdict"] == SUPPORTED
    assert chapter.text["claim_d_verdict"] == NOT_TESTABLE  # the rows carry no search costs
    assert chapter.text["claim_c_baselines"] == "uniform, frequency, random, magnitude"  # the registry's verdict
    overview = chapter.tables["overview"].cells
    assert list(overview["verdict"])[0] == SUPPORTED and len(overview) == 6


def test_claim_budget_falls_back_to_the_smallest():
    assert c.claim_budget([1.0, 0.2, 0.1]) == 0.1
    assert c.claim_budget([1.0, 0.5, 0.3]) == 0.3
    assert c.claim_budget([1.0]) == 0.1


def test_interval_figure_without_data_says_why():
    fig = plot_interval_claim(pd.DataFrame(columns=["dataset", "difference", "ci95", "verdict"]), labels=["dataset"],
                              headline="h", label="l", reason="not testable here: no runs")
    assert any("no runs" in t.get_text() for ax in fig.axes for t in ax.texts)
