"""Claim (b), model-agnostic: claim (a) per base model on the best evidence each model has, and whether
the gap SSEDS leaves is the same across base models (a model × method interaction).

Best evidence: a model's cells come from the profiles with the most seeds that ran it (the headline and
large-dataset profiles for the claim (a) cells); only a model those lack is read from the book's own
profile, and its rows say so. So no model gets two verdicts from two profiles.

Consistency: within one profile every base model is trained on the same split per seed, so the gap of
one model (SSEDS minus the full model, or minus uniform widths) and that of another pair by seed; the
difference of the two gaps, with its paired 95% interval, is the interaction the claim is about. An
interval around 0 narrower than the gaps themselves says the models behave alike; a wide one says
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..config import SearchConfig
from ..statistics import holm, paired_difference, verdict
from .claims_rules import by_seed, finished


def best_evidence(cells: pd.DataFrame, fallback: pd.DataFrame, models: Sequence[str]) -> pd.DataFrame:
    """Claim (a)'s cells (``parameter_claim`` rows) for every model of ``models``: the model's cells in
    ``cells`` when it has any there, else its cells in ``fallback`` (the book's own profile), marked in
    a column ``evidence`` ('claim (a)' or 'fallback')."""
    frames = []
    for model in models:
        own = cells[cells["model"] == model] if not cells.empty else cells
        if not own.empty:
            frames.append(own.assign(evidence="claim (a)"))
        elif not fallback.empty:
            frames.append(fallback[fallback["model"] == model].assign(evidence="fallback"))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else cells.assign(evidence=[])


def model_consistency(results: pd.DataFrame, *, datasets: Sequence[str], models: Sequence[str], budget: float,
                      against: Sequence[str] = ("full", "uniform"), method: str = "sseds",
                      reference: SearchConfig | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Per dataset and reference method (``against``): each model's gap (``method`` at ``budget`` minus
    the reference, same seed) against the first model's gap, paired by seed. Columns: dataset, against,
    model, first (the model compared with), n, gap, first_gap, difference (gap − first_gap), ci95,
    p_t, p_holm (Holm across the table) and verdict (better / worse / indistinguishable: whether the
    model's gap is larger or smaller than the first model's)."""
    ok = finished(results, reference)
    ok = ok[ok["variant"] == "default"]
    rows = []
    for dataset in datasets:
        for other in against:
            gaps = {}
            for model in models:
                cell = ok[(ok["dataset"] == dataset) & (ok["model"] == model)]
                slim = by_seed(cell[(cell["method"] == method) & (cell["budget"] == budget)])
                base = cell[cell["method"] == other]
                base = by_seed(base if other == "full" else base[base["budget"] == budget])
                gap = (slim - base).dropna()
                if len(gap):
                    gaps[model] = gap
            present = [m for m in models if m in gaps]
            for model in present[1:]:
                first = present[0]
                seeds = gaps[model].index.intersection(gaps[first].index)
                d = paired_difference(gaps[model].loc[seeds].to_numpy(), gaps[first].loc[seeds].to_numpy())
                rows.append({"dataset": dataset, "against": other, "model": model, "first": first, "n": d.n,
                             "gap": float(gaps[model].loc[seeds].mean()),
                             "first_gap": float(gaps[first].loc[seeds].mean()), "difference": d.mean,
                             "ci95": d.ci95, "p_t": d.p_t})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["p_holm"] = holm(table["p_t"].to_numpy())
    table["verdict"] = [verdict(m, p, alpha) for m, p in zip(table["difference"], table["p_holm"], strict=True)]
    return table
