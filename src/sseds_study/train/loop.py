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
from torch.nn.utils import parametrize
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..config import TrainConfig
from ..data.spec import EncodedDataset
from ..errors import ConfigError, SsedsError
from .evaluate import EVAL_BATCH_SIZE, evaluate, iterate_batches
from .results import EpochStats, FitResult
from .runtime import resolve_device, seed_everything

# optimizer "auto": embedding tables of at least this many rows get sparse gradients and SparseAdam.
# Every dataset of the study stays far below (MovieLens-100K/-1M and synthetic2 have < 20k rows in all
# their tables together), so their training is dense Adam, unchanged; Criteo at min_count 10 (about
# a million rows) is above.
SPARSE_MIN_ROWS = 200_000
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

    Raises TrainingDiverged when a batch loss is NaN or infinite.
    """
    batch_hooks, epoch_hooks = _hooks(callbacks)
    device = resolve_device(cfg.device)
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


def make_optimizer(model: nn.Module, cfg: TrainConfig):
    """The optimizer of ``fit``, chosen by ``cfg.optimizer``.

    * "adam" (and "auto" when no table qualifies): Adam (learning rate ``cfg.lr``) over
      ``param_groups(model, cfg.weight_decay, cfg.emb_weight_decay)``, exactly as before the option
      existed. (Adam's weight decay is L2 added to the gradient, applied to every row at every step.)
    * "sparse_adam", or "auto" for tables of at least ``SPARSE_MIN_ROWS`` rows: those embedding
      tables are switched to sparse gradients (``nn.Embedding.sparse``) and updated by
      ``torch.optim.SparseAdam``, which reads and writes only the rows a batch touched (a lazy Adam:
      a row's moments advance only on the steps that touch it); every other parameter stays with
      Adam. Weight decay on those tables (``cfg.emb_weight_decay``) is L2 added to the gradient of
      the touched rows only. A table under a parametrization (PEP) always stays dense.

    Switch the tables back to dense gradients with ``restore_dense(model)`` (``fit`` does it when it
    returns), so that later backward passes (saliency scoring) see dense gradients again.
    """
    groups = param_groups(model, cfg.weight_decay, cfg.emb_weight_decay)
    tables = sparse_tables(model, cfg.optimizer)
    if not tables:
        return torch.optim.Adam(groups, lr=cfg.lr)
    sparse_ids = {id(m.weight) for m in tables}
    for m in tables:
        m.sparse = True
    dense_groups = []
    for g in groups:
        ps = [p for p in g["params"] if id(p) not in sparse_ids]
        if ps:
            dense_groups.append({**g, "params": ps})
    sparse_params = [m.weight for m in tables]
    return SparseDenseAdam(sparse_params, dense_groups, lr=cfg.lr, sparse_weight_decay=cfg.emb_weight_decay)


def sparse_tables(model: nn.Module, optimizer: str) -> list[nn.Embedding]:
    """The embedding tables that ``optimizer`` ("adam", "sparse_adam", "auto") trains sparsely, in
    ``model.modules()`` order: none for "adam"; every trainable, unparametrized ``nn.Embedding`` for
    "sparse_adam"; those of at least ``SPARSE_MIN_ROWS`` rows for "auto"."""
    if optimizer == "adam":
        return []
    if optimizer not in ("sparse_adam", "auto"):
        raise ConfigError(f"train.optimizer: expected one of adam, sparse_adam, auto; got {optimizer!r}")
    out = []
    for m in model.modules():
        if not isinstance(m, nn.Embedding) or parametrize.is_parametrized(m, "weight") or not m.weight.requires_grad:
            continue
        if optimizer == "sparse_adam" or m.num_embeddings >= SPARSE_MIN_ROWS:
            out.append(m)
    return out


def restore_dense(model: nn.Module) -> None:
    """Switch every ``nn.Embedding`` of ``model`` back to dense gradients (undoes make_optimizer's
    sparse switch)."""
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.sparse = False


class SparseDenseAdam:
    """SparseAdam for the sparse embedding tables and Adam for everything else, stepped together.

    Offers what ``fit`` and ``torch.optim`` users call: ``step``, ``zero_grad``, ``param_groups``
    (the sparse group first, named "embedding_sparse"), ``state_dict`` / ``load_state_dict``.
    torch's SparseAdam takes no weight decay; ``sparse_weight_decay`` > 0 adds
    ``decay * row`` to the gradient of each touched row before its step (L2 as in Adam, on the touched
    rows only: an untouched row is neither decayed nor moved).
    """

    def __init__(self, sparse_params, dense_groups, *, lr: float, sparse_weight_decay: float = 0.0):
        self.sparse_weight_decay = float(sparse_weight_decay)
        self.sparse = torch.optim.SparseAdam([{"params": list(sparse_params), "name": "embedding_sparse"}], lr=lr)
        self.dense = torch.optim.Adam(dense_groups, lr=lr) if dense_groups else None

    @property
    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.sparse] + ([self.dense] if self.dense is not None else [])

    @property
    def param_groups(self) -> list[dict]:
        return [g for opt in self.optimizers for g in opt.param_groups]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for opt in self.optimizers:
            opt.zero_grad(set_to_none=set_to_none)

    @torch.no_grad()
    def step(self) -> None:
        for p in self.sparse.param_groups[0]["params"]:
            if p.grad is None:
                continue
            p.grad = _flag_if_coalesced(p.grad)
            if self.sparse_weight_decay > 0:
                g = p.grad.coalesce()
                rows = g.indices()[0]
                p.grad = torch.sparse_coo_tensor(g.indices(), g.values() + self.sparse_weight_decay * p[rows],
                                                 g.shape).coalesce()
        for opt in self.optimizers:
            opt.step()

    def state_dict(self) -> dict:
        return {"sparse": self.sparse.state_dict(), "dense": self.dense.state_dict() if self.dense else None}

    def load_state_dict(self, state: dict) -> None:
        self.sparse.load_state_dict(state["sparse"])
        if self.dense is not None:
            self.dense.load_state_dict(state["dense"])


def _flag_if_coalesced(grad: torch.Tensor) -> torch.Tensor:
    """A sparse gradient whose row ids are strictly increasing (the lookup hands it back so, see
    ``models.embedding._SparseRowGather``) flagged as coalesced, which autograd's accumulation drops:
    SparseAdam's ``coalesce`` is then free instead of a sort and merge of every row. Anything else
    (two lookups of one table add up to an unsorted gradient) is returned as it is."""
    if grad.is_coalesced():
        return grad
    rows = grad._indices()[0]
    if rows.numel() > 1 and not bool((rows[1:] > rows[:-1]).all()):
        return grad
    return torch.sparse_coo_tensor(grad._indices(), grad._values(), grad.shape, is_coalesced=True, check_invariants=False)


def param_groups(model: nn.Module, weight_decay: float, emb_weight_decay: float) -> list[dict]:
    """Adam parameter groups, every trainable parameter in exactly one, empty groups left out:

    * "embedding": the weight of every ``nn.Embedding`` (field tables and first-order tables), with
      ``emb_weight_decay``. A table carrying a ``torch.nn.utils.parametrize`` parametrization on its
      weight (PEP's soft thresholds or fixed mask) contributes its raw parameter
      (``parametrizations.weight.original``): ``m.weight`` is then a computed tensor, not a parameter,
      and the raw table would otherwise fall into "other".
    * one group per module that declares a float ``group_weight_decay`` (PEP's thresholds,
      ``models.pep.SoftThreshold``), holding that module's own parameters with that decay and, when
      the module's ``group_lr`` is a float, that learning rate; named by the module's
      ``group_name`` (or its path in the model).
    * "other": everything else, with ``weight_decay``.

    For a model with neither parametrized tables nor such modules this is exactly the two groups
    ("embedding", "other"), parameters in ``model.parameters()`` order, as before PEP existed: plain
    models train bit-identically.
    """
    emb_ids = {id(_raw_weight(m)) for m in model.modules() if isinstance(m, nn.Embedding)}
    own_groups, taken = [], set()
    for name, m in model.named_modules():
        decay = getattr(m, "group_weight_decay", None)
        if not isinstance(decay, float):
            continue
        ps = [p for p in m.parameters(recurse=False) if p.requires_grad and id(p) not in taken]
        if ps:
            taken.update(id(p) for p in ps)
            group = {"params": ps, "weight_decay": decay, "name": getattr(m, "group_name", None) or name}
            lr = getattr(m, "group_lr", None)
            if isinstance(lr, float):
                group["lr"] = lr
            own_groups.append(group)
    params = [p for p in model.parameters() if p.requires_grad and id(p) not in taken]
    emb = [p for p in params if id(p) in emb_ids]
    rest = [p for p in params if id(p) not in emb_ids]
    groups = []
    if emb:
        groups.append({"params": emb, "weight_decay": emb_weight_decay, "name": "embedding"})
    groups.extend(own_groups)
    if rest:
        groups.append({"params": rest, "weight_decay": weight_decay, "name": "other"})
    return groups


def _raw_weight(m: nn.Embedding) -> torch.Tensor:
    if parametrize.is_parametrized(m, "weight"):
        return m.parametrizations.weight.original
    return m.weight


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
