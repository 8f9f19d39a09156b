"""The figure of chapter 5's ten-seed rerun: each factor's main effect with its 95% interval, per
model × budget cell and pooled over the cells, coloured by its Holm-corrected verdict.

Drawn with matplotlib from the summary table (a mean and a half-width per line), not from the
per-seed changes: the pooled line's interval is that of the per-seed means over the cells, which a
plot of the cells' seeds could not draw. Titles and closing follow ``style.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .comparison import metric_label
from .style import BOOK_WIDTH, book_style, data_label, finish, legend_below

# One colour per verdict (those of the claims chapter's figures); an indistinguishable effect is hollow.
EFFECT_COLORS = {"better": "#1b7837", "worse": "#c0392b", "indistinguishable": "#7f7f7f"}
EFFECT_WORDS = {"better": "raises AUC", "worse": "lowers AUC", "indistinguishable": "indistinguishable"}
LINE_HEIGHT = 0.34  # inches per line of a panel


def plot_main_effects(effects: pd.DataFrame, *, rows: Mapping[str, int], profile: str, metric: str = "valid_auc",
                      reason: str = "") -> Figure:
    """A panel per factor (two a row, one x scale for all), a line per model × budget cell and the
    pooled effect last: a dot at the mean main effect over seeds and a bar for its 95% interval; green
    where it raises the metric, red where it lowers it, hollow grey where it is indistinguishable
    from zero (Holm, 5%); zero is dashed. With no effects, a panel that says why (``reason``).

    effects: a row per factor and line, with columns factor (the panel's name), contrast ('inherit −
    scratch'), line (its label, in the order to draw), change, ci95 and verdict (``study.compare``);
    rows: dataset -> its number of rows (the figure's description).
    """
    label = data_label(dict(rows), profile)
    headline = f"Main effect of each factor on {metric_label(metric)}, from the half-fraction rerun"
    shown = effects[effects["change"].notna()] if not effects.empty else effects
    if shown.empty:
        with book_style():
            fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 1.8), layout="constrained")
            ax.axis("off")
            ax.text(0.5, 0.5, reason or "no effects to show", ha="center", va="center", wrap=True,
                    transform=ax.transAxes)
        return finish(fig, headline, label)
    factors = list(dict.fromkeys(shown["factor"]))
    lines = list(dict.fromkeys(shown["line"]))
    ncols = min(2, len(factors))
    nrows = -(-len(factors) // ncols)
    half = shown["ci95"].fillna(0.0)
    lo = float(np.nanmin([(shown["change"] - half).min(), 0.0]))
    hi = float(np.nanmax([(shown["change"] + half).max(), 0.0]))
    pad = 0.06 * (hi - lo or 1e-3)
    with book_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(BOOK_WIDTH, nrows * (0.9 + LINE_HEIGHT * len(lines)) + 0.9),
                                 squeeze=False, sharex=True, sharey=True, layout="constrained")
        for ax, factor in zip(axes.flat, factors, strict=False):
            sub = shown[shown["factor"] == factor]
            for r in sub.to_dict("records"):
                y = len(lines) - 1 - lines.index(r["line"])
                color = EFFECT_COLORS.get(r["verdict"], "#333333")
                hollow = r["verdict"] not in ("better", "worse")
                ax.errorbar(r["change"], y, xerr=0.0 if pd.isna(r["ci95"]) else r["ci95"], fmt="o", color=color,
                            capsize=2, ms=6, lw=1.4, mfc="white" if hollow else color, mew=1.5)
            ax.axvline(0, color="black", ls="--", lw=1.1)
            ax.set_title(f"{factor}: {sub['contrast'].iloc[0]}")
        for ax in axes.flat[len(factors):]:
            ax.set_axis_off()
        axes[0][0].set_yticks(range(len(lines))[::-1], lines)
        axes[0][0].set_ylim(-0.6, len(lines) - 0.4)
        axes[0][0].set_xlim(lo - pad, hi + pad)
        for ax in axes[-1]:
            ax.set_xlabel(f"{metric_label(metric)} change")
            ax.xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.3f}" if abs(v) > 1e-12 else "0"))
        kinds = [k for k in EFFECT_COLORS if k in set(shown["verdict"])]
        handles = [plt.Line2D([], [], marker="o", ls="", ms=6, color=EFFECT_COLORS[k],
                              mfc="white" if k == "indistinguishable" else EFFECT_COLORS[k], mew=1.5) for k in kinds]
        legend_below(fig, handles, [EFFECT_WORDS[k] for k in kinds], ncol=3)
    return finish(fig, headline, label)
