"""Training and evaluation of any CTR model that maps ids (B, C) to logits (B,). Knows no model by name.

* ``fit`` trains with Adam on BCEWithLogitsLoss, early-stops on validation AUC, restores the best
  epoch's weights and reports validation and test AUC / logloss.
* ``evaluate`` / ``predict`` score any id matrix; ``roc_auc`` and ``log_loss`` are the metrics.
* ``save_checkpoint`` / ``load_checkpoint`` store a state_dict with plain-python metadata, never a
  pickled module, and load with ``weights_only=True``.

Reproducibility: model construction happens outside ``fit``, so callers call ``seed_everything(seed)``
BEFORE building the model (initial weights come from torch's global generator). ``fit`` then seeds
the global generator again with ``cfg.seed`` (dropout) and draws the batch order from its own
``torch.Generator`` seeded with ``cfg.seed``: the same seed gives bit-identical results on CPU.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from .config import TrainConfig, to_dict
from .data.spec import EncodedDataset
from .errors import ConfigError, SsedsError
from .fileio import atomic_path
from .metrics import log_loss, roc_auc

EVAL_BATCH_SIZE = 8192  # evaluation batches are at least this large: no backward pass to hold
DEVICE_DATA_BYTES = 2 << 30  # a training split up to this size is moved to the GPU once, not per batch


class TrainingDiverged(SsedsError):
    """The training loss became NaN or infinite (learning rate too high, or a numerical bug)."""

    def __init__(self, epoch: int, batch: int, loss: float):
        self.epoch, self.batch, self.loss = epoch, batch, loss
        super().__init__(
            f"training diverged: loss is {loss} at epoch {epoch}, batch {batch}; "
            "try a smaller learning rate (train.lr)"
        )


# -- seeding and devices ---------------------------------------------------------------------------
def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and every GPU). Call it before building a model."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


set_seed = seed_everything


def resolve_device(name: str = "auto") -> torch.device:
    """"auto" -> cuda when available, else cpu; "cpu", "cuda" or "cuda:N" as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(f"train.device: {name!r} requested but no CUDA device is available")
        return torch.device(name)
    raise ConfigError(f"train.device: expected auto, cpu or cuda; got {name!r}")


def _model_device(model: nn.Module) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


# -- metrics -----------------------------------------------------------------------------------------
# -- batching, prediction, evaluation ---------------------------------------------------------------
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
    device = torch.device(device) if device is not None else _model_device(model)
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


# -- checkpoints ---------------------------------------------------------------------------------------
def save_checkpoint(
    path,
    state_dict: dict[str, torch.Tensor] | nn.Module,
    config: dict | Any | None = None,
    epoch: int | None = None,
    metrics: dict | None = None,
) -> Path:
    """Write {"state_dict", "config", "epoch", "metrics"} atomically (temp file + os.replace).

    ``state_dict`` may be a module (its state_dict is stored, never the module). Tensors go to CPU;
    ``config`` may be a config dataclass (stored as a plain dict). Only tensors and
    plain python are stored, so ``load_checkpoint`` can use ``weights_only=True``.
    """
    path = Path(path)
    if isinstance(state_dict, nn.Module):
        state_dict = state_dict.state_dict()
    if config is not None and dataclasses.is_dataclass(config):
        config = to_dict(config)
    payload = {
        "state_dict": {k: v.detach().cpu() for k, v in state_dict.items()},
        "config": config,
        "epoch": epoch,
        "metrics": metrics,
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def load_checkpoint(path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by ``save_checkpoint`` (weights_only: no code is unpickled)."""
    path = Path(path)
    if not path.is_file():
        raise SsedsError(f"{path}: checkpoint not found")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # a truncated or foreign file
        raise SsedsError(f"{path}: not a readable checkpoint ({exc})") from None


# -- the training loop ---------------------------------------------------------------------------------
@dataclass
class EpochStats:
    """One epoch: mean training loss, validation metrics, and timing of the training pass."""

    epoch: int
    train_loss: float
    valid_auc: float
    valid_logloss: float
    seconds: float  # training pass only
    eval_seconds: float
    rows_per_second: float


@dataclass
class FitResult:
    """What ``fit`` reports. ``valid_metrics`` and ``test_metrics`` (aliases ``valid``, ``test``) are
    dict(auc=, logloss=) of the restored best epoch; ``train_seconds`` is the wall time of the whole fit (evaluation included);
    ``rows_per_second`` counts training rows over the training passes only."""

    history: list[EpochStats]
    best_epoch: int
    valid_metrics: dict[str, float]
    test_metrics: dict[str, float]
    train_seconds: float
    rows_per_second: float
    stopped_early: bool
    device: str = "cpu"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> dict[str, float]:
        return self.valid_metrics

    @property
    def test(self) -> dict[str, float]:
        return self.test_metrics

    @property
    def epochs_run(self) -> int:
        return len(self.history)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form."""
        return dataclasses.asdict(self) | {"epochs_run": self.epochs_run}


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """Adam with two parameter groups: the weights of every nn.Embedding in the model (the field
    tables and the first-order tables) use ``emb_weight_decay``; all else uses ``weight_decay``.
    (Adam's weight decay is L2 added to the gradient, applied to every row at every step.)"""
    emb_ids = {id(m.weight) for m in model.modules() if isinstance(m, nn.Embedding)}
    emb = [p for p in model.parameters() if id(p) in emb_ids and p.requires_grad]
    rest = [p for p in model.parameters() if id(p) not in emb_ids and p.requires_grad]
    groups = []
    if emb:
        groups.append({"params": emb, "weight_decay": cfg.emb_weight_decay, "name": "embedding"})
    if rest:
        groups.append({"params": rest, "weight_decay": cfg.weight_decay, "name": "other"})
    return torch.optim.Adam(groups, lr=cfg.lr)


def _better(new: float, best: float | None) -> bool:
    if best is None:
        return True
    if math.isnan(new):
        return False
    return math.isnan(best) or new > best


def fit(
    model: nn.Module,
    dataset: EncodedDataset,
    cfg: TrainConfig,
    *,
    checkpoint_path=None,
    config_for_checkpoint: dict | None = None,
) -> FitResult:
    """Train ``model`` on the train split, early-stop on validation AUC, restore the best epoch.

    Each epoch: one shuffled pass (batch order from a torch.Generator seeded with ``cfg.seed``), then
    validation AUC / logloss. Training stops after ``cfg.patience`` epochs without a strictly higher
    validation AUC, or after ``cfg.max_epochs``. The best state_dict is kept in memory and restored;
    with ``checkpoint_path`` it is also written (see ``save_checkpoint``) with
    ``config_for_checkpoint``, the best epoch and its valid/test metrics.

    Raises TrainingDiverged when a batch loss is NaN or infinite.
    """
    device = resolve_device(cfg.device)
    seed_everything(cfg.seed)  # dropout masks; the weights were drawn when the caller built the model
    generator = torch.Generator().manual_seed(cfg.seed)

    check_ids(dataset)
    train_ids, train_y = dataset.subset("train")
    valid_ids, valid_y = dataset.subset("valid")
    test_ids, test_y = dataset.subset("test")
    if len(train_y) == 0:
        raise ConfigError(f"dataset {dataset.name!r}: the train split is empty")
    if len(valid_y) == 0:
        raise ConfigError(f"dataset {dataset.name!r}: the valid split is empty; early stopping needs it")
    train_ids_t = torch.from_numpy(np.ascontiguousarray(train_ids, dtype=np.int64))
    train_y_t = torch.from_numpy(np.ascontiguousarray(train_y, dtype=np.float32))
    n_train = len(train_y)
    num_batches = math.ceil(n_train / cfg.batch_size)

    if device.type == "cuda" and train_ids_t.numel() * 8 <= DEVICE_DATA_BYTES:
        train_ids_t, train_y_t = train_ids_t.to(device), train_y_t.to(device)
    model.to(device)
    optimizer = make_optimizer(model, cfg)
    loss_fn = nn.BCEWithLogitsLoss()
    eval_batch = max(cfg.batch_size, EVAL_BATCH_SIZE)

    history: list[EpochStats] = []
    best_auc: float | None = None
    best_state: dict[str, torch.Tensor] | None = None
    best_epoch, bad_epochs, stopped_early = 0, 0, False
    train_time, rows_seen = 0.0, 0
    fit_start = time.perf_counter()

    for epoch in range(1, cfg.max_epochs + 1):
        model.train()
        t0 = time.perf_counter()
        loss_sum = 0.0
        bar = tqdm(total=num_batches, desc=f"epoch {epoch}", disable=not cfg.progress, leave=False)
        for b, (x, y) in enumerate(iterate_batches(train_ids_t, train_y_t, cfg.batch_size, generator, device)):
            logits = model(x)  # (b,)
            loss = loss_fn(logits, y)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                bar.close()
                raise TrainingDiverged(epoch, b, loss_value)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss_value * y.shape[0]
            bar.update(1)
            if b % 50 == 0:
                bar.set_postfix(loss=f"{loss_value:.4f}", refresh=False)
        bar.close()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - t0
        train_time += seconds
        rows_seen += n_train

        t1 = time.perf_counter()
        valid = evaluate(model, valid_ids, valid_y, eval_batch, device)
        eval_seconds = time.perf_counter() - t1
        history.append(
            EpochStats(epoch, loss_sum / n_train, valid["auc"], valid["logloss"], seconds, eval_seconds, n_train / seconds)
        )
        if cfg.progress:
            tqdm.write(
                f"epoch {epoch}: train loss {loss_sum / n_train:.4f}  valid auc {valid['auc']:.4f}  "
                f"logloss {valid['logloss']:.4f}  ({seconds:.1f}s, {n_train / seconds:,.0f} rows/s)"
            )
        if _better(valid["auc"], best_auc):
            best_auc, best_epoch, bad_epochs = valid["auc"], epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad_epochs += 1
            if bad_epochs >= cfg.patience:
                stopped_early = epoch < cfg.max_epochs
                break

    assert best_state is not None
    model.load_state_dict(best_state)
    best = history[best_epoch - 1]
    valid_metrics = {"auc": best.valid_auc, "logloss": best.valid_logloss}
    test_metrics = (
        evaluate(model, test_ids, test_y, eval_batch, device)
        if len(test_y)
        else {"auc": float("nan"), "logloss": float("nan")}
    )
    result = FitResult(
        history=history,
        best_epoch=best_epoch,
        valid_metrics=valid_metrics,
        test_metrics=test_metrics,
        train_seconds=time.perf_counter() - fit_start,
        rows_per_second=rows_seen / train_time if train_time > 0 else float("nan"),
        stopped_early=stopped_early,
        device=str(device),
    )
    if checkpoint_path is not None:
        save_checkpoint(
            checkpoint_path,
            best_state,
            config=config_for_checkpoint,
            epoch=best_epoch,
            metrics={"valid": valid_metrics, "test": test_metrics},
        )
    return result
