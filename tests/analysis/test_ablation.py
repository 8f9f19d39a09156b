"""Chapter 05, the factorial ablation: equal parameters, the companion profile, agreement and the
chapter (the choice of a variant: test_ablation_variant_choice.py; the effects themselves: test_ablation_factorial.py)."""

from __future__ import annotations

import dataclasses

import pandas as pd
from ablationhelpers import BUDGETS, FACTORIAL, REFERENCE, SEEDS, additive, factorial_settings, runs

from sseds_study.analysis import ablation as ab


# ------------------------------------------------------------------------------------------------
# Equal parameters, the companion profile, agreement
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
    from sseds_study.study.profile import load_profile

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
