"""PEP's search side: element masks per budget from one training run, mask statistics, and the bytes
a server holds for the pruned tables (docs/design.md, "Baselines and PEP").

PEP (Liu et al., ICLR 2021) trains a model whose embedding entries are soft-thresholded
(``models.pep.attach_soft_threshold``); the fraction of non-zero entries falls as the thresholds
rise. ``PEPSnapshots`` is a training callback that, for each budget b of a list, saves the element
mask at the first step where the kept fraction is <= b, so every budget gets its mask from ONE run.
It also records the model's initial weights, for PEP's "rewind" retraining (the mask applied to the
original initialisation) as against a fresh initialisation.

The budget is a fraction of the search model's embedding entries, sum_f V_f * d_f (= sum_f V_f * D,
``Allocation.base_params``, for the uniform model PEP searches from). The masks are unstructured
(element-wise), so a PEP model is not an ``Allocation``: its deployed size is that of sparse tables,
``sparse_table_bytes``, which counts the index overhead; ``dense_table_bytes`` gives the mixed-width
dense tables of the same parameter count for comparison.

Nothing here reads data: a snapshot depends only on the training trajectory, and the choices PEP
makes after the search (early stopping of the retraining) belong to ``fit``, on validation data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from ..models.pep import current_mask, kept_fraction, pep_mode, plain_state_dict
from ._checks import SearchInputError, check_budget, check_positive_int

# Re-exported: PEP's deployed size is part of what this module reports about a mask.
from .storage import StorageBytes, _mask_array, dense_table_bytes, index_bytes, sparse_table_bytes

__all__ = [
    "MASK_INITS",
    "MaskAllocation",
    "MaskStats",
    "PEPSnapshot",
    "PEPSnapshots",
    "StorageBytes",
    "check_budgets",
    "dense_table_bytes",
    "first_crossings",
    "index_bytes",
    "mask_allocation",
    "mask_stats",
    "sparse_table_bytes",
]


# -- pure functions on masks ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MaskStats:
    """Counts of a per-field element mask.

    field_params: non-zero entries per field.  field_entries: V_f * d_f per field.
    kept_params, total_params: their sums; kept_fraction = kept_params / total_params.
    empty_fields: the fields with no non-zero entry (width > 0 but every row zero), in field order.
    zero_rows: per field, the values (rows) whose embedding is all zero; num_zero_rows their sum.
    """

    field_params: tuple[int, ...]
    field_entries: tuple[int, ...]
    kept_params: int
    total_params: int
    kept_fraction: float
    empty_fields: tuple[int, ...]
    zero_rows: tuple[int, ...]

    @property
    def num_empty_fields(self) -> int:
        return len(self.empty_fields)

    @property
    def num_zero_rows(self) -> int:
        return sum(self.zero_rows)


def mask_stats(masks: Sequence) -> MaskStats:
    """Statistics of per-field bool masks (V_f, d_f) (torch or numpy). A field of width 0 has no
    entries: it counts neither as empty nor its rows as zero rows (it was deleted before the search)."""
    arrays = [_mask_array(m) for m in masks]
    if not arrays:
        raise SearchInputError("masks: expected at least one field")
    field_params = tuple(int(a.sum()) for a in arrays)
    field_entries = tuple(int(a.size) for a in arrays)
    total = sum(field_entries)
    if total == 0:
        raise SearchInputError("masks: every field has width 0; there is nothing to count")
    kept = sum(field_params)
    empty = tuple(f for f, a in enumerate(arrays) if a.shape[1] > 0 and not a.any())
    zero_rows = tuple(int((~a.any(axis=1)).sum()) if a.shape[1] > 0 else 0 for a in arrays)
    return MaskStats(field_params, field_entries, kept, total, kept / total, empty, zero_rows)


def check_budgets(budgets: Sequence[float]) -> tuple[float, ...]:
    """Budgets in (0, 1], distinct, returned in decreasing order (the order a run reaches them)."""
    values = [check_budget(b) for b in budgets]
    if not values:
        raise SearchInputError("budgets: expected at least one budget")
    if len(set(values)) != len(values):
        raise SearchInputError(f"budgets: expected distinct values; got {list(budgets)}")
    return tuple(sorted(values, reverse=True))


def first_crossings(fractions: Sequence[float], budgets: Sequence[float]) -> dict[float, int | None]:
    """For each budget b, the index of the first fraction <= b (None if none is).

    The reference rule of ``PEPSnapshots``: the fractions need not fall monotonically (a threshold
    can go down again), and only the first time counts.
    """
    out: dict[float, int | None] = {}
    for b in check_budgets(budgets):
        out[b] = next((i for i, x in enumerate(fractions) if x <= b), None)
    return out


# -- a mask as the allocation of a run --------------------------------------------------------------
MASK_INITS = ("rewind", "fresh")


@dataclass(frozen=True, eq=False)
class MaskAllocation:
    """What PEP hands a run in place of an ``Allocation``: an element mask on full-width tables.

    masks: per field a bool (V_f, D) CPU tensor, True where the entry is kept (treat as read-only).
    stats: ``mask_stats(masks)``; kept_params, base_params and achieved_budget (kept_params /
        base_params, never above ``budget``) are read from it, in the unit of ``Allocation``: the
        fraction of the full model's embedding parameters sum_f V_f * D.
    init: how the masked model is retrained: "rewind" (the search run's initial weights,
        ``initial_state``, PEP's choice after the lottery-ticket hypothesis) or "fresh" (a new random
        initialisation; ``initial_state`` is None).
    step: the optimizer step of the search run at which the mask was taken.
    """

    masks: tuple[torch.Tensor, ...]
    stats: MaskStats
    budget: float
    init: str
    step: int
    initial_state: dict[str, torch.Tensor] | None = None

    @property
    def kept_params(self) -> int:
        return self.stats.kept_params

    @property
    def base_params(self) -> int:
        return self.stats.total_params

    @property
    def achieved_budget(self) -> float:
        return self.stats.kept_fraction

    @property
    def field_params(self) -> tuple[int, ...]:
        """Kept entries per field."""
        return self.stats.field_params


def mask_allocation(snapshot: PEPSnapshot, init: str, initial_state: dict | None = None) -> MaskAllocation:
    """The allocation of one budget's snapshot, retrained with ``init`` ("rewind" needs the search
    run's ``initial_state``; "fresh" takes none)."""
    if init not in MASK_INITS:
        raise SearchInputError(f"init: expected one of {', '.join(MASK_INITS)}; got {init!r}")
    if (init == "rewind") != (initial_state is not None):
        raise SearchInputError("init: 'rewind' needs the search run's initial_state and 'fresh' takes none")
    if snapshot.stats.kept_fraction > snapshot.budget:
        raise SearchInputError(f"snapshot at budget {snapshot.budget} keeps {snapshot.stats.kept_fraction:.4f}")
    return MaskAllocation(snapshot.masks, snapshot.stats, snapshot.budget, init, snapshot.step, initial_state)


# -- the snapshot callback --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PEPSnapshot:
    """The element mask saved for one budget.

    masks: per field a bool (V_f, d_f) CPU tensor, True where the entry is kept. step: the value of
    ``step`` passed to ``on_batch_end`` when it was taken; epoch: 1-based, from ``steps_per_epoch``
    (None when that was not given). kept_fraction <= budget; stats: ``mask_stats(masks)``.
    """

    budget: float
    step: int
    epoch: int | None
    kept_fraction: float
    masks: tuple[torch.Tensor, ...]
    stats: MaskStats

    def to_dict(self) -> dict:
        """A JSON-serialisable summary (without the masks)."""
        return {
            "budget": self.budget,
            "step": self.step,
            "epoch": self.epoch,
            "kept_fraction": self.kept_fraction,
            "kept_params": self.stats.kept_params,
            "total_params": self.stats.total_params,
            "field_params": list(self.stats.field_params),
            "empty_fields": list(self.stats.empty_fields),
            "num_empty_fields": self.stats.num_empty_fields,
            "zero_rows": list(self.stats.zero_rows),
            "num_zero_rows": self.stats.num_zero_rows,
        }


class PEPSnapshots:
    """Training callback: one PEP search run -> an element mask per budget.

    Build it after ``attach_soft_threshold`` and before the first optimizer step: it records
    ``initial_state``, the model's weights at that moment with the keys of a plain model
    (``plain_state_dict``; thresholds left out), for rewind retraining. Then call
    ``on_batch_end(model, step)`` after every optimizer step, with ``step`` = the number of optimizer
    steps taken so far (1 after the first batch). At each call the kept fraction of the embedding
    entries is measured; every budget not yet reached whose value is >= the fraction gets a snapshot
    of the current mask. A step can reach several budgets at once; each then gets the same mask.

    ``steps_per_epoch`` (optional) turns a step into a 1-based epoch: (step - 1) // steps_per_epoch + 1.
    ``fractions`` keeps the (step, kept fraction) trajectory; ``done`` says every budget is reached
    (a training loop may stop then); ``missing`` lists the budgets not reached.
    """

    def __init__(self, model: nn.Module, budgets: Sequence[float], steps_per_epoch: int | None = None):
        if pep_mode(model) != "soft":
            raise SearchInputError("PEPSnapshots: attach_soft_threshold(model, ...) before building the callback")
        self.budgets = check_budgets(budgets)
        self.steps_per_epoch = None if steps_per_epoch is None else check_positive_int("steps_per_epoch", steps_per_epoch)
        self.initial_state: dict[str, torch.Tensor] = plain_state_dict(model)
        self.snapshots: dict[float, PEPSnapshot] = {}
        self.fractions: list[tuple[int, float]] = []

    @property
    def missing(self) -> tuple[float, ...]:
        return tuple(b for b in self.budgets if b not in self.snapshots)

    @property
    def done(self) -> bool:
        return not self.missing

    @property
    def stop_training(self) -> bool:
        """``train.fit`` stops once this is true: every budget has its mask."""
        return self.done

    def on_batch_end(self, model: nn.Module, step: int) -> None:
        if self.done:
            return
        fraction = kept_fraction(model)  # counted on the model's device; masks only copied when needed
        self.fractions.append((int(step), fraction))
        reached = [b for b in self.missing if fraction <= b]
        if not reached:
            return
        cpu_masks = tuple(m.to("cpu", copy=True) for m in current_mask(model))
        stats = mask_stats(cpu_masks)
        epoch = None if self.steps_per_epoch is None else (int(step) - 1) // self.steps_per_epoch + 1
        for b in reached:
            self.snapshots[b] = PEPSnapshot(b, int(step), epoch, fraction, cpu_masks, stats)

    def summary(self) -> list[dict]:
        """Per budget (decreasing) the snapshot's ``to_dict``, or {"budget": b, "reached": False}."""
        out = []
        for b in self.budgets:
            snap = self.snapshots.get(b)
            out.append(snap.to_dict() | {"reached": True} if snap else {"budget": b, "reached": False})
        return out
