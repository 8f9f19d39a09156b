"""The paper's claims one by one: the rules at their edges, and missing data read as not testable with
the reason."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from claimhelpers import result_row, result_table
from scipy import stats

from sseds_study.analysis import claims_checks as c
from sseds_study.analysis.claims_rules import INCONCLUSIVE, NOT_SUPPORTED, NOT_TESTABLE, SUPPORTED, all_hold

# -- (a), (b) --------------------------------------------------------------------------------------------

def test_parameter_claim_interval_is_the_paired_t_interval():
    diffs = [0.0001, 0.0002, 0.0006]
    row = c.parameter_claim(result_table(diffs), profile="p", datasets=["d"], models=["FM"]).iloc[0]
    half = stats.t.ppf(0.975, 2) * pd.Series(diffs).std() / math.sqrt(3)
    assert row["n"] == 3 and row["difference"] == pytest.approx(0.0003)
    assert row["lower"] == pytest.approx(0.0003 - half) and row["upper"] == pytest.approx(0.0003 + half)
    assert row["verdict"] == SUPPORTED and row["full"] == pytest.approx(0.81)


@pytest.mark.parametrize(("diffs", "expected"), [
    ([-0.010, -0.011, -0.012], NOT_SUPPORTED),
    ([-0.004, 0.0, 0.004], INCONCLUSIVE),
    ([-0.0009, -0.0009, -0.0009], SUPPORTED),  # no spread: the interval is the point, just above the margin
])  # the exact edge is tested on margin_verdict: AUC - margin - AUC is not exactly -margin in floats
def test_parameter_claim_verdicts(diffs, expected):
    assert c.parameter_claim(result_table(diffs), profile="p", datasets=["d"], models=["FM"])["verdict"].item() == expected


def test_parameter_claim_missing_runs_are_not_testable_with_the_reason():
    table = result_table([0.0, 0.0, 0.0], budget=0.2)
    out = c.parameter_claim(table, profile="smoke", datasets=["d", "other"], models=["FM"], budget=0.1)
    assert list(out["verdict"]) == [NOT_TESTABLE, NOT_TESTABLE]
    assert out.loc[0, "reason"] == "not testable here: no runs of sseds at budget 0.1 on d / FM in profile smoke"
    assert "no runs of full on other / FM in profile smoke" in out.loc[1, "reason"]
    one_seed = result_table([0.0, 0.0, 0.0]).query("seed == 0 or method == 'full'")
    row = c.parameter_claim(one_seed, profile="p", datasets=["d"], models=["FM"]).iloc[0]
    assert row["verdict"] == NOT_TESTABLE and "1 seed with both runs" in row["reason"]
    empty = c.parameter_claim(pd.DataFrame(), profile="p", datasets=["d"], models=["FM"])
    assert empty["verdict"].item() == NOT_TESTABLE


def test_model_agnostic_only_when_every_model_holds():
    table = pd.concat([result_table([0.0002] * 3, model="FM"), result_table([-0.01, -0.012, -0.011], model="DCN")])
    cells = c.parameter_claim(table, profile="p", datasets=["d"], models=["FM", "DCN", "DeepFM"])
    per_model = c.model_agnostic_claim(cells, ["FM", "DCN", "DeepFM"]).set_index("model")["verdict"]
    assert per_model.to_dict() == {"FM": SUPPORTED, "DCN": NOT_SUPPORTED, "DeepFM": NOT_TESTABLE}
    assert all_hold(list(per_model)) == NOT_SUPPORTED


# -- (c) -------------------------------------------------------------------------------------------------

def test_baseline_claim_counts_holm_verdicts_per_dataset():
    rows = [result_row("sseds", b, s, 0.80 + s / 100) for b in (0.2, 0.1) for s in range(3)]
    rows += [result_row("uniform", b, s, 0.79 + s / 100) for b in (0.2, 0.1) for s in range(3)]  # SSEDS +0.01 each seed
    rows += [result_row("random", b, s, 0.80 + s / 100 + (0.001, -0.001, 0.0)[s]) for b in (0.2, 0.1) for s in range(3)]
    paired, summary = c.baseline_claim(pd.DataFrame(rows), profile="p", datasets=["d", "gone"], budgets=[0.2, 0.1],
                                       baselines=["uniform", "random"])
    assert len(paired) == 4
    first = summary.iloc[0]
    assert (first["better"], first["worse"], first["indistinguishable"], first["cells"]) == (2, 0, 2, 4)
    assert first["verdict"] == INCONCLUSIVE  # better in half the cells, not more
    assert summary.iloc[1]["verdict"] == NOT_TESTABLE
    assert "no runs of sseds, uniform, random at budget 0.2 or 0.1 on gone in profile p" in summary.iloc[1]["reason"]


# -- (d) -------------------------------------------------------------------------------------------------

def _costs(sseds_seconds, pep_seconds=None, sseds_passes=32, pep_passes=800):
    extra = {"pretrain_epoch_seconds": 2.0, "epoch_passes": 40, "emb_bytes": 10, "model_bytes": 20,
             "search_epochs": 0.0}
    rows = [result_row("sseds", 0.1, s, 0.8, search_seconds=sseds_seconds, search_passes=sseds_passes, **extra)
            for s in range(3)]
    if pep_seconds is not None:
        rows += [result_row("pep", 0.1, s, 0.8, search_seconds=pep_seconds, search_passes=pep_passes, **extra)
                 for s in range(3)]
    return pd.DataFrame(rows)


def test_cost_claim_is_judged_on_passes_against_an_epoch_and_pep():
    table, verdict, _ = c.cost_claim(_costs(0.5, pep_seconds=20.0), profile="p")
    assert verdict == SUPPORTED
    assert table["pass_fraction"].item() == pytest.approx(32 / 40)
    assert table["pep_over_sseds_passes"].item() == pytest.approx(25)
    # the seconds are reported beside the counts
    assert table["epoch_fraction"].item() == pytest.approx(0.25) and table["pep_over_sseds"].item() == pytest.approx(40)
    assert c.cost_claim(_costs(0.5, pep_seconds=20.0, pep_passes=16), profile="p")[1] == NOT_SUPPORTED  # PEP: fewer
    assert c.cost_claim(_costs(0.5, sseds_passes=40), profile="p")[1] == NOT_SUPPORTED  # a whole epoch's passes


def test_cost_claim_does_not_move_with_the_seconds():
    """A busy machine multiplies the seconds; the verdict stays, because it counts passes."""
    quiet = c.cost_claim(_costs(0.5, pep_seconds=20.0), profile="p")[1]
    busy = c.cost_claim(_costs(3.0, pep_seconds=0.4), profile="p")[1]  # search longer than an epoch, PEP quicker
    assert quiet == busy == SUPPORTED


def test_a_count_verdict_is_stable_only_if_no_resolution_of_its_borderline_cells_changes_it():
    def table(verdicts, borderline, differences):
        return pd.DataFrame({"verdict": verdicts, "borderline": borderline, "difference": differences})
    # worse in 2 of 4, better in none: not supported whichever way the borderline worse cell falls
    firm = table(["worse", "worse", "indistinguishable", "indistinguishable"], [True, False, False, False],
                 [-0.01, -0.01, 0.0, 0.0])
    assert c.verdict_is_stable(firm, c.count_verdict(0, 2, 4))
    # better in 3 of 4, worse in none: supported; a borderline indistinguishable cell with a negative mean
    # could become worse, which makes it not supported
    shaky = table(["better", "better", "better", "indistinguishable"], [False, False, False, True],
                  [0.01, 0.01, 0.01, -0.002])
    assert c.count_verdict(3, 0, 4) == SUPPORTED
    assert not c.verdict_is_stable(shaky, SUPPORTED)
    assert c.verdict_is_stable(shaky.assign(borderline=False), SUPPORTED)


def test_cost_claim_without_the_columns_is_not_testable():
    rows = pd.DataFrame([result_row("sseds", 0.1, 0, 0.8)])
    _, verdict, reason = c.cost_claim(rows, profile="old")
    assert verdict == NOT_TESTABLE and "search-cost" in reason
    assert c.cost_claim(pd.DataFrame([result_row("full", 1.0, 0, 0.8)]), profile="p")[2] == \
        "not testable here: no runs of sseds in profile p"


# -- (e) -------------------------------------------------------------------------------------------------

def _planted(widths_by_seed, oracle=True):
    rows = [result_row("sseds", 0.2, s, 0.70, dataset="syn", emb_dims=json.dumps(w)) for s, w in enumerate(widths_by_seed)]
    if oracle:
        rows += [result_row("oracle", 1.0, s, 0.7002 + s * 1e-4, dataset="syn") for s in range(len(widths_by_seed))]
    return pd.DataFrame(rows)


def test_planted_claim_rank_and_oracle():
    ranks = [4, 2, 1, 0]
    per_field, summary = c.planted_claim(_planted([[4, 2, 1, 1], [3, 2, 1, 1], [4, 3, 1, 1]]), {"syn": ranks},
                                         profile="p", datasets=["syn"], budget=0.2)
    row = summary.iloc[0]
    assert row["runs"] == 3 and row["spearman"] > 0.8 and row["rank_verdict"] == SUPPORTED
    assert row["oracle_difference"] == pytest.approx(-0.0003)
    # -0.0003 ± 0.00025: the whole interval above the margin
    assert row["oracle_difference"] - row["oracle_ci95"] > -0.001
    assert row["oracle_verdict"] == SUPPORTED and row["verdict"] == SUPPORTED
    assert len(per_field) == 12 and set(per_field["true_rank"]) == set(ranks)


def test_planted_claim_without_truth_or_oracle():
    _, no_truth = c.planted_claim(_planted([[1, 1]] * 2), {}, profile="p", datasets=["syn"], budget=0.2)
    assert no_truth["verdict"].item() == NOT_TESTABLE and "syn has no planted ranks" in no_truth["reason"].item()
    _, no_oracle = c.planted_claim(_planted([[4, 2, 1, 1], [3, 2, 1, 1]], oracle=False), {"syn": [4, 2, 1, 0]},
                                   profile="p", datasets=["syn"], budget=0.2)
    row = no_oracle.iloc[0]
    assert row["oracle_verdict"] == NOT_TESTABLE and "no runs of oracle on syn in profile p" in row["reason"]
    assert row["verdict"] != SUPPORTED  # half the claim unknown


# -- the chapter -----------------------------------------------------------------------------------------
