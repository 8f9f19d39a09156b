"""Claim (d) end to end: what a whole pipeline costs in training passes, against one uniform training.

The search alone (``claims_checks.cost_claim``) is what the paper calls cheap; a practitioner pays for
the whole pipeline. Counted in forward-and-backward passes over training batches, from the result
rows (``epochs`` of each run times ``epoch_passes``, plus ``search_passes``), the same on every
machine:

* uniform widths: one training of the slim model;
* SSEDS: pretraining the full model (the full model's run of the same seed), its scoring passes, and
  retraining the slim model;
* PEP: its search run (a training with learned thresholds) and the retraining.

Each is divided by the uniform training of the same seed, dataset, base model and budget; the ratio
is averaged over seeds with its 95% interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..config import SearchConfig
from ..statistics import t_interval
from ..study.methods import get_method
from .claims_rules import finished


def pipeline_passes(rows: pd.DataFrame, full_passes: pd.Series, method: str) -> pd.Series:
    """Per seed, the passes of ``method``'s whole pipeline, as the method registry describes it: the
    pretraining run's (``full_passes``, per seed) when the method reads the pretrained model, and its
    search passes when it chooses by a search."""
    spec = get_method(method)
    pretrain, search = spec.reads_pretrained, spec.role == "search"
    by = rows.groupby("seed")
    passes = (by["epochs"].mean() * by["epoch_passes"].mean())
    if search:
        passes = passes + by["search_passes"].mean().fillna(0)
    if pretrain:
        passes = passes + full_passes.reindex(passes.index)
    return passes


def end_to_end_cost(results: pd.DataFrame, *, budget: float, methods: Sequence[str] = ("sseds", "pep"),
                    reference: SearchConfig | None = None) -> pd.DataFrame:
    """Per dataset, base model and method of ``methods`` at ``budget``: n seeds, the pipeline's passes
    and one uniform training's (means over seeds), and their per-seed ratio with its 95% half-width.
    Empty when the rows lack the counts or the uniform runs."""
    ok = finished(results, reference)
    if ok.empty or not {"epochs", "epoch_passes", "search_passes"} <= set(ok.columns):
        return pd.DataFrame()
    ok = ok[ok["variant"] == "default"]
    out = []
    for (dataset, model), cell in ok.groupby(["dataset", "model"], sort=False):
        full = cell[cell["method"] == "full"].groupby("seed")
        full_passes = full["epochs"].mean() * full["epoch_passes"].mean()
        at = cell[cell["budget"] == budget]
        uniform = at[at["method"] == "uniform"]
        if uniform.empty:
            continue
        base = pipeline_passes(uniform, full_passes, "uniform")
        for method in methods:
            rows = at[at["method"] == method]
            if rows.empty:
                continue
            passes = pipeline_passes(rows, full_passes, method)
            ratio = (passes / base.reindex(passes.index)).dropna()
            mean, half = t_interval(list(ratio))
            out.append({"dataset": dataset, "model": model, "method": method, "budget": budget, "n": len(ratio),
                        "passes": float(passes.loc[ratio.index].mean()),
                        "uniform_passes": float(base.loc[ratio.index].mean()), "ratio": mean, "ratio_ci95": half})
    return pd.DataFrame(out)
