"""Batching, prediction and evaluation of any model that maps ids (B, C) to logits (B,)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from ..metrics import log_loss, roc_auc
from .runtime import model_device

EVAL_BATCH_SIZE = 8192  # evaluation batches are at least this large: no backward pass to hold


def _as_tensor(x, dtype) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.to(dtype)
    return torch.from_numpy(np.ascontiguousarray(x)).to(dtype)


def iterate_batches(
    ids,
    labels,
    batch_size: int,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield (ids (b, C) int64, labels (b,) float32) batches on ``device``; shuffled by
    ``generator`` (a seeded torch.Generator) when given, in order otherwise."""
    ids = _as_tensor(ids, torch.long)
    labels = _as_tensor(labels, torch.float32)
    n = ids.shape[0]
    order = None
    if generator is not None:  # drawn on the CPU generator, so the order is the same on every device
        order = torch.randperm(n, generator=generator).to(ids.device)
    for start in range(0, n, batch_size):
        if order is None:
            x, y = ids[start : start + batch_size], labels[start : start + batch_size]
        else:
            idx = order[start : start + batch_size]
            x, y = ids.index_select(0, idx), labels.index_select(0, idx)
        if device is not None:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        yield x, y


@torch.no_grad()
def predict_logits(model: nn.Module, ids, batch_size: int = EVAL_BATCH_SIZE, device=None) -> np.ndarray:
    """ids (N, C) -> logits (N,) float64, in eval mode (dropout off); the model's mode is restored."""
    device = torch.device(device) if device is not None else model_device(model)
    was_training = model.training
    model.eval()
    ids = _as_tensor(ids, torch.long)
    out = []
    try:
        for start in range(0, ids.shape[0], batch_size):
            x = ids[start : start + batch_size].to(device, non_blocking=True)
            out.append(model(x).double().cpu())
    finally:
        model.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros(0)


def predict(model: nn.Module, ids, batch_size: int = EVAL_BATCH_SIZE, device=None) -> np.ndarray:
    """ids (N, C) -> click probabilities (N,) float64."""
    z = predict_logits(model, ids, batch_size, device)
    return 1.0 / (1.0 + np.exp(-z))


def evaluate(model: nn.Module, ids, labels, batch_size: int = EVAL_BATCH_SIZE, device=None) -> dict[str, float]:
    """dict(auc=, logloss=) of the model on (ids (N, C), labels (N,))."""
    labels = np.asarray(labels.cpu() if isinstance(labels, torch.Tensor) else labels)
    z = predict_logits(model, ids, max(batch_size, EVAL_BATCH_SIZE), device)
    return {"auc": roc_auc(labels, z), "logloss": log_loss(labels, z)}
