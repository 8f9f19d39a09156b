"""Chapter 05: the SSEDS options crossed in a factorial, compared at equal embedding parameters; with
two seeds, a screen (``ablation_screen``: its resolution, pooled sign tests, the exact estimator's cost).

The ablation profile (``companion(profile, "ablation")``) runs every combination of the levels in its
``factorial:`` mapping (plus a few one-factor variants). The chapter

1. chooses the variant to report on validation AUC alone: per dataset and base model, the variant with
   the highest mean validation AUC over budgets and seeds (ties go to the default setting, then to the
   variant that changes fewest settings), and only then reads the test split, once, for that variant
   against the default setting: the paired per-seed difference with its interval and a
   Holm-corrected verdict (``study.compare``; the choice and the read are ``ablation_variant_choice``);
2. estimates each factor's main effect and every two-factor interaction on validation AUC, per model
   and budget, as paired changes over seeds (a seed shares the pretrained model and the split;
   ``ablation_factorial``);
3. checks that every variant kept the same fraction of the embedding parameters, and how many fields
   each left at width 0, and what the exact estimator's search costs.

The long tables (the validation ranking, the per-cell effects, the interactions, the kept fractions)
are shown on the appendix page ``11_ablation_tables``; the chapter page shows the figure and the
pooled table. Chapter 3 sets each estimator against the exact drop-column ranking. The chapter's
ten-seed rerun of four factors (a half fraction, profile ``ablation10``) is ``ablation_main_effects``.

Everything the chapter says about one variant against another is generated here, with its interval.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import ConfigError
from ..figures.comparison import plot_factor_effects
from ..study import sweep, with_variant
from ..study.profile import StudyConfig, companion
from .ablation_factorial import (
    CELL,
    CHOICE_METRIC,
    POOLED,
    cell_label,
    effect_counts,
    effects_table,
    factorial_rows,
    interactions,
    main_effects,
    pooled_effects,
)
from .ablation_screen import (
    EXACT,
    INHERIT,
    consistent_text,
    contrast_text,
    exact_cost,
    screen_frame,
    screen_power,
    sign_tests,
)
from .ablation_variant_choice import (
    DEFAULT,
    choice_text,
    chosen_variants,
    ranking_table,
    read_table,
    read_test,
    seeds_note,
    validation_ranking,
)
from .chapter import Chapter
from .common import chapter_study
from .tables import MISSING, BookTable, plain_table
from .variants import variant_name

KEPT_TOLERANCE = 0.01  # equal parameters: a variant's kept fraction within 1% of the budget of the default's


def ablation_study(profile: str | os.PathLike | StudyConfig) -> StudyConfig:
    """The ablation profile the book profile ``profile`` names as its companion (``ablation`` for
    ``default``, ``smoke_ablation`` for ``smoke``; the profile itself when it names none)."""
    return companion(chapter_study(profile), "ablation")


# 1. The choice on validation, and the one read of test: ``ablation_variant_choice``
# 2. Main effects and interactions on validation: ``ablation_factorial``; as a screen: ``ablation_screen``
# ----------------------------------------------------------------------------------------------
# 3. Equal parameters
# ----------------------------------------------------------------------------------------------
def empty_fields(rows: pd.DataFrame) -> pd.Series:
    """Fields left at width 0 per run: the ``empty_fields`` column, or the zeros of ``emb_dims``."""
    if "empty_fields" in rows:
        return rows["empty_fields"].astype(float)
    return rows["emb_dims"].map(lambda d: float(np.sum(np.asarray(json.loads(d)) == 0)))


def kept_table(rows: pd.DataFrame, default: str = DEFAULT) -> BookTable:
    """A row per variant, a column per (model, budget): the mean fraction of the full model's
    embedding parameters kept; and the fields the variant leaves at width 0 (mean over its runs)."""
    rows = rows.assign(empty=empty_fields(rows))
    agg = rows.groupby([*CELL, "variant"], sort=True)["achieved_budget"].mean().reset_index()
    agg["cell"] = cell_label(agg, agg["dataset"].nunique())
    order = list(dict.fromkeys(agg.sort_values(["dataset", "model", "budget"], ascending=[True, True, False])["cell"]))
    variants = [default, *sorted(v for v in set(agg["variant"]) if v != default)]
    wide = agg.pivot(index="variant", columns="cell", values="achieved_budget").reindex(index=variants, columns=order)
    wide["fields at width 0"] = rows.groupby("variant")["empty"].mean().reindex(variants)
    wide.index = [variant_name(v) + (" (default)" if v == default else "") for v in wide.index]
    formats = {c: (lambda v: MISSING if v != v else f"{v:.4f}") for c in order}
    formats["fields at width 0"] = lambda v: MISSING if v != v else f"{v:.1f}"
    return plain_table(wide.rename_axis("variant"), keys=["variant"], formats=formats,
                       note="The fraction of the full model's embedding parameters each variant kept, per model and "
                            "budget (mean over seeds), and the number of fields it left at width 0 (mean over its runs).")


def kept_text(rows: pd.DataFrame, tolerance: float = KEPT_TOLERANCE, default: str = DEFAULT) -> dict[str, str]:
    """Whether every variant kept the same fraction of the embedding parameters as the default setting
    in the same cell (within ``tolerance`` of the budget), as short glued values: how many variants do,
    the range of each budget's kept fraction over them, the variants that do not, and the fields that
    min_dim 0 deletes."""
    rows = rows.assign(empty=empty_fields(rows))
    cells = rows.groupby([*CELL, "variant"], sort=True)["achieved_budget"].mean().rename("kept").reset_index()
    # the default setting's fraction in the same cell is the target (the budget itself where it has no run):
    # a small model's widths cannot hit a budget exactly, but every variant should miss it as the default does
    target = cells[cells["variant"] == default].set_index(CELL)["kept"]
    cells["target"] = target.reindex(pd.MultiIndex.from_frame(cells[CELL])).to_numpy()
    cells["target"] = cells["target"].fillna(cells["budget"])
    cells["off"] = (cells["kept"] - cells["target"]).abs() > tolerance * cells["budget"]
    missed = sorted(set(cells.loc[cells["off"], "variant"]))
    on = cells[~cells["variant"].isin(missed)]
    ranges = "; ".join((f"{lo:.4f} to {hi:.4f}" if f"{lo:.4f}" != f"{hi:.4f}" else f"{lo:.4f}") + f" at b = {b:g}"
                       for b, g in on.groupby("budget", sort=True) for lo, hi in [(g["kept"].min(), g["kept"].max())])
    total = cells["variant"].nunique()
    zero = rows[rows["search_min_dim"] == 0] if "search_min_dim" in rows else rows.iloc[0:0]
    rest = rows.drop(zero.index)
    return {"kept_ok": f"{total - len(missed)} of {total}", "kept_tolerance": f"{tolerance:.0%}",
            "kept_ranges": ranges or "none",
            "kept_missed": "; ".join(variant_name(v) for v in missed) if missed else "none",
            "empty_max": f"{zero['empty'].max():g}" if len(zero) else "not in this profile",
            "empty_mean": f"{zero['empty'].mean():.1f}" if len(zero) else "not in this profile",
            "empty_min_dim1": "none" if rest.empty or rest["empty"].max() == 0 else f"up to {rest['empty'].max():g}"}


# ----------------------------------------------------------------------------------------------
# The chapter
# ----------------------------------------------------------------------------------------------
def ablation_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The factorial ablation of the book profile ``profile`` (its ``ablation`` companion): resumes
    the ablation profile's sweep (finished runs are read, not recomputed) and hands it to
    ``factorial_chapter``."""
    book = chapter_study(profile)
    study = companion(book, "ablation")
    if not study.factorial:
        raise ConfigError(f"profile {study.name!r} (the ablation companion of {book.name!r}) has no factorial: "
                          "chapter 5 reads the main effects of its factors")
    report = sweep(study, progress=False)
    return factorial_chapter(report.study or study, report.table)


def factorial_chapter(study: StudyConfig, results: pd.DataFrame) -> Chapter:
    """The chapter from a factorial profile's results table, as a screen: its resolution, the main
    effects per cell (figure) and pooled over cells with sign tests (the page's table), the validation
    choice and its one test read, the exact estimator's cost; the long tables (ranking, per-cell
    effects, interactions, kept fractions) for the appendix page."""
    ok = with_variant(results[(results["status"] == "ok") & (results["method"] == "sseds")], study.search)
    rows = results.groupby("dataset")["rows"].first().to_dict()
    chapter = Chapter(
        header=f"profile {study.name}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
               f"{ok['variant'].nunique()} SSEDS variants ({_combinations(study.factorial)} in the factorial "
               f"{' x '.join(study.factorial)}); datasets {[d.name for d in study.datasets]}, models "
               f"{list(study.models)}, budgets {list(study.budgets)}, seeds {list(study.seeds)}",
        text={"seeds_note": seeds_note(len(study.seeds))})
    # 1. the choice on validation, one read of test
    ranking = validation_ranking(ok)
    read = read_test(ok, chosen_variants(ranking))
    chapter.tables["ranking"] = ranking_table(ranking)
    chapter.tables["test"] = read_table(read)
    chapter.text.update(choice_text(ranking))
    # 2. main effects and interactions, on validation
    design = factorial_rows(ok, study.factorial, study.search)
    per_seed, effects = main_effects(design, study.factorial, study.search)
    _, inter = interactions(design, study.factorial, study.search)
    pooled = pooled_effects(per_seed)
    signs = sign_tests(per_seed)
    chapter.tables["screen"] = plain_table(screen_frame(pooled, signs), keys=["factor"], note=(
        "Main effects on validation AUC pooled over the model × budget cells: per seed the mean over the cells "
        "of the paired change, then the mean over seeds ± its 95% half-width. Cells raised: cells whose mean "
        "change over seeds is positive; pairs raised: the same over cell × seed pairs (the pairs of one seed "
        "share its split, so they are not independent). Sign tests two-sided, uncorrected: exploratory."))
    note = ("Mean over seeds of the paired change in validation AUC, averaged over the other factors' levels, "
            "± its 95% half-width; ▲ raises, ▼ lowers, · indistinguishable from zero (paired t test, "
            "Holm-corrected across the table, 5% level).")
    chapter.tables["effects"] = effects_table(
        effects, note + f" {POOLED.capitalize()}: each seed's mean over the model × budget cells, Holm-corrected across "
                             "that column on its own.", pooled)
    chapter.tables["interactions"] = effects_table(
        inter, "Effect of the first contrast with the second factor at its other level minus the same effect "
               "with it at its base level; " + note[0].lower() + note[1:])
    chapter.text.update(screen_power(effects))
    chapter.text.update(effect_counts(effects, "effects"))
    chapter.text.update(effect_counts(inter, "interactions"))
    chapter.text.update(consistent_text(signs))
    chapter.text.update(contrast_text(signs, pooled, INHERIT, "inherit"))
    chapter.text.update(contrast_text(signs, pooled, EXACT, "exact"))
    chapter.figures["fig_effects"] = plot_factor_effects(per_seed, rows=rows, profile=study.name,
                                                         metric=CHOICE_METRIC)
    # 3. equal parameters, and what the exact estimator costs
    chapter.tables["kept"] = kept_table(ok)
    chapter.text.update(kept_text(ok))
    chapter.text.update(exact_cost(ok, study.model.emb_dim))
    return chapter


def _combinations(factorial: Mapping[str, Sequence]) -> int:
    return int(np.prod([len(v) for v in factorial.values()])) if factorial else 0
