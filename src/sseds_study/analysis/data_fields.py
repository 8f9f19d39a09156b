"""The field tables of chapter 01 and the numbers its prose quotes about them.

``data.stats.field_table`` describes a field by the spread of its per-value positive rates. On a
field of many rare values that spread is mostly binomial noise: a value seen n times has a rate that
scatters by sqrt(p(1 - p) / n) around the overall rate p even when it says nothing about the label
(the planted noise field of the synthetic data spreads as much as the relevant ones). The chapter
therefore shows two statistics that separate signal from that noise:

- the spread beyond noise: sqrt(max(0, var(rates) - mean(p(1 - p) / n))) over the values seen at
  least ``rare`` times, the spread left once the variance a value of no signal would have is taken out;
- the share of those values whose rate lies outside the two-standard-error band of no signal (the grey
  band of the positive-rate figure): about 5% for a field that carries nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data import EncodedDataset
from ..data.stats import dataset_summary, split_rows, value_statistics
from ..figures.data import rank_label

RARE = 10  # a value seen fewer times is "rare": its rate is too noisy to count
LARGE_FIELDS = 3  # the fields that hold most embedding rows (user, item, zip code on MovieLens)


def signal_table(ds: EncodedDataset, split: str = "train", rare: int = RARE) -> pd.DataFrame:
    """One row per field (index ``field``): values_seen, top_value_share, rare_value_share (of the
    rows), excess_spread and outside_band (see the module docstring), on one split."""
    stats = value_statistics(ds, split)
    labels = ds.labels[split_rows(ds, split)]
    p = float(np.mean(labels)) if len(labels) else float("nan")
    rows = []
    for spec in ds.fields:
        s = stats[stats["field"] == spec.name]
        total = int(s["count"].sum())
        seen = s[s["count"] >= rare]
        noise = p * (1 - p) / seen["count"].to_numpy(dtype=float)
        rates = seen["positive_rate"].to_numpy(dtype=float)
        excess = float(np.sqrt(max(0.0, rates.var() - noise.mean()))) if len(seen) > 1 else np.nan
        outside = float(np.mean(np.abs(rates - p) > 2 * np.sqrt(noise))) if len(seen) else np.nan
        rows.append({"field": spec.name, "values_seen": int((s["count"] > 0).sum()),
                     "top_value_share": s["count"].max() / total if total else np.nan,
                     "rare_value_share": s.loc[s["count"] < rare, "count"].sum() / total if total else np.nan,
                     "excess_spread": excess, "outside_band": outside})
    return pd.DataFrame(rows).set_index("field")


def summary_table(ds: EncodedDataset) -> tuple[pd.DataFrame, list[str]]:
    """``dataset_summary`` without its columns that are zero (or unrecorded) for every field, and the
    names of the columns dropped: the prose says in a sentence what an all-zero column would show."""
    table = dataset_summary(ds)
    empty = [c for c in table.columns if table[c].dtype.kind == "f" and not table[c].fillna(0).any()]
    return table.drop(columns=empty), empty


def truth_table(ds: EncodedDataset, split: str = "train") -> pd.DataFrame:
    """The planted-truth data: each field's planted rank and vocabulary size beside the two signal
    statistics, so the reader can see whether they find the fields the generator uses."""
    ranks = ds.manifest["truth"]["ranks"]
    signal = signal_table(ds, split)[["values_seen", "excess_spread", "outside_band"]]
    signal.insert(0, "planted_rank", [int(ranks.get(name, 0)) for name in signal.index])
    signal.insert(1, "vocab_size", [f.vocab_size for f in ds.fields])
    return signal


__all__ = ["noise_fields_lowest", "rank_label", "signal_table", "summary_table", "truth_table", "width_search_facts"]


def noise_fields_lowest(truth: pd.DataFrame, column: str) -> bool:
    """Whether every planted-noise field (rank 0) scores below every relevant field on ``column``."""
    noise = truth.loc[truth["planted_rank"] == 0, column]
    relevant = truth.loc[truth["planted_rank"] > 0, column]
    return bool(len(noise) and len(relevant) and noise.max() < relevant.min())


def width_search_facts(ds: EncodedDataset, emb_dim: int, budgets: Sequence[float],
                       large: int = LARGE_FIELDS) -> dict[str, float | str]:
    """What the vocabularies mean for a width search: the share of embedding rows in the ``large``
    largest fields (and their names), and the floor of one dimension per field as a fraction of the
    budget b * D * sum(V_f), which is 1 / (b D) whatever the vocabularies, and what is left beyond it
    in dimensions of every field, b D - 1, at each budget (keys ``floor_01``, ``left_01`` for 0.1)."""
    sizes = sorted(((f.vocab_size, f.name) for f in ds.fields), reverse=True)
    total = sum(v for v, _ in sizes)
    facts: dict[str, float | str] = {
        "large_fields": ", ".join(n.replace("_", " ") for _, n in sizes[:large]),
        "large_share": sum(v for v, _ in sizes[:large]) / total,
        "emb_dim": int(emb_dim)}
    for b in budgets:
        key = f"{b:g}".replace(".", "")
        facts[f"floor_{key}"] = 1.0 / (b * emb_dim)
        facts[f"left_{key}"] = b * emb_dim - 1.0  # dimensions per field the budget buys beyond the floor
    return facts
