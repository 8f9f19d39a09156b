"""The smallest difference each design can detect, from the book's own noise.

The spread that matters is that of the per-seed paired differences (SSEDS minus uniform widths, SSEDS
minus the full model), measured on the profile with the most seeds (ten on MovieLens-100K) at the
small budgets, one standard deviation per cell, pooled over the cells by their degrees of freedom
(``statistics.pooled_sd``). At that spread, a paired t test at two-sided 5% over n seeds detects a
true difference of ``statistics.minimum_detectable_difference`` with 80% power (before Holm's
correction, which raises it); smaller true differences mostly read as "indistinguishable". That is
why "indistinguishable" in this book is absence of evidence, not evidence of equality.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import SearchConfig
from ..statistics import minimum_detectable_difference, pooled_sd
from .claims_rules import by_seed, finished

DESIGNS = (2, 3, 5, 10)  # seeds per cell: the ablation, the default profile, the best-variant rerun, the headline
AGAINST = ("uniform", "full")


def noise_cells(results: pd.DataFrame, *, dataset: str, budgets: Sequence[float], against: Sequence[str] = AGAINST,
                method: str = "sseds", reference: SearchConfig | None = None) -> pd.DataFrame:
    """Per base model, budget and reference method: n seeds and the standard deviation of the per-seed
    differences ``method`` − reference (the full model for 'full', else the reference at the same
    budget)."""
    ok = finished(results, reference)
    ok = ok[(ok["dataset"] == dataset) & (ok["variant"] == "default")]
    rows = []
    for model, cell in ok.groupby("model", sort=False):
        for budget in budgets:
            slim = by_seed(cell[(cell["method"] == method) & (cell["budget"] == budget)])
            for other in against:
                base = cell[cell["method"] == other]
                base = by_seed(base if other == "full" else base[base["budget"] == budget])
                d = (slim - base).dropna()
                if len(d) >= 2:
                    rows.append({"model": model, "budget": budget, "against": other, "n": len(d),
                                 "sd": float(np.std(d.to_numpy(), ddof=1))})
    return pd.DataFrame(rows, columns=["model", "budget", "against", "n", "sd"])


def detectable_table(noise: pd.DataFrame, designs: Sequence[int] = DESIGNS) -> pd.DataFrame:
    """One row per design (seeds per cell): the smallest detectable difference at the pooled spread of
    each reference method's differences, and at the spread pooled over all of them."""
    spreads = {f"SSEDS − {a}": pooled_sd(g["sd"], g["n"]) for a, g in noise.groupby("against", sort=False)}
    spreads["pooled"] = pooled_sd(noise["sd"], noise["n"]) if not noise.empty else float("nan")
    return pd.DataFrame([{"seeds": n, **{k: minimum_detectable_difference(s, n) for k, s in spreads.items()}}
                         for n in designs])


def power_text(noise: pd.DataFrame, table: pd.DataFrame) -> dict[str, str]:
    """Glued numbers: the pooled spread (``mdd_sd``, and per reference ``mdd_sd_<against>``), the cells
    and seeds it comes from, and the detectable difference per design (``mdd_n<seeds>``)."""
    def fmt(v: float) -> str:
        return "–" if v != v else f"{v:.4f}"

    text = {"mdd_sd": fmt(pooled_sd(noise["sd"], noise["n"]) if not noise.empty else float("nan")),
            "mdd_cells": f"{len(noise)}",
            "mdd_seeds": f"{int(noise['n'].max())}" if not noise.empty else "0"}
    for against, g in noise.groupby("against", sort=False):
        text[f"mdd_sd_{against}"] = fmt(pooled_sd(g["sd"], g["n"]))
    for r in table.itertuples(index=False):
        text[f"mdd_n{r.seeds}"] = fmt(r.pooled)
    return text
