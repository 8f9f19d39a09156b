"""Chapter 05: SSEDS variants (one search option changed at a time) against the default settings."""

from __future__ import annotations

import pandas as pd

from ..config import load_profile
from ..figures.results import plot_ablation
from ..study import aggregate, sweep
from .chapter import Chapter


def ablation_profile(profile: str) -> str:
    """The ablation profile that goes with a book profile: ``ablation`` for the book, else ``<profile>_ablation``."""
    return "ablation" if profile == "default" else f"{profile}_ablation"


def variant_deltas(agg: pd.DataFrame, metric: str = "test_auc") -> pd.DataFrame:
    """Each variant's mean metric minus the default settings' in the same dataset/model/budget."""
    default = agg[agg["variant"] == "default"].set_index(["dataset", "model", "budget"])[f"{metric}_mean"]
    out = agg.copy()
    out["delta"] = out[f"{metric}_mean"].to_numpy() - default.reindex(
        list(zip(out["dataset"], out["model"], out["budget"], strict=True))).to_numpy()
    return out


def ablation_chapter(profile: str) -> Chapter:
    """The variants' dot plot, their table of differences from the default, and the largest gain.
    Resumes the ablation profile's sweep first."""
    name = ablation_profile(profile)
    study = load_profile(name)
    results = sweep(study, progress=False).table
    rows = results.groupby("dataset")["rows"].first().to_dict()
    agg = aggregate(results, metrics=("test_auc", "test_logloss", "achieved_budget"), reference=study.search)
    agg = variant_deltas(agg[agg["method"] == "sseds"])
    table = agg[["dataset", "model", "budget", "variant", "test_auc_mean", "test_auc_ci95", "delta",
                 "achieved_budget_mean"]].sort_values(["dataset", "budget", "delta"], ascending=[True, False, False])
    best = table[table["variant"] != "default"].sort_values("delta").iloc[-1]
    return Chapter(
        header=f"profile {name}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
               f"datasets {[d.name for d in study.datasets]}, model {list(study.models)}, "
               f"budgets {list(study.budgets)}, seeds {list(study.seeds)}",
        figures={"fig_ablation": plot_ablation(agg, rows=rows, profile=name, title="SSEDS variants")},
        tables={"variants": table.rename(columns={"test_auc_mean": "AUC", "test_auc_ci95": "±95%",
                                                  "achieved_budget_mean": "achieved"}).reset_index(drop=True).round(4)},
        text={"best_variant": best["variant"], "best_variant_delta": f"{best['delta']:+.4f}",
              "best_variant_where": f"{best['dataset']} at budget {best['budget']:g}"},
    )
