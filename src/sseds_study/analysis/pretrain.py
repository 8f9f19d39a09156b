"""Chapter 02: the full-width models, trained (or loaded) for every dataset x base model x seed."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..config import SearchConfig
from ..data import load_dataset_from_config
from ..data.registry import display_name
from ..figures.results import plot_learning_curves
from ..figures.tuning import plot_tuning_grid
from ..models.registry import MODEL_NAMES
from ..study import (
    RunSpec,
    default_results_dir,
    load_or_pretrain,
    load_tuning,
    seed_data,
    summarise_over_seeds,
    tune_study,
    worker_threads,
)
from ..study.expand import tuned_train
from ..study.profile import StudyConfig
from .chapter import Chapter
from .common import chapter_study
from .pretrain_settings import settings_table, tuning_facts
from .tables import BookTable, compact_table, plain_table

ALL_MODELS = MODEL_NAMES
SHARE_COLUMNS = {"emb_params": "embedding parameters", "total_params": "all parameters",
                 "emb_share": "embedding share"}
SHARE_NOTE = ("Parameters of each full model on the first seed's split (the vocabularies, and so the counts, "
              "change a little with the split); the share is embedding over all.")
TUNED_NOTE = ("The point of the tuning grid each base model uses: validation AUC of the full model at that point, and "
              "the epoch its early stopping kept; one seed.")
METRICS = {"test_auc": ("test AUC", "max"), "test_logloss": ("test logloss", "min")}


def pretrain_all(
    study: StudyConfig,
    models: Sequence[str] | None = None,
    results_dir: str | os.PathLike | None = None,
    progress: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train (or load) the full-width model for every dataset x model x seed of a study.

    Returns (summary, history): one row per model with test metrics and parameter counts, and one
    row per epoch with train loss and validation metrics. Checkpoints are shared with ``sweep`` (each
    seed's split, the tuned training settings of a study that tunes), so a sweep after this chapter
    (or before it) pretrains nothing twice. ``models``: None for the study's own.
    """
    results_dir = Path(results_dir) if results_dir is not None else default_results_dir(study)
    models = study.models if models is None else models
    summary, history = [], []
    jobs = [(d, m, s) for d in study.datasets for m in models for s in study.seeds]
    loaded = {}
    with worker_threads():
        for data, model_name, seed in tqdm(jobs, desc="pretrain", disable=not progress):
            split = seed_data(study, data, seed)
            if split not in loaded:
                loaded[split] = load_dataset_from_config(split, progress=False)
            ds = loaded[split]
            spec = RunSpec(split, dataclasses.replace(study.model, name=model_name, emb_dims=None),
                           dataclasses.replace(tuned_train(study, data, model_name), seed=seed), SearchConfig(),
                           "full", 1.0)
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


def pretrain_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """Learning curves, test metrics and the embedding share of every base model."""
    study = chapter_study(profile)
    profile = study.name
    results_dir = default_results_dir(study)
    study = tune_study(study, progress=False)  # its tuned settings (tuned first if need be)
    summary, history = pretrain_all(study, progress=False)
    datasets = ", ".join(f"{d} ({n:,} rows)" for d, n in summary.groupby("dataset", sort=False)["rows"].first().items())
    metrics = summarise_over_seeds(summary, ["dataset", "model"], ["test_auc", "test_logloss"])
    share = summary.groupby(["dataset", "model"], sort=False)[["emb_params", "total_params", "emb_share"]].first()
    best = metrics.loc[metrics["test_auc_mean"].idxmax()]
    chapter = Chapter(
        header=f"profile {profile}: {datasets}; base width D = {study.model.emb_dim}; seeds {list(study.seeds)}",
        figures={"fig_learning_curves": plot_learning_curves(history, profile=profile, title="Full-width models")},
        tables={"metrics": metrics_table(metrics, list(dict.fromkeys(summary["model"])), len(study.seeds)),
                "share": plain_table(share.rename(columns=SHARE_COLUMNS), keys=["dataset", "model"], note=SHARE_NOTE,
                                     formats={SHARE_COLUMNS["emb_share"]: lambda v: f"{v:.1%}"})},
        text={"best_model": f"{best['model']} on {display_name(best['dataset'])}", "best_auc": f"{best['test_auc_mean']:.4f}",
              "min_emb_share": f"{summary['emb_share'].min():.1%}"},
    )
    chapter.text["tuned"] = "no" if study.tune is None else "yes"
    chapter.text |= {"emb_dim": study.model.emb_dim, "seeds": len(study.seeds),
                     "datasets": ", ".join(display_name(d) for d in dict.fromkeys(summary["dataset"]))}
    grid = load_tuning(results_dir) if study.tune is not None else None
    chapter.tables["settings"] = settings_table(study, None if grid is None else grid[grid["chosen"]])
    if study.tune is not None:
        rows = summary.groupby("dataset", sort=False)["rows"].first().to_dict()
        chapter.figures["fig_tuning"] = plot_tuning_grid(grid, rows=rows, profile=profile)
        chosen = grid[grid["chosen"]].drop(columns="chosen")
        chapter.tables["tuned"] = plain_table(
            chosen[["dataset", "model", "lr", "emb_weight_decay", "valid_auc", "epochs"]].reset_index(drop=True),
            keys=["dataset", "model"], note=TUNED_NOTE,
            formats={c: lambda v: f"{v:g}" for c in ("lr", "emb_weight_decay")})
        chapter.text["tune_grid"] = (f"learning rate {', '.join(f'{v:g}' for v in study.tune.lr)} x embedding weight "
                                     f"decay {', '.join(f'{v:g}' for v in study.tune.emb_weight_decay)}")
        chapter.text |= tuning_facts(study, grid, summary)
    return chapter


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
