"""Turn per-dimension scores into per-field embedding widths under a parameter budget (docs/design.md,
"Allocation").

Notation: F fields, base width D, field f has V_f rows (the OOV row included). The base model keeps
``base_params = sum_f V_f * D`` embedding parameters; a budget b in (0, 1] lets the slim model keep at
most ``floor(b * base_params)`` of them. Column j of field f costs V_f parameters.

The allocator is greedy and, by design, not a knapsack solver: it is the rule the paper describes
("keep the most salient dimensions while they fit"), and any method that produces scores (SSEDS, the
random, magnitude and frequency baselines) goes through the same walk, so they are compared at the
same budget under the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..config import BUDGET_UNITS, RANK_BY
from ._checks import (
    SearchInputError,
    budget_limit,
    check_budget,
    check_choice,
    check_positive_int,
    check_vocab_sizes,
    scores_to_numpy,
)

__all__ = ["Allocation", "allocate_dims", "allocate_dims_at_params", "rank_pairs"]


@dataclass(frozen=True, eq=False)
class Allocation:
    """Which embedding columns a slim model keeps.

    emb_dims: d_f per field (F,), the number of kept columns of each field.
    kept: bool (F, D); kept[f, j] says column j of field f's pretrained table is kept. The kept
        columns of a field need not be a prefix: ``init=inherit`` copies exactly these columns, in
        increasing j. Treat it as read-only.
    kept_params: sum_f V_f * d_f.  base_params: sum_f V_f * D.
    achieved_budget: the fraction of the budget unit actually used: kept_params / base_params for
        ``budget_unit="params"``, kept pairs / (F * D) for ``"dims"``. Never above ``budget``.
    budget, budget_unit: what was asked for (1.0 and "params" for the full model).
    """

    emb_dims: tuple[int, ...]
    kept: torch.Tensor
    kept_params: int
    base_params: int
    achieved_budget: float
    budget: float = 1.0
    budget_unit: str = "params"

    def kept_columns(self) -> tuple[tuple[int, ...], ...]:
        """Per field, the kept column indices in increasing order (what ``init=inherit`` copies)."""
        return tuple(tuple(int(j) for j in torch.nonzero(row).flatten()) for row in self.kept)

    def to_dict(self) -> dict:
        """A JSON-serialisable summary for result rows."""
        return {
            "emb_dims": list(self.emb_dims),
            "kept_columns": [list(c) for c in self.kept_columns()],
            "kept_params": self.kept_params,
            "base_params": self.base_params,
            "achieved_budget": self.achieved_budget,
            "budget": self.budget,
            "budget_unit": self.budget_unit,
        }

    # A tensor field makes the generated __eq__ ambiguous; compare by value instead.
    def __eq__(self, other):
        if not isinstance(other, Allocation):
            return NotImplemented
        return (
            self.emb_dims == other.emb_dims
            and self.kept.shape == other.kept.shape
            and bool(torch.equal(self.kept, other.kept))
            and self.kept_params == other.kept_params
            and self.base_params == other.base_params
            and self.achieved_budget == other.achieved_budget
            and self.budget == other.budget
            and self.budget_unit == other.budget_unit
        )

    def __hash__(self):
        return hash(
            (self.emb_dims, self.kept.numpy().tobytes(), self.kept_params, self.budget, self.budget_unit)
        )


def rank_pairs(scores: np.ndarray, vocab_sizes: Sequence[int], rank_by: str = "saliency") -> np.ndarray:
    """The order in which the allocator visits (field, dim) pairs, best first.

    scores: float (F, D). Returns int (F * D, 2) rows (f, j). The key is the score (``saliency``) or
    score / V_f (``saliency_per_param``), descending; ties go to the lower field index, then the lower
    dim index, so the order is fully deterministic (no dependence on sort stability or hardware).
    """
    num_fields, emb_dim = scores.shape
    key = (
        scores / np.asarray(vocab_sizes, dtype=np.float64)[:, None]
        if rank_by == "saliency_per_param"
        else scores
    )
    ff, jj = np.meshgrid(np.arange(num_fields), np.arange(emb_dim), indexing="ij")
    # np.lexsort sorts by the last key first: -key (descending score), then f, then j.
    order = np.lexsort((jj.ravel(), ff.ravel(), -key.ravel()))
    return np.stack([ff.ravel()[order], jj.ravel()[order]], axis=1)


def _keep_min_dim(arr: np.ndarray, kept: np.ndarray, min_dim: int) -> None:
    """Mark each field's min_dim best columns in ``kept``. Within a field score and score / V_f give the
    same order, and ties go to the lower dim index (stable sort of -score)."""
    if min_dim > 0:
        top = np.argsort(-arr, axis=1, kind="stable")[:, :min_dim]
        np.put_along_axis(kept, top, True, axis=1)


def allocate_dims(
    scores,
    vocab_sizes: Sequence[int],
    budget: float,
    *,
    budget_unit: str = "params",
    rank_by: str = "saliency",
    min_dim: int = 0,
) -> Allocation:
    """Keep the highest-scoring embedding columns that fit the budget.

    scores: (F, D) tensor or array, higher = more important; finite. vocab_sizes: V_f per field (F,).
    budget: b in (0, 1].

    budget_unit="params": walk the pairs in ``rank_pairs`` order and keep a pair while the kept
        parameters sum_f V_f * d_f stay within floor(b * sum_f V_f * D); a pair that no longer fits is
        skipped and the walk goes on, so on return no skipped pair would fit in what is left.
    budget_unit="dims": keep the first floor(b * F * D) pairs of the ranking, whatever their cost.
        (Some reimplementations write round(); floor is used so the achieved fraction never exceeds b.)
    rank_by="saliency_per_param": rank by score / V_f (a cost-aware variant; only the order changes).
    min_dim: every field first gets its min_dim best columns (by score within the field); a budget too
        small for that is an error naming the budget that would be needed.

    A budget that cannot keep even one column is an error too: a model without embeddings is not a
    meaningful slim model.
    """
    vocab_sizes = check_vocab_sizes(vocab_sizes)
    arr = scores_to_numpy(scores, num_fields=len(vocab_sizes))
    b = check_budget(budget)
    check_choice("budget_unit", budget_unit, BUDGET_UNITS)
    check_choice("rank_by", rank_by, RANK_BY)
    num_fields, emb_dim = arr.shape
    min_dim = check_positive_int("min_dim", min_dim, allow_zero=True)
    if min_dim > emb_dim:
        raise SearchInputError(f"min_dim: {min_dim} is larger than the base width D={emb_dim}")

    cost = np.asarray(vocab_sizes, dtype=np.int64)  # params per column of each field
    base_params = int(cost.sum()) * emb_dim
    kept = np.zeros((num_fields, emb_dim), dtype=bool)

    _keep_min_dim(arr, kept, min_dim)

    if budget_unit == "params":
        limit = budget_limit(b, base_params)
        used = int(cost.sum()) * min_dim
        if used > limit:
            raise SearchInputError(
                f"budget {b!r}: min_dim={min_dim} alone needs {used} of {base_params} embedding parameters; "
                f"use a budget of at least {min_dim}/{emb_dim} = {min_dim / emb_dim:.6g} or a smaller min_dim"
            )
        if min_dim == 0 and cost.min() > limit:
            raise SearchInputError(
                f"budget {b!r} allows {limit} of {base_params} embedding parameters, less than the cheapest "
                f"column ({int(cost.min())} params); use a budget of at least {int(cost.min()) / base_params:.6g}"
            )
        cheapest = int(cost.min())
        for f, j in rank_pairs(arr, vocab_sizes, rank_by):
            if limit - used < cheapest:
                break  # nothing left can fit: the walk would only skip
            if kept[f, j]:
                continue
            if used + cost[f] <= limit:
                kept[f, j] = True
                used += int(cost[f])
        achieved = used / base_params
    else:
        total = num_fields * emb_dim
        n_keep = budget_limit(b, total)
        if num_fields * min_dim > n_keep:
            raise SearchInputError(
                f"budget {b!r}: min_dim={min_dim} alone needs {num_fields * min_dim} of {total} dims but the "
                f"budget keeps {n_keep}; use a budget of at least {min_dim}/{emb_dim} = {min_dim / emb_dim:.6g}"
            )
        if n_keep == 0:
            raise SearchInputError(
                f"budget {b!r} keeps floor({b!r} * {total}) = 0 of {total} dims; "
                f"use a budget of at least 1/{total} = {1 / total:.6g}"
            )
        count = num_fields * min_dim
        for f, j in rank_pairs(arr, vocab_sizes, rank_by):
            if count >= n_keep:
                break
            if not kept[f, j]:
                kept[f, j] = True
                count += 1
        achieved = count / total

    emb_dims = tuple(int(d) for d in kept.sum(axis=1))
    kept_params = int((cost * kept.sum(axis=1)).sum())
    return Allocation(
        emb_dims=emb_dims,
        kept=torch.from_numpy(kept),
        kept_params=kept_params,
        base_params=base_params,
        achieved_budget=achieved,
        budget=b,
        budget_unit=budget_unit,
    )


def allocate_dims_at_params(
    scores,
    vocab_sizes: Sequence[int],
    budget: float,
    *,
    rank_by: str = "saliency",
    min_dim: int = 0,
) -> Allocation:
    """The ``budget_unit="dims"`` rule at a *parameter* budget b, so that it can be compared with every
    other method at the same embedding-parameter fraction.

    The dims rule keeps a prefix of the ranking whatever each pair costs; here the prefix is the
    longest one (after every field's ``min_dim`` best columns) whose parameters fit in
    floor(b * sum_f V_f * D): the dims budget that lands on the parameter target. Unlike the params
    rule, a pair that does not fit ends the walk (no skipping ahead to cheaper pairs). The Allocation
    reports the dims fraction it kept as ``achieved_budget`` (unit "dims") and b as ``budget``; its
    parameter fraction is kept_params / base_params <= b.
    """
    vocab_sizes = check_vocab_sizes(vocab_sizes)
    arr = scores_to_numpy(scores, num_fields=len(vocab_sizes))
    b = check_budget(budget)
    check_choice("rank_by", rank_by, RANK_BY)
    num_fields, emb_dim = arr.shape
    min_dim = check_positive_int("min_dim", min_dim, allow_zero=True)
    # The params rule raises the errors this rule shares (min_dim too large, nothing fits).
    reference = allocate_dims(arr, vocab_sizes, b, budget_unit="params", rank_by=rank_by, min_dim=min_dim)
    cost = np.asarray(vocab_sizes, dtype=np.int64)
    limit = budget_limit(b, reference.base_params)
    kept = np.zeros((num_fields, emb_dim), dtype=bool)
    _keep_min_dim(arr, kept, min_dim)
    used = int(cost.sum()) * min_dim
    for f, j in rank_pairs(arr, vocab_sizes, rank_by):
        if kept[f, j]:
            continue
        if used + cost[f] > limit:
            break
        kept[f, j] = True
        used += int(cost[f])
    if used == 0:
        # The params rule would skip to a cheaper column; this rule stops at the first one that does not
        # fit, so a budget below the top-ranked column's cost keeps nothing: not a model.
        f, _ = rank_pairs(arr, vocab_sizes, rank_by)[0]
        raise SearchInputError(
            f"budget {b!r} allows {limit} of {reference.base_params} embedding parameters, less than the top-ranked "
            f"column (field {int(f)}, {int(cost[f])} params) that the dims rule must keep first; use a budget of at "
            f"least {int(cost[f]) / reference.base_params:.6g}"
        )
    emb_dims = tuple(int(d) for d in kept.sum(axis=1))
    return Allocation(
        emb_dims=emb_dims,
        kept=torch.from_numpy(kept),
        kept_params=used,
        base_params=reference.base_params,
        achieved_budget=sum(emb_dims) / (num_fields * emb_dim),
        budget=b,
        budget_unit="dims",
    )
