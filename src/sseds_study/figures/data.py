"""Figures of an encoded dataset (the data chapter).

Each takes an :class:`~sseds_study.data.spec.EncodedDataset`; statistics come from
:mod:`sseds_study.data.stats` and are computed on one split (``train`` by default), which is what
the models and the vocabularies see. Titles and closing follow ``style.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..data.spec import EncodedDataset
from ..data.stats import missing_rates, oov_share, split_rows, value_statistics
from .style import BOOK_WIDTH, book_style, dataset_label, field_colors, finish


def rank_label(name: str, rank: int) -> str:
    """A planted field as the figures and tables name it: 'f1 (noise)', 'f4 (rank 8)'."""
    return f"{name} (noise)" if rank == 0 else f"{name} (rank {rank})"


def field_titles(ds: EncodedDataset) -> list[str]:
    """Each field's name, with its planted rank where the data have a planted truth (the reader then
    needs no table beside the panel to know which field is noise)."""
    truth = ds.manifest.get("truth")
    ranks = truth.get("ranks") if isinstance(truth, Mapping) else None
    if not isinstance(ranks, Mapping):
        return list(ds.field_names)
    return [rank_label(n, int(ranks.get(n, 0))) for n in ds.field_names]


def plot_field_cardinality(ds: EncodedDataset, *, profile: str) -> Figure:
    """Vocabulary size V_f of every field (OOV row included), log scale, largest first."""
    order = np.argsort(-np.asarray(ds.vocab_sizes), kind="stable")  # largest first; ties keep field order
    titles = field_titles(ds)
    names = [titles[i] for i in order]
    sizes = [ds.vocab_sizes[i] for i in order]
    # The book's column width and fonts (style.book_style): the page shows these figures at column width.
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 4.2), layout="constrained")
        bars = ax.bar(range(len(names)), sizes, color="#3b6ea8")
        ax.bar_label(bars, labels=[f"{s:,}" for s in sizes], fontsize=10, padding=2)
        ax.set_yscale("log")
        ax.set_ylim(0.8, max(sizes) * 6)
        ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 6 else 0,
                      ha="right" if len(names) > 6 else "center", rotation_mode="anchor")
        ax.set_ylabel("vocabulary size $V_f$ (log)")
        ax.set_xlabel("field")
        ax.grid(axis="y", alpha=0.3)
        ax.grid(axis="x", visible=False)
    return finish(fig, "Field cardinality", dataset_label(ds, profile))


def plot_feature_popularity(ds: EncodedDataset, split: str = "train", *, profile: str) -> Figure:
    """Occurrences of each value against its popularity rank, log-log, one line per field.

    A straight line is a power law; the OOV id is included where it is used.
    """
    stats = value_statistics(ds, split)
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 4.8), layout="constrained")
        for spec, color in zip(ds.fields, field_colors(ds.num_fields), strict=True):
            s = stats[(stats["field"] == spec.name) & (stats["count"] > 0)].sort_values("rank")
            if len(s) == 0:
                continue
            ax.plot(s["rank"], s["count"], color=color, lw=1.6, label=spec.name,
                    marker="o" if len(s) < 4 else None, ms=4)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("value rank within its field (1 = most frequent)")
        ax.set_ylabel(f"occurrences in the {split} split")
        ax.grid(alpha=0.3, which="major")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(ncol=1 if ds.num_fields <= 10 else 2, loc="center left", bbox_to_anchor=(1.01, 0.5),
                      frameon=False)
    return finish(fig, "Feature popularity", dataset_label(ds, profile, split))


def plot_value_positive_rates(ds: EncodedDataset, split: str = "train", *, profile: str, ncols: int = 3) -> Figure:
    """For each field, the positive rate of every value against how often it occurs.

    Rare values scatter widely by chance alone; the grey band is the two-standard-error band of a
    value that carries no information (positive rate = the split's overall rate). A field whose
    frequent values leave the band separates clicks from non-clicks.
    """
    stats = value_statistics(ds, split)
    rows = split_rows(ds, split)
    base = float(np.mean(ds.labels[rows])) if len(ds.labels[rows]) else math.nan
    n = ds.num_fields
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    max_count = max(1, int(stats["count"].max()))
    grid = np.logspace(0, math.log10(max_count) + 0.1, 100)
    half = 2 * np.sqrt(base * (1 - base) / grid)
    with book_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(BOOK_WIDTH, 2.7 * nrows + 1.0), sharey=True,
                                 layout="constrained", squeeze=False)
        for ax, spec, title, color in zip(axes.flat, ds.fields, field_titles(ds), field_colors(n), strict=False):
            s = stats[(stats["field"] == spec.name) & (stats["count"] > 0)]
            ax.fill_between(grid, np.clip(base - half, 0, 1), np.clip(base + half, 0, 1), color="0.85", lw=0)
            ax.axhline(base, color="0.4", lw=0.8)
            ax.scatter(s["count"], s["positive_rate"], s=10, alpha=0.6, color=color, lw=0)
            ax.set_xscale("log")
            ax.set_xlim(0.8, max_count * 1.5)
            ax.set_ylim(-0.03, 1.03)
            ax.set_title(f"{title}, {spec.vocab_size:,} values", fontsize=11)
            ax.tick_params(labelsize=10)
            ax.grid(alpha=0.3)
        for ax in axes.flat[n:]:
            ax.set_axis_off()
        fig.supxlabel(f"occurrences of the value in the {split} split (log)", fontsize=12)
        fig.supylabel("positive rate of its rows", fontsize=12)
    return finish(fig, "Positive rate per field value", dataset_label(ds, profile, split))


def plot_missing_rates(ds: EncodedDataset, *, profile: str) -> Figure:
    """Per field: the share of raw rows with no value (from the manifest; missing is a category of its
    own, so it does not by itself cost information) and the share of validation and test values that
    fall to the out-of-vocabulary id 0 because training never saw them (often enough)."""
    missing = missing_rates(ds)
    series = {}
    if missing is not None:
        series["missing in the raw data"] = ([missing[n] for n in ds.field_names], "#c0504d")
    for split, color in (("valid", "#3b6ea8"), ("test", "#8fb3de")):
        share = oov_share(ds, split)
        series[f"OOV id in the {split} split"] = ([share[n] for n in ds.field_names], color)
    x = np.arange(ds.num_fields)
    width = 0.8 / len(series)
    names = ds.field_names
    top = max(float(np.max(np.nan_to_num(v), initial=0.0)) for v, _ in series.values())
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 4.2), layout="constrained")
        for k, (label, (values, color)) in enumerate(series.items()):
            ax.bar(x + (k - (len(series) - 1) / 2) * width, np.nan_to_num(values), width, label=label, color=color)
        ax.set_xticks(x, names, rotation=45 if len(names) > 6 else 0, ha="right" if len(names) > 6 else "center")
        ax.set_ylim(0, max(0.01, top * 1.4))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("share of rows / values")
        ax.grid(axis="y", alpha=0.3)
        ax.grid(axis="x", visible=False)
        ax.legend(frameon=False, loc="upper left")
        if top == 0:
            ax.text(0.5, 0.5, "no missing values and no OOV ids", transform=ax.transAxes, ha="center", va="center",
                    color="0.4")
    return finish(fig, "Missing values and out-of-vocabulary ids", dataset_label(ds, profile))
