"""Figures that compare methods or settings seed by seed: the budget, ablation and efficiency chapters.

The budget and ablation figures draw paired changes (``study.compare.paired_changes``): each run's
metric minus that of its reference run with the same seed (the full model; the default search
settings), as the mean over seeds with its Student-t 95% interval and every seed as a faint dot. A
change is read against zero, and the seed-to-seed noise the two runs share cancels out of it. They
are drawn with seaborn; the Pareto figure, whose points are means in both coordinates, with
matplotlib. Titles and closing follow ``style.py``; a method is drawn in its registry colour and
marker.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter, NullLocator

from ..study.methods import METHODS
from .style import (
    BOOK_WIDTH,
    book_style,
    column_figure,
    data_label,
    finish,
    legend_below,
    method_dashes,
    method_markers,
    method_palette,
    method_style,
    t_errorbar,
)

PANEL_HEIGHT = 2.6  # inches per row of panels
# Log-budget offset between the series of a panel, so that their error bars do not overlap; small, so
# that the series of one budget still sit together around its grid line.
DODGE = 0.03
NOT_RETRAINED = "not retrained"


def method_rows(methods: Sequence[str], focus: str = "sseds", per_row: int = 2) -> dict[str, list[str]]:
    """The rows of panels of a budget figure: {row title: methods}. The retrained methods come ``per_row``
    to a row, in registry order, each row with ``focus`` beside them for reference; the methods that
    are not retrained (their AUC falls far lower) get a row of their own, so that they do not stretch
    the others' axis."""
    methods = [m for m in METHODS if m in methods and m not in ("full", focus)]
    gated = [m for m in methods if METHODS[m].evaluation == "gated"]
    others = [m for m in methods if m not in gated]
    head = [focus] if focus in METHODS else []
    rows = {" · ".join(others[i:i + per_row]): [*head, *others[i:i + per_row]] for i in range(0, len(others), per_row)}
    if gated:
        rows[NOT_RETRAINED] = [*head, *gated]
    return rows or {focus: head}


def _dodged(data: pd.DataFrame, order: Sequence[str], x: str) -> pd.Series:
    """x multiplied by a small factor per series (log axis), centred on the true value."""
    k = data["method"].map({m: i for i, m in enumerate(order)}).astype(float)
    return data[x] * np.exp(DODGE * (k - (len(order) - 1) / 2))


def metric_label(metric: str) -> str:
    """'test_auc' -> 'test AUC', 'valid_logloss' -> 'validation logloss'."""
    split, _, name = metric.partition("_")
    return f"{'validation' if split == 'valid' else split} {'AUC' if name == 'auc' else name}"


def _budget_tick(budgets: Sequence[float], min_ratio: float = 1.6):
    """A tick formatter that labels every budget but one too close (on the log axis) to the last one
    labelled, so that 0.2 and 0.3 do not run into each other; the unlabelled tick keeps its grid line."""
    labelled, last = set(), None
    for b in sorted(budgets):
        if last is None or b / last >= min_ratio:
            labelled.add(b)
            last = b
    return lambda v, _: f"{v:g}" if any(math.isclose(v, b) for b in labelled) else ""


def _legend(fig: Figure, methods: Sequence[str], reference: str | None = None) -> None:
    """One legend for the figure, below the panels: the reference line, then every method drawn."""
    handles = [Line2D([], [], color="black", ls="--", lw=1.2)] if reference else []
    for m in methods:
        style = method_style(m)
        handles.append(Line2D([], [], color=style.get("color"), marker=style.get("marker"), ls=style.get("ls", "-")))
    labels = [reference] * bool(reference) + list(methods)
    legend_below(fig, handles, labels, ncol=4)


def _share_ylim(axes, data: pd.DataFrame, by: Sequence[str], margin: float = 0.06) -> None:
    """One y-range for these axes, spanning zero, every seed's ``change`` and every 95% interval of the
    mean change per ``by`` group (three seeds make wide intervals: they are shown whole)."""
    ends = [v for _, g in data.groupby(list(by)) for v in t_errorbar(g["change"])]
    values = np.asarray([*ends, *data["change"], 0.0], dtype=float)
    lo, hi = np.nanmin(values), np.nanmax(values)
    pad = margin * (hi - lo or 1e-3)
    for ax in axes:
        ax.set_ylim(lo - pad, hi + pad)


def plot_budget_change(changes: pd.DataFrame, dataset: str, *, rows: int, profile: str,
                       models: Sequence[str] | None = None, focus: str = "sseds", metric: str = "test_auc",
                       title: str | None = None) -> Figure:
    """Change in the metric against the full model of the same seed, by embedding budget (log scale):
    a column of panels per base model, a row per group of methods (``method_rows``), the mean change
    over seeds with its 95% interval and every seed as a dot; zero is the full model.

    changes: ``paired_changes(rows, {"method": "full"}, ["dataset", "model"])`` of the default-settings
    runs (columns dataset, model, method, budget, seed, reference, change); rows: the dataset's rows.
    """
    sub = changes[changes["dataset"] == dataset]
    models = [m for m in (models or dict.fromkeys(sub["model"])) if m in set(sub["model"])]
    panels = method_rows(list(dict.fromkeys(sub["method"])), focus)
    data = pd.concat([sub[sub["method"].isin(ms)].assign(panel=name, x=lambda d, ms=ms: _dodged(d, ms, "budget"))
                      for name, ms in panels.items()], ignore_index=True)
    drawn = [m for m in METHODS if m in set(data["method"])]
    full = sub.groupby("model")["reference"].mean()  # each seed's full model counted once per run: same mean
    with book_style():
        g = sns.relplot(data, x="x", y="change", hue="method", style="method", row="panel", col="model", kind="line",
                        hue_order=drawn, style_order=drawn, row_order=list(panels), col_order=models,
                        palette=method_palette(drawn), markers=method_markers(drawn), dashes=method_dashes(drawn),
                        errorbar=t_errorbar, err_style="bars", err_kws={"capsize": 3, "elinewidth": 1.2},
                        markersize=6, legend=False, height=PANEL_HEIGHT, aspect=BOOK_WIDTH / len(models) / PANEL_HEIGHT,
                        facet_kws={"sharey": False, "sharex": True})
        g.map_dataframe(sns.scatterplot, x="x", y="change", hue="method", palette=method_palette(drawn), s=12,
                        alpha=0.35, linewidth=0, legend=False, zorder=1)
        g.refline(y=0, color="black", linestyle="--", linewidth=1.2)
        # Each panel's title names its model and methods (no sideways row titles); the first row's also
        # gives the full model's mean AUC.
        for i, name in enumerate(panels):
            for ax, model in zip(g.axes[i], models, strict=True):
                head = f"{model} (full: {full[model]:.4f})" if i == 0 else model
                ax.set_title(f"{head}\n{name}", fontsize=10)
        budgets = sorted(set(sub["budget"]))
        for ax in g.axes.flat:
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(FixedLocator(budgets))
            ax.xaxis.set_major_formatter(FuncFormatter(_budget_tick(budgets)))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set(xlabel="", ylabel="")
        retrained = [i for i, n in enumerate(panels) if n != NOT_RETRAINED]
        # Every retrained panel shares one y-range, across models too, so that changes compare by eye;
        # the methods that are not retrained fall much further and get their own.
        for idx in (retrained, [i for i in range(len(panels)) if i not in retrained]):
            if idx:
                names = [list(panels)[i] for i in idx]
                cell = data[data["panel"].isin(names)]
                # sseds is in every row: group by panel too, or its seeds would count twice
                _share_ylim([g.axes[i][j] for i in idx for j in range(len(models))], cell,
                            ["panel", "model", "method", "budget"])
        fig = column_figure(g)
        # A short label under each bottom panel: a figure-wide one collided with the legend below it.
        for ax in g.axes[-1]:
            ax.set_xlabel("budget (log scale)")
        fig.supylabel(f"{metric_label(metric)} change vs the full model", fontsize=11)
        _legend(fig, drawn, reference="full (zero)")
    headline = title or f"{metric_label(metric)}: change against the full model, seed by seed"
    return finish(fig, headline, data_label({dataset: rows}, profile))


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
    """Metric against the deployed embedding bytes (log scale), a panel per model, two panels a row: a
    line per retrained method through its budgets (95% intervals as error bars), the full model as a
    star, and the Pareto front over every point of the panel as a grey step line (the best metric at
    each size). Methods that are not retrained are left out: they weigh what their retrained
    counterpart weighs, at a far lower metric. Matplotlib, not seaborn: each point is a mean in both
    coordinates.

    agg: output of ``study.aggregate`` with ``emb_bytes_mean`` (bytes of the embedding storage a server
    holds: dense tables, or PEP's compressed sparse rows); rows: the dataset's number of rows.
    """
    sub = agg[(agg["dataset"] == dataset) & (agg["variant"] == variant)]
    sub = sub[sub["method"].map(lambda m: m not in METHODS or METHODS[m].evaluation != "gated")]
    models = list(models or dict.fromkeys(sub["model"]))
    with book_style():
        # A full-width panel per model, one under the other: the methods' points spread over the width.
        fig, axes = plt.subplots(len(models), 1, figsize=(BOOK_WIDTH, 2.9 * len(models) + 1.2), squeeze=False,
                                 sharex=True, layout="constrained")
        for ax, model in zip(axes.flat, models, strict=True):
            _pareto_panel(ax, sub[sub["model"] == model], metric)
            ax.set(title=model, ylabel=metric_label(metric))
        axes.flat[-1].set_xlabel("deployed embedding KiB (log scale)")
        drawn = [m for m in METHODS if m in set(sub["method"])]
        handles = [Line2D([], [], color="#888888", lw=3, alpha=0.6)]
        handles += [Line2D([], [], color="black", marker="*", ms=12, ls="") if m == "full" else
                    Line2D([], [], **method_style(m)) for m in drawn]
        legend_below(fig, handles, ["Pareto front", *drawn], ncol=4)
    headline = title or f"{metric_label(metric)} against deployed embedding bytes"
    return finish(fig, headline, data_label({dataset: rows}, profile))


def _pareto_panel(ax, m: pd.DataFrame, metric: str) -> None:
    front = m.iloc[pareto_front(m["emb_bytes_mean"], m[f"{metric}_mean"])]
    ax.step(front["emb_bytes_mean"] / 1024, front[f"{metric}_mean"], where="post", color="#888888", lw=3,
            alpha=0.6, zorder=0)
    for method, g in m.groupby("method", sort=False):
        style = method_style(method)
        g = g.sort_values("emb_bytes_mean")
        if method == "full":
            ax.plot(g["emb_bytes_mean"] / 1024, g[f"{metric}_mean"], marker="*", ms=12, ls="",
                    color=style.get("color", "black"))
            continue
        ax.errorbar(g["emb_bytes_mean"] / 1024, g[f"{metric}_mean"], yerr=np.nan_to_num(g[f"{metric}_ci95"]),
                    capsize=2, ms=5, label=method, **style)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_factor_effects(effects: pd.DataFrame, *, rows: Mapping[str, int], profile: str,
                        metric: str = "valid_auc", title: str | None = None) -> Figure:
    """The main effect of each factor of a factorial ablation: a panel per factor, a row per (model,
    budget) cell, the change in the metric between a level and the factor's base level (averaged over
    the other factors), as the mean over seeds with its 95% interval, one colour per level when the
    factor has more than two (named in a legend below the panels); zero (dashed) is no effect. Every
    panel has the same x scale, so that the factors' effects compare by eye.

    effects: the per-seed table of ``analysis.ablation.main_effects`` (columns dataset, model, budget,
    seed, factor, contrast, change); rows: dataset -> its number of rows.
    """
    factors = list(dict.fromkeys(effects["factor"]))
    datasets = list(dict.fromkeys(effects["dataset"]))
    head = effects["dataset"] + ", " if len(datasets) > 1 else ""
    data = effects.assign(cell=head + effects["model"] + ", b = " + effects["budget"].map(lambda b: f"{b:g}"))
    cells = list(dict.fromkeys(data.sort_values(["dataset", "model", "budget"], ascending=[True, True, False])["cell"]))
    ncols = min(2, len(factors))
    nrows = math.ceil(len(factors) / ncols)
    height = 1.2 + 0.45 * len(cells)
    # A colour per contrast of the factors with several (each colour means one contrast in the whole
    # figure); a factor with one contrast is drawn in dark grey and named in its panel's title.
    several = list(dict.fromkeys(data.loc[data.groupby("factor")["contrast"].transform("nunique") > 1, "contrast"]))
    colors = dict(zip(several, sns.color_palette("colorblind", len(several)), strict=True))
    # The x-range covers every seed's change and every mean, not the intervals: with two seeds an
    # interval can be ten times wider than the effects, which would shrink them to a point.
    lo, hi = float(np.nanmin([data["change"].min(), 0.0])), float(np.nanmax([data["change"].max(), 0.0]))
    pad = 0.08 * (hi - lo or 1e-3)
    with book_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(BOOK_WIDTH, height * nrows + 1.4), squeeze=False,
                                 sharex=True, sharey=True, layout="constrained")
        handles, labels = [], []
        for ax, factor in zip(axes.flat, factors, strict=False):
            sub = data[data["factor"] == factor]
            levels = list(dict.fromkeys(sub["contrast"]))
            palette = {c: colors.get(c, "#444444") for c in levels}
            sns.pointplot(sub, x="change", y="cell", hue="contrast", order=cells, hue_order=levels, palette=palette,
                          errorbar=t_errorbar, dodge=0.45 if len(levels) > 1 else False, linestyle="none",
                          capsize=0.15, markersize=6, ax=ax, legend=len(levels) > 1)
            ax.axvline(0, color="black", linestyle="--", linewidth=1.2)
            ax.set(xlabel="", ylabel="", title=factor if len(levels) > 1 else f"{factor}: {levels[0]}")
            if len(levels) > 1:  # the levels go to the figure's legend, below the panels
                h, lab = ax.get_legend_handles_labels()
                handles += h
                labels += [f"{factor}: {text}" for text in lab]
                ax.get_legend().remove()
        for ax in axes.flat[len(factors):]:
            ax.set_axis_off()
        axes[0][0].set_xlim(lo - pad, hi + pad)
        for ax in axes[-1]:
            ax.set_xlabel(f"{metric_label(metric)} change\n(intervals may run past the edge)")
            ax.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.3f}" if abs(v) > 1e-12 else "0"))
        if handles:
            legend_below(fig, handles, labels, ncol=2)
    label = data_label({name: rows[name] for name in datasets}, profile)
    return finish(fig, title or f"Main effect of each factor on {metric_label(metric)}, seed by seed", label)
