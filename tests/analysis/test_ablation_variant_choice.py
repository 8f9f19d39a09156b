"""Chapter 05's choice of a variant: made on validation alone, test read once for it; ties go to the
default setting; variants with missing runs are not ranked; the seeds note."""

from __future__ import annotations

import numpy as np
import pytest
from ablationhelpers import runs

from sseds_study.analysis import ablation_variant_choice as vc


# ------------------------------------------------------------------------------------------------
# The choice on validation
# ------------------------------------------------------------------------------------------------
def test_the_choice_uses_validation_only_and_reads_test_for_the_chosen_variant():
    # init=inherit is best on validation and worst on test; score_split=valid the reverse
    valid_gain = {"init": 0.02, "score_split": 0.01}
    test_gain = {"init": -0.03, "score_split": 0.05}
    settings = [{}, {"init": "inherit"}, {"score_split": "valid"}]

    def score(gains):
        return lambda c, m, b, s: 0.75 + sum(gains[k] for k in c) + 0.001 * s

    table = runs(settings, score(valid_gain), score(test_gain))
    ranking = vc.validation_ranking(table)
    assert ranking.set_index("variant")["rank"].to_dict() == {"init=inherit": 1, "score_split=valid": 2, "default": 3}
    choice = vc.chosen_variants(ranking)
    assert choice == {("d", "FM"): "init=inherit"}
    read = vc.read_test(table, choice)
    assert set(read["variant"]) == {"init=inherit"}  # score_split=valid's better test AUC is never read
    assert read["budget"].tolist() == [0.2, 0.1]
    assert np.allclose(read["change"], -0.03) and (read["verdict"] == "worse").all()
    assert np.allclose(read["default_mean"], 0.751) and np.allclose(read["chosen_mean"], 0.721)
    text = vc.choice_text(ranking)
    assert text["chosen_gap"] == "+0.0200 ± 0.0000 for FM"
    gaps = ranking.set_index("variant")
    assert gaps.loc["init=inherit", "gap"] == pytest.approx(0.02) and gaps.loc["init=inherit", "gap_ci95"] == 0
    assert vc.ranking_table(ranking).cells["gap to default"].tolist() == ["+0.0200 ± 0.0000", "+0.0100 ± 0.0000", "–"]
    assert text["default_rank"] == "3rd of 3 for FM"
    cells = vc.read_table(read).cells
    assert cells["chosen − default"].tolist() == ["-0.0300 ± 0.0000 ▼"] * 2
    assert cells["chosen on validation"].tolist() == ["mean_abs · training batches · min_dim 1 · inherit"] * 2


def test_test_read_is_holm_corrected_across_models_and_budgets():
    noise = {0: 0.0, 1: 0.004, 2: -0.002}

    def valid(c, m, b, s):
        return 0.75 + (0.01 + noise[s] * (m == "DeepFM") if c else 0.0)

    table = runs([{}, {"init": "inherit"}], valid, models=("FM", "DeepFM"))
    read = vc.read_test(table, vc.chosen_variants(vc.validation_ranking(table)))
    assert len(read) == 4
    p = read["p_t"].to_numpy()
    assert (read["p_holm"].to_numpy() >= p).all() and read["p_holm"].max() > p.max() - 1e-12


def test_ties_go_to_the_default_then_to_fewer_changed_settings():
    # fisher, and fisher with min_dim 0, change nothing (the same runs as the default): the default wins
    settings = [{"estimator": "fisher"}, {}, {"estimator": "fisher", "min_dim": 0}]
    ranking = vc.validation_ranking(runs(settings, lambda c, m, b, s: 0.77 + 0.001 * s))
    assert ranking.sort_values("rank")["variant"].tolist() == ["default", "estimator=fisher",
                                                               "estimator=fisher,min_dim=0"]
    # without the default among the tied ones, the variant changing fewest settings wins
    settings = [{"estimator": "fisher", "min_dim": 0}, {"estimator": "fisher"}, {}]
    ranking = vc.validation_ranking(runs(settings, lambda c, m, b, s: 0.77 + 0.01 * ("estimator" in c)))
    assert ranking.loc[ranking["chosen"], "variant"].tolist() == ["estimator=fisher"]
    read = vc.read_test(runs(settings, lambda c, m, b, s: 0.77), {("d", "FM"): "default"})
    assert (read["verdict"] == "default chosen").all() and read["change"].isna().all()
    assert vc.choice_text(vc.validation_ranking(runs(settings, lambda c, m, b, s: 0.77)))["chosen_gap"] == \
        "none for FM (the default itself is chosen)"


def test_a_variant_with_missing_runs_is_not_ranked_nor_chosen():
    table = runs([{}, {"init": "inherit"}, {"score_split": "valid"}],
                 lambda c, m, b, s: 0.75 + 0.02 * ("init" in c) + 0.01 * ("score_split" in c))
    table = table[~((table["variant"] == "init=inherit") & (table["seed"] == 2) & (table["budget"] == 0.1))]
    ranking = vc.validation_ranking(table)
    inherit = ranking.set_index("variant").loc["init=inherit"]
    assert not inherit["complete"] and np.isnan(inherit["rank"]) and not inherit["chosen"]
    assert vc.chosen_variants(ranking) == {("d", "FM"): "score_split=valid"}
    shown = vc.ranking_table(ranking)
    assert "inherit" not in " ".join(shown.cells["variant"])
    assert "1 variant with missing runs is not ranked" in shown.note


def test_seeds_note_counts_the_degrees_of_freedom():
    assert "rests on 2 seeds, a Student-t interval with 1 degree of freedom" in vc.seeds_note(2)
    assert "10 seeds" in vc.seeds_note(10) and "9 degrees" in vc.seeds_note(10)
    assert "no interval" in vc.seeds_note(1)


def test_changed_settings():
    assert vc.changed_settings("estimator=fisher,min_dim=0") == 2 and vc.changed_settings("default") == 0
