"""Chapter 05: the SSEDS options crossed in a factorial, compared at equal embedding parameters.

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
   each left at width 0;
4. sets each estimator's ranking against the exact drop-column ranking (``common.exact_agreement``, as
   chapter 3 does).

Everything the chapter says about one variant against another is generated here, with its interval.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import ESTIMATORS, ConfigError
from ..figures.comparison import plot_factor_effects
from ..figures.results import plot_exact_agreement
from ..study import sweep, with_variant
from ..study.profile import StudyConfig, companion
from .ablation_factorial import (
    CELL,
    CHOICE_METRIC,
    POOLED,
    cell_label,
    effects_table,
    effects_text,
    factorial_rows,
    interactions,
    main_effects,
    pooled_effects,
    pooled_text,
)
from .ablation_variant_choice import (
    DEFAULT,
    GROUP,
    choice_text,
    chosen_variants,
    ranking_table,
    read_table,
    read_test,
    seeds_note,
    short_name,
    validation_ranking,
)
from .chapter import Chapter
from .common import chapter_study, exact_agreement
from .tables import MISSING, BookTable, count_text, plain_table

KEPT_TOLERANCE = 0.01  # equal parameters: a variant's kept fraction within 1% of the budget of the default's


def ablation_study(profile: str | os.PathLike | StudyConfig) -> StudyConfig:
    """The ablation profile the book profile ``profile`` names as its companion (``ablation`` for
    ``default``, ``smoke_ablation`` for ``smoke``; the profile itself when it names none)."""
    return companion(chapter_study(profile), "ablation")


# 1. The choice on validation, and the one read of test: ``ablation_variant_choice``
# ----------------------------------------------------------------------------------------------
# 2. Main effects and interactions on validation: ``ablation_factorial``
# ----------------------------------------------------------------------------------------------
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
    embedding parameters kept and the mean number of fields left at width 0."""
    rows = rows.assign(empty=empty_fields(rows))
    agg = rows.groupby([*CELL, "variant"], sort=True).agg(kept=("achieved_budget", "mean"),
                                                         empty=("empty", "mean")).reset_index()
    agg["cell"] = cell_label(agg, agg["dataset"].nunique())
    agg["text"] = [f"{k:.4f} | {e:.0f}" if e == int(e) else f"{k:.4f} | {e:.1f}"
                   for k, e in zip(agg["kept"], agg["empty"], strict=True)]
    order = list(dict.fromkeys(agg.sort_values(["dataset", "model", "budget"], ascending=[True, True, False])["cell"]))
    variants = [default, *sorted(v for v in set(agg["variant"]) if v != default)]
    wide = (agg.pivot(index="variant", columns="cell", values="text").reindex(index=variants, columns=order)
            .fillna(MISSING))
    wide.index = [short_name(v) for v in wide.index]
    return plain_table(wide.rename_axis("variant"), keys=["variant"],
                       note="Each cell: the fraction of the full model's embedding parameters kept | the number of "
                            "fields left at width 0 (both means over seeds).")


def kept_text(rows: pd.DataFrame, tolerance: float = KEPT_TOLERANCE, default: str = DEFAULT) -> dict[str, str]:
    """Whether every variant kept the same fraction of the embedding parameters as the default setting
    in the same cell (within ``tolerance`` of the budget): the range of each budget's kept fraction over
    the variants that do, the cells of those that do not, and the fields that min_dim 0 deletes;
    generated from the runs."""
    rows = rows.assign(empty=empty_fields(rows))
    cells = rows.groupby([*CELL, "variant"], sort=True).agg(kept=("achieved_budget", "mean"),
                                                            empty=("empty", "mean")).reset_index()
    # the default setting's fraction in the same cell is the target (the budget itself where it has no run):
    # a small model's widths cannot hit a budget exactly, but every variant should miss it as the default does
    target = cells[cells["variant"] == default].set_index(CELL)["kept"]
    cells["target"] = target.reindex(pd.MultiIndex.from_frame(cells[CELL])).to_numpy()
    cells["target"] = cells["target"].fillna(cells["budget"])
    cells["off"] = (cells["kept"] - cells["target"]).abs() > tolerance * cells["budget"]
    on = cells[~cells["off"]]
    ranges = "; ".join((f"{lo:.4f}–{hi:.4f}" if f"{lo:.4f}" != f"{hi:.4f}" else f"{lo:.4f}") + f" at budget {b:g}"
                       for b, g in on.groupby("budget", sort=True) for lo, hi in [(g["kept"].min(), g["kept"].max())])
    off = cells[cells["off"]]
    if off.empty:
        text = (f"Every variant keeps the default setting's fraction to within {tolerance:.0%} of the budget "
                f"(kept fraction: {ranges}).")
    else:
        where = "; ".join(f"{short_name(v)}: " + ", ".join(f"{r['kept']:.4f} at budget {r['budget']:g} ({r['model']})"
                                                         for r in g.to_dict("records"))
                          for v, g in off.groupby("variant", sort=True))
        good, bad = cells["variant"].nunique() - off["variant"].nunique(), off["variant"].nunique()
        text = (f"{count_text(good, 'variant')} {'keeps' if good == 1 else 'keep'} the default setting's fraction to "
                f"within {tolerance:.0%} of the budget in every cell (kept fraction: {ranges}); {count_text(bad, 'variant')} "
                f"{'does' if bad == 1 else 'do'} not, and {'is' if bad == 1 else 'are'} not compared at equal "
                f"parameters where {'it misses' if bad == 1 else 'they miss'}: {where}.")
    zero = rows[rows["search_min_dim"] == 0] if "search_min_dim" in rows else rows.iloc[0:0]
    rest = rows.drop(zero.index)
    if len(zero):
        fields = (f"With min_dim 0 a run leaves up to {zero['empty'].max():g} fields at width 0 "
                  f"({zero['empty'].mean():.1f} on average over its runs)")
        fields += (", with min_dim 1 none." if rest["empty"].max() == 0 else
                   f", with min_dim 1 up to {rest['empty'].max():g}.")
    else:
        fields = ("No variant lets a field lose every dimension (min_dim 0 is not in this profile)"
                  + ("; no run has a field at width 0." if rest["empty"].max() == 0 else "."))
    return {"kept_range": text, "kept_empty": fields}


# ----------------------------------------------------------------------------------------------
# 4. Agreement with the exact ranking
# ----------------------------------------------------------------------------------------------
def profile_estimators(study: StudyConfig) -> list[str]:
    """The estimators the profile's runs use (its factorial, its variants and its default), in the
    order of ``ESTIMATORS``, with ``exact`` always among them."""
    used = {study.search.estimator, "exact", *study.factorial.get("estimator", [])}
    used |= {v["estimator"] for v in study.variants if "estimator" in v}
    return [e for e in ESTIMATORS if e in used]


def agreement_text(agreement: pd.DataFrame) -> str:
    """Per model, the gradient setting that agrees best with the exact drop-column ranking, and the
    exact estimate on K batches, with their Spearman correlations."""
    parts = []
    datasets = agreement["dataset"].nunique() if len(agreement) else 0
    for (dataset, model), g in agreement.groupby(GROUP, sort=False):
        gradient = g[g["estimator"] != "exact"].dropna(subset=["spearman"])
        exact = g[g["estimator"] == "exact"].dropna(subset=["spearman"])
        text = f"{model} on {dataset}" if datasets > 1 else model
        if len(gradient):
            best = gradient.loc[gradient["spearman"].idxmax()]
            worst = gradient.loc[gradient["spearman"].idxmin()]
            text += (f": best {best['estimator']} on {best['score_split']} batches (ρ = {best['spearman']:.2f}), "
                     f"worst {worst['estimator']} on {worst['score_split']} batches (ρ = {worst['spearman']:.2f})")
        if len(exact):
            text += (", the exact change on K batches " +
                     " and ".join(f"ρ = {r['spearman']:.2f} ({r['score_split']})" for r in exact.to_dict("records")))
        parts.append(text)
    return "; ".join(parts) + "." if parts else "No pretrained model to score."


# ----------------------------------------------------------------------------------------------
# The chapter
# ----------------------------------------------------------------------------------------------
def ablation_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The factorial ablation of the book profile ``profile`` (its ``ablation`` companion): resumes
    the ablation profile's sweep (finished runs are read, not recomputed), scores each estimator of the
    profile against the exact ranking on its first seed's pretrained models, and hands both to
    ``factorial_chapter``."""
    book = chapter_study(profile)
    study = companion(book, "ablation")
    if not study.factorial:
        raise ConfigError(f"profile {study.name!r} (the ablation companion of {book.name!r}) has no factorial: "
                          "chapter 5 reads the main effects of its factors")
    report = sweep(study, progress=False)
    study = report.study or study
    agreement, _ = exact_agreement(study, estimators=profile_estimators(study))
    return factorial_chapter(study, report.table, agreement)


def factorial_chapter(study: StudyConfig, results: pd.DataFrame, agreement: pd.DataFrame) -> Chapter:
    """The chapter from a factorial profile's results table and its estimators' agreement with the exact
    ranking (``exact_agreement``): the validation choice and its one test read, main effects and
    interactions on validation, the kept fraction of parameters and the fields at width 0."""
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
    chapter.text.update(choice_text(ranking, read))
    # 2. main effects and interactions, on validation
    design = factorial_rows(ok, study.factorial, study.search)
    per_seed, effects = main_effects(design, study.factorial, study.search)
    _, inter = interactions(design, study.factorial, study.search)
    pooled = pooled_effects(per_seed)
    note = ("Mean over seeds of the paired change in validation AUC, averaged over the other factors' levels, "
            "± its 95% half-width; ▲ raises, ▼ lowers, · indistinguishable from zero (paired t test, "
            "Holm-corrected across the table, 5% level).")
    chapter.tables["effects"] = effects_table(
        effects, note + f" {POOLED.capitalize()}: each seed's mean over the model × budget cells, Holm-corrected across "
                             "that column on its own.", pooled)
    chapter.tables["interactions"] = effects_table(
        inter, "Effect of the first contrast with the second factor at its other level minus the same effect "
               "with it at its base level; " + note[0].lower() + note[1:])
    chapter.text["effects_text"] = effects_text(effects)
    chapter.text["effects_pooled"] = pooled_text(pooled)
    chapter.text["interactions_text"] = effects_text(inter, "interaction")
    chapter.figures["fig_effects"] = plot_factor_effects(per_seed, rows=rows, profile=study.name,
                                                         metric=CHOICE_METRIC)
    # 3. equal parameters
    chapter.tables["kept"] = kept_table(ok)
    chapter.text.update(kept_text(ok))
    # 4. agreement with the exact ranking
    chapter.figures["fig_agreement"] = plot_exact_agreement(
        agreement, rows=rows, profile=study.name,
        title="Rank correlation of each estimator with the exact importance (validation)")
    chapter.text["agreement_text"] = agreement_text(agreement)
    return chapter


def _combinations(factorial: Mapping[str, Sequence]) -> int:
    return int(np.prod([len(v) for v in factorial.values()])) if factorial else 0
