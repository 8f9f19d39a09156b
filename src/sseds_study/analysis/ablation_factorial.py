"""The factorial's effects (chapter 05): each factor's main effect and every two-factor interaction on
validation AUC, as paired per-seed changes averaged over the other factors' combinations, with their
intervals and Holm-corrected verdicts; their tables and generated sentences.

A seed shares the pretrained model and the split across every variant, so each change is paired
within a seed and the seed-to-seed offset cancels. ``ablation`` builds the chapter from these.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import SearchConfig
from ..study.compare import change_verdicts
from .tables import BookTable, compact_table, plus_minus

CELL = ["dataset", "model", "budget"]
# How a factor is named in the chapter's tables (the others keep their option name).
FACTOR_NAMES = {"score_split": "scoring split"}
CHOICE_METRIC = "valid_auc"  # what the chapter chooses and estimates effects on: test is read once, elsewhere


def factor_name(factor: str) -> str:
    """'score_split × init' -> 'scoring split × init'."""
    for option, name in FACTOR_NAMES.items():
        factor = factor.replace(option, name)
    return factor


def cell_label(frame: pd.DataFrame, datasets: int) -> pd.Series:
    """'FM, b = 0.2' (with the dataset first when there are several)."""
    head = frame["dataset"] + ", " if datasets > 1 else ""
    return head + frame["model"] + ", b = " + frame["budget"].map(lambda b: f"{b:g}")


def factor_base(factorial: Mapping[str, Sequence], reference: SearchConfig) -> dict[str, object]:
    """Each factor's base level: the default setting's, when it is one of the levels, else the first."""
    return {f: getattr(reference, f) if getattr(reference, f) in levels else levels[0]
            for f, levels in factorial.items()}


def factorial_rows(rows: pd.DataFrame, factorial: Mapping[str, Sequence], reference: SearchConfig) -> pd.DataFrame:
    """The runs that belong to the factorial: every setting outside it is the reference's and every
    factor at one of its levels. Adds a column per factor (its level) from the ``search_*`` columns."""
    out = rows.copy()
    keep = np.ones(len(out), dtype=bool)
    fields = [c.removeprefix("search_") for c in out.columns if c.startswith("search_")]
    for name in fields:
        if not hasattr(reference, name):
            continue
        kind = type(getattr(reference, name))
        values = out[f"search_{name}"].map(lambda v, kind=kind: kind(v) if v == v else v)
        if name in factorial:
            out[name] = values
            keep &= values.isin(list(factorial[name])).to_numpy()
        else:
            keep &= (values == getattr(reference, name)).to_numpy()
    return out[keep].reset_index(drop=True)


def _contrasts(factorial: Mapping[str, Sequence], base: Mapping[str, object]) -> list[tuple[str, object, object]]:
    return [(f, level, base[f]) for f, levels in factorial.items() for level in levels if level != base[f]]


def _contrast_label(level, base) -> str:
    return f"{level} − {base}"


def main_effects(rows: pd.DataFrame, factorial: Mapping[str, Sequence], reference: SearchConfig,
                 metric: str = CHOICE_METRIC, by: Sequence[str] = CELL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each factor's main effect on ``metric``, per ``by`` cell: for every level against the base level,
    the mean over the other factors' combinations of (metric at the level − metric at the base), seed by
    seed; then over seeds, the mean with its paired 95% interval and a verdict (Holm across the table).

    rows: ``factorial_rows`` (a column per factor). Combinations missing at either level are left
    out of that seed's mean. Returns (per_seed, summary): per_seed has by, seed, factor, contrast,
    ``metric`` (the level's mean), reference (the base's mean) and change; summary is
    ``change_verdicts`` of it per factor and contrast.
    """
    base = factor_base(factorial, reference)
    factors = list(factorial)
    per_seed = []
    for factor, level, lo in _contrasts(factorial, base):
        others = [f for f in factors if f != factor]
        wide = rows.pivot_table(index=[*by, "seed", *others], columns=factor, values=metric, aggfunc="mean")
        if level not in wide.columns or lo not in wide.columns:
            continue
        pair = wide[[level, lo]].dropna().reset_index()
        means = pair.groupby([*by, "seed"], sort=True)[[level, lo]].mean().reset_index()
        per_seed.append(means.rename(columns={level: metric, lo: "reference"})
                        .assign(factor=factor, contrast=_contrast_label(level, lo)))
    return _summarised(per_seed, by, metric)


def interactions(rows: pd.DataFrame, factorial: Mapping[str, Sequence], reference: SearchConfig,
                 metric: str = CHOICE_METRIC, by: Sequence[str] = CELL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every two-factor interaction on ``metric``, per ``by`` cell: for factors A and B and a contrast
    of each (a level against the base), the effect of A's contrast with B at its level minus the same
    effect with B at its base, each averaged over the other factors' combinations, seed by seed; then
    the mean over seeds with its paired 95% interval and a verdict (Holm across the table). Zero: A's
    effect does not depend on B. Returns (per_seed, summary) as ``main_effects`` does, with
    ``factor`` 'A × B'."""
    base = factor_base(factorial, reference)
    factors = list(factorial)
    per_seed = []
    for a, b in itertools.combinations(factors, 2):
        others = [f for f in factors if f not in (a, b)]
        wide = rows.pivot_table(index=[*by, "seed", *others], columns=[a, b], values=metric, aggfunc="mean")
        for (_, la, ba), (_, lb, bb) in itertools.product(_contrasts({a: factorial[a]}, base),
                                                          _contrasts({b: factorial[b]}, base)):
            cols = [(la, lb), (ba, lb), (la, bb), (ba, bb)]
            if any(c not in wide.columns for c in cols):
                continue
            cell = wide[cols].dropna()
            at_level = (cell[(la, lb)] - cell[(ba, lb)]).groupby(level=[*by, "seed"]).mean()
            at_base = (cell[(la, bb)] - cell[(ba, bb)]).groupby(level=[*by, "seed"]).mean()
            per_seed.append(pd.DataFrame({metric: at_level, "reference": at_base}).reset_index().assign(
                factor=f"{a} × {b}", contrast=f"{_contrast_label(la, ba)} × {_contrast_label(lb, bb)}"))
    return _summarised(per_seed, by, metric)


def _summarised(per_seed: list[pd.DataFrame], by: Sequence[str], metric: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = [*by, "seed", "factor", "contrast", metric, "reference", "change"]
    if not per_seed:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["factor", "contrast", *by, "n", "change", "ci95",
                                                                 "p_t", "p_holm", "verdict"])
    frame = pd.concat(per_seed, ignore_index=True)
    frame["change"] = frame[metric] - frame["reference"]
    return frame[cols], change_verdicts(frame, ["factor", "contrast", *by], metric=metric)


def pooled_effects(per_seed: pd.DataFrame, metric: str = CHOICE_METRIC) -> pd.DataFrame:
    """Each contrast pooled over the (dataset, model, budget) cells: per seed, the mean over the cells of
    the level's and the base's means; over seeds, the paired mean change with its 95% half-width and a
    verdict, Holm-corrected across the contrasts. Rows in decreasing size of the change."""
    if per_seed.empty:
        return pd.DataFrame(columns=["factor", "contrast", "n", "change", "ci95", "p_t", "p_holm", "verdict"])
    means = per_seed.groupby(["factor", "contrast", "seed"], sort=False)[[metric, "reference"]].mean().reset_index()
    table = change_verdicts(means, ["factor", "contrast"], metric=metric)
    return table.iloc[table["change"].abs().argsort()[::-1]].reset_index(drop=True)


POOLED = "pooled"


def effects_table(summary: pd.DataFrame, note: str, pooled: pd.DataFrame | None = None) -> BookTable:
    """A row per factor and contrast, a column per (model, budget) cell, and the pooled effect last
    (when given): the mean effect ± its 95% half-width and the verdict's mark."""
    if summary.empty:
        return compact_table(summary, index=["factor", "contrast"], columns="cell", value="change")
    long = summary.assign(cell=cell_label(summary, summary["dataset"].nunique()))
    order = list(dict.fromkeys(long.sort_values(["dataset", "model", "budget"], ascending=[True, True, False])["cell"]))
    if pooled is not None and len(pooled):
        long = pd.concat([long, pooled.assign(cell=POOLED)], ignore_index=True)
        order.append(POOLED)
    long["factor"] = long["factor"].map(factor_name)
    factors = list(dict.fromkeys(summary["factor"].map(factor_name)))
    return compact_table(long, index=["factor", "contrast"], columns="cell", value="change", half="ci95",
                         verdict="verdict", order=order, orders={"factor": factors}, best=None, signed=True, note=note)


def effect_counts(summary: pd.DataFrame, name: str) -> dict[str, str]:
    """Short glued values on a table of effects: its entries and cells, how many are distinguishable from
    zero after Holm's correction, and the largest in size with its interval and cell."""
    if summary.empty:
        return {f"{name}_entries": "0", f"{name}_cells": "0", f"{name}_moved": "0",
                f"{name}_largest": "none", f"{name}_largest_change": "not measured", f"{name}_largest_cell": "none"}
    largest = summary.loc[summary["change"].abs().idxmax()]
    return {f"{name}_entries": f"{len(summary)}",
            f"{name}_cells": f"{summary.groupby(CELL).ngroups}",
            f"{name}_moved": f"{int(summary['verdict'].isin(['better', 'worse']).sum())}",
            f"{name}_largest": f"{largest['factor']} ({largest['contrast']})",
            f"{name}_largest_change": plus_minus(largest["change"], largest["ci95"]),
            f"{name}_largest_cell": f"{largest['model']} at b = {largest['budget']:g}"}
