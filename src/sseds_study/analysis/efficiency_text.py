"""The sentences chapter 06 glues into its prose, generated from its tables (``analysis.efficiency``)."""

from __future__ import annotations

import json

import pandas as pd

from ..study.methods import method_names
from ..study.profile import StudyConfig
from .common import listing


# Columns a row needs for this chapter (rows swept before they were measured lack them).
def pct(x: float) -> str:
    return f"{100 * x:.1f}%" if abs(x) >= 0.001 else f"{100 * x:.2f}%"


def span(values, fmt) -> str:
    """'a to b' of the smallest and largest value as ``fmt`` shows them, or one value when they agree."""
    lo, hi = fmt(min(values)), fmt(max(values))
    return lo if lo == hi else f"{lo} to {hi}"


def cost_text(costs: pd.DataFrame, study: StudyConfig) -> dict[str, str]:
    # The baselines' search is their allocation alone: the profile's baselines, in the registry's order
    # (the tuned power rule, which retrains candidates, is costed in the section on the field's methods).
    text = {"sseds_K": str(study.search.num_batches),
            "cost_baselines": listing([m for m in method_names(role="baseline") if m in study.methods])}
    sseds = costs[costs["method"] == "sseds"]
    if not sseds.empty:
        text["sseds_epoch_fraction"] = span(sseds["epoch_fraction_mean"], pct)
        text["sseds_pass_fraction"] = span(sseds["pass_fraction_mean"], pct)
        text["epoch_passes"] = span((sseds["search_passes_mean"] / sseds["pass_fraction_mean"]).round(),
                                     lambda v: f"{v:,.0f}")
    pep = costs[costs["method"] == "pep"]
    if not pep.empty:
        text["pep_epoch_fraction"] = span(pep["epoch_fraction_mean"], lambda v: f"{v:.1f}")
        text["pep_search_epochs"] = span(pep["search_epochs_mean"], lambda v: f"{v:.0f}")
        if not sseds.empty:
            both = pep.merge(sseds, on=["dataset", "model"], suffixes=("_pep", "_sseds"))
            text["pep_vs_sseds_cost"] = span(both["search_seconds_mean_pep"] / both["search_seconds_mean_sseds"],
                                              lambda v: f"{v:.0f}")
            text["pep_vs_sseds_passes"] = span(both["search_passes_mean_pep"] / both["search_passes_mean_sseds"],
                                                lambda v: f"{v:,.0f}")
    return text


def size_text(sizes: pd.DataFrame, results: pd.DataFrame) -> dict[str, str]:
    text = {}
    pep = results[(results["status"] == "ok") & (results["method"] == "pep")]
    if not pep.empty:
        # bytes of the CSR tables against the bytes of their kept values alone (the index overhead)
        overhead = pep["emb_bytes"] / (pep["kept_emb_params"] * 4)
        text["pep_index_overhead"] = span(overhead, lambda v: f"{v:.1f}")
        text["pep_empty_values"] = f"{int(pep['empty_values'].max()):,}"
    full = results[(results["status"] == "ok") & (results["method"] == "full")]
    if not full.empty:  # the whole embedding of the full model, the scale every byte count here is read at
        text["full_emb_kib"] = f"{full['emb_bytes'].max() / 1024:,.0f}"
    dense = results[(results["status"] == "ok") & (results["method"] == "sseds")]
    if not dense.empty:
        text["sseds_empty_values"] = f"{int(dense['empty_values'].max()):,}"
    cells = ["dataset", "model", "budget"]
    both = sizes[sizes["method"] == "pep"].merge(sizes[sizes["method"] == "sseds"], on=cells, suffixes=("_pep", "_sseds"))
    if not both.empty:
        ratio = both["emb_bytes_mean_pep"] / both["emb_bytes_mean_sseds"]
        text["pep_vs_sseds_bytes"] = span(ratio, lambda v: f"{v:.2f}")
        larger = int((ratio > 1).sum())
        text["pep_vs_sseds_bytes_verdict"] = (
            "larger than" if larger == len(ratio) else "smaller than" if larger == 0 else
            f"larger than in {larger} and smaller than in {len(ratio) - larger} of {len(ratio)} cells")
    return text


def latency_text(latency: pd.DataFrame, results: pd.DataFrame | None = None) -> dict[str, str]:
    """Per batch size, the span of the time ratios to the full model of the dense slim models and of
    PEP's CSR model. No word judges them (faster, slower): a ratio near 1 moves across any threshold
    with the machine and its load. What is the same on every machine is the count beside it: the
    embedding values a dense slim model reads per row, as a share of the full model's
    (``dense_values_share``: its widths' sum over the full model's)."""
    text = {}
    for batch in sorted(latency["batch_size"].unique()):
        sub = latency[(latency["batch_size"] == batch) & (latency["method"] != "full")]
        for group, name in ((sub[sub["method"] != "pep"], "dense"), (sub[sub["method"] == "pep"], "pep")):
            if not group.empty:
                text[f"latency_{name}_batch{batch}"] = span(group["ratio"], lambda v: f"{v:.2f}")
    if results is not None and "budget" in latency:
        dense = results[(results["status"] == "ok") & results["method"].isin(set(latency["method"]) - {"full", "pep"})
                        & results["budget"].isin(set(latency["budget"].dropna()))]
        if not dense.empty:
            text["dense_values_share"] = span(dense.apply(values_share, axis=1), pct)
    return text


def values_share(row) -> float:
    """The embedding values a dense slim model reads per row, as a share of the full model's: the mean of
    its widths over the base width D."""
    widths = json.loads(row["emb_dims"])
    return sum(widths) / (len(widths) * int(json.loads(row["config"])["model"]["emb_dim"]))


def pep_text(study: StudyConfig, costs: pd.DataFrame, rewind: pd.DataFrame) -> dict[str, str]:
    p = study.pep
    text = {"pep_granularity": p.granularity, "pep_threshold_init": f"{p.threshold_init:g}",
            "pep_threshold_lr": f"{p.threshold_lr:g}" if p.threshold_lr is not None else f"{study.train.lr:g}",
            "pep_threshold_weight_decay": f"{p.threshold_weight_decay:g}", "pep_max_epochs": str(p.max_epochs),
            "pep_weight_decay": "the training settings' decays" if p.weight_decay is None else f"{p.weight_decay:g}"}
    if not rewind.empty:
        counts = rewind["rewind is"].value_counts()
        text["rewind_delta_range"] = span(rewind["rewind − fresh"], lambda v: f"{v:+.4f}")
        text["rewind_verdict"] = (f"rewind is better in {int(counts.get('better', 0))}, worse in "
                                  f"{int(counts.get('worse', 0))} and indistinguishable in "
                                  f"{int(counts.get('indistinguishable', 0))} of {len(rewind)} dataset/model/budget "
                                  "cells")
    return text


def selection_text(selection: pd.DataFrame) -> dict[str, str]:
    """What the selection tables say: how far PEP's reference settings pruned, and how close the
    granularities that reached every budget came to each other."""
    if selection.empty:
        return {"pep_reference_kept": "(no selection files)", "pep_granularity_spread": "(no selection files)"}
    ref = selection[selection["threshold_init"] == -15.0]
    grains = selection[selection["stage"].str.contains("granularity") & selection["reached_all"]]
    return {
        "pep_reference_kept": pct(float(ref["final_kept"].min())) if not ref.empty else "(not measured)",
        "pep_granularity_spread": f"{grains['score'].max() - grains['score'].min():.4f}" if len(grains) else "(none)",
        "pep_granularities_reached": ", ".join(grains["granularity"]) if len(grains) else "none",
    }
