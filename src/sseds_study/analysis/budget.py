"""Chapter 04: every method at every budget, against the full model."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..config import load_profile
from ..figures.results import plot_budget_curves
from ..study import aggregate, reduced_methods, sweep
from ..study.compare import paired_comparisons, verdict_counts
from .chapter import Chapter

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
    """Budget-vs-AUC figures per dataset, the methods side by side at small budgets, and the
    embedding-parameter fraction each method actually kept. Resumes the profile's sweep first
    (finished runs are read, not recomputed)."""
    study = load_profile(profile)
    results = sweep(study, progress=False).table
    agg = aggregate(results, reference=study.search)
    rows = results.groupby("dataset")["rows"].first().to_dict()
    chapter = Chapter(
        header=f"profile {profile}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
               f"datasets {[d.name for d in study.datasets]}, models {list(study.models)}, seeds {list(study.seeds)}")
    for name in agg["dataset"].unique():
        chapter.figures[f"fig_budget_{name}"] = plot_budget_curves(
            agg, name, rows=rows[name], profile=profile, models=study.models)
    small = compare_methods(agg, budgets=small_budgets(study.budgets), methods=reduced_methods())
    chapter.tables["small"] = small.rename(columns={
        "test_auc_mean": "AUC", "test_auc_ci95": "±95%", "delta_vs_full": "Δ full", "achieved_budget_mean": "achieved",
    }).round(4)
    chapter.tables["kept"] = agg[agg["variant"] == "default"].pivot_table(
        index=["dataset", "model", "budget"], columns="method", values="achieved_budget_mean").round(3)
    paired = paired_comparisons(results, "sseds", [m for m in reduced_methods() if m not in ("sseds", "prune_only")],
                                budgets=small_budgets(study.budgets), reference=study.search)
    chapter.tables["paired"] = paired_table(paired)
    chapter.text.update(verdict_text(paired))
    sseds = small[small["method"] == "sseds"]
    worst = sseds.loc[sseds["delta_vs_full"].idxmin()]
    chapter.text |= {"worst_sseds_delta": f"{worst['delta_vs_full']:+.4f}",
                    "worst_sseds_where": f"{worst['dataset']} / {worst['model']} at budget {worst['budget']:g}"}
    return chapter


def paired_table(paired: pd.DataFrame) -> pd.DataFrame:
    """The paired comparison for reading: one row per dataset, model, budget and baseline."""
    cols = {"dataset": "dataset", "model": "model", "budget": "budget", "baseline": "against", "n": "seeds",
            "difference": "SSEDS − baseline", "ci95": "±95%", "p_holm": "p (Holm)", "verdict": "SSEDS is"}
    return paired[list(cols)].rename(columns=cols).round(4)


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
