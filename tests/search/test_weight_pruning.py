"""Element-wise magnitude pruning (``search.weight_pruning``) against hand computations."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sseds_study.search._checks import SearchInputError, budget_limit
from sseds_study.search.storage import sparse_table_bytes
from sseds_study.search.weight_pruning import magnitude_weight_allocation, magnitude_weight_masks


def test_masks_keep_each_rows_largest_then_the_largest_left():
    # Two fields, D = 3: 5 rows, 15 entries. b = 0.6 keeps budget_limit = 9 entries: the 5 row maxima
    # (|w| 0.9, 0.5, 0.7, 0.2, 0.8), then the 4 largest of the other 10: 0.6, 0.45, 0.4, 0.3.
    w0 = torch.tensor([[0.9, -0.6, 0.1],
                       [0.05, -0.5, 0.45],
                       [0.0, 0.7, 0.4]])
    w1 = torch.tensor([[0.2, 0.01, -0.02],
                       [0.3, -0.8, 0.03]])
    m0, m1 = magnitude_weight_masks([w0, w1], 0.6)
    assert m0.tolist() == [[True, True, False], [False, True, True], [False, True, True]]
    assert m1.tolist() == [[True, False, False], [True, True, False]]
    assert int(m0.sum() + m1.sum()) == budget_limit(0.6, 15) == 9


def test_a_row_of_small_weights_keeps_one_entry_even_when_the_global_threshold_would_drop_it():
    w0 = torch.tensor([[1.0, 0.9, 0.8, 0.7], [0.001, 0.002, -0.003, 0.0]])
    (m,) = magnitude_weight_masks([w0], 0.25)  # 2 of 8 entries: one per row
    assert m.tolist() == [[True, False, False, False], [False, False, True, False]]


def test_ties_are_broken_by_position():
    w = torch.ones(2, 4)
    (m,) = magnitude_weight_masks([w], 0.5)  # 4 of 8: column 0 of each row (first max), then positions 1, 2
    assert m.tolist() == [[True, True, True, False], [True, False, False, False]]


def test_too_small_a_budget_names_the_smallest_that_works():
    with pytest.raises(SearchInputError, match=r"fewer than one per value row \(5\).*at least 0.333333"):
        magnitude_weight_masks([torch.ones(2, 3), torch.ones(3, 3)], 0.3)


def test_bad_tables_are_refused():
    with pytest.raises(SearchInputError, match=r"weights\[1\]: contains non-finite"):
        magnitude_weight_masks([torch.ones(2, 3), torch.tensor([[float("nan"), 1.0, 1.0]])], 0.5)
    with pytest.raises(SearchInputError, match="got none"):
        magnitude_weight_masks([], 0.5)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=4), st.integers(1, 8), st.floats(0.01, 1.0),
       st.integers(0, 10_000))
def test_property_exact_count_one_per_row_and_largest_kept(vocab, emb_dim, budget, seed):
    g = torch.Generator().manual_seed(seed)
    tables = [torch.randn(v, emb_dim, generator=g) for v in vocab]
    total = sum(vocab) * emb_dim
    keep = budget_limit(budget, total)
    if keep < sum(vocab):
        with pytest.raises(SearchInputError):
            magnitude_weight_masks(tables, budget)
        return
    masks = magnitude_weight_masks(tables, budget)
    assert sum(int(m.sum()) for m in masks) == keep
    assert all(bool(m.any(dim=1).all()) for m in masks)  # every value row keeps an entry
    # outside the forced row maxima, every kept |w| is at least every dropped one
    kept, dropped = [], []
    for w, m in zip(tables, masks, strict=True):
        forced = torch.zeros_like(m)
        forced[torch.arange(w.shape[0]), w.abs().argmax(dim=1)] = True
        kept.append(w.abs()[m & ~forced])
        dropped.append(w.abs()[~m])
    kept, dropped = torch.cat(kept), torch.cat(dropped)
    if kept.numel() and dropped.numel():
        assert float(kept.min()) >= float(dropped.max())


def test_allocation_counts_and_bytes_with_the_indices():
    w = [torch.randn(10, 4, generator=torch.Generator().manual_seed(1)), torch.randn(6, 4)]
    state = {"x": torch.zeros(1)}
    alloc = magnitude_weight_allocation(w, 0.5, "pretrained", state)
    assert alloc.kept_params == 32 and alloc.base_params == 64 and alloc.achieved_budget == 0.5
    assert alloc.init == "pretrained" and alloc.initial_state is state
    # CSR: 32 float32 values, 32 one-byte column indices, (10 + 1 + 6 + 1) int32 row pointers
    assert sparse_table_bytes(alloc.masks).total == 32 * 4 + 32 * 1 + 18 * 4
    fresh = magnitude_weight_allocation(w, 0.5, "fresh")
    assert all(torch.equal(a, b) for a, b in zip(alloc.masks, fresh.masks, strict=True))
    with pytest.raises(SearchInputError, match="'pretrained' needs"):
        magnitude_weight_allocation(w, 0.5, "pretrained")
    with pytest.raises(SearchInputError, match="expected 'pretrained' or 'fresh'"):
        magnitude_weight_allocation(w, 0.5, "rewind", state)
