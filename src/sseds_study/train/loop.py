"""``fit``: Adam on BCEWithLogitsLoss, early stopping on validation AUC, the best epoch restored.

Callbacks: ``fit(..., callbacks=[cb, ...])`` calls, for every callback that defines the method, in
list order:

* ``cb.on_batch_end(model, step)`` after every optimizer step; ``step`` counts the optimizer steps of
  this fit, across epochs (1 after the first batch). The model is in train mode.
* ``cb.on_epoch_end(model, epoch, stats)`` after each epoch's validation (``epoch`` 1-based,
  ``stats`` its EpochStats), before early stopping decides, so also after the last epoch. The weights
  are still the epoch's, not yet the restored best.

A callback must define at least one of the two. Callbacks observe: to keep a run bit-identical to
one without them, they must not change the weights, the gradients, the model's mode or draw from
torch's global random generator. An exception raised by a callback ends the fit.

A callback may end the fit: when its attribute ``stop_training`` is true after an ``on_batch_end``
call, the epoch ends at that batch (its statistics count the rows seen), is validated as usual, the
epoch hooks run, and no further epoch starts; after an ``on_epoch_end`` call, no further epoch starts.
PEP's search run uses this to stop once every budget has its mask (``study.pep``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..config import TrainConfig
from ..data.spec import EncodedDataset
from ..errors import ConfigError, SsedsError
from .allocator import keep_freed_memory
from .evaluate import EVAL_BATCH_SIZE, evaluate, iterate_batches
from .optim import make_optimizer, restore_dense
from .results import EpochStats, FitResult
from .runtime import resolve_device, seed_everything

DEVICE_DATA_BYTES = 2 << 30  # a training split up to this size is moved to the GPU once, not per batch
NAN_METRICS = {"auc": float("nan"), "logloss": float("nan")}


class TrainingDiverged(SsedsError):
    """The training loss became NaN or infinite (learning rate too high, or a numerical bug)."""

    def __init__(self, epoch: int, batch: int, loss: float):
        self.epoch, self.batch, self.loss = epoch, batch, loss
        super().__init__(
            f"training diverged: loss is {loss} at epoch {epoch}, batch {batch}; "
            "try a smaller learning rate (train.lr)"
        )


def fit(model: nn.Module, dataset: EncodedDataset, cfg: TrainConfig, *, callbacks: Sequence[Any] = (),
        test: bool = True) -> FitResult:
    """Train ``model`` on the train split, early-stop on validation AUC, restore the best epoch.

    Each epoch: one shuffled pass (batch order from a torch.Generator seeded with ``cfg.seed``), then
    validation AUC / logloss. Training stops after ``cfg.patience`` epochs without a strictly higher
    validation AUC, or after ``cfg.max_epochs``. The best state_dict is kept in memory and loaded
    into ``model`` at the end; the test split is evaluated on it (``test=False``: not read at all, the
    result's test metrics are NaN; for training runs that choose something, such as PEP's search).
    ``callbacks``: see the module docstring (they can also end the fit early). Save the result with ``save_checkpoint(path, model, config=..., fit_result=result)``.

    Reproducibility: build the model after ``seed_everything(seed)`` (the initial weights come from
    torch's global generator); ``fit`` seeds that generator again with ``cfg.seed`` (dropout), so the
    same seeds give bit-identical results on CPU.

    Memory: the first call in a process has glibc keep freed memory for reuse rather than give it
    back to the kernel after every step (``train.allocator``; ``SSEDS_KEEP_FREED_MEMORY=0`` turns
    this off). Results are unchanged.

    Raises TrainingDiverged when a batch loss is NaN or infinite.
    """
    batch_hooks, epoch_hooks = _hooks(callbacks)
    device = resolve_device(cfg.device)
    keep_freed_memory()  # each step's tensors reuse the last step's memory (train.allocator)
    seed_everything(cfg.seed)  # dropout masks; the weights were drawn when the caller built the model
    generator = torch.Generator().manual_seed(cfg.seed)
    train_ids, train_y, valid_ids, valid_y = _splits(dataset, device, test)
    model.to(device)
    optimizer = make_optimizer(model, cfg)
    try:
        return _fit(model, dataset, cfg, optimizer, device, generator, train_ids, train_y, valid_ids, valid_y,
                    callbacks, batch_hooks, epoch_hooks, test)
    finally:
        restore_dense(model)


def _fit(model, dataset, cfg, optimizer, device, generator, train_ids, train_y, valid_ids, valid_y, callbacks,
         batch_hooks, epoch_hooks, test) -> FitResult:
    num_batches = math.ceil(len(train_y) / cfg.batch_size)
    eval_batch = max(cfg.batch_size, EVAL_BATCH_SIZE)
    history: list[EpochStats] = []
    best = _BestEpoch()
    fit_start = time.perf_counter()
    rows_trained = 0
    for epoch in range(1, cfg.max_epochs + 1):
        batches = iterate_batches(train_ids, train_y, cfg.batch_size, generator, device)
        bar = tqdm(total=num_batches, desc=f"epoch {epoch}", disable=not cfg.progress, leave=False)
        stop = _StopCheck(callbacks)
        loss, rows, seconds = _train_epoch(model, optimizer, batches, epoch, (epoch - 1) * num_batches, batch_hooks,
                                           bar, stop)
        rows_trained += rows
        t0 = time.perf_counter()
        valid = evaluate(model, valid_ids, valid_y, eval_batch, device)
        stats = EpochStats(epoch, loss / rows, valid["auc"], valid["logloss"], seconds, time.perf_counter() - t0,
                           rows / seconds)
        history.append(stats)
        _report(stats, cfg.progress)
        for hook in epoch_hooks:
            hook(model, epoch, stats)
        if best.update(model, stats) >= cfg.patience or stop():
            break
    model.load_state_dict(best.state)
    test_ids, test_y = dataset.subset("test") if test else (None, ())
    train_time = sum(h.seconds for h in history)
    return FitResult(
        history=history,
        best_epoch=best.epoch,
        valid={"auc": history[best.epoch - 1].valid_auc, "logloss": history[best.epoch - 1].valid_logloss},
        test=evaluate(model, test_ids, test_y, eval_batch, device) if len(test_y) else dict(NAN_METRICS),
        train_seconds=time.perf_counter() - fit_start,
        rows_per_second=rows_trained / train_time if train_time > 0 else float("nan"),
        stopped_early=len(history) < cfg.max_epochs,
        device=str(device),
    )


def check_ids(dataset: EncodedDataset) -> None:
    """Raise SsedsError unless every id lies in its field's range: 0..V_f-1, or -1 (padding) in a
    multi-valued field. Field tables share one embedding matrix at row offsets, so an id out of range
    would silently read another field's row instead of failing."""
    for f, spec in enumerate(dataset.fields):
        block = dataset.field_columns(f)
        if block.size == 0:
            continue
        low, high = int(block.min()), int(block.max())
        floor = -1 if spec.is_multi else 0
        if low < floor or high >= spec.vocab_size:
            raise SsedsError(
                f"dataset {dataset.name!r}, field {spec.name!r}: ids must lie in {floor}..{spec.vocab_size - 1}; "
                f"found {low}..{high}"
            )


# -- the pieces of fit ---------------------------------------------------------------------------------
def _hooks(callbacks: Sequence[Any]) -> tuple[list, list]:
    """The bound on_batch_end and on_epoch_end methods of the callbacks, in order."""
    batch_hooks, epoch_hooks = [], []
    for cb in callbacks:
        on_batch, on_epoch = getattr(cb, "on_batch_end", None), getattr(cb, "on_epoch_end", None)
        if on_batch is None and on_epoch is None:
            raise TypeError(f"fit: callback {cb!r} defines neither on_batch_end nor on_epoch_end")
        batch_hooks += [on_batch] if on_batch is not None else []
        epoch_hooks += [on_epoch] if on_epoch is not None else []
    return batch_hooks, epoch_hooks


def _splits(dataset: EncodedDataset, device: torch.device, test: bool = True):
    """(train ids int64, train labels float32) as tensors, on the GPU when training there and they
    fit, then (valid ids, valid labels) as stored. Checks the ids, that train and valid are not
    empty, and that each split used (the test split only when ``test``) has both classes."""
    check_ids(dataset)
    train_ids, train_y = dataset.subset("train")
    valid_ids, valid_y = dataset.subset("valid")
    if len(train_y) == 0:
        raise ConfigError(f"dataset {dataset.name!r}: the train split is empty")
    if len(valid_y) == 0:
        raise ConfigError(f"dataset {dataset.name!r}: the valid split is empty; early stopping needs it")
    used = [("train", train_y), ("valid", valid_y)] + ([("test", dataset.subset("test")[1])] if test else [])
    for split, y in used:
        _check_both_classes(dataset.name, split, y)
    ids = torch.from_numpy(np.ascontiguousarray(train_ids, dtype=np.int64))
    labels = torch.from_numpy(np.ascontiguousarray(train_y, dtype=np.float32))
    if device.type == "cuda" and ids.numel() * 8 <= DEVICE_DATA_BYTES:
        ids, labels = ids.to(device), labels.to(device)
    return ids, labels, valid_ids, valid_y


def _check_both_classes(name: str, split: str, labels: np.ndarray) -> None:
    """A split whose labels are all 0 or all 1 has no AUC (it would be NaN): training on it, early
    stopping on it or reporting it would give numbers without meaning."""
    if len(labels) and (labels.min() == labels.max()):
        raise ConfigError(f"dataset {name!r}: every label in the {split} split is {labels[0]:g} ({len(labels):,} rows); "
                          "the label needs both classes, 0 and 1, in every split (AUC is undefined otherwise)")


class _StopCheck:
    """Says whether a callback asked the fit to stop (a true ``stop_training`` attribute)."""

    def __init__(self, callbacks: Sequence[Any]):
        self.callbacks = [cb for cb in callbacks if hasattr(cb, "stop_training")]

    def __call__(self) -> bool:
        return any(bool(cb.stop_training) for cb in self.callbacks)


def _train_epoch(model, optimizer, batches, epoch: int, step0: int, batch_hooks, bar,
                 stop: _StopCheck) -> tuple[float, int, float]:
    """One pass over ``batches``, or up to the batch after which ``stop()`` is true (the progress
    ``bar`` is closed at the end): (summed loss over the rows, rows, seconds). ``step0``: the
    optimizer steps taken before this epoch."""
    model.train()
    loss_fn = nn.BCEWithLogitsLoss()
    t0 = time.perf_counter()
    loss_sum, rows, y = 0.0, 0, None
    with bar:
        for b, (x, y) in enumerate(batches):
            loss = loss_fn(model(x), y)  # logits (b,)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                raise TrainingDiverged(epoch, b, loss_value)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            for hook in batch_hooks:
                hook(model, step0 + b + 1)
            loss_sum += loss_value * y.shape[0]
            rows += y.shape[0]
            bar.update(1)
            if b % 50 == 0:
                bar.set_postfix(loss=f"{loss_value:.4f}", refresh=False)
            if stop():
                break
    if y is not None and y.device.type == "cuda":
        torch.cuda.synchronize(y.device)  # the time of the pass includes its last kernels
    return loss_sum, rows, time.perf_counter() - t0


def _report(stats: EpochStats, progress: bool) -> None:
    if progress:
        tqdm.write(
            f"epoch {stats.epoch}: train loss {stats.train_loss:.4f}  valid auc {stats.valid_auc:.4f}  "
            f"logloss {stats.valid_logloss:.4f}  ({stats.seconds:.1f}s, {stats.rows_per_second:,.0f} rows/s)"
        )


class _BestEpoch:
    """Early-stopping state: the best validation AUC so far, its epoch and weights (a copy)."""

    def __init__(self):
        self.auc: float | None = None
        self.epoch = 0
        self.state: dict[str, torch.Tensor] = {}
        self.bad_epochs = 0

    def update(self, model: nn.Module, stats: EpochStats) -> int:
        """Record an epoch; returns the number of epochs in a row without a strictly higher AUC."""
        if self._better(stats.valid_auc):
            self.auc, self.epoch, self.bad_epochs = stats.valid_auc, stats.epoch, 0
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs

    def _better(self, new: float) -> bool:
        if self.auc is None:
            return True
        if math.isnan(new):
            return False
        return math.isnan(self.auc) or new > self.auc
