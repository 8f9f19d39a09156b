"""Whether the alignment maps of mixed-width models should count in the embedding budget, decided from
the results: how far counting them would move each method's parameter fraction, and what that move is
worth in test AUC along the method's own budget curve."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import display_name


def alignment_effect(results: pd.DataFrame, budgets=(0.2, 0.1)) -> pd.DataFrame:
    """Per dataset, model, method and budget below 1: the mean alignment parameters as a fraction of the
    full model's embedding parameters (``align_fraction``), the local slope of mean test AUC against the
    budget between this budget and the next larger one of the study (``auc_per_budget``), and their
    product (``auc_equivalent``): the AUC that the extra fraction would buy if it were embedding."""
    ok = results[(results["status"] == "ok") & (results["align_params"].notna())]
    ok = ok[ok["method"].isin(ok.loc[ok["align_params"] > 0, "method"].unique())]
    mean = ok.groupby(["dataset", "model", "method", "budget"], sort=True).agg(
        test_auc=("test_auc", "mean"), align=("align_params", "mean"), base=("base_emb_params", "mean")).reset_index()
    rows = []
    for (dataset, model, method), g in mean.groupby(["dataset", "model", "method"], sort=True):
        g = g.sort_values("budget")
        for b in budgets:
            here = g[np.isclose(g["budget"], b)]
            above = g[g["budget"] > b + 1e-12]
            if here.empty or above.empty:
                continue
            nxt = above.iloc[0]
            slope = (nxt["test_auc"] - here["test_auc"].iloc[0]) / (nxt["budget"] - b)
            frac = here["align"].iloc[0] / here["base"].iloc[0]
            rows.append({"dataset": dataset, "model": model, "method": method, "budget": b,
                         "align_fraction": frac, "auc_per_budget": slope, "auc_equivalent": abs(slope) * frac})
    return pd.DataFrame(rows)


def alignment_text(effect: pd.DataFrame, results: pd.DataFrame) -> dict[str, str]:
    """The glued numbers of the decision (``align_*``): the largest share the maps would add, what it is
    worth in test AUC and where, the median seed-to-seed spread, and how the two compare."""
    if effect.empty:
        return {"align_max_fraction": "0", "align_worst": "no model", "align_worst_auc": "0", "align_seed_sd": "–",
                "align_compare": "no larger than"}
    worst = effect.loc[effect["auc_equivalent"].idxmax()]
    ok = results[results["status"] == "ok"]
    half = ok[ok["budget"].isin(effect["budget"].unique())].groupby(
        ["dataset", "model", "method", "budget"])["test_auc"].agg(lambda s: s.std(ddof=1) if len(s) > 1 else np.nan)
    spread = float(np.nanmedian(half.to_numpy())) if len(half) else float("nan")
    return {
        "align_max_fraction": f"{effect['align_fraction'].max():.4f}",
        "align_worst": f"{worst['method']} on {display_name(worst['dataset'])} {worst['model']} at b = {worst['budget']:g}",
        "align_worst_auc": f"{worst['auc_equivalent']:.4f}",
        "align_seed_sd": f"{spread:.4f}",
        "align_compare": "smaller than" if worst["auc_equivalent"] < spread else "not smaller than",
    }
