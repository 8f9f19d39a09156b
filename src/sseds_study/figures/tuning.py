"""The tuning stage's grid: validation AUC of the full model at every learning rate and embedding
weight decay, per dataset and base model, with the chosen point marked."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import data_label, finish


def plot_tuning_grid(grid: pd.DataFrame, *, rows: Mapping[str, int], profile: str) -> Figure:
    """One panel per dataset: validation AUC against embedding weight decay (symlog axis, so 0 shows),
    one line per base model and learning rate, the chosen point of each model circled."""
    datasets = list(dict.fromkeys(grid["dataset"]))
    models = list(dict.fromkeys(grid["model"]))
    lrs = sorted(grid["lr"].unique())
    fig, axes = plt.subplots(1, len(datasets), figsize=(4.6 * len(datasets), 3.8), squeeze=False)
    colors = plt.get_cmap("tab10")
    styles = ["-", "--", ":", "-."]
    decays = sorted(grid["emb_weight_decay"].unique())
    positive = [d for d in decays if d > 0]
    for ax, name in zip(axes[0], datasets, strict=True):
        sub = grid[grid["dataset"] == name]
        for i, model in enumerate(models):
            for j, lr in enumerate(lrs):
                line = sub[(sub["model"] == model) & (sub["lr"] == lr)].sort_values("emb_weight_decay")
                ax.plot(line["emb_weight_decay"], line["valid_auc"], color=colors(i), ls=styles[j % len(styles)],
                        marker=".", label=f"{model}, lr {lr:g}")
            chosen = sub[(sub["model"] == model) & sub["chosen"]]
            ax.scatter(chosen["emb_weight_decay"], chosen["valid_auc"], s=140, facecolors="none",
                       edgecolors=colors(i), linewidths=1.8, zorder=3)
        if positive:
            ax.set_xscale("symlog", linthresh=min(positive))
        ax.set_xticks(decays)
        ax.set_xticklabels(["0" if d == 0 else f"{d:g}" for d in decays], fontsize=9)
        ax.set_xlabel("embedding weight decay (L2 in Adam)")
        ax.set_ylabel("validation AUC (full model)")
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.08 + 0.04 * np.ceil(len(labels) / 3), 1, 0.88))
    return finish(fig, "Tuning: the full model's validation AUC over the grid (circled: chosen)",
                  data_label(dict(rows), profile))
