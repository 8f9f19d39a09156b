"""Exact drop-column importance: how much the loss rises when one embedding column is removed.

The gradient estimators (``saliency.py``) predict the effect of removing a (field, dim) column from
the slope of the loss at alpha = 1. Here the effect is measured: set alpha[f, j] to 0, run the
model forward, and subtract the loss of the intact model,

    I[f, j] = loss(alpha[f, j] = 0) - loss(alpha = 1),

one forward pass per column and batch, no backward pass. Higher = more important; a negative value
means the model is better off without the column. It is the yardstick the estimators are judged by
(``agreement.rank_agreement``), and the ``exact`` estimator of the search (``compute_saliency``).

Only one column is removed at a time, so I says nothing about interactions between removals; it is
exact for a single removal, and for a deployed slim model that removes many columns it is the
natural first-order reference, not the final word.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import torch
from torch import nn

from ._checks import SearchInputError, check_positive_int, gate_of

__all__ = ["drop_column_importance", "drop_column_importance_on_split"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _row_bce(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    # Per-row losses: their differences are taken row by row and summed in float64, so that a small
    # importance is not lost in the float32 rounding of two nearly equal batch means.
    return nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")


def _live_columns(model: nn.Module, gate: torch.Tensor) -> list[tuple[int, int]]:
    """The (f, j) columns whose gate the forward pass reads: j < d_f on a mixed-width model.

    A mixed-width ``FieldEmbedding`` multiplies field f by ``gate[f, :d_f]`` only, so the other
    columns cannot change the output; skipping them saves the passes and makes their importance 0
    by construction rather than by floating-point luck.
    """
    num_fields, emb_dim = gate.shape
    widths = getattr(model.embedding, "emb_dims", None) or (emb_dim,) * num_fields
    return [(f, j) for f in range(num_fields) for j in range(min(int(widths[f]), emb_dim))]


def _loss_changes(
    model: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: LossFn,
) -> Iterator[tuple[torch.Tensor, int]]:
    """Per batch: (mean loss change (F, D) float64 on the CPU, rows in the batch).

    Runs in eval mode under ``torch.no_grad`` and restores the gate and the mode afterwards, also
    when the caller stops early or a forward pass fails.
    """
    gate = gate_of(model)
    if getattr(model.embedding, "gates", True) is False:
        # A FieldEmbedding built without gates ignores the buffer: every importance would be 0.
        raise SearchInputError(
            "model.embedding.gate is not used by the model's forward; "
            "build the model with its gates switched on (e.g. build_model(..., gates=True))"
        )
    columns = _live_columns(model, gate)
    was_training = model.training
    saved = gate.detach().clone()
    try:
        # Eval mode: dropout would make the two passes differ for reasons other than the column, and
        # batch norm would update its running statistics (changing the model).
        model.eval()
        with torch.no_grad():
            for ids, labels in batches:
                ids = ids.to(gate.device, torch.long)
                base = model(ids)  # (B,)
                labels = labels.to(device=base.device, dtype=base.dtype)
                base_loss = loss_fn(base, labels).double()  # (B,) per row, or () for a batch-mean loss
                change = torch.zeros(gate.shape, dtype=torch.float64)
                for f, j in columns:
                    gate[f, j] = 0.0
                    change[f, j] = (loss_fn(model(ids), labels).double() - base_loss).mean().item()
                    gate[f, j] = saved[f, j]
                yield change, int(ids.shape[0])
    finally:
        with torch.no_grad():
            gate.copy_(saved)
        model.train(was_training)


def drop_column_importance(
    model: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    num_batches: int | None = None,
    loss_fn: LossFn | None = None,
) -> torch.Tensor:
    """Mean over batches of the loss change when each (field, dim) column is zeroed: float64 (F, D).

    model, batches, num_batches: as for ``compute_saliency`` (the same K scoring batches, the same
        checks: a gate of ones, at least one batch, exactly K when K is given).
    loss_fn: loss on (logits, labels), per row (B,) or the batch mean (); default binary
        cross-entropy per row, so each batch contributes its mean loss change.

    Deterministic: the same model and batches give the same scores. Columns that the forward pass
    does not read (beyond d_f on a mixed-width model) score exactly 0.
    """
    if num_batches is not None:
        num_batches = check_positive_int("num_batches", num_batches)
    loss_fn = _row_bce if loss_fn is None else loss_fn
    gate = gate_of(model)  # checked before the first batch is drawn
    stream = iter(batches) if num_batches is None else itertools.islice(batches, num_batches)
    total = torch.zeros(gate.shape, dtype=torch.float64)
    seen = 0
    for change, _rows in _loss_changes(model, stream, loss_fn):
        total += change
        seen += 1
    if seen == 0:
        raise SearchInputError("drop_column_importance: the batches iterable is empty; need at least one batch")
    if num_batches is not None and seen < num_batches:
        raise SearchInputError(
            f"drop_column_importance: num_batches={num_batches} requested but only {seen} batch(es) given"
        )
    return total / seen


def drop_column_importance_on_split(model: nn.Module, ids, labels, batch_size: int = 4096) -> torch.Tensor:
    """The loss change of removing each column, over every row of a split: float64 (F, D).

    ids (N, C) integers and labels (N,), as numpy arrays or tensors (e.g. ``ds.subset("valid")``).
    The rows are visited in order in chunks of ``batch_size`` (which only bounds memory) and weighted
    by row, so the result is the change of the split's mean binary cross-entropy: on the validation
    split, the reference ranking the K-batch estimators are compared against.
    """
    ids_t = torch.as_tensor(np.asarray(ids) if not isinstance(ids, torch.Tensor) else ids)
    labels_t = torch.as_tensor(np.asarray(labels) if not isinstance(labels, torch.Tensor) else labels)
    if ids_t.dim() != 2 or labels_t.shape != (ids_t.shape[0],):
        raise SearchInputError(
            f"drop_column_importance_on_split: expected ids (N, C) and labels (N,); "
            f"got {tuple(ids_t.shape)} and {tuple(labels_t.shape)}"
        )
    if ids_t.shape[0] == 0:
        raise SearchInputError("drop_column_importance_on_split: the split has no rows")
    if ids_t.is_floating_point():
        raise SearchInputError(f"drop_column_importance_on_split: expected integer ids; got {ids_t.dtype}")
    batch_size = check_positive_int("batch_size", batch_size)
    gate = gate_of(model)
    chunks = ((ids_t[i : i + batch_size], labels_t[i : i + batch_size].float())
              for i in range(0, ids_t.shape[0], batch_size))
    total = torch.zeros(gate.shape, dtype=torch.float64)
    for change, rows in _loss_changes(model, chunks, _row_bce):
        total += change * rows  # mean change of the chunk -> its sum over rows
    return total / ids_t.shape[0]
