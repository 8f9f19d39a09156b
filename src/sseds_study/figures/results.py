"""Figures of result tables: the pretraining, search, budget and ablation chapters (no training here).

Each takes a table the study produces plus the number of rows of its dataset(s) and the study
profile, for the title; ``title`` replaces the default headline. Titles and closing follow
``style.py``; methods are drawn with :func:`~.style.method_style`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from .style import data_label, finish, method_style


def plot_learning_curves(history: pd.DataFrame, *, profile: str, title: str | None = None) -> Figure:
    """Train loss and validation AUC per epoch, one line per model (mean over seeds), a row per dataset.

    history: one row per (dataset, model, seed, epoch) with rows (of the dataset), train_loss and
    valid_auc, as ``analysis.pretrain_all`` returns it.
    """
    datasets = list(dict.fromkeys(history["dataset"]))
    rows = history.groupby("dataset", sort=False)["rows"].first()
    fig, axes = plt.subplots(len(datasets), 2, figsize=(10, 3.4 * len(datasets) + 0.6), squeeze=False,
                             layout="constrained")
    for row, name in zip(axes, datasets, strict=True):
        sub = history[history["dataset"] == name]
        for model, g in sub.groupby("model", sort=False):
            mean = g.groupby("epoch")[["train_loss", "valid_auc"]].mean()
            row[0].plot(mean.index, mean["train_loss"], marker=".", label=model)
            row[1].plot(mean.index, mean["valid_auc"], marker=".", label=model)
        row[0].set(title=f"{name}: training loss", xlabel="epoch", ylabel="logloss (train)")
        row[1].set(title=f"{name}: validation AUC", xlabel="epoch", ylabel="AUC (valid)")
        row[1].legend(fontsize=8)
    label = data_label({name: int(rows[name]) for name in datasets}, profile)
    return finish(fig, title or "Full-width models: training loss and validation AUC", label)


def plot_budget_curves(agg: pd.DataFrame, dataset: str, *, rows: int, profile: str,
                       models: Sequence[str] | None = None, metric: str = "test_auc", variant: str = "default",
                       title: str | None = None) -> Figure:
    """Metric vs embedding-parameter budget (log scale), a panel per model, a line per method with
    its 95% interval as error bars; the full model is a dashed horizontal line with a band.

    agg: output of ``study.aggregate``; rows: the dataset's number of rows.
    """
    sub = agg[(agg["dataset"] == dataset) & (agg["variant"] == variant)]
    models = list(models or dict.fromkeys(sub["model"]))
    fig, axes = plt.subplots(1, len(models), figsize=(4.6 * len(models), 4.3), squeeze=False, layout="constrained")
    for ax, model in zip(axes[0], models, strict=True):
        m = sub[sub["model"] == model]
        for method, g in m.groupby("method", sort=False):
            style = method_style(method)
            mean, ci = g[f"{metric}_mean"].to_numpy(), np.nan_to_num(g[f"{metric}_ci95"].to_numpy())
            if method == "full":
                ax.axhline(mean[0], label="full", **style)
                ax.axhspan(mean[0] - ci[0], mean[0] + ci[0], color="black", alpha=0.08)
                continue
            g = g.sort_values("budget")
            ax.errorbar(g["budget"], g[f"{metric}_mean"], yerr=np.nan_to_num(g[f"{metric}_ci95"]),
                        capsize=2, label=method, ms=4, **style)
        ax.set_xscale("log")
        ax.set(title=f"{dataset} / {model}", xlabel="budget (fraction of embedding parameters)",
               ylabel=metric.replace("_", " "))
    axes[0][-1].legend(fontsize=8, loc="lower right")
    headline = title or f"{metric.replace('_', ' ')} against the embedding budget"
    return finish(fig, headline, data_label({dataset: rows}, profile))


def plot_saliency(scores: np.ndarray, field_names: Sequence[str], *, dataset: str, rows: int, profile: str,
                  title: str | None = None) -> Figure:
    """Heatmap of an (F, D) saliency matrix, fields as rows, dimensions as columns."""
    scores = np.asarray(scores, dtype=float)
    fig, ax = plt.subplots(figsize=(min(12, 2 + 0.45 * scores.shape[1]), 1.6 + 0.35 * len(field_names)),
                           layout="constrained")
    im = ax.imshow(scores, aspect="auto", cmap="viridis")
    ax.set_yticks(range(len(field_names)), field_names)
    ax.set_xlabel("embedding dimension j")
    fig.colorbar(im, ax=ax, label="saliency")
    return finish(fig, title or "Saliency of every embedding dimension", data_label({dataset: rows}, profile))


def plot_widths(widths: pd.DataFrame, *, dataset: str, rows: int, profile: str, title: str | None = None) -> Figure:
    """Per-field widths (rows: fields) at each budget (columns), as an annotated heatmap."""
    fig, ax = plt.subplots(figsize=(1.6 + 0.9 * widths.shape[1], 1.6 + 0.35 * widths.shape[0]),
                           layout="constrained")
    im = ax.imshow(widths.to_numpy(), aspect="auto", cmap="Blues", vmin=0)
    ax.set_yticks(range(widths.shape[0]), widths.index)
    ax.set_xticks(range(widths.shape[1]), [f"{c:g}" for c in widths.columns])
    ax.set_xlabel("budget")
    for (i, j), v in np.ndenumerate(widths.to_numpy()):
        ax.text(j, i, int(v), ha="center", va="center", fontsize=8,
                color="white" if v > 0.6 * widths.to_numpy().max() else "black")
    fig.colorbar(im, ax=ax, label="width d_f")
    return finish(fig, title or "Width d_f per field and budget", data_label({dataset: rows}, profile))


def plot_planted_truth(table: pd.DataFrame, *, dataset: str, rows: int, profile: str,
                       title: str | None = None) -> Figure:
    """Allocated width against planted rank per field, one panel per (estimator, split) setting.

    table: one row per (setting, field) with columns setting, true_rank, width.
    """
    settings = list(dict.fromkeys(table["setting"]))
    ncols = min(4, len(settings))
    nrows = math.ceil(len(settings) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.9 * nrows + 0.6), squeeze=False, sharey=True,
                             layout="constrained")
    for ax, setting in zip(axes.ravel(), settings, strict=False):
        g = table[table["setting"] == setting]
        ax.scatter(g["true_rank"], g["width"], alpha=0.7)
        ax.set(title=setting, xlabel="planted rank", ylabel="width")
    for ax in axes.ravel()[len(settings):]:
        ax.set_visible(False)
    return finish(fig, title or "Allocated width against planted rank", data_label({dataset: rows}, profile))


def plot_exact_agreement(table: pd.DataFrame, *, rows: Mapping[str, int], profile: str, metric: str = "spearman",
                         title: str | None = None) -> Figure:
    """Rank correlation of each saliency setting with the exact drop-column importance, as an annotated
    heatmap: a row per (estimator, score split), a column per (dataset, model).

    table: one row per (dataset, model, estimator, score_split) with ``metric``, as
    ``analysis.exact_agreement`` returns it; rows: dataset -> its number of rows.
    """
    settings = list(dict.fromkeys(table["estimator"] + ", " + table["score_split"]))
    grid = (table.assign(setting=table["estimator"] + ", " + table["score_split"],
                         panel=table["dataset"] + " / " + table["model"])
            .pivot(index="setting", columns="panel", values=metric).reindex(settings))
    panels = list(dict.fromkeys(table["dataset"] + " / " + table["model"]))
    grid = grid[panels]
    fig, ax = plt.subplots(figsize=(max(6.0, 2.6 + 1.3 * len(panels)), 1.6 + 0.36 * len(settings)),
                           layout="constrained")
    im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
    ax.set_yticks(range(len(settings)), settings)
    ax.set_xticks(range(len(panels)), panels, rotation=20, ha="right")
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        ax.text(j, i, "n/a" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", fontsize=8,
                color="white" if abs(np.nan_to_num(v)) > 0.6 else "black")
    fig.colorbar(im, ax=ax, label=f"{metric} with exact (valid)")
    label = data_label({name: rows[name] for name in dict.fromkeys(table["dataset"])}, profile)
    return finish(fig, title or "Agreement of saliency with the exact drop-column importance", label)


def plot_ablation(agg: pd.DataFrame, *, rows: Mapping[str, int], profile: str, metric: str = "test_auc",
                  title: str | None = None) -> Figure:
    """One panel per (dataset, model, budget): each SSEDS variant's mean metric with its 95% interval,
    the default settings in red, two panels a row.

    agg: output of ``study.aggregate`` restricted to the variants to compare; rows: dataset -> its
    number of rows, for every dataset in agg.
    """
    panels = list(agg.groupby(["dataset", "model", "budget"], sort=True).groups)
    variants = sorted(agg["variant"].unique(), key=lambda v: (v != "default", v))
    ncols = min(2, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 1.5 + 0.38 * len(variants) * nrows),
                             squeeze=False, sharey=True, layout="constrained")
    y = np.arange(len(variants))
    for ax, (dataset, model, budget) in zip(axes.ravel(), panels, strict=False):
        g = agg[(agg["dataset"] == dataset) & (agg["model"] == model) & (agg["budget"] == budget)]
        g = g.set_index("variant").reindex(variants)
        colors = ["#c0392b" if v == "default" else "#34495e" for v in variants]
        ax.errorbar(g[f"{metric}_mean"], y, xerr=np.nan_to_num(g[f"{metric}_ci95"].to_numpy()), fmt="none",
                    ecolor="#95a5a6", capsize=2)
        ax.scatter(g[f"{metric}_mean"], y, c=colors, zorder=3)
        ax.set_yticks(y, variants)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set(title=f"{dataset} / {model} / budget {budget:g}", xlabel=metric.replace("_", " "))
    axes[0][0].invert_yaxis()
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    label = data_label({name: rows[name] for name in dict.fromkeys(agg["dataset"])}, profile)
    return finish(fig, title or f"SSEDS variants: {metric.replace('_', ' ')}", label)


def pareto_front(x: Sequence[float], y: Sequence[float]) -> np.ndarray:
    """Indices of the points no other point dominates (at most as large in x and strictly better in y,
    or smaller in x and at least as good), in increasing x: the best y reachable at each size."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep, best = [], -np.inf
    for i in sorted(np.flatnonzero(np.isfinite(x) & np.isfinite(y)), key=lambda i: (x[i], -y[i])):
        if y[i] > best:
            keep.append(i)
            best = y[i]
    return np.asarray(keep, dtype=int)


def plot_bytes_pareto(agg: pd.DataFrame, dataset: str, *, rows: int, profile: str,
                      models: Sequence[str] | None = None, metric: str = "test_auc", variant: str = "default",
                      title: str | None = None) -> Figure:
    """Metric against the deployed embedding bytes (log scale), a panel per model: a line per method
    through its budgets (95% intervals as error bars), the full model as a star, and the Pareto front
    over every point of the panel as a grey step line (the best metric at each size).

    agg: output of ``study.aggregate`` with ``emb_bytes_mean`` (bytes of the embedding storage a server
    holds: dense tables, or PEP's compressed sparse rows); rows: the dataset's number of rows.
    """
    sub = agg[(agg["dataset"] == dataset) & (agg["variant"] == variant)]
    models = list(models or dict.fromkeys(sub["model"]))
    fig, axes = plt.subplots(1, len(models), figsize=(4.6 * len(models), 4.3), squeeze=False, layout="constrained")
    for ax, model in zip(axes[0], models, strict=True):
        m = sub[sub["model"] == model]
        front = m.iloc[pareto_front(m["emb_bytes_mean"], m[f"{metric}_mean"])]
        ax.step(front["emb_bytes_mean"] / 1024, front[f"{metric}_mean"], where="post", color="#bbbbbb", lw=4,
                alpha=0.6, zorder=0, label="Pareto front")
        for method, g in m.groupby("method", sort=False):
            style = method_style(method)
            g = g.sort_values("emb_bytes_mean")
            if method == "full":
                ax.plot(g["emb_bytes_mean"] / 1024, g[f"{metric}_mean"], marker="*", ms=12, ls="",
                        color=style.get("color", "black"), label="full")
                continue
            ax.errorbar(g["emb_bytes_mean"] / 1024, g[f"{metric}_mean"], yerr=np.nan_to_num(g[f"{metric}_ci95"]),
                        capsize=2, label=method, ms=4, **style)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set(title=f"{dataset} / {model}", xlabel="deployed embedding storage (KiB)",
               ylabel=metric.replace("_", " "))
    axes[0][-1].legend(fontsize=8, loc="lower right")
    headline = title or f"{metric.replace('_', ' ')} against deployed embedding bytes"
    return finish(fig, headline, data_label({dataset: rows}, profile))
