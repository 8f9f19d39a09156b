"""Chapter 05, the factorial ablation: the variant is chosen on validation alone and test is read once
for it; ties go to the default setting; variants with missing runs are not ranked; equal parameters,
names, agreement and the chapter (the effects themselves: test_factorial.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from ablationhelpers import BUDGETS, FACTORIAL, REFERENCE, SEEDS, additive, factorial_settings, runs

from sseds_study.analysis import ablation as ab


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
    ranking = ab.validation_ranking(table)
    assert ranking.set_index("variant")["rank"].to_dict() == {"init=inherit": 1, "score_split=valid": 2, "default": 3}
    choice = ab.chosen_variants(ranking)
    assert choice == {("d", "FM"): "init=inherit"}
    read = ab.read_test(table, choice)
    assert set(read["variant"]) == {"init=inherit"}  # score_split=valid's better test AUC is never read
    assert read["budget"].tolist() == [0.2, 0.1]
    assert np.allclose(read["change"], -0.03) and (read["verdict"] == "worse").all()
    assert np.allclose(read["default_mean"], 0.751) and np.allclose(read["chosen_mean"], 0.721)
    text = ab.choice_text(ranking, read)
    assert "validation choice is inherit, +0.0200 ± 0.0000 validation AUC against the default" in text["choice_text"]
    gaps = ranking.set_index("variant")
    assert gaps.loc["init=inherit", "gap"] == pytest.approx(0.02) and gaps.loc["init=inherit", "gap_ci95"] == 0
    assert ab.ranking_table(ranking).cells["gap to default"].tolist() == ["+0.0200 ± 0.0000", "+0.0100 ± 0.0000", "–"]
    assert "worse at budget 0.2 (-0.0300 ± 0.0000 test AUC, 3 seeds)" in text["choice_text"]
    assert text["default_rank"] == "3rd of 3 for FM"
    cells = ab.read_table(read).cells
    assert cells["chosen − default"].tolist() == ["-0.0300 ± 0.0000 ▼"] * 2


def test_test_read_is_holm_corrected_across_models_and_budgets():
    noise = {0: 0.0, 1: 0.004, 2: -0.002}

    def valid(c, m, b, s):
        return 0.75 + (0.01 + noise[s] * (m == "DeepFM") if c else 0.0)

    table = runs([{}, {"init": "inherit"}], valid, models=("FM", "DeepFM"))
    read = ab.read_test(table, ab.chosen_variants(ab.validation_ranking(table)))
    assert len(read) == 4
    p = read["p_t"].to_numpy()
    assert (read["p_holm"].to_numpy() >= p).all() and read["p_holm"].max() > p.max() - 1e-12


def test_ties_go_to_the_default_then_to_fewer_changed_settings():
    # fisher, and fisher with min_dim 0, change nothing (the same runs as the default): the default wins
    settings = [{"estimator": "fisher"}, {}, {"estimator": "fisher", "min_dim": 0}]
    ranking = ab.validation_ranking(runs(settings, lambda c, m, b, s: 0.77 + 0.001 * s))
    assert ranking.sort_values("rank")["variant"].tolist() == ["default", "estimator=fisher",
                                                               "estimator=fisher,min_dim=0"]
    # without the default among the tied ones, the variant changing fewest settings wins
    settings = [{"estimator": "fisher", "min_dim": 0}, {"estimator": "fisher"}, {}]
    ranking = ab.validation_ranking(runs(settings, lambda c, m, b, s: 0.77 + 0.01 * ("estimator" in c)))
    assert ranking.loc[ranking["chosen"], "variant"].tolist() == ["estimator=fisher"]
    read = ab.read_test(runs(settings, lambda c, m, b, s: 0.77), {("d", "FM"): "default"})
    assert (read["verdict"] == "default chosen").all() and read["change"].isna().all()
    assert "no other variant to read on test" in ab.choice_text(
        ab.validation_ranking(runs(settings, lambda c, m, b, s: 0.77)), read)["choice_text"]


def test_a_variant_with_missing_runs_is_not_ranked_nor_chosen():
    table = runs([{}, {"init": "inherit"}, {"score_split": "valid"}],
                 lambda c, m, b, s: 0.75 + 0.02 * ("init" in c) + 0.01 * ("score_split" in c))
    table = table[~((table["variant"] == "init=inherit") & (table["seed"] == 2) & (table["budget"] == 0.1))]
    ranking = ab.validation_ranking(table)
    inherit = ranking.set_index("variant").loc["init=inherit"]
    assert not inherit["complete"] and np.isnan(inherit["rank"]) and not inherit["chosen"]
    assert ab.chosen_variants(ranking) == {("d", "FM"): "score_split=valid"}
    shown = ab.ranking_table(ranking)
    assert "inherit" not in " ".join(shown.cells["variant"])
    assert "1 variant(s) with missing runs are not ranked" in shown.note


# ------------------------------------------------------------------------------------------------
# Main effects and interactions
# ------------------------------------------------------------------------------------------------
# ------------------------------------------------------------------------------------------------
# Equal parameters, names, agreement
# ------------------------------------------------------------------------------------------------
def test_kept_table_shows_the_fraction_and_the_fields_min_dim_0_deletes():
    table = runs([{}, {"min_dim": 0}, {"budget_unit": "dims"}], lambda c, m, b, s: 0.75)
    cells = ab.kept_table(table).cells.set_index("variant")
    assert cells.loc["default", "FM, b = 0.2"] == "0.1999 | 0"
    assert cells.loc["min_dim 0", "FM, b = 0.1"] == "0.0999 | 2"
    assert cells.loc["dims unit", "FM, b = 0.1"] == "0.0999 | 0"
    text = ab.kept_text(table)
    assert text["kept_range"] == ("Every variant keeps the default setting's fraction to within 1% of the budget (kept "
                                  "fraction: 0.0999 at budget 0.1; 0.1999 at budget 0.2).")  # means over seeds
    short = table["variant"] == "budget_unit=dims"
    table.loc[short & (table["budget"] == 0.1), "achieved_budget"] = 0.07
    assert ab.kept_text(table)["kept_range"] == (
        "2 variants keep the default setting's fraction to within 1% of the budget in every cell (kept fraction: "
        "0.0999 at budget 0.1; 0.1999 at budget 0.2); 1 variant does not, and is not compared at equal "
        "parameters where it misses: dims unit: 0.0700 at budget 0.1 (FM).")
    # a small model misses the budget itself: the default's fraction, not the budget, is the target
    assert ab.kept_text(table.assign(achieved_budget=table["budget"] * 0.95))["kept_range"].startswith("Every variant")
    assert text["kept_empty"] == "With min_dim 0 a run leaves up to 2 fields at width 0 (2.0 on average over its " \
                                 "runs), with min_dim 1 none."


def test_seeds_note_counts_the_degrees_of_freedom():
    assert "rests on 2 seeds, a Student-t interval with 1 degree of freedom" in ab.seeds_note(2)
    assert "10 seeds" in ab.seeds_note(10) and "9 degrees" in ab.seeds_note(10)
    assert "no interval" in ab.seeds_note(1)


def test_short_names_and_changed_settings():
    assert ab.short_name("default") == "default"
    assert ab.short_name("estimator=fisher,score_split=valid,min_dim=0,init=inherit") == \
        "fisher · valid split · min_dim 0 · inherit"
    assert ab.changed_settings("estimator=fisher,min_dim=0") == 2 and ab.changed_settings("default") == 0


def test_the_ablation_profile_is_the_book_profiles_companion():
    assert ab.ablation_study("default").name == "ablation"
    smoke = ab.ablation_study("smoke")
    assert smoke.name == "smoke_ablation" and smoke.factorial
    assert ab.ablation_study("smoke_ablation").name == "smoke_ablation"
    assert ab.profile_estimators(ab.ablation_study("default")) == ["mean_abs", "fisher", "taylor", "exact"]


def test_agreement_text_names_the_best_gradient_setting_per_model():
    agreement = pd.DataFrame([{"dataset": "d", "model": m, "estimator": e, "score_split": s,
                               "spearman": {"mean_abs": 0.4, "taylor": 0.6, "exact": 0.9}[e] + (s == "valid") * 0.1}
                              for m in ("FM", "DeepFM") for e in ("mean_abs", "taylor", "exact")
                              for s in ("train", "valid")])
    text = ab.agreement_text(agreement)
    assert text.startswith("FM: best taylor on valid batches (ρ = 0.70), worst mean_abs on train batches (ρ = 0.40), "
                           "the exact change on K batches ρ = 0.90 (train) and ρ = 1.00 (valid); DeepFM")


def test_the_chapter_from_a_factorial_results_table():
    from sseds_study.config import load_profile

    study = dataclasses.replace(load_profile("ablation"), factorial=FACTORIAL, search=REFERENCE,
                                models=("FM", "DeepFM"), budgets=BUDGETS, seeds=SEEDS)
    table = runs(factorial_settings(FACTORIAL) + [{"budget_unit": "dims"}], additive,
                 lambda c, m, b, s: additive(c, m, b, s) - 0.01, models=("FM", "DeepFM")).assign(rows=600, dataset="d")
    agreement = pd.DataFrame([{"dataset": "d", "model": m, "estimator": e, "score_split": sp, "spearman": 0.5,
                               "kendall": 0.4} for m in ("FM", "DeepFM") for e in ("mean_abs", "exact")
                              for sp in ("train", "valid")])
    chapter = ab.factorial_chapter(study, table, agreement)
    assert set(chapter.figures) == {"fig_effects", "fig_agreement"}
    assert set(chapter.tables) == {"ranking", "test", "effects", "interactions", "kept"}
    # inherit + valid split + fisher + min_dim 0 adds up to the most on validation
    assert "validation choice is fisher · valid split · min_dim 0 · inherit, +0.0340 ± 0.0000" in chapter.text["choice_text"]
    assert chapter.text["default_rank"] == "19th of 25 for DeepFM; 19th of 25 for FM"  # 18 variants add up to more
    assert "24 SSEDS" not in chapter.header and "25 SSEDS variants (24 in the factorial" in chapter.header
    assert "With min_dim 0 a run leaves up to 2 fields at width 0" in chapter.text["kept_empty"]
    assert "rests on 3 seeds" in chapter.text["seeds_note"]
