"""Chapter 05, the factorial ablation: equal parameters, the companion profile and the chapter (the choice of a variant: test_ablation_variant_choice.py; the effects themselves: test_ablation_factorial.py)."""

from __future__ import annotations

import dataclasses

from ablationhelpers import BUDGETS, FACTORIAL, REFERENCE, SEEDS, additive, factorial_settings, runs

from sseds_study.analysis import ablation as ab


# ------------------------------------------------------------------------------------------------
# Equal parameters and the companion profile
# ------------------------------------------------------------------------------------------------
def test_kept_table_shows_the_fraction_and_the_fields_min_dim_0_deletes():
    table = runs([{}, {"min_dim": 0}, {"budget_unit": "dims"}], lambda c, m, b, s: 0.75)
    cells = ab.kept_table(table).cells.set_index("variant")
    default = "mean_abs · training batches · min_dim 1 · scratch"
    assert cells.loc[f"{default} (default)", "FM, b = 0.2"] == "0.1999"
    assert cells.loc["mean_abs · training batches · min_dim 0 · scratch", "fields at width 0"] == "2.0"
    assert cells.loc[f"{default} · budget in dimensions", "FM, b = 0.1"] == "0.0999"
    text = ab.kept_text(table)
    assert text["kept_ok"] == "3 of 3" and text["kept_missed"] == "none"
    assert text["kept_ranges"] == "0.0999 at b = 0.1; 0.1999 at b = 0.2"  # means over seeds
    short = table["variant"] == "budget_unit=dims"
    table.loc[short & (table["budget"] == 0.1), "achieved_budget"] = 0.07
    text = ab.kept_text(table)
    assert text["kept_ok"] == "2 of 3" and text["kept_missed"] == f"{default} · budget in dimensions"
    # a small model misses the budget itself: the default's fraction, not the budget, is the target
    assert ab.kept_text(table.assign(achieved_budget=table["budget"] * 0.95))["kept_ok"] == "3 of 3"
    assert (text["empty_max"], text["empty_mean"], text["empty_min_dim1"]) == ("2", "2.0", "none")


def test_the_ablation_profile_is_the_book_profiles_companion():
    assert ab.ablation_study("default").name == "ablation"
    smoke = ab.ablation_study("smoke")
    assert smoke.name == "smoke_ablation" and smoke.factorial
    assert ab.ablation_study("smoke_ablation").name == "smoke_ablation"


def test_the_chapter_from_a_factorial_results_table():
    from sseds_study.study.profile import load_profile

    study = dataclasses.replace(load_profile("ablation"), factorial=FACTORIAL, search=REFERENCE,
                                models=("FM", "DeepFM"), budgets=BUDGETS, seeds=SEEDS)
    table = runs(factorial_settings(FACTORIAL) + [{"budget_unit": "dims"}], additive,
                 lambda c, m, b, s: additive(c, m, b, s) - 0.01, models=("FM", "DeepFM")).assign(rows=600, dataset="d")
    chapter = ab.factorial_chapter(study, table)
    assert set(chapter.figures) == {"fig_effects"}
    assert set(chapter.tables) == {"ranking", "test", "screen", "effects", "interactions", "kept"}
    # inherit + valid split + fisher + min_dim 0 adds up to the most on validation
    assert chapter.tables["test"].cells["chosen on validation"].iloc[0] == \
        "fisher · validation batches · min_dim 0 · inherit"
    assert chapter.text["chosen_gap"] == "+0.0340 ± 0.0000 for DeepFM; +0.0340 ± 0.0000 for FM"
    assert chapter.text["default_rank"] == "19th of 25 for DeepFM; 19th of 25 for FM"  # 18 variants add up to more
    assert "24 SSEDS" not in chapter.header and "25 SSEDS variants (24 in the factorial" in chapter.header
    assert chapter.text["empty_max"] == "2" and chapter.text["empty_min_dim1"] == "none"
    assert "rests on 3 seeds" in chapter.text["seeds_note"]
    # inherit raises validation AUC in every cell and every seed: the sign tests see it
    assert chapter.text["inherit_cells"] == "4 of 4" and chapter.text["inherit_pairs"] == "12 of 12"
    assert chapter.text["inherit_p_cells"] == "0.125" and chapter.text["inherit_pooled"] == "+0.0240 ± 0.0000"
    screen = chapter.tables["screen"].cells
    assert screen["contrast"].iloc[0] == "inherit − scratch" and screen["cells raised"].iloc[0] == "4 of 4"
    assert chapter.text["exact_passes"] == "not measured"  # exact is not among these estimators
