"""Figures of the pretraining and search chapters' results (no training here), drawn with seaborn.

Each takes a table the study produces plus the number of rows of its dataset(s) and the study
profile, for the title; ``title`` replaces the default headline. Titles, sizes and closing follow
``style.py``. The figures that compare methods or settings are in ``comparison.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .style import (
    BOOK_WIDTH,
    book_style,
    column_figure,
    data_label,
    finish,
    legend_below,
    model_palette,
    t_errorbar,
)

CURVES = {"train_loss": "training logloss", "valid_auc": "validation AUC"}


def plot_learning_curves(history: pd.DataFrame, *, profile: str, title: str | None = None) -> Figure:
    """Training loss and validation AUC per epoch, a line per model (mean over seeds with its 95%
    interval, over the seeds still training at that epoch), a row of panels per dataset.

    history: one row per (dataset, model, seed, epoch) with rows (of the dataset), train_loss and
    valid_auc, as ``analysis.pretrain_all`` returns it.
    """
    datasets = list(dict.fromkeys(history["dataset"]))
    models = list(dict.fromkeys(history["model"]))
    rows = history.groupby("dataset", sort=False)["rows"].first()
    long = history.melt(id_vars=["dataset", "model", "seed", "epoch"], value_vars=list(CURVES), var_name="curve")
    long["curve"] = long["curve"].map(CURVES)
    height = 3.0
    with book_style():
        g = sns.relplot(long, x="epoch", y="value", hue="model", hue_order=models, palette=model_palette(models),
                        row="dataset", row_order=datasets, col="curve", col_order=list(CURVES.values()), kind="line",
                        marker="o", markersize=5, errorbar=t_errorbar, height=height,
                        aspect=BOOK_WIDTH / 2 / height, facet_kws={"sharey": False}, legend=False)
        # The dataset goes into each panel's title, not sideways at the row's right: one dataset, no name.
        g.set_titles("{col_name}" if len(datasets) == 1 else "{col_name}, {row_name}")
        g.set_axis_labels("epoch", "")
        fig = column_figure(g)
        colors = model_palette(models)
        legend_below(fig, [Line2D([], [], color=colors[m], marker="o", ms=5, lw=2) for m in models], models,
                     ncol=len(models))
    label = data_label({name: int(rows[name]) for name in datasets}, profile)
    return finish(fig, title or "Full-width models: training loss and validation AUC", label)


def planted_labels(field_names: Sequence[str], ranks: Mapping[str, int] | None) -> list[str]:
    """'f4 (rank 8)', 'f1 (noise)' for fields with a planted rank, so that a panel or heatmap row says
    what the field should get; the bare names when the data have no planted truth."""
    if not ranks:
        return list(field_names)
    return [f"{f} (noise)" if int(ranks[f]) == 0 else f"{f} (rank {int(ranks[f])})" for f in field_names]


def plot_saliency(scores: np.ndarray, field_names: Sequence[str], *, dataset: str, rows: int, profile: str,
                  title: str | None = None) -> Figure:
    """Heatmap of an (F, D) saliency matrix, fields as rows, dimensions as columns."""
    scores = pd.DataFrame(np.asarray(scores, dtype=float), index=list(field_names))
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 1.6 + 0.3 * len(scores)), layout="constrained")
        sns.heatmap(scores, ax=ax, cmap="viridis", cbar_kws={"label": "saliency"})
        ax.set(xlabel="embedding dimension j", ylabel="")
        ax.tick_params(axis="y", rotation=0)
    return finish(fig, title or "Saliency of every embedding dimension", data_label({dataset: rows}, profile))


def plot_widths(widths: pd.DataFrame, *, dataset: str, rows: int, profile: str, title: str | None = None) -> Figure:
    """Per-field widths (rows: fields) at each budget (columns), as an annotated heatmap."""
    shown = widths.rename(columns=lambda c: f"{c:g}")
    with book_style():
        fig, ax = plt.subplots(figsize=(min(BOOK_WIDTH, 3.0 + 0.9 * widths.shape[1]), 1.6 + 0.3 * len(widths)),
                               layout="constrained")
        sns.heatmap(shown, ax=ax, annot=True, fmt="d", cmap="Blues", vmin=0, cbar_kws={"label": "width $d_f$"},
                    annot_kws={"fontsize": 10})
        ax.set(xlabel="budget", ylabel="")
        ax.tick_params(axis="y", rotation=0)
    return finish(fig, title or "Width $d_f$ per field and budget", data_label({dataset: rows}, profile))


def plot_planted_truth(table: pd.DataFrame, *, dataset: str, rows: int, profile: str,
                       title: str | None = None) -> Figure:
    """Allocated width against planted rank per field, a panel per (estimator, split) setting; the
    fields of one rank are spread sideways so that equal widths stay visible.

    table: one row per (setting, field) with columns setting, true_rank, width.
    """
    settings = list(dict.fromkeys(table["setting"]))
    ncols = min(3, len(settings))
    height = 2.3
    ranks = sorted(set(table["true_rank"]))
    top = int(max(ranks))
    with book_style():
        g = sns.catplot(table, x="true_rank", y="width", col="setting", col_order=settings, col_wrap=ncols,
                        kind="strip", jitter=0.2, alpha=0.7, color="#3b6ea8", height=height,
                        aspect=BOOK_WIDTH / ncols / height, native_scale=True)
        for ax in g.axes.flat:
            # The oracle retrains at the planted widths: its width is the planted rank, the line y = x.
            ax.plot([0, top], [0, top], color="black", lw=1, ls="--", zorder=0)
            ax.scatter(ranks, ranks, marker="D", s=36, facecolors="none", edgecolors="black", zorder=3)
            ax.set_xlim(-0.6, top + 0.6)  # the planted ranks there are, not the widest width
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        g.set_titles("{col_name}")
        for ax in g.axes.flat:  # "estimator · split" over two lines, so that neighbouring titles do not meet
            ax.set_title(ax.get_title().replace(" · ", "\n"), fontsize=10)
        g.set_axis_labels("planted rank", "width")
        fig = column_figure(g)
        legend_below(fig, [Line2D([], [], marker="o", ls="", color="#3b6ea8", alpha=0.7),
                           Line2D([], [], marker="D", ls="--", color="black", mfc="none")],
                     ["a field's width (search)", "oracle: width = planted rank"], ncol=2)
    return finish(fig, title or "Allocated width against planted rank", data_label({dataset: rows}, profile))


def plot_exact_agreement(table: pd.DataFrame, *, rows: Mapping[str, int], profile: str, metric: str = "spearman",
                         title: str | None = None) -> Figure:
    """Rank correlation of each saliency setting with the exact drop-column importance, as an annotated
    heatmap: a row per (estimator, score split), a column per (dataset, model).

    table: one row per (dataset, model, estimator, score_split) with ``metric``, as
    ``analysis.exact_agreement`` returns it; rows: dataset -> its number of rows.
    """
    settings = list(dict.fromkeys(table["estimator"] + ", " + table["score_split"]))
    panels = list(dict.fromkeys(table["dataset"] + " / " + table["model"]))
    grid = (table.assign(setting=table["estimator"] + ", " + table["score_split"],
                         panel=table["dataset"] + " / " + table["model"])
            .pivot(index="setting", columns="panel", values=metric).reindex(index=settings, columns=panels))
    values = grid.to_numpy(dtype=float)
    with book_style():
        fig, ax = plt.subplots(figsize=(min(BOOK_WIDTH, 3.6 + 1.3 * len(panels)), 1.8 + 0.36 * len(settings)),
                               layout="constrained")
        sns.heatmap(grid.fillna(0.0), ax=ax, cmap="RdBu", vmin=-1, vmax=1, linewidths=0.5,
                    annot=np.where(np.isnan(values), "n/a", np.char.mod("%.2f", np.nan_to_num(values))), fmt="",
                    annot_kws={"fontsize": 10}, cbar_kws={"label": f"{metric} with exact (valid)"})
        ax.set(xlabel="", ylabel="")
        ax.tick_params(axis="y", rotation=0)
        ax.tick_params(axis="x", rotation=20)
    label = data_label({name: rows[name] for name in dict.fromkeys(table["dataset"])}, profile)
    return finish(fig, title or "Agreement of saliency with the exact drop-column importance", label)
