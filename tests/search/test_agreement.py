"""Agreement of saliency scores with the exact importance: rank correlations, top-k overlap, and the
share of harmful columns (search/agreement.py; the planted-rank agreement is tested with the baselines)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau, spearmanr

from sseds_study.search import SearchInputError, negative_share, rank_agreement, top_k_overlap


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rank_agreement_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=(5, 4))
    est = ref + rng.normal(scale=0.8, size=ref.shape)
    est[0, :2] = est[1, 3]  # ties, which Spearman averages and tau-b corrects for
    got = rank_agreement(est, ref)
    assert got["spearman"] == pytest.approx(spearmanr(est.ravel(), ref.ravel())[0], abs=1e-12)
    assert got["kendall"] == pytest.approx(kendalltau(est.ravel(), ref.ravel())[0], abs=1e-12)


def test_rank_agreement_only_reads_the_order():
    rng = np.random.default_rng(5)
    ref = rng.normal(size=(3, 4))
    squared_rank_preserving = np.exp(ref) ** 2  # monotone in ref
    assert rank_agreement(squared_rank_preserving, ref) == pytest.approx({"spearman": 1.0, "kendall": 1.0})
    assert rank_agreement(torch.from_numpy(-ref), ref) == pytest.approx({"spearman": -1.0, "kendall": -1.0})
    flat = rank_agreement(np.ones((3, 4)), ref)
    assert np.isnan(flat["spearman"]) and np.isnan(flat["kendall"])


def test_rank_agreement_rejects_mismatched_or_non_finite_inputs():
    with pytest.raises(SearchInputError, match="shape"):
        rank_agreement(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(SearchInputError, match="does not match"):
        rank_agreement(np.zeros((3, 4)), np.zeros((2, 4)))
    with pytest.raises(SearchInputError, match="non-finite"):
        rank_agreement(np.array([[1.0, np.nan]]), np.ones((1, 2)))


def test_top_k_overlap():
    ref = np.array([[4.0, 3.0], [2.0, 1.0]])
    assert top_k_overlap(ref * 10, ref, 2) == 1.0
    est = np.array([[4.0, 1.0], [2.0, 3.0]])  # top 2: (0,0), (1,1) against (0,0), (0,1)
    assert top_k_overlap(est, ref, 2) == 0.5
    assert top_k_overlap(est, ref, 4) == 1.0
    # Ties are broken as the allocator breaks them: lower field, then lower dim.
    assert top_k_overlap(np.zeros((2, 2)), ref, 1) == 1.0
    for bad in (0, 5, 1.5, True):
        with pytest.raises(SearchInputError, match="k must be"):
            top_k_overlap(est, ref, bad)


def test_negative_share_per_field():
    imp = np.array([[0.3, -0.1, -0.2, 0.0], [0.1, 0.2, 0.3, 0.4], [-1.0, -1.0, 0.5, -2.0]])
    np.testing.assert_allclose(negative_share(imp), [0.5, 0.0, 0.75])
    # Mixed width: only the d_f live columns count, and a field of width 0 has no share.
    got = negative_share(imp, widths=[2, 4, 0])
    np.testing.assert_allclose(got[:2], [0.5, 0.0])
    assert np.isnan(got[2])
    with pytest.raises(SearchInputError, match="widths"):
        negative_share(imp, widths=[5, 1, 1])
