"""Chapter 04: every method at every budget, against the full model."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..config import load_profile
from ..figures.comparison import plot_budget_change
from ..study import METHODS, aggregate, reduced_methods, sweep, with_variant
from ..study.compare import paired_changes, paired_comparisons, verdict_counts
from .alignment import alignment_effect, alignment_text
from .chapter import Chapter
from .tables import BookTable, compact_table

# The budgets the comparison table shows when the profile has them; otherwise its two smallest.
SMALL_BUDGETS = (0.2, 0.1)


def compare_methods(agg: pd.DataFrame, budgets: Sequence[float], methods: Sequence[str],
                    metric: str = "test_auc", variant: str = "default") -> pd.DataFrame:
    """Methods side by side at some budgets, with each one's difference from the full model."""
    full = agg[agg["method"] == "full"].set_index(["dataset", "model"])[f"{metric}_mean"]
    sub = agg[agg["method"].isin(methods) & agg["budget"].isin(budgets) & (agg["variant"] == variant)].copy()
    sub["delta_vs_full"] = sub[f"{metric}_mean"].to_numpy() - full.reindex(
        list(zip(sub["dataset"], sub["model"], strict=True))).to_numpy()
    cols = ["dataset", "model", "budget", "method", "seeds", f"{metric}_mean", f"{metric}_ci95", "delta_vs_full",
            "achieved_budget_mean"]
    order = {m: i for i, m in enumerate(methods)}
    sub["_order"] = sub["method"].map(order)
    return sub.sort_values(["dataset", "model", "budget", "_order"], ascending=[True, True, False, True])[cols] \
        .reset_index(drop=True)


def small_budgets(budgets: Sequence[float]) -> list[float]:
    return [b for b in budgets if b in SMALL_BUDGETS] or sorted(b for b in budgets if b < 1)[:2]


def budget_chapter(profile: str) -> Chapter:
    """Paired change against the full model by budget (a figure per dataset), the methods side by side
    at small budgets, SSEDS against each baseline seed by seed, and the embedding-parameter fraction
    each method actually kept. Resumes the profile's sweep first (finished runs are read, not
    recomputed)."""
    study = load_profile(profile)
    results = sweep(study, progress=False).table
    agg = aggregate(results, reference=study.search)
    rows = results.groupby("dataset")["rows"].first().to_dict()
    chapter = Chapter(
        header=f"profile {profile}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
               f"datasets {[d.name for d in study.datasets]}, models {list(study.models)}, seeds {list(study.seeds)}")
    ok = with_variant(results[results["status"] == "ok"], study.search)
    changes = paired_changes(ok[ok["variant"] == "default"], {"method": "full"}, ["dataset", "model"])
    for name in agg["dataset"].unique():
        chapter.figures[f"fig_budget_{name}"] = plot_budget_change(
            changes, name, rows=rows[name], profile=profile, models=study.models)
    budgets = small_budgets(study.budgets)
    small = compare_methods(agg, budgets=budgets, methods=reduced_methods())
    orders = {"model": list(study.models), "budget": sorted(study.budgets, reverse=True)}
    chapter.tables["small"] = methods_table(small, agg, reduced_methods(), orders, len(study.seeds))
    default = agg[agg["variant"] == "default"]
    chapter.tables["kept"] = compact_table(
        default, index=["dataset", "model", "budget"], columns="method", value="achieved_budget_mean",
        order=list(METHODS), orders=orders, best=None, digits=3,
        note="Fraction of the full model's embedding parameters each method kept (mean over seeds); "
             "– where a method has no run at that budget.")
    paired = paired_comparisons(results, "sseds", [m for m in reduced_methods() if m not in ("sseds", "prune_only")],
                                budgets=budgets, reference=study.search)
    chapter.tables["paired"] = paired_table(paired, orders)
    chapter.text.update(verdict_text(paired))
    chapter.text.update(alignment_text(alignment_effect(results, small_budgets(study.budgets)), results))
    sseds = small[small["method"] == "sseds"]
    worst = sseds.loc[sseds["delta_vs_full"].idxmin()]
    chapter.text |= {"worst_sseds_delta": f"{worst['delta_vs_full']:+.4f}",
                    "worst_sseds_where": f"{worst['dataset']} / {worst['model']} at budget {worst['budget']:g}"}
    return chapter


def methods_table(small: pd.DataFrame, agg: pd.DataFrame, methods: Sequence[str], orders, seeds: int) -> BookTable:
    """Mean test AUC ± half-width per method (columns) and dataset, model and budget (rows), with the
    full model's beside them for reference and the best method of each row in bold."""
    full = agg[agg["method"] == "full"].drop(columns="budget")
    keys = small[["dataset", "model", "budget"]].drop_duplicates()
    long = pd.concat([small, keys.merge(full, on=["dataset", "model"])], ignore_index=True)
    return compact_table(long, index=["dataset", "model", "budget"], columns="method", value="test_auc_mean",
                         half="test_auc_ci95", order=["full", *methods], orders=orders, best="max",
                         best_among=list(methods),
                         note=f"Mean test AUC over {seeds} seeds ± the half-width of its 95% interval; in bold the "
                              "best method of the row (full, the full-width model, is the reference and does not "
                              "compete).")


def paired_table(paired: pd.DataFrame, orders=None) -> BookTable:
    """The paired comparison for reading: a row per dataset, model and budget, a column per baseline,
    each cell SSEDS − baseline with its interval and the verdict's mark."""
    return compact_table(paired, index=["dataset", "model", "budget"], columns="baseline", value="difference",
                         half="ci95", verdict="verdict", order=list(METHODS), orders=orders, best=None, signed=True,
                         note="SSEDS's test AUC minus the baseline's, mean over the paired seeds ± its 95% half-width; "
                              "▲ SSEDS better, ▼ SSEDS worse, · indistinguishable (paired t test, Holm-corrected "
                              "across the table, 5% level).")


def verdict_text(paired: pd.DataFrame) -> dict[str, str]:
    """A sentence summarising the verdicts of the paired table, generated from it."""
    counts = verdict_counts(paired)
    seeds = sorted(set(paired["n"])) if not paired.empty else [0]
    return {
        "verdict_cells": f"{len(paired)}",
        "verdict_summary": (f"better in {counts['better']}, worse in {counts['worse']} and indistinguishable "
                            f"in {counts['indistinguishable']}"),
        "verdict_seeds": f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}",
    }
