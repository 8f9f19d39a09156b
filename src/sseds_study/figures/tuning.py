"""The tuning stage's grid: validation AUC of the full model at every learning rate and embedding
weight decay, per dataset and base model, with the chosen point marked."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .style import BOOK_WIDTH, book_style, data_label, finish, legend_below, model_palette


def plot_tuning_grid(grid: pd.DataFrame, *, rows: Mapping[str, int], profile: str) -> Figure:
    """One panel per dataset: validation AUC against embedding weight decay (symlog axis, so 0 shows),
    one line per base model and learning rate, the chosen point of each model circled."""
    datasets = list(dict.fromkeys(grid["dataset"]))
    models = list(dict.fromkeys(grid["model"]))
    lrs = sorted(grid["lr"].unique())
    colors = model_palette(models)
    styles = ["-", "--", ":", "-."]
    decays = sorted(grid["emb_weight_decay"].unique())
    positive = [d for d in decays if d > 0]
    with book_style():
        fig, axes = plt.subplots(1, len(datasets), figsize=(BOOK_WIDTH, 4.8), squeeze=False, layout="constrained")
        for ax, name in zip(axes[0], datasets, strict=True):
            sub = grid[grid["dataset"] == name]
            for model in models:
                for j, lr in enumerate(lrs):
                    line = sub[(sub["model"] == model) & (sub["lr"] == lr)].sort_values("emb_weight_decay")
                    ax.plot(line["emb_weight_decay"], line["valid_auc"], color=colors[model], lw=2,
                            ls=styles[j % len(styles)], marker="o", ms=4, label=f"{model}, lr {lr:g}")
                chosen = sub[(sub["model"] == model) & sub["chosen"]]
                ax.scatter(chosen["emb_weight_decay"], chosen["valid_auc"], s=140, facecolors="none",
                           edgecolors=colors[model], linewidths=1.8, zorder=3)
            if positive:
                ax.set_xscale("symlog", linthresh=min(positive))
            ax.set_xticks(decays)
            ax.set_xticklabels(["0" if d == 0 else f"{d:g}" for d in decays])
            ax.set(xlabel="embedding weight decay (L2 in Adam)", ylabel="validation AUC (full model)")
            if len(datasets) > 1:
                ax.set_title(name)
        handles, labels = axes[0][0].get_legend_handles_labels()
        legend_below(fig, handles, labels, ncol=3)
    return finish(fig, "Tuning: the full model's validation AUC over the grid (circled: chosen)",
                  data_label(dict(rows), profile))
