"""Chapter 10's figures: the regime map (SSEDS minus uniform widths against each knob) and the gain
model's predictions against the measured gains."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from .style import BOOK_WIDTH, book_style, finish, legend_below, model_palette

BUDGET_MARKERS = {0.2: "o", 0.1: "s"}
CATEGORICAL = {"vocab_order": ("reverse", "random", "importance"), "form": ("fm", "mlp"), "D": None}


def _positions(values: pd.Series, knob: str) -> tuple[np.ndarray, list | None]:
    """x positions of a knob's values: the value itself, or the level's index for a categorical knob."""
    if knob not in CATEGORICAL:
        return values.to_numpy(dtype=float), None
    levels = CATEGORICAL[knob] or tuple(sorted(values.unique()))  # D: the widths present
    return np.array([levels.index(v) for v in values], dtype=float), list(levels)


def plot_regime_map(cells: pd.DataFrame, knobs, labels: dict[str, str], label: str) -> Figure:
    """One panel per knob: each cell's SSEDS − uniform test AUC (mean over paired seeds, 95% interval)
    against the knob's value; colour: base model; marker: budget; hollow: indistinguishable after Holm."""
    with book_style():
        cols = 2
        rows = int(np.ceil(len(knobs) / cols))
        fig, axes = plt.subplots(rows, cols, figsize=(BOOK_WIDTH, 1.9 * rows + 0.6), layout="constrained",
                                 sharey=True, squeeze=False)
        if cells.empty:
            for ax in axes.flat:
                ax.set_axis_off()
            axes.flat[0].text(0.5, 0.5, "no regime cells", ha="center", va="center", transform=axes.flat[0].transAxes)
            return finish(fig, "regime map", label)
        models = list(dict.fromkeys(cells["model"]))
        colors = model_palette(models)
        # a small horizontal offset per model and budget keeps the categorical knobs' dots apart
        offsets = {(m, b): 0.08 * (i - 1.5) for i, (m, b) in enumerate((m, b) for m in models for b in (0.2, 0.1))}
        for ax, knob in zip(axes.flat, knobs, strict=False):
            x, levels = _positions(cells[knob], knob)
            for (model, budget), idx in cells.groupby(["model", "budget"]).groups.items():
                sub = cells.loc[idx]
                xs = x[cells.index.get_indexer(idx)] + (offsets.get((model, budget), 0.0) if levels else 0.0)
                for xi, (_, r) in zip(xs, sub.iterrows(), strict=True):
                    filled = r["verdict"] != "indistinguishable"
                    ax.errorbar(xi, r["gain"], yerr=r["gain_ci95"] if r["gain_ci95"] == r["gain_ci95"] else None,
                                fmt=BUDGET_MARKERS.get(budget, "o"), color=colors[model], markersize=4.5,
                                markerfacecolor=colors[model] if filled else "white", elinewidth=0.8, capsize=0)
            ax.axhline(0, color="0.3", linestyle=":", linewidth=1)
            ax.set_xlabel(labels.get(knob, knob))
            if levels:
                ax.set_xticks(range(len(levels)), [str(v) for v in levels])
                ax.set_xlim(-0.5, len(levels) - 0.5)
            if knob == "rows_per_row":  # a log axis with plain ticks (matplotlib's minor labels collide)
                ax.set_xscale("log")
                ax.set_xticks([5, 10, 20, 40], ["5", "10", "20", "40"])
                ax.xaxis.set_minor_formatter(NullFormatter())
        for ax in axes.flat[len(knobs):]:
            ax.set_axis_off()
        for ax in axes[:, 0]:
            ax.set_ylabel("SSEDS − uniform")
        handles = [Line2D([], [], color=colors[m], marker="o", linestyle="") for m in models]
        handles += [Line2D([], [], color="0.3", marker=BUDGET_MARKERS[b], linestyle="") for b in (0.2, 0.1)]
        legend_below(fig, handles, [*models, "budget 0.2", "budget 0.1"], ncol=4)
    return finish(fig, "regime map: SSEDS minus uniform widths against each knob", label)


def plot_predictions(points: pd.DataFrame, label: str) -> Figure:
    """Predicted against measured gain (test AUC, SSEDS − uniform): the held-out settings' cells and the
    real datasets' cells (measured with their 95% intervals); the diagonal is a perfect prediction and
    the dotted lines are zero."""
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 3.6), layout="constrained")
        groups = list(dict.fromkeys(points["group"])) if not points.empty else []
        markers = dict(zip(groups, ["o", "D", "^", "s", "v"], strict=False))
        colors = dict(zip(groups, ["0.45", "#c0392b", "#2980b9", "#27ae60", "#8e44ad"], strict=False))
        for g in groups:
            sub = points[points["group"] == g]
            ax.errorbar(sub["predicted"], sub["measured"], yerr=sub["ci95"].where(sub["ci95"] == sub["ci95"]),
                        fmt=markers[g], color=colors[g], markersize=5, elinewidth=0.8, label=g, capsize=0)
        if not points.empty:
            lo = float(min(points["predicted"].min(), (points["measured"] - points["ci95"].fillna(0)).min()))
            hi = float(max(points["predicted"].max(), (points["measured"] + points["ci95"].fillna(0)).max()))
            pad = 0.05 * (hi - lo or 1.0)
            ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.6", linewidth=1)
        ax.axhline(0, color="0.3", linestyle=":", linewidth=1)
        ax.axvline(0, color="0.3", linestyle=":", linewidth=1)
        ax.set_xlabel("predicted SSEDS − uniform (gain model)")
        ax.set_ylabel("measured SSEDS − uniform")
        if groups:
            ax.legend(frameon=False, loc="upper left")
    return finish(fig, "gain model: predicted against measured", label)
