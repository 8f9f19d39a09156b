"""allocate_dims: hand-checked toys, input validation, and properties checked with hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sseds_study.errors import ConfigError
from sseds_study.search import Allocation, SearchInputError, allocate_dims, allocate_dims_at_params
from sseds_study.search._checks import budget_limit
from sseds_study.search.allocate import rank_pairs

# ---------------------------------------------------------------------------------------------- toys


def test_budget_one_keeps_everything():
    scores = torch.rand(3, 4)
    alloc = allocate_dims(scores, [5, 7, 2], 1.0)
    assert alloc.emb_dims == (4, 4, 4)
    assert bool(alloc.kept.all())
    assert alloc.kept_params == alloc.base_params == (5 + 7 + 2) * 4
    assert alloc.achieved_budget == 1.0


def test_greedy_walk_skips_a_pair_that_no_longer_fits_and_goes_on():
    # Field 0 is expensive (V=10), field 1 cheap (V=1). base = 11 * 2 = 22; b = 0.5 -> limit 11.
    scores = torch.tensor([[5.0, 4.0], [3.0, 1.0]])
    alloc = allocate_dims(scores, [10, 1], 0.5)
    # walk: (0,0) costs 10 -> used 10; (0,1) costs 10 -> skipped; (1,0) costs 1 -> used 11; (1,1) no room.
    assert alloc.kept.tolist() == [[True, False], [True, False]]
    assert alloc.emb_dims == (1, 1)
    assert alloc.kept_params == 11
    assert alloc.base_params == 22
    assert alloc.achieved_budget == 0.5


def test_kept_columns_need_not_be_a_prefix():
    scores = torch.tensor([[0.1, 0.9, 0.2, 0.8]])
    alloc = allocate_dims(scores, [3], 0.5)
    assert alloc.kept.tolist() == [[False, True, False, True]]
    assert alloc.kept_columns() == ((1, 3),)
    assert alloc.emb_dims == (2,)


def test_saliency_per_param_prefers_cheap_fields():
    # Field 0 is a little more salient but 100x more expensive.
    scores = torch.tensor([[1.0, 1.0], [0.9, 0.9]])
    vocab = [100, 1]
    by_saliency = allocate_dims(scores, vocab, 0.5)
    by_cost = allocate_dims(scores, vocab, 0.5, rank_by="saliency_per_param")
    assert by_saliency.emb_dims == (1, 1)  # (0,0) first (100 params), then what still fits
    # limit = floor(0.5 * 202) = 101: both cheap columns first, then no expensive column fits.
    assert by_cost.emb_dims == (0, 2)
    assert by_saliency.kept_params == 101 and by_cost.kept_params == 2


def test_ties_go_to_lower_field_then_lower_dim():
    scores = torch.zeros(2, 3)
    order = rank_pairs(scores.numpy().astype(np.float64), [1, 1])
    assert order.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    alloc = allocate_dims(scores, [1, 1], 0.5)
    assert alloc.kept.tolist() == [[True, True, True], [False, False, False]]


def test_dims_unit_ignores_vocabulary_sizes():
    scores = torch.tensor([[4.0, 3.0], [2.0, 1.0]])
    alloc = allocate_dims(scores, [1000, 1], 0.5, budget_unit="dims")
    assert alloc.kept.tolist() == [[True, True], [False, False]]
    assert alloc.achieved_budget == 0.5
    assert alloc.budget_unit == "dims"
    assert alloc.kept_params / alloc.base_params == pytest.approx(2000 / 2002)


def test_dims_unit_floors_the_number_of_pairs():
    # b * F * D = 0.3 * 5 = 1.5: keep 1 pair, never 2 (which would be 0.4 > 0.3).
    alloc = allocate_dims(torch.arange(5.0).reshape(1, 5), [2], 0.3, budget_unit="dims")
    assert alloc.emb_dims == (1,)
    assert alloc.kept.tolist() == [[False, False, False, False, True]]


def test_min_dim_gives_every_field_its_best_columns_first():
    scores = torch.tensor([[9.0, 8.0, 7.0], [0.0, 0.2, 0.1]])
    alloc = allocate_dims(scores, [1, 1], 0.5, min_dim=1)  # limit 3 params
    assert alloc.kept.tolist() == [[True, True, False], [False, True, False]]
    without = allocate_dims(scores, [1, 1], 0.5)
    assert without.emb_dims == (3, 0)


def test_min_dim_too_large_for_the_budget_names_the_needed_budget():
    with pytest.raises(SearchInputError, match=r"min_dim=2.*at least 2/4 = 0\.5"):
        allocate_dims(torch.rand(3, 4), [5, 5, 5], 0.3, min_dim=2)
    with pytest.raises(SearchInputError, match=r"at least 2/4"):
        allocate_dims(torch.rand(3, 4), [5, 5, 5], 0.3, min_dim=2, budget_unit="dims")


def test_budget_too_small_for_any_column_is_an_error():
    with pytest.raises(SearchInputError, match=r"cheapest column \(50 params\)"):
        allocate_dims(torch.rand(2, 4), [50, 60], 0.1)
    with pytest.raises(SearchInputError, match="0 of 8 dims"):
        allocate_dims(torch.rand(2, 4), [50, 60], 0.1, budget_unit="dims")


def test_float_rounding_never_lets_the_budget_be_exceeded():
    # 0.29 * 100 == 28.999999999999996 in floats: keep 28 params, not 29.
    alloc = allocate_dims(torch.rand(1, 100), [1], 0.29)
    assert alloc.kept_params <= 0.29 * 100
    assert alloc.achieved_budget <= 0.29
    # 0.3 * 10 == 3.0000000000000004 and 3 / 10 == 0.3: three params are within the budget.
    assert allocate_dims(torch.rand(1, 10), [1], 0.3).kept_params == 3


def test_budget_limit_guard():
    for total in (1, 7, 10, 100, 999, 12345, 10**9 + 7):
        for b in (1e-9, 0.01, 0.1, 0.29, 0.3, 1 / 3, 0.7, 0.99, 1.0):
            k = budget_limit(b, total)
            assert 0 <= k <= b * total and k / total <= b
            assert (k + 1) > b * total or (k + 1) / total > b  # and it is the largest such k


def test_allocation_equality_hash_and_dict():
    a = allocate_dims(torch.tensor([[1.0, 2.0]]), [3], 0.5)
    b = allocate_dims(torch.tensor([[1.0, 2.0]]), [3], 0.5)
    assert a == b and hash(a) == hash(b)
    assert a != allocate_dims(torch.tensor([[2.0, 1.0]]), [3], 0.5)
    assert a.to_dict() == {
        "emb_dims": [1],
        "kept_columns": [[1]],
        "kept_params": 3,
        "base_params": 6,
        "achieved_budget": 0.5,
        "budget": 0.5,
        "budget_unit": "params",
    }
    with pytest.raises(AttributeError):
        a.budget = 0.1  # frozen


def test_input_tensor_is_not_modified():
    scores = torch.rand(2, 3)
    before = scores.clone()
    allocate_dims(scores, [4, 5], 0.5, rank_by="saliency_per_param")
    assert torch.equal(scores, before)


# ------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "budget", [0, 0.0, -0.1, 1.0000001, 2, float("nan"), float("inf"), -float("inf"), True, "0.5", None]
)
def test_invalid_budget(budget):
    with pytest.raises(SearchInputError, match="budget") as info:
        allocate_dims(torch.rand(2, 2), [3, 3], budget)
    assert isinstance(info.value, ValueError) and isinstance(info.value, ConfigError)
    assert repr(budget) in str(info.value)


def test_score_shape_must_match_vocab_sizes():
    with pytest.raises(SearchInputError, match=r"shape \(3, 4\) does not match 2 vocab_sizes"):
        allocate_dims(torch.rand(3, 4), [5, 5], 0.5)
    with pytest.raises(SearchInputError, match="matrix"):
        allocate_dims(torch.rand(4), [5, 5, 5, 5], 0.5)


@pytest.mark.parametrize("vocab", [[5, 0], [5, -3], [5, 2.5], [5, True], []])
def test_invalid_vocab_sizes(vocab):
    with pytest.raises(SearchInputError, match="vocab_sizes"):
        allocate_dims(torch.rand(2, 2), vocab, 0.5)


def test_numpy_integer_vocab_sizes_are_fine():
    alloc = allocate_dims(np.ones((2, 2)), np.array([3, 4]), 1.0)
    assert alloc.kept_params == 14


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_scores(bad):
    scores = torch.rand(2, 3)
    scores[1, 2] = bad
    with pytest.raises(SearchInputError, match="field 1, dim 2"):
        allocate_dims(scores, [3, 3], 0.5)


def test_invalid_options():
    with pytest.raises(SearchInputError, match="budget_unit"):
        allocate_dims(torch.rand(2, 2), [3, 3], 0.5, budget_unit="rows")
    with pytest.raises(SearchInputError, match="rank_by"):
        allocate_dims(torch.rand(2, 2), [3, 3], 0.5, rank_by="magic")
    with pytest.raises(SearchInputError, match="min_dim"):
        allocate_dims(torch.rand(2, 2), [3, 3], 0.5, min_dim=3)
    with pytest.raises(SearchInputError, match="min_dim"):
        allocate_dims(torch.rand(2, 2), [3, 3], 0.5, min_dim=-1)


# ------------------------------------------------------------------------------------ properties


@st.composite
def problems(draw):
    num_fields = draw(st.integers(1, 5))
    emb_dim = draw(st.integers(1, 6))
    vocab = draw(st.lists(st.integers(1, 200), min_size=num_fields, max_size=num_fields))
    # A small pool of values makes ties common, which is where determinism bugs hide.
    values = st.one_of(st.sampled_from([0.0, 0.5, 1.0, -1.0]), st.floats(-10, 10, allow_nan=False))
    flat = draw(st.lists(values, min_size=num_fields * emb_dim, max_size=num_fields * emb_dim))
    scores = torch.tensor(flat, dtype=torch.float64).reshape(num_fields, emb_dim)
    budget = draw(st.one_of(st.floats(1e-3, 1.0), st.sampled_from([0.1, 0.25, 0.3, 0.5, 1.0])))
    unit = draw(st.sampled_from(["params", "dims"]))
    rank_by = draw(st.sampled_from(["saliency", "saliency_per_param"]))
    min_dim = draw(st.integers(0, min(emb_dim, 2)))
    return scores, vocab, budget, unit, rank_by, min_dim


def _allocate_or_explain(scores, vocab, budget, unit, rank_by, min_dim):
    """Run the allocator; when it refuses, check that the refusal is justified."""
    num_fields, emb_dim = scores.shape
    total = sum(vocab) * emb_dim if unit == "params" else num_fields * emb_dim
    limit = budget_limit(budget, total)
    try:
        return allocate_dims(scores, vocab, budget, budget_unit=unit, rank_by=rank_by, min_dim=min_dim)
    except SearchInputError:
        need_min = (sum(vocab) if unit == "params" else num_fields) * min_dim
        cheapest = min(vocab) if unit == "params" else 1
        assert need_min > limit or (min_dim == 0 and cheapest > limit)
        return None


SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_property_never_exceeds_budget_and_counts_agree(problem):
    scores, vocab, budget, unit, rank_by, min_dim = problem
    alloc = _allocate_or_explain(*problem)
    if alloc is None:
        return
    num_fields, emb_dim = scores.shape
    assert isinstance(alloc, Allocation)
    assert alloc.kept.shape == (num_fields, emb_dim) and alloc.kept.dtype == torch.bool
    assert alloc.emb_dims == tuple(int(c) for c in alloc.kept.sum(1))
    assert alloc.kept_params == sum(v * d for v, d in zip(vocab, alloc.emb_dims, strict=True))
    assert alloc.base_params == sum(vocab) * emb_dim
    assert alloc.achieved_budget <= budget
    if unit == "params":
        assert alloc.kept_params <= math.floor(budget * alloc.base_params)
        assert alloc.kept_params / alloc.base_params <= budget
    else:
        assert int(alloc.kept.sum()) <= math.floor(budget * num_fields * emb_dim)
    assert all(d >= min_dim for d in alloc.emb_dims)
    assert int(alloc.kept.sum()) > 0


@SETTINGS
@given(problems())
def test_property_maximal_no_skipped_pair_fits(problem):
    scores, vocab, budget, unit, rank_by, min_dim = problem
    alloc = _allocate_or_explain(scores, vocab, budget, "params", rank_by, min_dim)
    if alloc is None:
        return
    remaining = budget_limit(budget, alloc.base_params) - alloc.kept_params
    for f, row in enumerate(alloc.kept):
        if not bool(row.all()):
            assert vocab[f] > remaining, f"field {f} (V={vocab[f]}) still fits in {remaining}"


def _reference_walk(scores, vocab, budget, unit, rank_by, min_dim):
    """The rule of docs/design.md ("min_dim", "Allocation") written as plainly as possible, with Python's
    own sort for the ranking."""
    num_fields, emb_dim = scores.shape
    values = scores.tolist()
    key = {
        (f, j): values[f][j] / (vocab[f] if rank_by == "saliency_per_param" else 1)
        for f in range(num_fields)
        for j in range(emb_dim)
    }
    order = sorted(key, key=lambda p: (-key[p], p[0], p[1]))
    kept = set()
    for f in range(num_fields):
        kept |= {(f, j) for j in sorted(range(emb_dim), key=lambda j, f=f: (-values[f][j], j))[:min_dim]}
    if unit == "params":
        limit = budget_limit(budget, sum(vocab) * emb_dim)
        used = sum(vocab[f] for f, _ in kept)
        for p in order:
            if p not in kept and used + vocab[p[0]] <= limit:
                kept.add(p)
                used += vocab[p[0]]
    else:
        n_keep = budget_limit(budget, num_fields * emb_dim)
        for p in order:
            if len(kept) >= n_keep:
                break
            kept.add(p)
    return kept


@SETTINGS
@given(problems())
def test_property_matches_a_plain_reference_walk(problem):
    alloc = _allocate_or_explain(*problem)
    if alloc is None:
        return
    kept = {(int(f), int(j)) for f, j in torch.nonzero(alloc.kept)}
    assert kept == _reference_walk(*problem)


@SETTINGS
@given(problems())
def test_property_deterministic(problem):
    first = _allocate_or_explain(*problem)
    second = _allocate_or_explain(*problem)
    assert first == second


@SETTINGS
@given(problems())
def test_property_budget_one_keeps_all(problem):
    scores, vocab, _, unit, rank_by, min_dim = problem
    alloc = allocate_dims(scores, vocab, 1.0, budget_unit=unit, rank_by=rank_by, min_dim=min_dim)
    assert bool(alloc.kept.all()) and alloc.achieved_budget == 1.0


@SETTINGS
@given(problems(), st.floats(1e-3, 1.0), st.floats(1e-3, 1.0))
def test_property_dims_unit_is_monotonic_in_budget(problem, b1, b2):
    scores, vocab, _, _, rank_by, min_dim = problem
    lo, hi = sorted((b1, b2))
    small = _allocate_or_explain(scores, vocab, lo, "dims", rank_by, min_dim)
    large = _allocate_or_explain(scores, vocab, hi, "dims", rank_by, min_dim)
    if small is None:
        return
    assert large is not None
    assert bool((large.kept | ~small.kept).all()), "a larger budget dropped a kept pair"


# ------------------------------------------------------------- the dims rule at a parameter budget


def test_dims_at_params_refuses_a_budget_below_the_top_ranked_column():
    # the top-ranked column costs 100 of 220 parameters; b = 0.25 allows 55 (the params rule would keep
    # the cheaper field instead, the dims rule may not skip)
    with pytest.raises(SearchInputError, match=r"top-ranked column \(field 1, 100 params\).*at least 0\.454545"):
        allocate_dims_at_params(torch.tensor([[1.0, 0.0], [3.0, 2.0]]), [10, 100], 0.25)


def test_dims_at_params_takes_a_prefix_of_the_ranking_and_stops_at_the_first_misfit():
    # ranking: (0,0) cost 10, (1,0) cost 100, (0,1) cost 10; b = 0.25 of 220 -> limit 55.
    scores = torch.tensor([[3.0, 1.0], [2.0, 0.0]])
    alloc = allocate_dims_at_params(scores, [10, 100], 0.25)
    # (1,0) does not fit: the dims rule stops there, where the params rule would skip on to (0,1).
    assert alloc.emb_dims == (1, 0) and alloc.kept_params == 10
    assert alloc.budget_unit == "dims" and alloc.achieved_budget == 0.25  # 1 of 4 pairs
    assert allocate_dims(scores, [10, 100], 0.25).emb_dims == (2, 0)


@SETTINGS
@given(problems())
def test_property_dims_at_params_is_the_longest_fitting_prefix(problem):
    scores, vocab, budget, _, rank_by, min_dim = problem
    try:
        alloc = allocate_dims_at_params(scores, vocab, budget, rank_by=rank_by, min_dim=min_dim)
    except SearchInputError as exc:
        # refused like the params rule, or because the top-ranked column alone does not fit
        if "top-ranked column" not in str(exc):
            with pytest.raises(SearchInputError):
                allocate_dims(scores, vocab, budget, rank_by=rank_by, min_dim=min_dim)
        else:
            f = int(rank_pairs(scores.numpy(), vocab, rank_by)[0][0])
            assert min_dim == 0 and vocab[f] > budget_limit(budget, sum(vocab) * scores.shape[1])
        return
    assert alloc.kept.any()
    limit = budget_limit(budget, alloc.base_params)
    assert alloc.kept_params <= limit
    assert alloc.kept_params == sum(v * d for v, d in zip(vocab, alloc.emb_dims, strict=True))
    # the same kept set as the raw dims rule with that many pairs: a prefix of one ranking
    pairs = int(alloc.kept.sum())
    total = scores.shape[0] * scores.shape[1]
    if pairs < total:
        raw = allocate_dims(scores, vocab, (pairs + 0.5) / total, budget_unit="dims", rank_by=rank_by,
                            min_dim=min_dim)
        assert torch.equal(raw.kept, alloc.kept)
        # and one more pair of that ranking would not fit
        more = allocate_dims(scores, vocab, min(1.0, (pairs + 1.5) / total), budget_unit="dims", rank_by=rank_by,
                             min_dim=min_dim)
        assert more.kept_params > limit
