"""Chapter 05, the factorial ablation: the variant is chosen on validation alone and test is read once
for it; main effects and interactions are paired changes averaged over the other factors; ties go to
the default setting; variants with missing runs are not ranked."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

from sseds_study.analysis import ablation as ab
from sseds_study.config import SearchConfig
from sseds_study.study import with_variant

REFERENCE = SearchConfig()
SEEDS = (0, 1, 2)
BUDGETS = (0.2, 0.1)


def runs(settings: list[dict], valid, test=None, *, seeds=SEEDS, budgets=BUDGETS, models=("FM",)) -> pd.DataFrame:
    """One sseds run per search setting (a dict of changes to the default), model, budget and seed, its
    variant named as the sweep names it; valid/test: functions of (settings, model, budget, seed)."""
    rows = []
    for change, model, budget, seed in itertools.product(settings, models, budgets, seeds):
        search = dataclasses.replace(REFERENCE, **change)
        rows.append({"dataset": "d", "model": model, "method": "sseds", "budget": budget, "seed": seed,
                     "status": "ok", **{f"search_{k}": v for k, v in dataclasses.asdict(search).items()},
                     "valid_auc": valid(change, model, budget, seed),
                     "test_auc": (test or valid)(change, model, budget, seed),
                     "achieved_budget": budget - 0.0001 * seed,
                     "empty_fields": 2 if search.min_dim == 0 else 0})
    return with_variant(pd.DataFrame(rows), REFERENCE)


def factorial_settings(factorial: dict) -> list[dict]:
    return [dict(zip(factorial, levels, strict=True)) for levels in itertools.product(*factorial.values())]


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
FACTORIAL = {"score_split": ["train", "valid"], "estimator": ["mean_abs", "fisher", "taylor"],
             "min_dim": [0, 1], "init": ["scratch", "inherit"]}
# An additive model with one interaction: valid split +0.01, fisher +0.002, taylor -0.004, min_dim 0
# -0.006, inherit +0.02, and inherit with min_dim 0 another +0.008; plus a per-seed offset, shared by
# every variant of the seed (it cancels out of every paired change).
EFFECT = {("score_split", "valid"): 0.01, ("estimator", "fisher"): 0.002, ("estimator", "taylor"): -0.004,
          ("min_dim", 0): -0.006, ("init", "inherit"): 0.02}


def additive(c, m, b, s):
    full = {**{k: getattr(REFERENCE, k) for k in FACTORIAL}, **c}
    value = 0.75 + 0.003 * s + sum(EFFECT.get((k, v), 0.0) for k, v in full.items())
    return value + 0.008 * (full["init"] == "inherit" and full["min_dim"] == 0)


def test_main_effects_average_the_paired_change_over_the_other_factors():
    table = runs(factorial_settings(FACTORIAL) + [{"budget_unit": "dims"}], additive)
    design = ab.factorial_rows(table, FACTORIAL, REFERENCE)
    assert len(design) == 24 * 2 * 3  # the one-factor dims variant is not part of the factorial
    per_seed, summary = ab.main_effects(design, FACTORIAL, REFERENCE)
    effects = summary.groupby(["factor", "contrast"])["change"].mean()
    assert effects.loc[("score_split", "valid − train")] == pytest.approx(0.01)
    assert effects.loc[("estimator", "fisher − mean_abs")] == pytest.approx(0.002)
    assert effects.loc[("estimator", "taylor − mean_abs")] == pytest.approx(-0.004)
    # the base level is the default setting's (min_dim 1), and the interaction is averaged over init
    assert effects.loc[("min_dim", "0 − 1")] == pytest.approx(-0.006 + 0.008 / 2)
    assert effects.loc[("init", "inherit − scratch")] == pytest.approx(0.02 + 0.008 / 2)
    assert len(summary) == 5 * 2 and (summary["n"] == 3).all()
    assert np.allclose(summary["ci95"], 0.0)  # the per-seed offset cancels
    assert summary.loc[summary["contrast"] == "inherit − scratch", "verdict"].eq("better").all()
    assert per_seed.groupby(["factor", "contrast", "budget"]).size().eq(3).all()
    pooled = ab.pooled_effects(per_seed)
    assert pooled["contrast"].tolist()[:2] == ["inherit − scratch", "valid − train"]  # by size
    assert pooled["change"].tolist()[:2] == pytest.approx([0.024, 0.01]) and (pooled["n"] == 3).all()
    assert ab.pooled_text(pooled).startswith("init (inherit − scratch) +0.0240 ± 0.0000 (better); score_split")
    cells = ab.effects_table(summary, "note", pooled).cells
    assert list(cells.columns)[-1] == "pooled" and cells.loc[0, "pooled"] == "+0.0100 ± 0.0000 ▲"
    text = ab.effects_text(summary)
    assert "init (inherit − scratch) raises it in 2 of 2 cells (+0.0240 ± 0.0000)" in text
    assert "The largest in size is init (inherit − scratch): +0.0240 ± 0.0000 validation AUC" in text


def test_interactions_are_the_change_of_one_effect_across_the_other_factor():
    table = runs(factorial_settings(FACTORIAL), additive)
    _, summary = ab.interactions(ab.factorial_rows(table, FACTORIAL, REFERENCE), FACTORIAL, REFERENCE)
    inter = summary.groupby(["factor", "contrast"])["change"].mean()
    assert inter.loc[("min_dim × init", "0 − 1 × inherit − scratch")] == pytest.approx(0.008)
    others = inter.drop(("min_dim × init", "0 − 1 × inherit − scratch"))
    assert np.allclose(others, 0.0)
    # pairs: score_split x estimator (2 contrasts), x min_dim, x init, estimator x min_dim (2), x init (2), min_dim x init
    assert len(inter) == 2 + 1 + 1 + 2 + 2 + 1


def test_a_missing_combination_leaves_only_that_pair_out():
    table = runs(factorial_settings({"min_dim": [0, 1], "init": ["scratch", "inherit"]}), additive)
    missing = (table["variant"] == "min_dim=0,init=inherit") & (table["seed"] == 0)
    factorial = {"min_dim": [0, 1], "init": ["scratch", "inherit"]}
    per_seed, summary = ab.main_effects(ab.factorial_rows(table[~missing], factorial, REFERENCE), factorial,
                                        REFERENCE)
    seed0 = per_seed[(per_seed["seed"] == 0) & (per_seed["contrast"] == "inherit − scratch")]
    assert np.allclose(seed0["change"], 0.02)  # from min_dim 1 alone: the min_dim 0 pair is incomplete
    later = per_seed[(per_seed["seed"] == 1) & (per_seed["contrast"] == "inherit − scratch")]
    assert np.allclose(later["change"], 0.024)


def test_effects_table_is_a_row_per_contrast_and_a_column_per_cell():
    table = runs(factorial_settings({"init": ["scratch", "inherit"]}), additive, models=("FM", "DeepFM"))
    factorial = {"init": ["scratch", "inherit"]}
    _, summary = ab.main_effects(ab.factorial_rows(table, factorial, REFERENCE), factorial, REFERENCE)
    cells = ab.effects_table(summary, "note").cells
    assert list(cells.columns) == ["factor", "contrast", "DeepFM, b = 0.2", "DeepFM, b = 0.1", "FM, b = 0.2",
                                   "FM, b = 0.1"]
    assert cells.loc[0, "FM, b = 0.1"] == "+0.0200 ± 0.0000 ▲"


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
