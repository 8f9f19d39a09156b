"""Chapter 05's ten-seed rerun: the half fraction 2^(4-1) (I = ABCD), each factor's main effect as the
mean over its four +1 corners minus the mean over its four -1 corners, seed by seed, checked against
a hand computation; intervals, Holm, the detectable effect, verdict words, and the section when the
profile names no rerun."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from ablationhelpers import REFERENCE, runs
from scipy import stats

from sseds_study.analysis import ablation_main_effects as me
from sseds_study.study.profile import load_profile

LOW = {"init": "scratch", "estimator": "mean_abs", "score_split": "train", "min_dim": 1}
HIGH = {"init": "inherit", "estimator": "taylor", "score_split": "valid", "min_dim": 0}
SEEDS = (0, 1, 2)
SIX = tuple(range(6))


def code(corner: dict, factor: str) -> int:
    return -1 if corner[factor] == LOW[factor] else 1


def corner_changes() -> list[dict]:
    """The 8 corners of I = ABCD as changes to the default search settings (the default corner: {})."""
    corners = [dict(zip(LOW, levels, strict=True)) for levels in itertools.product(*zip(LOW.values(), HIGH.values(),
                                                                                        strict=True))]
    half = [c for c in corners if math.prod(code(c, f) for f in LOW) == 1]
    return [{f: v for f, v in c.items() if v != LOW[f]} for c in half]


def full(change: dict) -> dict:
    return {**LOW, **change}


def hand_valid(change, model, budget, seed):
    """init +0.004 and min_dim 0 -0.002; an AB interaction (init × estimator, aliased with CD) of
    +0.003 × code A × code B; the corner with every factor at +1 gets +0.008 at seed 0 only; a
    per-seed offset shared by every corner."""
    c = full(change)
    value = 0.7 + 0.01 * seed + 0.004 * (c["init"] == "inherit") - 0.002 * (c["min_dim"] == 0)
    value += 0.003 * code(c, "init") * code(c, "estimator")
    return value + 0.008 * (c == HIGH and seed == 0)


def table(valid=hand_valid, test=None, **kwargs) -> pd.DataFrame:
    return runs(corner_changes(), valid, test, seeds=kwargs.pop("seeds", SEEDS), **kwargs).assign(rows=600)


def study(**changes):
    return dataclasses.replace(load_profile("ablation10"), search=REFERENCE, **changes)


# ------------------------------------------------------------------------------------------------
# The design
# ------------------------------------------------------------------------------------------------
def test_the_half_fraction_is_the_eight_corners_of_i_abcd_with_the_default_first():
    corners = me.half_fraction()
    assert len(corners) == 8 and corners[0] == LOW
    assert all(math.prod(me.codes(c).values()) == 1 for c in corners)
    # balanced: every pair of factors sees each of its four level combinations twice (so a main effect
    # is free of every two-factor interaction)
    for a, b in itertools.combinations(LOW, 2):
        pairs = pd.Series([(c[a], c[b]) for c in corners]).value_counts()
        assert len(pairs) == 4 and (pairs == 2).all()
    with pytest.raises(ValueError, match="estimator"):
        me.codes({**LOW, "estimator": "fisher"})


def test_the_shipped_profiles_run_the_design_and_the_screen_does_not():
    assert me.runs_design(load_profile("ablation10")) and me.runs_design(load_profile("smoke_ablation10"))
    assert not me.runs_design(load_profile("ablation")) and not me.runs_design(load_profile("headline"))
    assert [me.codes(c) for c in me.study_corners(load_profile("ablation10"))][0] == dict.fromkeys(LOW, -1)


def test_corner_rows_keep_the_fraction_of_a_full_factorial_and_the_reference_settings():
    every = [{f: v for f, v in zip(LOW, levels, strict=True) if v != LOW[f]}
             for levels in itertools.product(*zip(LOW.values(), HIGH.values(), strict=True))]
    rows = runs(every + [{"estimator": "fisher"}, {"budget_unit": "dims"}], hand_valid, seeds=SEEDS)
    design = me.corner_rows(rows, REFERENCE)
    assert len(design) == 8 * 2 * 3  # 8 of the 16 corners, two budgets, three seeds
    assert set(design["estimator"]) == {"mean_abs", "taylor"} and set(design["min_dim"]) == {0, 1}
    assert (design[list(LOW)].apply(lambda r: math.prod(code(r, f) for f in LOW), axis=1) == 1).all()


# ------------------------------------------------------------------------------------------------
# Main effects, by hand
# ------------------------------------------------------------------------------------------------
def test_main_effects_are_the_four_high_corners_minus_the_four_low_ones_seed_by_seed():
    per_seed = me.seed_effects(me.corner_rows(table(models=("FM",), budgets=(0.2,)), REFERENCE))
    by = per_seed.set_index(["factor", "seed"])["change"]
    # seed 0: the all-high corner's +0.008 is one of the four +1 corners of every factor: +0.002 each
    assert by[("init", 0)] == pytest.approx(0.004 + 0.002)
    assert [by[("init", s)] for s in (1, 2)] == pytest.approx([0.004, 0.004])
    assert [by[("min_dim", s)] for s in SEEDS] == pytest.approx([-0.002 + 0.002, -0.002, -0.002])
    # the AB interaction is balanced out of every main effect (resolution IV)
    assert [by[("estimator", s)] for s in SEEDS] == pytest.approx([0.002, 0.0, 0.0])
    assert [by[("score_split", s)] for s in SEEDS] == pytest.approx([0.002, 0.0, 0.0])
    inherit = per_seed[(per_seed["factor"] == "init") & (per_seed["seed"] == 1)].iloc[0]
    assert inherit["contrast"] == "inherit − scratch" and inherit["reference"] == pytest.approx(0.71 - 0.001)
    assert set(per_seed["contrast"]) == {"inherit − scratch", "taylor − mean_abs", "valid − train", "0 − 1"}


def test_summary_interval_holm_and_detectable_effect_by_hand():
    per_seed = me.seed_effects(me.corner_rows(table(models=("FM",), budgets=(0.2,), seeds=SIX), REFERENCE))
    summary = me.effect_summary(per_seed, ["factor", "contrast", "dataset", "model", "budget"])
    init = summary.set_index("factor").loc["init"]
    x = np.array([0.006, 0.004, 0.004, 0.004, 0.004, 0.004])
    sd = x.std(ddof=1)
    assert init["n"] == 6 and init["change"] == pytest.approx(x.mean())
    assert init["ci95"] == pytest.approx(stats.t.ppf(0.975, 5) * sd / math.sqrt(6))
    assert init["sd"] == pytest.approx(sd)
    assert init["mde"] == pytest.approx((stats.t.ppf(0.975, 5) + stats.t.ppf(0.8, 5)) * sd / math.sqrt(6))
    p = stats.ttest_1samp(x, 0.0).pvalue
    raw = summary.set_index("factor")["p_t"]
    assert raw["init"] == pytest.approx(p)
    # Holm across the four entries: init has the smallest p-value of the four, so it is multiplied by 4
    assert init["p_holm"] == pytest.approx(min(1.0, 4 * p))
    assert init["verdict"] == "better" and init["effect"] == "raises AUC"
    assert summary.set_index("factor").loc["estimator", "effect"] == "indistinguishable"


def test_a_steady_loss_reads_lowers_auc_and_noise_reads_indistinguishable():
    rng = np.random.default_rng(3)
    noise = {}

    def valid(change, model, budget, seed):
        c = full(change)
        key = (tuple(sorted(change.items())), model, budget, seed)
        noise.setdefault(key, rng.normal(0.0, 0.001))
        return 0.7 + 0.01 * seed - 0.01 * (c["min_dim"] == 0) + noise[key]

    per_seed = me.seed_effects(me.corner_rows(table(valid, seeds=tuple(range(10))), REFERENCE))
    pooled = me.effect_summary(me.pooled_seed_effects(per_seed), ["factor", "contrast"]).set_index("factor")
    assert pooled.loc["min_dim", "effect"] == "lowers AUC" and pooled.loc["min_dim", "n"] == 10
    assert pooled.loc["min_dim", "change"] == pytest.approx(-0.01, abs=0.001)
    assert (pooled.drop("min_dim")["effect"] == "indistinguishable").all()


def test_pooled_effects_average_the_cells_per_seed_and_keep_only_seeds_with_every_cell():
    rows = table()  # FM at budgets 0.2 and 0.1
    shifted = rows["budget"] == 0.1
    rows.loc[shifted & (rows["search_init"] == "inherit"), "valid_auc"] += 0.002  # init: +0.006 at b = 0.1
    per_seed = me.seed_effects(me.corner_rows(rows, REFERENCE))
    pooled = me.pooled_seed_effects(per_seed).set_index(["factor", "seed"])["change"]
    assert [pooled[("init", s)] for s in SEEDS] == pytest.approx([0.007, 0.005, 0.005])  # (b 0.2 + b 0.1) / 2
    # a corner missing at seed 2, b = 0.1: that cell's seed 2 drops out, and so does seed 2 of the pooled effect
    missing = (rows["seed"] == 2) & (rows["budget"] == 0.1) & (rows["variant"] == "default")
    per_seed = me.seed_effects(me.corner_rows(rows[~missing], REFERENCE))
    assert per_seed.groupby("budget")["seed"].nunique().to_dict() == {0.1: 2, 0.2: 3}
    assert sorted(set(me.pooled_seed_effects(per_seed)["seed"])) == [0, 1]


# ------------------------------------------------------------------------------------------------
# The section
# ------------------------------------------------------------------------------------------------
def test_the_section_from_a_results_table():
    results = table(test=lambda c, m, b, s: hand_valid(c, m, b, s) - 0.01, models=("FM", "DeepFM"), seeds=SIX)
    # seeds 0 and 1 copied from the screen, the default corner's later seeds from another profile
    results["reused_from"] = np.where(results["seed"] < 2, "ablation",
                                      np.where(results["variant"] == "default", "headline", None))
    chapter = me.rerun_chapter(study(), results, screen_seeds=2, screen="ablation")
    assert set(chapter.tables) == {"rerun", "rerun_cells", "rerun_cells_test"}
    assert set(chapter.figures) == {"fig_rerun"}
    assert set(me.TEXT_KEYS) <= set(chapter.text)
    assert set(chapter.markdown) == {f"rerun_verdict_{f}" for f in LOW}
    text = chapter.text
    assert text["rerun_status"].startswith("Profile ablation10 has all 8 corners finished for 6 seeds in each of "
                                           "its 4 model × budget cells")
    assert (text["rerun_corners"], text["rerun_cells"], text["rerun_seeds"], text["rerun_tests"]) == ("8", "4", "6", "16")
    # init: +0.006 at seed 0 (the all-high corner's bump, a quarter of it), +0.004 at seeds 1-5, in every cell
    assert text["rerun_effect_init"] == "+0.0043 ± 0.0009 (raises AUC)"
    assert text["rerun_models"] == "FM and DeepFM" and text["rerun_budgets"] == "0.2 and 0.1"
    assert text["rerun_shared_seeds"] == "seeds 0 and 1"
    # the same spread at the screen's two seeds needs a far larger effect
    assert float(text["rerun_mde_screen"]) > float(text["rerun_mde"]) > 0
    cells = chapter.tables["rerun"].cells.set_index("factor")
    assert cells.loc["init", "contrast"] == "inherit − scratch"
    assert cells.loc["init", "valid_effect"] == "+0.0043 ± 0.0009 ▲" and cells.loc["init", "effect_verdict"] == "raises AUC"
    assert cells.loc["init", "test_effect"] == "+0.0043 ± 0.0009"  # test = validation - 0.01: the same effects
    assert cells.loc["init", "cells_raised"] == "4 of 4"
    assert list(cells.index) == ["init", "estimator", "scoring split", "min_dim"]
    assert chapter.markdown["rerun_verdict_init"].startswith(
        "**init**, `inherit` against `scratch`: raises AUC, +0.0043 ± 0.0009 validation AUC pooled over 4 cells "
        "(Holm-adjusted p < 0.001); positive in 4 of 4 cells, told from zero in 4; test AUC, read once: +0.0043 ± 0.0009.")
    assert list(chapter.tables["rerun_cells"].cells.columns)[-1] == "pooled"


def test_a_profile_without_the_rerun_says_so_and_runs_nothing():
    smoke = dataclasses.replace(load_profile("smoke"), companions={})
    chapter = me.ablation_rerun_chapter(smoke)
    assert chapter.text["rerun_status"] == ("Not measured here: profile smoke names no ten-seed ablation (companion "
                                            "role ablation10)")
    assert set(me.TEXT_KEYS) <= set(chapter.text) and chapter.text["rerun_mde"] == "not measured"
    assert set(chapter.markdown) == {f"rerun_verdict_{f}" for f in LOW}
    assert set(chapter.tables) == {"rerun", "rerun_cells", "rerun_cells_test"} and set(chapter.figures) == {"fig_rerun"}
    assert chapter.tables["rerun"].cells.empty


def test_results_without_a_complete_seed_say_so():
    results = table()
    chapter = me.rerun_chapter(study(), results[results["variant"] != "default"])
    assert chapter.text["rerun_status"].startswith("Not measured here: profile ablation10 has no seed with all 8")


def test_the_section_has_everything_its_notebooks_glue_and_show_measured_or_not():
    import re
    from pathlib import Path

    folder = Path(__file__).parents[2] / "notebooks"
    source = "".join((folder / f"{n}.py").read_text() for n in ("05_ablation", "11_ablation_tables"))
    measured = me.rerun_chapter(study(), table(seeds=SIX))
    missing = me.ablation_rerun_chapter(dataclasses.replace(load_profile("smoke"), companions={}))
    for chapter in (measured, missing):
        for name in set(re.findall(r"\{glue:text\}`(rerun_[a-z_0-9]+)`", source)):
            assert chapter.text.get(name), name
        for name in set(re.findall(r"\{glue:md\}`(rerun_[a-z_0-9]+)`", source)):
            assert chapter.markdown.get(name), name
        for name in set(re.findall(r'rerun\.tables\["([a-z_]+)"\]', source)):
            assert name in chapter.tables, name
        assert set(re.findall(r"glue:figure\} (fig_rerun[a-z_]*)", source)) == set(chapter.figures)
