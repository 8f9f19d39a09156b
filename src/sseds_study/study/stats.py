"""Summaries over seeds: mean and Student-t 95% interval per dataset x model x method x budget x variant."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from ..config import SearchConfig
from ..statistics import t_interval
from .methods import METHODS
from .runs import variant_label

GROUP_COLUMNS = ["dataset", "model", "method", "budget", "variant"]
MEAN_COLUMNS = ["kept_emb_params", "total_params", "achieved_budget", "search_seconds", "train_seconds",
                "search_passes", "emb_bytes", "model_bytes", "empty_fields", "empty_values"]


def with_variant(df: pd.DataFrame, reference: SearchConfig | None = None) -> pd.DataFrame:
    """Add a ``variant`` column naming the non-default search options of each row."""
    reference = reference or SearchConfig()
    df = df.copy()
    if df.empty:
        df["variant"] = []
        return df

    def label(r):
        method = METHODS.get(r["method"])
        if method is None or not method.search_fields:
            return "default"
        search = SearchConfig(**{f.name: r[f"search_{f.name}"] for f in dataclasses.fields(SearchConfig)})
        # Only the options the method reads or follows name its variant.
        return variant_label(search, reference, method.search_fields)

    df["variant"] = df.apply(label, axis=1)
    return df


def summarise_over_seeds(df: pd.DataFrame, by: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Mean and 95% t-interval half-width of each metric over seeds, per group."""
    out = []
    for keys, g in df.groupby(list(by), sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        row = dict(zip(by, keys, strict=True))
        row["seeds"] = int(g["seed"].nunique())
        for m in metrics:
            row[f"{m}_mean"], row[f"{m}_ci95"] = t_interval(g[m].tolist())
        out.append(row)
    return pd.DataFrame(out)


def aggregate(df: pd.DataFrame, metrics: Sequence[str] = ("test_auc", "test_logloss"),
              reference: SearchConfig | None = None) -> pd.DataFrame:
    """Mean and 95% interval over seeds for each dataset x model x method x budget x variant, plus the
    mean parameter counts, achieved budget and timings. ``reference``: the study's search settings,
    against which variants are named."""
    ok = with_variant(df[df["status"] == "ok"], reference)
    table = summarise_over_seeds(ok, GROUP_COLUMNS, metrics)
    if table.empty:
        return table
    extra = ok.groupby(GROUP_COLUMNS, sort=True)[[m for m in MEAN_COLUMNS if m in ok]].mean().add_suffix("_mean")
    extra = extra.drop(columns=[c for c in extra.columns if c in table.columns])
    return table.merge(extra.reset_index(), on=GROUP_COLUMNS, how="left")
