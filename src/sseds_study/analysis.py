"""Analyses behind the book's chapters: pretrained models across base models, methods side by side,
saliency and widths of one pretrained model, and agreement with the planted truth of synthetic data.

Everything here reads or computes through ``study`` (so pretrained models and results are shared
with the sweeps and cached); nothing is plotted here (see ``figures``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ConfigError, SearchConfig
from .search.agreement import planted_rank_agreement
from .study import (
    GroupCache,
    Pretrained,
    RunSpec,
    StudyConfig,
    default_results_dir,
    load_or_pretrain,
    saliency_for_spec,
    worker_threads,
)

# ----------------------------------------------------------------------------------------------
# Pretrained models across base models (the pretraining chapter)
# ----------------------------------------------------------------------------------------------
ALL_MODELS = ("FM", "DeepFM", "WideDeep", "DCN", "IPNN")


def pretrain_all(
    study: StudyConfig,
    models: Sequence[str] = ALL_MODELS,
    results_dir: str | os.PathLike | None = None,
    progress: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train (or load) the full-width model for every dataset x model x seed of a study.

    Returns (summary, history): one row per model with test metrics and parameter counts, and one
    row per epoch with train loss and validation metrics. Checkpoints are shared with ``sweep``, so
    a sweep after this chapter (or before it) pretrains nothing twice.
    """
    from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

    from .data import load_dataset_from_config

    results_dir = Path(results_dir) if results_dir is not None else default_results_dir(study)
    summary, history = [], []
    jobs = [(d, m, s) for d in study.datasets for m in models for s in study.seeds]
    loaded = {}
    with worker_threads():
        for data, model_name, seed in tqdm(jobs, desc="pretrain", disable=not progress):
            if data not in loaded:
                loaded[data] = load_dataset_from_config(data, progress=False)
            ds = loaded[data]
            spec = RunSpec(data, dataclasses.replace(study.model, name=model_name, emb_dims=None),
                           dataclasses.replace(study.train, seed=seed), SearchConfig(), "full", 1.0)
            pre = load_or_pretrain(ds, spec, results_dir)
            counts = pre.model.count_params()
            label = {"dataset": data.name, "rows": len(ds), "model": model_name, "seed": seed}
            summary.append({
                **label, **pre.metrics, "epochs": pre.epochs, "train_seconds": pre.train_seconds,
                "emb_params": counts["embedding"], "total_params": counts["total"],
                "emb_share": counts["embedding"] / counts["total"],
            })
            history.extend({**label, **h} for h in pre.history)
    return pd.DataFrame(summary), pd.DataFrame(history)


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


# ----------------------------------------------------------------------------------------------
# Search analysis (the saliency chapter and the planted-truth check)
# ----------------------------------------------------------------------------------------------
def load_pretrained(study: StudyConfig, dataset: str | None = None, model: str | None = None,
                    seed: int | None = None, results_dir: str | os.PathLike | None = None):
    """(dataset, pretrained model, its RunSpec) for one dataset/model/seed of a study (cached)."""
    from .data import load_dataset_from_config

    data = next((d for d in study.datasets if dataset in (None, d.name)), None)
    if data is None:
        raise ConfigError(f"study {study.name!r} has no dataset {dataset!r}")
    spec = RunSpec(data, dataclasses.replace(study.model, name=model or study.models[0], emb_dims=None),
                   dataclasses.replace(study.train, seed=study.seeds[0] if seed is None else seed),
                   study.search, "sseds", 1.0)
    results_dir = Path(results_dir) if results_dir is not None else default_results_dir(study)
    with worker_threads():
        ds = load_dataset_from_config(data, progress=False)
        pre = load_or_pretrain(ds, spec, results_dir)
    return ds, pre, spec


def saliency_scores(ds, pre: Pretrained, spec: RunSpec, search: SearchConfig | None = None) -> np.ndarray:
    """The (F, D) saliency of a pretrained model under some search settings."""
    spec = dataclasses.replace(spec, search=search or spec.search)
    with worker_threads():
        scores, _ = saliency_for_spec(ds, pre, spec, GroupCache())
    return scores.detach().cpu().numpy()


def widths_by_budget(ds, scores, budgets: Sequence[float], search: SearchConfig) -> pd.DataFrame:
    """Per-field widths (rows: fields) chosen at each budget (columns)."""
    from .search.allocate import allocate_dims

    out = {}
    for b in budgets:
        alloc = allocate_dims(scores, ds.vocab_sizes, b, budget_unit=search.budget_unit, rank_by=search.rank_by,
                              min_dim=search.min_dim)
        out[b] = list(alloc.emb_dims)
    return pd.DataFrame(out, index=ds.field_names)


def planted_truth(study: StudyConfig, budget: float = 0.2, model: str | None = None,
                  settings: Sequence[dict] | None = None, seeds: Sequence[int] | None = None,
                  dataset: str = "synthetic") -> tuple[pd.DataFrame, pd.DataFrame]:
    """How close SSEDS's widths come to the planted ranks of the synthetic data.

    For every search setting (default: each estimator x scoring split) and seed: score the pretrained
    model, allocate at ``budget``, and compare the width of each field with its planted rank.
    Returns (per_field, summary): summary has per setting and seed the Spearman correlation between
    planted rank and width, and the share of kept dimensions that went to relevant fields.
    """
    from .config import ESTIMATORS, SCORE_SPLITS

    if settings is None:
        settings = [{"estimator": e, "score_split": s} for e in ESTIMATORS for s in SCORE_SPLITS]
    per_field, summary = [], []
    for seed in seeds if seeds is not None else study.seeds:
        ds, pre, spec = load_pretrained(study, dataset, model, seed)
        truth = ds.manifest.get("truth")
        if not truth:
            raise ConfigError(f"dataset {dataset!r} has no planted truth in its manifest")
        ranks = np.asarray([truth["ranks"][name] for name in ds.field_names])
        for setting in settings:
            search = dataclasses.replace(study.search, **setting)
            widths = widths_by_budget(ds, saliency_scores(ds, pre, spec, search), [budget], search)[budget]
            label = ", ".join(f"{v}" for v in setting.values())
            kept = widths.to_numpy()
            relevant = ranks > 0
            summary.append({"setting": label, **setting, "seed": seed,
                            "spearman": planted_rank_agreement(kept, ranks),
                            # Among the relevant fields only: does a higher rank get a wider embedding?
                            "spearman_relevant": planted_rank_agreement(kept[relevant], ranks[relevant]),
                            "relevant_share": float(kept[relevant].sum() / max(1, kept.sum())),
                            "irrelevant_max_width": int(kept[ranks == 0].max(initial=0))})
            per_field.extend({"setting": label, "seed": seed, "field": name, "true_rank": int(r), "width": int(w)}
                             for name, r, w in zip(ds.field_names, ranks, kept, strict=True))
    return pd.DataFrame(per_field), pd.DataFrame(summary)
