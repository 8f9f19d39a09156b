"""How well found widths agree with a planted truth (the synthetic dataset's known per-field ranks)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import spearmanr

from ._checks import SearchInputError

__all__ = ["planted_rank_agreement"]


def planted_rank_agreement(emb_dims: Sequence[int], true_ranks: Sequence[float]) -> float:
    """Spearman rank correlation between found widths d_f and the planted per-field ranks (F,).

    1.0: the search orders fields exactly as the truth does; 0: no relation. Ties are averaged.
    Returns NaN when either side is constant (every field the same width, say): the correlation is
    undefined there, and NaN keeps that visible in a result table instead of a made-up 0.
    """
    x = np.asarray(emb_dims, dtype=np.float64)
    y = np.asarray(true_ranks, dtype=np.float64)
    if x.ndim != 1 or y.shape != x.shape:
        raise SearchInputError(
            f"planted_rank_agreement: emb_dims {x.shape} and true_ranks {y.shape} must be 1-D of equal length"
        )
    if len(x) < 2:
        raise SearchInputError(f"planted_rank_agreement: need at least 2 fields; got {len(x)}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise SearchInputError("planted_rank_agreement: emb_dims and true_ranks must be finite")
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(spearmanr(x, y)[0])
