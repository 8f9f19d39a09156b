"""Chapter 02: the full-width models, trained (or loaded) for every dataset x base model x seed."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..config import SearchConfig, StudyConfig, load_profile
from ..data import load_dataset_from_config
from ..figures.results import plot_learning_curves
from ..models.registry import MODELS
from ..study import RunSpec, default_results_dir, load_or_pretrain, summarise_over_seeds, worker_threads
from .chapter import Chapter
from .tables import BookTable, compact_table, plain_table

ALL_MODELS = tuple(MODELS)
SHARE_COLUMNS = {"emb_params": "embedding parameters", "total_params": "all parameters",
                 "emb_share": "embedding share"}
METRICS = {"test_auc": ("test AUC", "max"), "test_logloss": ("test logloss", "min")}


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
                **label, **pre.metrics, "epochs": len(pre.fit.history), "train_seconds": pre.fit.train_seconds,
                "emb_params": counts["embedding"], "total_params": counts["total"],
                "emb_share": counts["embedding"] / counts["total"],
            })
            history.extend({**label, **dataclasses.asdict(h)} for h in pre.fit.history)
    return pd.DataFrame(summary), pd.DataFrame(history)


def pretrain_chapter(profile: str) -> Chapter:
    """Learning curves, test metrics and the embedding share of every base model."""
    study = load_profile(profile)
    summary, history = pretrain_all(study, progress=False)
    datasets = ", ".join(f"{d} ({n:,} rows)" for d, n in summary.groupby("dataset", sort=False)["rows"].first().items())
    metrics = summarise_over_seeds(summary, ["dataset", "model"], ["test_auc", "test_logloss"])
    share = summary.groupby(["dataset", "model"], sort=False)[["emb_params", "total_params", "emb_share"]].first()
    best = metrics.loc[metrics["test_auc_mean"].idxmax()]
    return Chapter(
        header=f"profile {profile}: {datasets}; base width D = {study.model.emb_dim}; seeds {list(study.seeds)}",
        figures={"fig_learning_curves": plot_learning_curves(history, profile=profile, title="Full-width models")},
        tables={"metrics": metrics_table(metrics, list(dict.fromkeys(summary["model"])), len(study.seeds)),
                "share": plain_table(share.rename(columns=SHARE_COLUMNS), keys=["dataset", "model"],
                                     formats={SHARE_COLUMNS["emb_share"]: lambda v: f"{v:.1%}"})},
        text={"best_model": f"{best['model']} on {best['dataset']}", "best_auc": f"{best['test_auc_mean']:.4f}",
              "min_emb_share": f"{summary['emb_share'].min():.1%}"},
    )


def metrics_table(metrics: pd.DataFrame, models: Sequence[str], seeds: int) -> BookTable:
    """Test AUC and logloss per dataset (rows) and base model (columns), the best model of each row in
    bold (highest AUC, lowest logloss)."""
    long = pd.concat([metrics.assign(metric=label, mean=metrics[f"{m}_mean"], ci95=metrics[f"{m}_ci95"])
                      for m, (label, _) in METRICS.items()], ignore_index=True)
    best = {label: direction for label, direction in METRICS.values()}
    return compact_table(long, index=["dataset", "metric"], columns="model", value="mean", half="ci95",
                         order=models, best=lambda key: best[key[1]],
                         note=f"Mean over {seeds} seeds ± the half-width of its 95% interval; in bold the best "
                              "model of the row.")
