"""Saliency of every embedding dimension from the gradient of the loss w.r.t. a gate (docs/design.md,
"Saliency").

The model multiplies field f's embedding by a gate alpha[f] (a buffer of ones, shape (F, D)), so the
gradient g = d loss / d alpha at alpha = 1 measures how much the loss depends on each dimension. Over K
batches the per-batch gradients g_b are summarised by an estimator; higher always means more important:

* ``mean_abs``: mean_b |g_b|          (default)
* ``abs_mean``: |mean_b g_b|          (tends to 0 on a converged model: the mean gradient vanishes)
* ``fisher``:   mean_b g_b ** 2       (empirical Fisher diagonal at batch level)
* ``taylor``:   -mean_b g_b           (signed first-order change of the loss when alpha goes 1 -> 0,
  loss(0) - loss(1) ~ -g; a dimension whose removal would *lower* the loss gets a negative score and
  ranks last, where an absolute value would keep it)
* ``exact``:    mean_b [loss_b(alpha[f, j] = 0) - loss_b(alpha = 1)], the loss change itself, measured
  with one forward pass per column instead of predicted from the gradient (``search/exact.py``): the
  yardstick the four gradient estimators are compared against
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import torch
from torch import nn

from ..config import ESTIMATORS
from ._checks import SearchInputError, check_choice, check_positive_int, gate_of
from .exact import drop_column_importance

__all__ = ["batches_from_arrays", "compute_saliency"]


def compute_saliency(
    model: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    estimator: str = "mean_abs",
    num_batches: int | None = None,
    loss_fn: nn.Module | None = None,
) -> torch.Tensor:
    """Score every (field, dim) of ``model``'s embedding from loss gradients w.r.t. its gate.

    model: maps ids (B, C) long to logits (B,); ``model.embedding.gate`` is a float (F, D) buffer of
        ones multiplied into each field's embedding in ``forward``.
    batches: iterable of (ids (B, C) long, labels (B,) float in {0, 1}); moved to the gate's device.
    estimator: one of ``mean_abs``, ``abs_mean``, ``fisher``, ``taylor``, ``exact`` (see the module
        docstring; ``exact`` takes no gradients and is ``exact.drop_column_importance``).
    num_batches: K, the number of batches to consume (None: all of them). At most K batches are drawn
        from the iterable; an iterable that runs out before K is an error, since K is a studied setting
        and silently using fewer would mislabel the result.
    loss_fn: per-batch mean loss on (logits, labels); default ``BCEWithLogitsLoss()``.

    Returns float64 (F, D) on the CPU, higher = more important.

    The model is left as it was found: weights are only read, gradients are taken with
    ``torch.autograd.grad`` w.r.t. the gate alone (parameters' ``.grad`` are not touched), and the
    gate's ``requires_grad`` and the model's train/eval mode are restored, even on error.
    """
    check_choice("estimator", estimator, ESTIMATORS)
    if num_batches is not None:
        num_batches = check_positive_int("num_batches", num_batches)
    if estimator == "exact":
        # No gradients: one forward pass per removed column (search/exact.py).
        return drop_column_importance(model, batches, num_batches=num_batches, loss_fn=loss_fn)
    loss_fn = nn.BCEWithLogitsLoss() if loss_fn is None else loss_fn
    gate = gate_of(model)

    was_training = model.training
    gate_required_grad = gate.requires_grad
    sum_g = torch.zeros(gate.shape, dtype=torch.float64)
    sum_abs = torch.zeros_like(sum_g)
    sum_sq = torch.zeros_like(sum_g)
    seen = 0
    try:
        # Eval mode: dropout would add noise to the gradients and batch norm would update its running
        # statistics (changing the model); the scores are about the trained model as deployed.
        model.eval()
        gate.requires_grad_(True)
        # enable_grad: the scores need a graph even when the caller is inside torch.no_grad().
        with torch.enable_grad():
            stream = iter(batches) if num_batches is None else itertools.islice(batches, num_batches)
            for ids, labels in stream:
                ids = ids.to(gate.device, torch.long)
                logits = model(ids)
                loss = loss_fn(logits, labels.to(device=logits.device, dtype=logits.dtype))
                (grad,) = torch.autograd.grad(loss, gate, allow_unused=True)
                if grad is None:
                    raise SearchInputError(
                        "model.embedding.gate is not used by the model's forward; "
                        "build the model with its gates switched on (e.g. build_model(..., gates=True))"
                    )
                g = grad.detach().to("cpu", torch.float64)  # (F, D)
                sum_g += g
                sum_abs += g.abs()
                sum_sq += g * g
                seen += 1
    finally:
        gate.requires_grad_(gate_required_grad)
        model.train(was_training)

    if seen == 0:
        raise SearchInputError("compute_saliency: the batches iterable is empty; need at least one batch")
    if num_batches is not None and seen < num_batches:
        raise SearchInputError(
            f"compute_saliency: num_batches={num_batches} requested but only {seen} batch(es) given"
        )

    if estimator == "mean_abs":
        return sum_abs / seen
    if estimator == "abs_mean":
        return (sum_g / seen).abs()
    if estimator == "fisher":
        return sum_sq / seen
    return -sum_g / seen  # taylor


def _as_numpy(array) -> np.ndarray:
    if isinstance(array, torch.Tensor):
        return array.detach().cpu().numpy()
    return np.asarray(array)


def batches_from_arrays(
    ids,
    labels,
    batch_size: int,
    num_batches: int,
    seed: int,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Exactly ``num_batches`` seeded random batches drawn from in-memory arrays.

    ids: (N, C) integer array or tensor; labels: (N,). The caller picks the split (train or valid) and
    passes its rows. Rows are drawn from a seeded permutation, consecutive ``batch_size`` chunks of it
    are the batches, and a fresh permutation starts when fewer than ``batch_size`` rows are left, so
    batches within one pass never overlap and all have the same size (``min(batch_size, N)``).
    Yields (ids (B, C) long, labels (B,) float32). The same seed gives the same batches on every run.
    Arguments are checked at call time, before the first batch.
    """
    ids_np = _as_numpy(ids)
    labels_np = _as_numpy(labels)
    if ids_np.ndim != 2:
        raise SearchInputError(f"ids: expected an (N, C) array; got shape {ids_np.shape}")
    if labels_np.shape != (ids_np.shape[0],):
        raise SearchInputError(
            f"labels: expected shape ({ids_np.shape[0]},) to match ids; got {labels_np.shape}"
        )
    if ids_np.shape[0] == 0:
        raise SearchInputError("ids: no rows to draw batches from")
    if not np.issubdtype(ids_np.dtype, np.integer):
        raise SearchInputError(f"ids: expected integer ids; got dtype {ids_np.dtype}")
    batch_size = check_positive_int("batch_size", batch_size)
    num_batches = check_positive_int("num_batches", num_batches)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise SearchInputError(f"seed: expected an integer; got {seed!r}")
    return _draw_batches(ids_np, labels_np, min(batch_size, ids_np.shape[0]), num_batches, int(seed))


def _draw_batches(ids: np.ndarray, labels: np.ndarray, size: int, num_batches: int, seed: int):
    rng = np.random.default_rng(seed)
    n = ids.shape[0]
    order = rng.permutation(n)
    start = 0
    for _ in range(num_batches):
        if start + size > n:
            order = rng.permutation(n)
            start = 0
        rows = order[start : start + size]
        start += size
        yield (
            torch.from_numpy(ids[rows].astype(np.int64, copy=False)),
            torch.from_numpy(labels[rows].astype(np.float32, copy=False)),
        )
