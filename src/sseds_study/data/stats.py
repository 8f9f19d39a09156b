"""Per-field statistics of an encoded dataset: the tables of the data chapter and the numbers behind
its figures. No plotting and no file I/O here.

Statistics are computed from the encoded arrays on one split (``train`` by default, which is what
the models and the vocabularies see) or, with ``split=None``, on all rows; missing rates come from
the manifest, since missing raw values are already a category of their own in the arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .spec import PAD, SPLITS, EncodedDataset


def split_rows(ds: EncodedDataset, split: str | None) -> np.ndarray | slice:
    """Row indices of one split, or every row (``slice(None)``) for ``split=None``."""
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


def value_counts(ds: EncodedDataset, split: str | None = "train") -> list[np.ndarray]:
    """Per field, how often each id occurs in a split, (V_f,) int64 (multi-valued: every value counts)."""
    rows = split_rows(ds, split)
    return [np.bincount(_field_ids_and_labels(ds, f, rows)[0], minlength=spec.vocab_size)[: spec.vocab_size]
            for f, spec in enumerate(ds.fields)]


def value_statistics(ds: EncodedDataset, split: str | None = "train") -> pd.DataFrame:
    """One row per (field, id): how often the value occurs, and the positive rate of its rows.

    Columns: field, id, count, positives, positive_rate (NaN for ids never seen in the split), rank
    (1 = most frequent value of its field; ties broken by id).
    """
    rows = split_rows(ds, split)
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
    value = ds.manifest.get("missing_rates")
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


def dataset_summary(ds: EncodedDataset, decimals: int | None = None) -> pd.DataFrame:
    """One row per field: name, kind, vocab_size, width, missing_rate, oov_rate_valid, oov_rate_test.

    missing_rate comes from the manifest (fraction of rows whose raw value was missing, NaN if not
    recorded); the OOV rates are :func:`oov_share` of the valid and test splits. ``decimals``
    rounds the rates for display.
    """
    missing = ds.manifest.get("missing_rates", {})
    oov = {s: oov_share(ds, s) for s in SPLITS[1:]}
    table = pd.DataFrame([
        {"name": spec.name, "kind": spec.kind, "vocab_size": spec.vocab_size, "width": spec.width,
         "missing_rate": missing.get(spec.name, float("nan")),
         "oov_rate_valid": oov["valid"][spec.name], "oov_rate_test": oov["test"][spec.name]}
        for spec in ds.fields
    ])
    return table if decimals is None else table.round(decimals)


def field_table(ds: EncodedDataset, split: str | None = "train", rare: int = 10, decimals: int = 4) -> pd.DataFrame:
    """One row per field, on one split, with what :func:`dataset_summary` does not show: how many
    distinct values occur, the share of the most frequent one, the share of rows whose value is rare
    (seen fewer than ``rare`` times), and the spread (standard deviation over values seen at least
    ``rare`` times) of the per-value positive rates, a first hint of how informative the field is
    alone."""
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


def planted_ranks(ds: EncodedDataset) -> tuple[int, ...]:
    """Each field's planted rank, in field order, from the manifest's truth (the synthetic generators
    write it). A dataset without one has no right widths to compare with: ConfigError."""
    truth = ds.manifest.get("truth")
    ranks = truth.get("ranks") if isinstance(truth, Mapping) else None
    if not isinstance(ranks, Mapping) or any(name not in ranks for name in ds.field_names):
        raise ConfigError(f"dataset {ds.name!r} has no planted ranks (only synthetic data, such as 'synthetic' and "
                          "'synthetic2', has them)")
    return tuple(int(ranks[name]) for name in ds.field_names)


def dataset_facts(ds: EncodedDataset, decimals: int = 4) -> dict[str, Any]:
    """The numbers the data chapter quotes about one dataset: rows, fields, positive_rate,
    embedding_rows (the sum of the vocabulary sizes: a full model's embedding parameters per
    dimension) and, for a dataset with a planted truth, relevant_fields and bayes_auc."""
    facts: dict[str, Any] = {
        "rows": len(ds), "fields": ds.num_fields,
        "positive_rate": round(float(ds.labels.mean()), decimals),
        "embedding_rows": int(sum(ds.vocab_sizes)),
    }
    truth = ds.manifest.get("truth")
    if isinstance(truth, Mapping):
        facts["relevant_fields"] = sum(truth["relevant"].values())
        facts["bayes_auc"] = round(float(truth["bayes_auc"]), decimals)
    return facts
