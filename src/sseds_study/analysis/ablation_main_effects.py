"""Chapter 05's ten-seed rerun (profile ``ablation10``, companion role ``ablation10``): the main effects
of the four factors the screen and the discussion flag, measured with ten paired seeds.

The design. Four factors of two levels, each coded -1 at the default setting's level and +1 at the
other (``FACTORS``): A init (scratch, inherit), B estimator (mean_abs, taylor), C scoring split
(train, valid), D min_dim (1, 0). The runs are the half fraction 2^(4-1) with defining relation
I = ABCD (``half_fraction``): the 8 corners whose codes multiply to +1, the all-default corner among
them. The design is of resolution IV: each main effect is aliased with a three-factor interaction
(A = BCD, ...), none with a two-factor one; two-factor interactions are aliased in pairs (AB = CD),
so they are not estimated here.

A factor's main effect in one model × budget cell and one seed is the mean metric over the four
corners at its +1 level minus the mean over the four at -1 (``seed_effects``); the corners of a seed
share its split and pretrained model, so the seed-to-seed offset cancels. Over seeds
(``effect_summary``): the mean with its paired Student-t 95% interval, the t test with Holm's
correction across the factors × cells family, and the smallest effect the seeds detect with 80%
power at the 5% level, from the observed spread of the per-seed effects
(``statistics.minimum_detectable_difference``). Pooled over the cells (``pooled_seed_effects``): per
seed the mean over the cells, then the same over seeds, Holm across the factors. Verdicts are drawn
on validation AUC; test AUC is read once, for reporting, and chooses nothing.

``ablation_rerun_chapter`` builds the section's own ``Chapter`` (chapter 5 and its appendix show
it); when the book profile names no such companion, every value says so instead of failing.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..config import apply_variant
from ..data.registry import display_name
from ..figures.ablation import EFFECT_WORDS, plot_main_effects
from ..statistics import minimum_detectable_difference, pooled_sd
from ..study import sweep, with_variant
from ..study.compare import change_verdicts
from ..study.profile import StudyConfig, companion
from .ablation_factorial import (
    CELL,
    CHOICE_METRIC,
    POOLED,
    cell_label,
    effects_table,
    factor_name,
    factorial_rows,
)
from .chapter import Chapter
from .common import chapter_study, count_word, listing
from .tables import BORDERLINE_NOTE, MARKS, count_text, plain_table, plus_minus

ROLE = "ablation10"  # the companion role of the rerun's profile
SCREEN_ROLE = "ablation"  # the screen it reruns: its seeds set the power comparison
# Each factor's (level coded -1, level coded +1); -1 is the default setting's level.
FACTORS: dict[str, tuple] = {"init": ("scratch", "inherit"), "estimator": ("mean_abs", "taylor"),
                             "score_split": ("train", "valid"), "min_dim": (1, 0)}
LETTERS = "ABCD"
TEST_METRIC = "test_auc"  # read once, for reporting
POWER, ALPHA = 0.80, 0.05
NOT_MEASURED = "not measured"
SUMMARY = ["n", "change", "ci95", "p_t", "p_holm", "verdict", "borderline", "sd", "mde", "effect"]
TEXT_KEYS = ("rerun_status", "rerun_profile", "rerun_corners", "rerun_cells", "rerun_seeds", "rerun_t", "rerun_tests",
             "rerun_mde", "rerun_mde_holm", "rerun_mde_pooled", "rerun_mde_screen", "rerun_screen_seeds",
             "rerun_typical", "rerun_moved", "rerun_pooled_moved", "rerun_dataset", "rerun_dim", "rerun_models",
             "rerun_budgets", "rerun_shared_seeds", *(f"rerun_effect_{f}" for f in FACTORS))


# ----------------------------------------------------------------------------------------------
# The design
# ----------------------------------------------------------------------------------------------
def codes(setting: Mapping[str, object], factors: Mapping[str, tuple] = FACTORS) -> dict[str, int]:
    """{factor: -1 or +1} of a setting ({factor: level}): -1 at the factor's first level, +1 at its second."""
    out = {}
    for f, (low, high) in factors.items():
        if setting[f] not in (low, high):
            raise ValueError(f"{f}: expected {low!r} or {high!r}; got {setting[f]!r}")
        out[f] = -1 if setting[f] == low else 1
    return out


def half_fraction(factors: Mapping[str, tuple] = FACTORS) -> list[dict]:
    """The corners of the half fraction with defining relation I = ABCD...: every combination of the
    levels whose codes multiply to +1, the all-default corner first."""
    corners = [dict(zip(factors, levels, strict=True)) for levels in itertools.product(*factors.values())]
    return [c for c in corners if math.prod(codes(c, factors).values()) == 1]


def study_corners(study: StudyConfig, factors: Mapping[str, tuple] = FACTORS) -> list[dict]:
    """The factors' levels in each search setting a profile runs: its own ``search``, then its variants."""
    searches = [study.search, *(apply_variant(study.search, v) for v in study.variants)]
    return [{f: getattr(s, f) for f in factors} for s in searches]


def runs_design(study: StudyConfig, factors: Mapping[str, tuple] = FACTORS) -> bool:
    """Whether a profile runs SSEDS at exactly the half fraction's corners, its variants changing
    nothing but the factors."""
    if "sseds" not in study.methods or any(set(v) - set(factors) for v in study.variants):
        return False
    runs = {tuple(c.items()) for c in study_corners(study, factors)}
    return runs == {tuple(c.items()) for c in half_fraction(factors)}


def corner_rows(rows: pd.DataFrame, reference, factors: Mapping[str, tuple] = FACTORS) -> pd.DataFrame:
    """The runs at the half fraction's corners: every other search setting the reference's, each
    factor at one of its levels and their codes multiplying to +1 (so a full factorial's table gives
    its half fraction). Adds a column per factor (its level)."""
    design = factorial_rows(rows, {f: list(levels) for f, levels in factors.items()}, reference)
    if design.empty:
        return design
    word = np.prod([np.where(design[f] == low, -1, 1) for f, (low, _) in factors.items()], axis=0)
    return design[word == 1].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# Main effects
# ----------------------------------------------------------------------------------------------
def seed_effects(design: pd.DataFrame, metric: str = CHOICE_METRIC, factors: Mapping[str, tuple] = FACTORS,
                 by: Sequence[str] = CELL) -> pd.DataFrame:
    """Each factor's main effect per ``by`` cell and seed: the mean ``metric`` over the corners at its +1
    level (column ``metric``) and at its -1 level (``reference``), and their difference (``change``).
    Only cell × seed pairs with every corner finished count: with one missing, the two levels' means
    would no longer balance the other factors."""
    cols = [*by, "seed", "factor", "contrast", metric, "reference", "change"]
    names = list(factors)
    corners = design.dropna(subset=[metric]).groupby([*by, "seed", *names], sort=True)[metric].mean().reset_index()
    complete = corners[corners.groupby([*by, "seed"])[metric].transform("size") == len(half_fraction(factors))]
    if complete.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for f, (low, high) in factors.items():
        means = complete.groupby([*by, "seed", f], sort=True)[metric].mean().unstack(f)
        out.append(pd.DataFrame({metric: means[high], "reference": means[low]}).reset_index()
                   .assign(factor=f, contrast=f"{high} − {low}"))
    frame = pd.concat(out, ignore_index=True)
    frame["change"] = frame[metric] - frame["reference"]
    return frame[cols]


def pooled_seed_effects(per_seed: pd.DataFrame, metric: str = CHOICE_METRIC, by: Sequence[str] = CELL) -> pd.DataFrame:
    """Each factor's main effect pooled over the cells, per seed: the mean over the cells of the two
    levels' means; only seeds with an effect in every cell, so that every seed pools the same cells."""
    cols = ["factor", "contrast", "seed", metric, "reference", "change"]
    if per_seed.empty:
        return pd.DataFrame(columns=cols)
    cells = len(per_seed[list(by)].drop_duplicates())
    groups = per_seed.groupby(["factor", "contrast", "seed"], sort=False)
    means = groups[[metric, "reference"]].mean()[groups.size() == cells].reset_index()
    means["change"] = means[metric] - means["reference"]
    return means[cols]


def effect_summary(per_seed: pd.DataFrame, keys: Sequence[str], metric: str = CHOICE_METRIC) -> pd.DataFrame:
    """Per ``keys`` group of per-seed effects: n seeds, the mean effect with its paired 95% half-width,
    the t test's p-value, Holm's adjustment across every group and the verdict (``change_verdicts``);
    the standard deviation of the per-seed effects (sd), the smallest true effect the test detects
    with 80% power at the 5% level from it (mde, before Holm's correction), and the verdict in words
    (effect: raises AUC, lowers AUC, indistinguishable)."""
    if per_seed.empty:
        return pd.DataFrame(columns=[*keys, *SUMMARY])
    table = change_verdicts(per_seed, list(keys), metric=metric)
    sd = per_seed.groupby(list(keys), sort=False)["change"].std(ddof=1).rename("sd").reset_index()
    table = table.merge(sd, on=list(keys), how="left")
    table["mde"] = [minimum_detectable_difference(s, int(n), ALPHA, POWER) for s, n in zip(table["sd"], table["n"],
                                                                                            strict=True)]
    table["effect"] = table["verdict"].map(EFFECT_WORDS)
    return table[[*keys, *SUMMARY]]


def power_text(cells: pd.DataFrame, pooled: pd.DataFrame, screen_seeds: int) -> dict[str, str]:
    """The rerun's resolution on validation AUC: its seeds and t quantile, the smallest effect a cell
    detects with 80% power at the 5% level from the spread of the per-seed effects pooled over the
    factors × cells (at these seeds, at the screen's with the same spread, and at the first step of
    Holm's correction across the family), the same pooled over the cells, and the typical measured
    effect in a cell."""
    if cells.empty:
        return {k: NOT_MEASURED for k in ("rerun_seeds", "rerun_t", "rerun_tests", "rerun_mde", "rerun_mde_holm",
                                          "rerun_mde_screen", "rerun_mde_pooled", "rerun_typical")} | {
            "rerun_screen_seeds": f"{screen_seeds}"}
    n = int(cells["n"].max())
    sd = pooled_sd(list(cells["sd"]), [int(k) for k in cells["n"]])
    pooled_spread = pooled_sd(list(pooled["sd"]), [int(k) for k in pooled["n"]]) if len(pooled) else math.nan
    n_pooled = int(pooled["n"].max()) if len(pooled) else 0

    def mde(spread: float, seeds: int, alpha: float = ALPHA) -> str:
        value = minimum_detectable_difference(spread, seeds, alpha, POWER)
        return "not measurable" if value != value else f"{value:.4f}"

    return {"rerun_seeds": f"{n}", "rerun_t": f"{stats.t.ppf(0.975, n - 1):.2f}" if n > 1 else "undefined",
            "rerun_tests": f"{len(cells)}", "rerun_mde": mde(sd, n), "rerun_mde_holm": mde(sd, n, ALPHA / len(cells)),
            "rerun_mde_screen": mde(sd, screen_seeds), "rerun_screen_seeds": f"{screen_seeds}",
            "rerun_mde_pooled": mde(pooled_spread, n_pooled), "rerun_typical": f"{cells['change'].abs().median():.4f}"}


# ----------------------------------------------------------------------------------------------
# Tables, sentences and the figure's data
# ----------------------------------------------------------------------------------------------
def _row(table: pd.DataFrame, factor: str) -> dict | None:
    found = table[table["factor"] == factor] if len(table) else table
    return found.iloc[0].to_dict() if len(found) else None


def _marked(r: Mapping) -> str:
    return plus_minus(r["change"], r["ci95"]) + (f" {MARKS[r['verdict']]}" if r["verdict"] in MARKS else "")


def main_effects_frame(valid_pooled: pd.DataFrame, test_pooled: pd.DataFrame, valid_cells: pd.DataFrame,
                       factors: Mapping[str, tuple] = FACTORS) -> pd.DataFrame:
    """The section's table as text, a row per factor: its contrast, the pooled effect on validation AUC
    with its interval and verdict mark, the verdict in words, the cells whose mean effect is positive,
    the pooled effect on test AUC (read once) and the smallest pooled effect detectable from its spread."""
    rows = []
    for f in factors:
        v, t = _row(valid_pooled, f), _row(test_pooled, f)
        if v is None:
            continue
        cells = valid_cells[valid_cells["factor"] == f]
        rows.append({"factor": factor_name(f), "contrast": v["contrast"], "valid_effect": _marked(v),
                     "effect_verdict": v["effect"], "cells_raised": f"{int((cells['change'] > 0).sum())} of {len(cells)}",
                     "test_effect": plus_minus(t["change"], t["ci95"]) if t is not None else NOT_MEASURED,
                     "detectable": "–" if v["mde"] != v["mde"] else f"{v['mde']:.4f}"})
    return pd.DataFrame(rows, columns=["factor", "contrast", "valid_effect", "effect_verdict", "cells_raised",
                                       "test_effect", "detectable"])


TABLE_NOTE = ("Main effect of each factor pooled over the model × budget cells: per seed, the mean AUC over the "
              "four corners at the factor's other level minus the mean over the four at the default setting's "
              "level, averaged over the cells; then the mean over seeds ± its 95% half-width. ▲ raises, ▼ lowers, · "
              "indistinguishable (paired t test, Holm-corrected across the four factors, 5% level); the verdict is "
              "drawn on validation AUC, and test AUC is read once, for reporting. Cells raised: cells whose mean "
              "effect on validation AUC is positive. Detectable: the smallest true pooled effect the paired t test "
              "detects with 80% power at the 5% level, from the spread of the per-seed effects (before Holm's "
              "correction, which raises it).")
CELLS_NOTE = ("Main effect of each factor per model × budget cell (the mean over the four corners at the factor's other "
              "level minus the mean over the four at the default setting's level, per seed), mean over seeds ± its 95% "
              "half-width; ▲ raises, ▼ lowers, · indistinguishable from zero (paired t test, Holm-corrected across the "
              "factors × cells of the table, 5% level). Pooled: each seed's mean over the cells, Holm-corrected across "
              "that column on its own.")


def _cells_note(cells: pd.DataFrame, pooled: pd.DataFrame) -> str:
    """The per-cell tables' caption, with what † means when a cell carries it."""
    marked = any(t["borderline"].astype(bool).any() for t in (cells, pooled) if len(t))
    return CELLS_NOTE + (f" {BORDERLINE_NOTE}." if marked else "")


def _p_text(p: float) -> str:
    """'= 0.012', '< 0.001' or '= –' (no test)."""
    return "= –" if p != p else "< 0.001" if p < 0.0005 else f"= {p:.3f}"


def verdict_sentence(factor: str, valid: Mapping, test: Mapping | None, cells: pd.DataFrame,
                     factors: Mapping[str, tuple] = FACTORS) -> str:
    """One factor's generated verdict, as Markdown: its levels, the verdict in words with the pooled
    validation effect, its interval and Holm-adjusted p-value, how many cells it raises and how many
    are told from zero, and the pooled test effect read once."""
    low, high = factors[factor]
    told = int(cells["verdict"].isin(["better", "worse"]).sum())
    p = valid["p_holm"]
    text = (f"**{factor_name(factor)}**, `{high}` against `{low}`: {valid['effect']}, "
            f"{plus_minus(valid['change'], valid['ci95'])} validation AUC pooled over {len(cells)} "
            f"{'cell' if len(cells) == 1 else 'cells'} (Holm-adjusted p {_p_text(p)}); "
            f"positive in {int((cells['change'] > 0).sum())} of {count_text(len(cells), 'cell')}, told from zero in {told}")
    if test is not None:
        text += f"; test AUC, read once: {plus_minus(test['change'], test['ci95'])}"
    return text + "."


def figure_frame(valid_cells: pd.DataFrame, valid_pooled: pd.DataFrame) -> pd.DataFrame:
    """The figure's lines: each factor's effect per cell (in the book's cell order) and pooled, last."""
    if valid_cells.empty:
        return pd.DataFrame(columns=["factor", "contrast", "line", "change", "ci95", "verdict"])
    cells = valid_cells.sort_values(["dataset", "model", "budget"], ascending=[True, True, False], kind="stable")
    cells = cells.assign(line=cell_label(cells, cells["dataset"].nunique()))
    frame = pd.concat([cells, valid_pooled.assign(line=POOLED)], ignore_index=True)
    order = {f: i for i, f in enumerate(FACTORS)}
    frame = frame.sort_values("factor", key=lambda c: c.map(order), kind="stable")
    frame["factor"] = frame["factor"].map(factor_name)
    return frame[["factor", "contrast", "line", "change", "ci95", "verdict"]].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# The section
# ----------------------------------------------------------------------------------------------
def _defaults(reason: str, profile: str) -> Chapter:
    """The section with nothing measured: every glued value says so, the tables are empty with the
    reason as their caption and the figure states it."""
    empty = pd.DataFrame(columns=["factor", "contrast", "valid_effect", "effect_verdict", "cells_raised",
                                  "test_effect", "detectable"])
    chapter = Chapter(header=f"ten-seed ablation: {reason}")
    chapter.text.update(dict.fromkeys(TEXT_KEYS, NOT_MEASURED))
    chapter.text["rerun_status"] = f"Not measured here: {reason}"  # the prose ends the sentence
    chapter.markdown.update({f"rerun_verdict_{f}": NOT_MEASURED for f in FACTORS})
    for name in ("rerun", "rerun_cells", "rerun_cells_test"):
        chapter.tables[name] = plain_table(empty.copy(), note=f"Not measured: {reason}.")
    chapter.figures["fig_rerun"] = plot_main_effects(figure_frame(empty, empty), rows={}, profile=profile,
                                                     reason=f"Not measured: {reason}.")
    return chapter


def shared_seeds(design: pd.DataFrame, screen: str | None) -> str:
    """The seeds whose runs at the corners were copied from the screen's profile (``reused_from``): on
    those, the rerun repeats the runs that flagged its factors."""
    if not screen or "reused_from" not in design:
        return "none"
    seeds = sorted({int(s) for s in design.loc[design["reused_from"] == screen, "seed"]})
    return f"{'seed' if len(seeds) == 1 else 'seeds'} {listing([str(s) for s in seeds])}" if seeds else "none"


def rerun_chapter(study: StudyConfig, results: pd.DataFrame, screen_seeds: int = 2, screen: str | None = None) -> Chapter:
    """The section from the rerun profile's results table: its design and power, the pooled main effects
    (the page's table), per cell (the appendix's tables, validation and test) and in the figure, and a
    generated verdict per factor. screen: the screen's profile, whose copied runs the section names."""
    ok = with_variant(results[(results["status"] == "ok") & (results["method"] == "sseds")], study.search)
    design = corner_rows(ok, study.search)
    valid = seed_effects(design, CHOICE_METRIC)
    if valid.empty:
        return _defaults(f"profile {study.name} has no seed with all {len(half_fraction())} corners of the design "
                         "finished in any model × budget cell", study.name)
    test = seed_effects(design, TEST_METRIC)
    keys = ["factor", "contrast", *CELL]
    valid_cells, test_cells = effect_summary(valid, keys, CHOICE_METRIC), effect_summary(test, keys, TEST_METRIC)
    valid_pooled = effect_summary(pooled_seed_effects(valid, CHOICE_METRIC), ["factor", "contrast"], CHOICE_METRIC)
    test_pooled = effect_summary(pooled_seed_effects(test, TEST_METRIC), ["factor", "contrast"], TEST_METRIC)
    corners, cells = len(half_fraction()), valid_cells.groupby(CELL).ngroups
    seeds = valid.groupby(CELL)["seed"].nunique()
    letters = " × ".join(f"{factor_name(f)} ({a})" for a, f in zip(LETTERS, FACTORS, strict=True))
    chapter = Chapter(header=f"profile {study.name}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
                             f"half fraction 2^(4-1) of {letters}, I = ABCD, {corners} corners; datasets "
                             f"{[d.name for d in study.datasets]}, models {list(study.models)}, budgets "
                             f"{list(study.budgets)}, seeds {list(study.seeds)}")
    text = chapter.text
    text.update(dict.fromkeys(TEXT_KEYS, NOT_MEASURED))
    complete = f"{seeds.min()}" if seeds.min() == seeds.max() else f"{seeds.min()} to {seeds.max()}"
    where = "its one model × budget cell" if cells == 1 else f"each of its {cells} model × budget cells"
    text["rerun_status"] = (f"Profile {study.name} has all {corners} corners finished for {complete} seeds in {where} "
                            f"({len(design)} runs at the corners)")
    text.update({"rerun_profile": study.name, "rerun_corners": f"{corners}", "rerun_cells": f"{cells}",
                 "rerun_moved": f"{int(valid_cells['verdict'].isin(['better', 'worse']).sum())} of {len(valid_cells)}",
                 "rerun_pooled_moved": f"{int(valid_pooled['verdict'].isin(['better', 'worse']).sum())} of "
                                       f"{len(valid_pooled)}",
                 "rerun_dataset": listing([display_name(d.name) for d in study.datasets]),
                 "rerun_dim": f"{study.model.emb_dim}", "rerun_models": listing(list(study.models)),
                 "rerun_budgets": listing([f"{b:g}" for b in study.budgets])})
    text.update(power_text(valid_cells, valid_pooled, screen_seeds))
    text["rerun_shared_seeds"] = shared_seeds(design, screen)
    for f in FACTORS:
        v, t = _row(valid_pooled, f), _row(test_pooled, f)
        cells_f = valid_cells[valid_cells["factor"] == f]
        if v is not None:
            text[f"rerun_effect_{f}"] = f"{plus_minus(v['change'], v['ci95'])} ({v['effect']})"
        chapter.markdown[f"rerun_verdict_{f}"] = (verdict_sentence(f, v, t, cells_f) if v is not None
                                                  else NOT_MEASURED)
    chapter.tables["rerun"] = plain_table(main_effects_frame(valid_pooled, test_pooled, valid_cells),
                                          keys=["factor"], note=TABLE_NOTE)
    chapter.tables["rerun_cells"] = effects_table(valid_cells, "Validation AUC. " + _cells_note(valid_cells, valid_pooled),
                                                  valid_pooled)
    chapter.tables["rerun_cells_test"] = effects_table(
        test_cells, "Test AUC, read once for reporting (no choice is made on it). " + _cells_note(test_cells, test_pooled),
        test_pooled)
    rows = results.groupby("dataset")["rows"].first().to_dict() if "rows" in results else {}
    chapter.figures["fig_rerun"] = plot_main_effects(figure_frame(valid_cells, valid_pooled), rows=rows,
                                                     profile=study.name, metric=CHOICE_METRIC)
    return chapter


def ablation_rerun_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The ten-seed rerun of the book profile ``profile``: its ``ablation10`` companion's sweep, resumed
    (finished runs are read, not recomputed), as ``rerun_chapter``; when the profile names no
    companion that runs the half fraction, a section that says so."""
    book = chapter_study(profile)
    study = companion(book, ROLE)
    if not runs_design(study):
        named = study is not book or ROLE in book.companions
        return _defaults(f"profile {study.name} does not run the half fraction of {count_word(len(FACTORS))} "
                         "factors" if named else f"profile {book.name} names no ten-seed ablation (companion role "
                         f"{ROLE})", book.name)
    report = sweep(study, progress=False)
    screen = companion(book, SCREEN_ROLE)
    return rerun_chapter(report.study or study, report.table, screen_seeds=len(screen.seeds), screen=screen.name)

