"""How well search results agree with a truth: found widths against the synthetic dataset's planted
per-field ranks, and saliency scores against the exact drop-column importance (``exact.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import kendalltau, spearmanr

from ._checks import SearchInputError, scores_to_numpy
from .allocate import rank_pairs

__all__ = ["negative_share", "planted_rank_agreement", "rank_agreement", "top_k_overlap"]


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


def _paired(scores, reference) -> tuple[np.ndarray, np.ndarray]:
    ref = scores_to_numpy(reference, name="reference")
    est = scores_to_numpy(scores, num_fields=ref.shape[0], name="scores")
    if est.shape != ref.shape:
        raise SearchInputError(f"scores {est.shape} and reference {ref.shape} must have the same shape")
    return est, ref


def rank_agreement(scores, reference) -> dict[str, float]:
    """Rank correlation of two (F, D) score matrices over their F * D columns.

    Returns ``{"spearman": rho, "kendall": tau}`` (Kendall's tau-b, which allows for ties, as
    ``scipy.stats.kendalltau``). Only the order matters, so an estimator on any scale (squared,
    absolute, signed) can be set against the exact loss change. NaN where either side is constant.
    """
    est, ref = _paired(scores, reference)
    x, y = est.ravel(), ref.ravel()
    if x.size < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return {"spearman": float("nan"), "kendall": float("nan")}
    return {"spearman": float(spearmanr(x, y)[0]), "kendall": float(kendalltau(x, y)[0])}


def top_k_overlap(scores, reference, k: int) -> float:
    """Share of the reference's k best columns that are also among the scores' k best.

    Both sides are ranked as the allocator ranks (``allocate.rank_pairs``: ties to the lower field,
    then the lower dim), so the k columns are the ones a ``budget_unit=dims`` search would keep.
    """
    est, ref = _paired(scores, reference)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= ref.size:
        raise SearchInputError(f"top_k_overlap: k must be an integer in 1..{ref.size}; got {k!r}")
    ones = [1] * ref.shape[0]
    top_est = {tuple(p) for p in rank_pairs(est, ones)[:k].tolist()}
    top_ref = {tuple(p) for p in rank_pairs(ref, ones)[:k].tolist()}
    return len(top_est & top_ref) / k


def negative_share(importance, widths=None) -> np.ndarray:
    """Per field (F,): the share of its columns whose exact importance is below 0, i.e. whose removal
    lowers the loss. widths: d_f per field (default: every column); columns beyond d_f are not
    counted, and a field of width 0 gives NaN."""
    imp = scores_to_numpy(importance, name="importance")
    num_fields, emb_dim = imp.shape
    widths = np.full(num_fields, emb_dim) if widths is None else np.asarray(widths, dtype=int)
    if widths.shape != (num_fields,) or np.any(widths < 0) or np.any(widths > emb_dim):
        raise SearchInputError(f"negative_share: widths must be {num_fields} values in 0..{emb_dim}")
    live = np.arange(emb_dim)[None, :] < widths[:, None]  # (F, D)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((imp < 0) & live).sum(axis=1) / widths
