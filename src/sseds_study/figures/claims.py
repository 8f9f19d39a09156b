"""Figures of the claims chapter: intervals against a margin, search cost, widths against planted ranks.

Each figure is drawn even when its claim cannot be tested (a panel stating why), so that the book's
cross-references always find it. Titles and closing follow ``style.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .style import BOOK_WIDTH, book_style, finish, legend_below, method_style

# One colour per verdict, the same in every figure of the chapter.
VERDICT_COLORS = {"supported": "#1b7837", "not supported": "#c0392b", "inconclusive": "#7f7f7f",
                  "better": "#1b7837", "worse": "#c0392b", "indistinguishable": "#7f7f7f"}
ROW_HEIGHT = 0.42  # inches per line of intervals (a line holds one interval, or one per method)
MIN_HEIGHT = 2.6  # inches: a figure of one or two lines is still a figure, not a strip


def _placeholder(headline: str, label: str, reason: str) -> Figure:
    """A figure that says why it has nothing to show."""
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 1.8), layout="constrained")
        ax.axis("off")
        ax.text(0.5, 0.5, reason, ha="center", va="center", wrap=True, transform=ax.transAxes)
    return finish(fig, headline, label)


def _color(kind: str, color_by: str) -> str:
    if color_by == "verdict":
        return VERDICT_COLORS.get(kind, "#333333")
    return method_style(kind).get("color", "#333333")


def plot_interval_claim(table: pd.DataFrame, *, labels: Sequence[str], headline: str, label: str,
                        value: str = "difference", half: str = "ci95", margin: float | None = None,
                        color_by: str = "verdict", xlabel: str = "test AUC difference", reason: str = "") -> Figure:
    """95% intervals (the mean as a dot), a line per distinct ``labels`` tuple in the table's order,
    with zero and ``-margin`` as vertical lines. Coloured by verdict, or by method when ``color_by``
    names a method column (several methods on one line are spread vertically; a hollow dot is an
    indistinguishable verdict). Rows without a mean are left out."""
    shown = table[table[value].notna()] if not table.empty else table
    if shown.empty:
        return _placeholder(headline, label, reason or "nothing to show: no cell could be judged")
    keys = [tuple(r) for r in shown[list(labels)].astype(str).itertuples(index=False)]
    lines = list(dict.fromkeys(keys))
    kinds = list(dict.fromkeys(shown[color_by]))
    step = 0.8 / len(kinds) if color_by != "verdict" else 0.0
    # Several methods on a line: each gets room of its own, a line as tall as they need.
    per_line = ROW_HEIGHT * (max(1.0, 0.45 * len(kinds)) if step else 1.0)
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, max(MIN_HEIGHT, 1.5 + per_line * len(lines))),
                               layout="constrained")
        for key, (_, r) in zip(keys, shown.iterrows(), strict=True):
            y = len(lines) - 1 - lines.index(key) + (step * (kinds.index(r[color_by]) - (len(kinds) - 1) / 2) if step else 0)
            color = _color(r[color_by], color_by)
            hollow = "verdict" in r and r["verdict"] == "indistinguishable" and color_by != "verdict"
            # A method keeps its registry marker as well as its colour, so that close colours still differ.
            marker = method_style(r[color_by]).get("marker") or "o" if color_by != "verdict" else "o"
            ax.errorbar(r[value], y, xerr=0.0 if pd.isna(r[half]) else r[half], fmt=marker, color=color, capsize=2,
                        ms=7, lw=1.4, mfc="white" if hollow else color, mew=1.6)
        ax.axvline(0, color="black", lw=1)
        if margin is not None:
            ax.axvline(-margin, color="black", lw=1, ls="--")
            ax.text(-margin, 1.0, f" −{margin:g}", transform=ax.get_xaxis_transform(), va="bottom", ha="center",
                    fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(6))  # few enough that "-0.0100" labels do not meet
        ax.set_yticks(range(len(lines))[::-1], [" · ".join(k) for k in lines])
        ax.set_ylim(-0.6, len(lines) - 0.4)
        ax.set_xlabel(xlabel)
        handles = [plt.Line2D([], [], marker=(method_style(k).get("marker") or "o") if color_by != "verdict" else "o",
                              ls="", ms=7, color=_color(k, color_by)) for k in kinds]
        labels = list(kinds)
        if color_by != "verdict" and "verdict" in shown:  # what hollow means, in the legend too
            handles.append(plt.Line2D([], [], marker="o", ls="", ms=7, color="#333333", mfc="white", mew=1.6))
            labels.append("hollow: indistinguishable")
        legend_below(fig, handles, labels, ncol=5)
    return finish(fig, headline, label)


def plot_cost_claim(table: pd.DataFrame, *, headline: str, label: str, reason: str = "") -> Figure:
    """Search cost per dataset and base model as a fraction of one pretraining epoch (log scale): a
    filled dot for forward-and-backward passes (what the verdict judges: the same on every machine), a
    hollow one for seconds (as measured, at the machine's load); SSEDS and PEP where it ran; the line
    at 1 is one epoch. Dots, not bars: a bar's length means nothing on a log axis."""
    if table.empty:
        return _placeholder(headline, label, reason or "no search costs recorded")
    names = [f"{r.dataset} · {r.model}" for r in table.itertuples()]
    y = np.arange(len(table))[::-1]
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, max(MIN_HEIGHT, 1.8 + 0.5 * len(table))), layout="constrained")
        for passes, seconds, method, offset in (("pass_fraction", "epoch_fraction", "sseds", 0.12),
                                                 ("pep_pass_fraction", "pep_epoch_fraction", "pep", -0.12)):
            values = table[passes].to_numpy(dtype=float) if passes in table else np.full(len(table), np.nan)
            if np.isnan(values).all():
                continue
            color = method_style(method).get("color")
            ax.plot(values, y + offset, "o", color=color, ms=7, label=f"{method}: passes")
            ax.plot(table[seconds].to_numpy(dtype=float), y + offset, "o", mfc="none", mec=color, ms=7,
                    label=f"{method}: seconds")
        ax.axvline(1, color="black", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_yticks(y, names)
        ax.set_xlabel("search cost / one pretraining epoch (log scale)")
        handles, labels = ax.get_legend_handles_labels()
        legend_below(fig, handles, labels, ncol=4)
    return finish(fig, headline, label)


def plot_planted_claim(per_field: pd.DataFrame, *, headline: str, label: str, reason: str = "") -> Figure:
    """SSEDS's width of each field against its planted rank, a dot per field and seed (spread sideways
    so that equal widths stay visible), a panel per dataset."""
    if per_field.empty:
        return _placeholder(headline, label, reason or "no planted ranks to compare with")
    datasets = list(dict.fromkeys(per_field["dataset"]))
    rng = np.random.default_rng(0)  # the jitter only: the same figure on every run
    with book_style():
        fig, axes = plt.subplots(1, len(datasets), figsize=(BOOK_WIDTH, 3.8), layout="constrained", squeeze=False)
        for ax, dataset in zip(axes[0], datasets, strict=True):
            d = per_field[per_field["dataset"] == dataset]
            ax.scatter(d["true_rank"] + rng.uniform(-0.15, 0.15, len(d)), d["width"], s=26, alpha=0.7,
                       color=method_style("sseds").get("color"), label="SSEDS: a field in one seed")
            rank, top = int(d["true_rank"].max()), int(max(d["true_rank"].max(), d["width"].max()))
            # The oracle's widths are the planted ranks: the line y = x, drawn over the ranks there are.
            ax.plot([0, rank], [0, rank], color="black", lw=1, ls="--", label="oracle: width = planted rank")
            ax.set_xlim(-0.5, rank + 0.5)
            ax.set_ylim(-0.5, top + 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # widths are whole dimensions
            ax.set_xlabel("planted rank")
            ax.set_ylabel("SSEDS width $d_f$")
            if len(datasets) > 1:
                ax.set_title(dataset)
        handles, labels = axes[0][0].get_legend_handles_labels()
        legend_below(fig, handles, labels, ncol=2)
    return finish(fig, headline, label)
