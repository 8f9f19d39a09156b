"""Figures and the small tables behind them. No training and no file I/O here.

Every plotting function returns a :class:`matplotlib.figure.Figure` (closed, so that a notebook shows
it once, where it is returned or glued) and titles it with the dataset, its number of rows and, when
given, the study profile: a figure copied out of the book still says what it shows.

Data-chapter figures take an :class:`~sseds_study.data.spec.EncodedDataset`; statistics are computed
on one split (``train`` by default), which is what the models and the vocabularies see.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .data.spec import PAD, SPLITS, EncodedDataset

# Manifest keys that may hold per-field raw missing rates ({field: rate}), newest name first.
_MISSING_KEYS = ("missing_rates", "missing_rate", "missing")


# ----------------------------------------------------------------------------------------------
# Labels
# ----------------------------------------------------------------------------------------------
def dataset_label(ds: EncodedDataset, profile: str | None = None, split: str | None = None) -> str:
    """'movielens100k, 100,000 rows (train split 80,000), profile default': the caption of a result."""
    text = f"{ds.name}, {len(ds):,} rows"
    if split is not None:
        text += f" ({split} split: {len(ds.split_index(split)):,})"
    if profile is not None:
        text += f", profile {profile}"
    return text


def _finish(fig: Figure, title: str, ds: EncodedDataset, profile: str | None, split: str | None) -> Figure:
    fig.suptitle(f"{title}\n{dataset_label(ds, profile, split)}", fontsize=11)
    plt.close(fig)
    return fig


# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------
def _rows(ds: EncodedDataset, split: str | None) -> np.ndarray | slice:
    if split is None:
        return slice(None)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None, got {split!r}")
    return ds.split_index(split)


def _field_ids_and_labels(ds: EncodedDataset, f: int, rows) -> tuple[np.ndarray, np.ndarray]:
    """Flattened ids of field f over the given rows, each with its row's label; padding dropped.

    A multi-valued field contributes one (id, label) pair per value: a movie with three genres counts
    once for each genre.
    """
    cols = ds.field_columns(f)[rows]  # (N, width)
    labels = np.broadcast_to(ds.labels[rows][:, None], cols.shape)
    keep = cols != PAD
    return cols[keep].astype(np.int64), labels[keep].astype(np.float64)


def value_statistics(ds: EncodedDataset, split: str | None = "train") -> pd.DataFrame:
    """One row per (field, id): how often the value occurs, and the positive rate of its rows.

    Columns: field, id, count, positives, positive_rate (NaN for ids never seen in the split), rank
    (1 = most frequent value of its field; ties broken by id).
    """
    rows = _rows(ds, split)
    frames = []
    for f, spec in enumerate(ds.fields):
        ids, labels = _field_ids_and_labels(ds, f, rows)
        count = np.bincount(ids, minlength=spec.vocab_size)[: spec.vocab_size]
        positives = np.bincount(ids, weights=labels, minlength=spec.vocab_size)[: spec.vocab_size]
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(count > 0, positives / np.maximum(count, 1), np.nan)
        order = np.lexsort((np.arange(spec.vocab_size), -count))
        rank = np.empty(spec.vocab_size, dtype=np.int64)
        rank[order] = np.arange(1, spec.vocab_size + 1)
        frames.append(pd.DataFrame({
            "field": spec.name, "id": np.arange(spec.vocab_size), "count": count.astype(np.int64),
            "positives": positives.round().astype(np.int64), "positive_rate": rate, "rank": rank,
        }))
    return pd.concat(frames, ignore_index=True)


def missing_rates(ds: EncodedDataset) -> dict[str, float] | None:
    """Per-field share of raw rows with no value, as recorded in the manifest (None if not recorded)."""
    for key in _MISSING_KEYS:
        value = ds.manifest.get(key)
        if isinstance(value, Mapping):
            return {name: float(value.get(name, 0.0)) for name in ds.field_names}
    return None


def oov_share(ds: EncodedDataset, split: str | None) -> dict[str, float]:
    """Per field, the share of values in a split that are the out-of-vocabulary id 0 (padding
    excluded): in valid and test, the values never seen (often enough) in training."""
    stats = value_statistics(ds, split)
    out = {}
    for name, s in stats.groupby("field", sort=False):
        total = int(s["count"].sum())
        out[name] = float(s.loc[s["id"] == 0, "count"].sum() / total) if total else float("nan")
    return out


def field_table(ds: EncodedDataset, split: str | None = "train", rare: int = 10, decimals: int = 4) -> pd.DataFrame:
    """One row per field, on one split, with what ``dataset_summary`` does not show: how many distinct
    values occur, the share of the most frequent one, the share of rows whose value is rare (seen
    fewer than ``rare`` times), and the spread (standard deviation over values seen at least ``rare``
    times) of the per-value positive rates, a first hint of how informative the field is alone."""
    stats = value_statistics(ds, split)
    rows = []
    for spec in ds.fields:
        s = stats[stats["field"] == spec.name]
        total = int(s["count"].sum())
        seen = s[s["count"] >= rare]
        rows.append({
            "field": spec.name,
            "values_seen": int((s["count"] > 0).sum()),
            "top_value_share": s["count"].max() / total if total else np.nan,
            "rare_value_share": s.loc[s["count"] < rare, "count"].sum() / total if total else np.nan,
            "positive_rate_spread": float(seen["positive_rate"].std(ddof=0)) if len(seen) > 1 else np.nan,
        })
    return pd.DataFrame(rows).set_index("field").round(decimals)


def truth_table(ds: EncodedDataset, split: str | None = "train", decimals: int = 4) -> pd.DataFrame:
    """For a dataset with a planted truth (``manifest["truth"]``, as written by the synthetic
    generator): each field's planted rank and relevance beside its vocabulary size and the spread of
    its per-value positive rates."""
    truth = ds.manifest.get("truth")
    if not isinstance(truth, Mapping) or "ranks" not in truth:
        raise ValueError(f"dataset {ds.name!r} has no planted truth in its manifest")
    table = field_table(ds, split, decimals=decimals)[["values_seen", "positive_rate_spread"]]
    table.insert(0, "planted_rank", [int(truth["ranks"].get(name, 0)) for name in table.index])
    table.insert(1, "relevant", [bool(truth.get("relevant", {}).get(name, r > 0))
                                 for name, r in zip(table.index, table["planted_rank"], strict=True)])
    return table


# ----------------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------------
def _field_colors(n: int):
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def plot_field_cardinality(ds: EncodedDataset, profile: str | None = None) -> Figure:
    """Vocabulary size V_f of every field (OOV row included), log scale, largest first."""
    order = np.argsort(-np.asarray(ds.vocab_sizes), kind="stable")  # largest first; ties keep field order
    names = [ds.field_names[i] for i in order]
    sizes = [ds.vocab_sizes[i] for i in order]
    fig, ax = plt.subplots(figsize=(max(5.0, 0.45 * len(names) + 2), 3.8), layout="constrained")
    bars = ax.bar(range(len(names)), sizes, color="#3b6ea8")
    ax.bar_label(bars, labels=[f"{s:,}" for s in sizes], fontsize=7, padding=2)
    ax.set_yscale("log")
    ax.set_ylim(0.8, max(sizes) * 4)
    ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 6 else 0, ha="right" if len(names) > 6 else "center")
    ax.set_ylabel("vocabulary size $V_f$ (log)")
    ax.set_xlabel("field")
    ax.grid(axis="y", alpha=0.3)
    return _finish(fig, "Field cardinality", ds, profile, None)


def plot_feature_popularity(ds: EncodedDataset, split: str = "train", profile: str | None = None) -> Figure:
    """Occurrences of each value against its popularity rank, log-log, one line per field.

    A straight line is a power law; the OOV id is included where it is used.
    """
    stats = value_statistics(ds, split)
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    for spec, color in zip(ds.fields, _field_colors(ds.num_fields), strict=True):
        s = stats[(stats["field"] == spec.name) & (stats["count"] > 0)].sort_values("rank")
        if len(s) == 0:
            continue
        ax.plot(s["rank"], s["count"], color=color, lw=1.4, label=spec.name,
                marker="o" if len(s) < 4 else None, ms=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("value rank within its field (1 = most frequent)")
    ax.set_ylabel(f"occurrences in the {split} split")
    ax.grid(alpha=0.3, which="major")
    ax.legend(fontsize=7, ncol=1 if ds.num_fields <= 10 else 2, loc="center left", bbox_to_anchor=(1.01, 0.5),
              frameon=False)
    return _finish(fig, "Feature popularity", ds, profile, split)


def plot_value_positive_rates(ds: EncodedDataset, split: str = "train", profile: str | None = None,
                              ncols: int = 3) -> Figure:
    """For each field, the positive rate of every value against how often it occurs.

    Rare values scatter widely by chance alone; the grey band is the two-standard-error band of a
    value that carries no information (positive rate = the split's overall rate). A field whose
    frequent values leave the band separates clicks from non-clicks.
    """
    stats = value_statistics(ds, split)
    rows = _rows(ds, split)
    base = float(np.mean(ds.labels[rows])) if len(ds.labels[rows]) else math.nan
    n = ds.num_fields
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, 2.4 * nrows + 0.8), sharey=True,
                             layout="constrained", squeeze=False)
    max_count = max(1, int(stats["count"].max()))
    grid = np.logspace(0, math.log10(max_count) + 0.1, 100)
    half = 2 * np.sqrt(base * (1 - base) / grid)
    for ax, spec, color in zip(axes.flat, ds.fields, _field_colors(n), strict=False):
        s = stats[(stats["field"] == spec.name) & (stats["count"] > 0)]
        ax.fill_between(grid, np.clip(base - half, 0, 1), np.clip(base + half, 0, 1), color="0.85", lw=0)
        ax.axhline(base, color="0.4", lw=0.8)
        ax.scatter(s["count"], s["positive_rate"], s=8, alpha=0.6, color=color, lw=0)
        ax.set_xscale("log")
        ax.set_xlim(0.8, max_count * 1.5)
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(f"{spec.name} ({spec.vocab_size:,} values)", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    fig.supxlabel(f"occurrences of the value in the {split} split (log)", fontsize=9)
    fig.supylabel("positive rate of its rows", fontsize=9)
    return _finish(fig, "Positive rate per field value", ds, profile, split)


def plot_missing_rates(ds: EncodedDataset, profile: str | None = None) -> Figure:
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
    fig, ax = plt.subplots(figsize=(max(5.0, 0.5 * ds.num_fields + 2), 3.6), layout="constrained")
    for k, (label, (values, color)) in enumerate(series.items()):
        ax.bar(x + (k - (len(series) - 1) / 2) * width, np.nan_to_num(values), width, label=label, color=color)
    names = ds.field_names
    ax.set_xticks(x, names, rotation=45 if len(names) > 6 else 0, ha="right" if len(names) > 6 else "center")
    top = max(float(np.max(np.nan_to_num(v), initial=0.0)) for v, _ in series.values())
    ax.set_ylim(0, max(0.01, top * 1.3))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of rows / values")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    if top == 0:
        ax.text(0.5, 0.5, "no missing values and no OOV ids", transform=ax.transAxes, ha="center", va="center",
                color="0.4")
    return _finish(fig, "Missing values and out-of-vocabulary ids", ds, profile, None)


# ------------------------------------------------------------------------------------------------
# Results: pretraining, search and budget chapters (result tables -> figures; no training here)
# ------------------------------------------------------------------------------------------------
METHOD_STYLE = {
    "full": dict(color="black", ls="--"),
    "sseds": dict(color="#c0392b", marker="o"),
    "prune_only": dict(color="#e67e22", marker="x", ls=":"),
    "uniform": dict(color="#2980b9", marker="s"),
    "random": dict(color="#7f8c8d", marker="v"),
    "magnitude": dict(color="#27ae60", marker="^"),
    "frequency": dict(color="#8e44ad", marker="D"),
}


def plot_learning_curves(history: pd.DataFrame, title: str = "") -> plt.Figure:
    """Train loss and validation AUC per epoch, one line per model (mean over seeds), a row per dataset.

    history: one row per (dataset, model, seed, epoch) with train_loss and valid_auc.
    """
    datasets = list(dict.fromkeys(history["dataset"]))
    fig, axes = plt.subplots(len(datasets), 2, figsize=(10, 3.4 * len(datasets)), squeeze=False)
    for row, name in zip(axes, datasets, strict=True):
        sub = history[history["dataset"] == name]
        for model, g in sub.groupby("model", sort=False):
            mean = g.groupby("epoch")[["train_loss", "valid_auc"]].mean()
            row[0].plot(mean.index, mean["train_loss"], marker=".", label=model)
            row[1].plot(mean.index, mean["valid_auc"], marker=".", label=model)
        row[0].set(title=f"{name}: training loss", xlabel="epoch", ylabel="logloss (train)")
        row[1].set(title=f"{name}: validation AUC", xlabel="epoch", ylabel="AUC (valid)")
        row[1].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_budget_curves(agg: pd.DataFrame, dataset: str, models: Sequence[str] | None = None,
                       metric: str = "test_auc", variant: str = "default", title: str = "") -> plt.Figure:
    """Metric vs embedding-parameter budget (log scale), a panel per model, a line per method with
    its 95% interval as error bars; the full model is a dashed horizontal line with a band."""
    sub = agg[(agg["dataset"] == dataset) & (agg["variant"] == variant)]
    models = list(models or dict.fromkeys(sub["model"]))
    fig, axes = plt.subplots(1, len(models), figsize=(4.6 * len(models), 3.8), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        m = sub[sub["model"] == model]
        for method, g in m.groupby("method", sort=False):
            style = METHOD_STYLE.get(method, {})
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
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_saliency(scores: np.ndarray, field_names: Sequence[str], title: str = "") -> plt.Figure:
    """Heatmap of an (F, D) saliency matrix, fields as rows, dimensions as columns."""
    scores = np.asarray(scores, dtype=float)
    fig, ax = plt.subplots(figsize=(min(12, 2 + 0.45 * scores.shape[1]), 1 + 0.35 * len(field_names)))
    im = ax.imshow(scores, aspect="auto", cmap="viridis")
    ax.set_yticks(range(len(field_names)), field_names)
    ax.set_xlabel("embedding dimension j")
    fig.colorbar(im, ax=ax, label="saliency")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_widths(widths: pd.DataFrame, title: str = "") -> plt.Figure:
    """Per-field widths (rows: fields) at each budget (columns), as an annotated heatmap."""
    fig, ax = plt.subplots(figsize=(1.6 + 0.9 * widths.shape[1], 1 + 0.35 * widths.shape[0]))
    im = ax.imshow(widths.to_numpy(), aspect="auto", cmap="Blues", vmin=0)
    ax.set_yticks(range(widths.shape[0]), widths.index)
    ax.set_xticks(range(widths.shape[1]), [f"{c:g}" for c in widths.columns])
    ax.set_xlabel("budget")
    for (i, j), v in np.ndenumerate(widths.to_numpy()):
        ax.text(j, i, int(v), ha="center", va="center", fontsize=8,
                color="white" if v > 0.6 * widths.to_numpy().max() else "black")
    fig.colorbar(im, ax=ax, label="width d_f")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_planted_truth(table: pd.DataFrame, title: str = "") -> plt.Figure:
    """Allocated width against planted rank per field, one panel per (estimator, split) setting.

    table: one row per (setting, field) with columns setting, true_rank, width.
    """
    settings = list(dict.fromkeys(table["setting"]))
    cols = min(4, len(settings))
    rows = int(np.ceil(len(settings) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.9 * rows), squeeze=False, sharey=True)
    for ax, setting in zip(axes.ravel(), settings, strict=False):
        g = table[table["setting"] == setting]
        ax.scatter(g["true_rank"], g["width"], alpha=0.7)
        ax.set(title=setting, xlabel="planted rank", ylabel="width")
    for ax in axes.ravel()[len(settings):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_ablation(agg: pd.DataFrame, metric: str = "test_auc", title: str = "") -> Figure:
    """One panel per (dataset, model, budget): each SSEDS variant's mean metric with its 95% interval,
    the default settings in red, two panels a row.

    agg: output of ``study.aggregate`` restricted to the variants to compare.
    """
    from matplotlib.ticker import MaxNLocator

    panels = list(agg.groupby(["dataset", "model", "budget"], sort=True).groups)
    variants = sorted(agg["variant"].unique(), key=lambda v: (v != "default", v))
    cols = min(2, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 0.9 + 0.38 * len(variants) * rows),
                             squeeze=False, sharey=True)
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
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
