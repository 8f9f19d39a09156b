"""How well found widths agree with a planted truth (the synthetic dataset's known per-field ranks)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._checks import SearchInputError

__all__ = ["planted_rank_agreement"]


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties sharing their average rank (as scipy.stats.rankdata's default)."""
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    ranks = np.empty(len(x), dtype=np.float64)
    start = 0
    while start < len(x):
        stop = start
        while stop + 1 < len(x) and sorted_x[stop + 1] == sorted_x[start]:
            stop += 1
        ranks[order[start : stop + 1]] = (start + stop) / 2 + 1
        start = stop + 1
    return ranks


def _spearman_numpy(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = _average_ranks(x), _average_ranks(y)
    rx -= rx.mean()
    ry -= ry.mean()
    return float((rx * ry).sum() / np.sqrt((rx * rx).sum() * (ry * ry).sum()))


def planted_rank_agreement(emb_dims: Sequence[int], true_ranks: Sequence[float]) -> float:
    """Spearman rank correlation between found widths d_f and the planted per-field ranks (F,).

    1.0: the search orders fields exactly as the truth does; 0: no relation. Ties are averaged.
    Returns NaN when either side is constant (every field the same width, say): the correlation is
    undefined there, and NaN keeps that visible in a result table instead of a made-up 0.
    Uses scipy.stats.spearmanr when scipy is installed, else an equivalent numpy computation.
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
    try:
        from scipy.stats import spearmanr
    except ImportError:  # scipy is a dependency, but keep the helper usable without it
        return _spearman_numpy(x, y)
    return float(spearmanr(x, y)[0])
