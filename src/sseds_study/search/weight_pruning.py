"""Element-wise magnitude pruning of the pretrained embedding tables (``magnitude_weights``).

The benchmark of Tran et al. 2024 ("A Thorough Performance Benchmarking on Lightweight
Embedding-based Recommender Systems") finds that plain magnitude pruning of single trained
embedding weights beats most purpose-built methods on Criteo and Avazu at 50-95% sparsity. The
study's ``magnitude`` baseline ranks whole columns; this one ranks single entries:

* one global threshold over every table (the benchmark prunes its one shared table, so a field's
  entries compete with every other field's, as here);
* every value row keeps at least its largest entry, so no value is left without an embedding; the
  budget must therefore allow one entry per row, b >= 1/D. (The benchmark's code, read at
  chenxing1999/recsys-benchmark ``scripts/*/run_mag_prune.py``, keeps a minimum number of entries per
  row and searches that minimum on validation, from 0 up; here it is fixed at one, so that no value
  is left without an embedding and the method costs no validation passes.)
* the rest of the budget goes to the largest |w| left, ties broken by position (field, row, column)
  so the mask is the same on every machine;
* exactly ``budget_limit(b, sum_f V_f * D)`` entries are kept: the parameter fraction of every other
  method, never above b.

The mask is a ``MaskAllocation`` (``search.pep``), so the run is evaluated like PEP's: a full-width
model whose tables keep only the masked-in entries, retrained (``init="pretrained"``: from the
pretrained weights, i.e. fine-tuned; ``"fresh"``: from a new random initialisation), its deployed
size the sparse tables' bytes with their column indices and row pointers
(``search.storage.sparse_table_bytes``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ._checks import SearchInputError, budget_limit, check_budget
from .pep import MaskAllocation, mask_stats

__all__ = ["magnitude_weight_masks", "magnitude_weight_allocation", "min_weight_budget"]


def _tables(weights: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    tables = []
    for f, w in enumerate(weights):
        w = torch.as_tensor(w).detach().to("cpu", torch.float64)
        if w.dim() != 2 or w.shape[0] < 1 or w.shape[1] < 1:
            raise SearchInputError(f"weights[{f}]: expected a (V_f, D) table; got shape {tuple(w.shape)}")
        if not bool(torch.isfinite(w).all()):
            raise SearchInputError(f"weights[{f}]: contains non-finite values")
        tables.append(w)
    if not tables:
        raise SearchInputError("weights: expected one (V_f, D) table per field; got none")
    return tables


def min_weight_budget(emb_dim: int) -> float:
    """The smallest budget at which every value row keeps one entry: 1 / D."""
    return 1.0 / emb_dim


def magnitude_weight_masks(weights: Sequence[torch.Tensor], budget: float) -> tuple[torch.Tensor, ...]:
    """Per field a bool (V_f, D) mask keeping ``budget_limit(b, sum_f V_f * D)`` entries: each row's
    largest |w| (first column among equals), then the largest |w| of all the rest.

    weights: the pretrained tables W_f, (V_f, D) each (widths may differ; the budget is a fraction of
    all their entries). Raises ``SearchInputError`` when the budget cannot keep one entry per row.
    """
    tables = _tables(weights)
    b = check_budget(budget)
    total = sum(w.numel() for w in tables)
    rows = sum(w.shape[0] for w in tables)
    keep = budget_limit(b, total)
    if keep < rows:
        smallest = rows / total
        raise SearchInputError(
            f"budget {b!r} keeps {keep} of {total} embedding entries, fewer than one per value row ({rows}); "
            f"element-wise magnitude pruning needs a budget of at least {smallest:.6g}"
        )
    magnitude = torch.cat([w.abs().flatten() for w in tables])  # field-major, row-major: positions are stable
    forced = torch.zeros_like(magnitude, dtype=torch.bool)
    start = 0
    for w in tables:
        best = w.abs().argmax(dim=1)  # first maximal column of each row
        forced[start + torch.arange(w.shape[0]) * w.shape[1] + best] = True
        start += w.numel()
    # Rank the unforced entries by |w| descending; a stable sort keeps position order among equals.
    rest = torch.nonzero(~forced).flatten()
    order = torch.sort(magnitude[rest], descending=True, stable=True).indices
    chosen = forced.clone()
    chosen[rest[order[: keep - rows]]] = True
    masks, start = [], 0
    for w in tables:
        masks.append(chosen[start : start + w.numel()].reshape(w.shape).clone())
        start += w.numel()
    return tuple(masks)


def magnitude_weight_allocation(
    weights: Sequence[torch.Tensor], budget: float, init: str, initial_state: dict | None = None
) -> MaskAllocation:
    """``magnitude_weight_masks`` as the allocation of a masked run.

    init "pretrained": retrained from ``initial_state`` (the pretrained model's weights, the mask
    applied); "fresh": from a new seeded initialisation (``initial_state`` must be None).
    """
    if init not in ("pretrained", "fresh"):
        raise SearchInputError(f"init: expected 'pretrained' or 'fresh'; got {init!r}")
    if (init == "pretrained") != (initial_state is not None):
        raise SearchInputError("init: 'pretrained' needs the pretrained weights and 'fresh' takes none")
    masks = magnitude_weight_masks(weights, budget)
    return MaskAllocation(masks, mask_stats(masks), check_budget(budget), init, 0, initial_state)
