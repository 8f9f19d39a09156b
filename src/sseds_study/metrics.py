"""Click-prediction metrics on numpy arrays: exact ROC AUC and logloss from logits.

Pure numpy, so the data layer (the synthetic generator's Bayes AUC) and training share one definition.
"""

from __future__ import annotations

import numpy as np


def roc_auc(labels, scores) -> float:
    """Exact ROC AUC by the rank statistic (Mann-Whitney U), ties given their average rank.

    labels (N,) in {0, 1}; scores (N,) any real (logits or probabilities). O(N log N).
    Returns NaN when only one class is present.
    """
    y = np.asarray(labels).ravel() > 0.5
    s = np.asarray(scores, dtype=np.float64).ravel()
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    # the k-th distinct value (ascending) occupies ranks ends[k]-counts[k]+1 .. ends[k]; average them
    ends = np.cumsum(counts)
    avg_rank = ends - (counts - 1) / 2.0  # (K,)
    rank_sum = avg_rank[inverse.ravel()][y].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def log_loss(labels, logits) -> float:
    """Mean binary cross-entropy from logits, computed stably: softplus(z) - y z."""
    y = np.asarray(labels, dtype=np.float64).ravel()
    z = np.asarray(logits, dtype=np.float64).ravel()
    if y.size == 0:
        return float("nan")
    return float(np.mean(np.logaddexp(0.0, z) - y * z))
