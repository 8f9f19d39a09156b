"""What the trained width searches share (``search/autodim.py``, ``search/dimgrow.py``): the result type,
the input checks, a private copy of the pretrained model, private random generators, and the
first-order bi-level loop that both run.

The two searches differ from SSEDS in that they train: each one copies the pretrained uniform model,
puts its own layer between the embedding lookup and the rest of the model (``attach``), and
alternates, DARTS first-order style (Liu et al., ICLR 2019, eq. 7 with xi = 0):

1. one Adam step of the model's weights (embedding tables, the search layer's own weights, the rest
   of the model) on the loss of a training batch;
2. one Adam step of the architecture parameters (AutoDim's alpha, DimGrow's gate logits) on the loss
   of a validation batch, plus an optional penalty, taken at the weights just updated (first order:
   no unrolled step, no second derivatives).

Counts reported (``WidthSearch``): ``passes``, the forward+backward passes of step 1 (one per
training batch); ``valid_passes``, those of step 2 (one per validation batch). The calibration
lookups AutoDim makes before training (forward only, no backward) are not passes; the search
records their rows in its ``detail``.

Batches: the training split is read in a shuffled order drawn from ``torch.Generator().manual_seed(
seed)`` at the start of each epoch (as ``train.fit`` does), in ``batch_size`` chunks; a last chunk of
a single row is skipped (AutoDim's batch normalisation has no batch statistics for one row, and a
one-row batch has nothing to shuffle with). Validation batches come from ``batches_from_arrays``:
consecutive chunks of seeded permutations, all of size ``min(batch_size, N_valid)``, a fresh
permutation when a pass runs out. Both splits need at least two rows.

Randomness: everything random (the batch orders, the model's dropout, the searches' initial weights
and shuffles) comes from generators seeded by ``seed`` inside ``private_rng``, which forks torch's
global generators and restores them on exit, so the caller's random stream is untouched and the same
seed gives the same scores bit for bit on one machine (on the CPU; CUDA's index_add_ backward of the
row gathers adds in a nondeterministic order).

The input model is never modified: the searches train a deep copy.
"""

from __future__ import annotations

import contextlib
import copy
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from ..config.settings import check_seed
from ..data.spec import EncodedDataset
from ..errors import ConfigError, SsedsError, show
from ..models.embedding import FieldEmbedding
from ..train.evaluate import iterate_batches
from ..train.loop import TrainingDiverged, check_ids
from ..train.optim import restore_dense
from ..train.runtime import model_device
from ._checks import SearchInputError, check_positive_int, gate_of
from .saliency import batches_from_arrays

__all__ = [
    "BiLevelLog",
    "WidthSearch",
    "attach",
    "bilevel",
    "check_rate",
    "check_search_inputs",
    "derived_seed",
    "private_rng",
    "search_copy",
    "to_field_order",
]


@dataclass(frozen=True)
class WidthSearch:
    """The result of a trained width search.

    scores: (F, D) float64 on the CPU, higher = more important, in field order; the input of
        ``allocate_dims``.
    passes: forward+backward passes over training batches (weight steps).
    valid_passes: forward+backward passes over validation batches (architecture steps).
    seconds: wall time of the whole search (copy, calibration and training).
    detail: JSON-able facts of the run (per method: probabilities, gate values, losses, settings).
    """

    scores: torch.Tensor
    passes: int
    valid_passes: int
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)


# -- input checks ------------------------------------------------------------------------------------
def check_rate(name: str, value, allow_zero: bool = False) -> float:
    """A learning rate or penalty weight: a finite real number > 0 (>= 0 with ``allow_zero``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
    if not ok or value < 0 or (value == 0 and not allow_zero):
        kind = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise SearchInputError(f"{name}: expected {kind}; got {show(value)}")
    return float(value)


def check_search_inputs(model: nn.Module, ds: EncodedDataset, batch_size, seed, epochs) -> tuple[int, int, int]:
    """Checks shared by the searches; returns (batch_size, seed, epochs) as ints.

    The model must have a uniform ``FieldEmbedding`` (every field at width D, so one width group) with
    an all-ones gate, and the dataset's fields must be the model's (same names, kinds, vocabularies and
    columns). Both the train and the valid split need at least two rows, and every id must lie in its
    field's range (an id out of range would read another field's row of the shared table).
    """
    batch_size = check_positive_int("batch_size", batch_size)
    epochs = check_positive_int("epochs", epochs)
    try:
        seed = check_seed(seed, "seed")
    except ConfigError as exc:
        raise SearchInputError(str(exc)) from None
    emb = getattr(model, "embedding", None)
    if not isinstance(emb, FieldEmbedding):
        raise SearchInputError(f"{type(model).__name__}: expected a CTR model whose `embedding` is a FieldEmbedding")
    if emb.group_dims != [emb.emb_dim] or any(d != emb.emb_dim for d in emb.emb_dims):
        raise SearchInputError(
            f"model.embedding: expected a uniform model (every field at width {emb.emb_dim}); "
            f"got widths {list(emb.emb_dims)}"
        )
    gate_of(model)  # all ones: a pruned (masked) model would search a different model
    if not isinstance(ds, EncodedDataset):
        raise SearchInputError(f"ds: expected an EncodedDataset; got {type(ds).__name__}")
    if tuple(ds.fields) != tuple(emb.fields):
        raise SearchInputError(
            f"dataset {ds.name!r}: its fields {[f.name for f in ds.fields]} (vocabularies {ds.vocab_sizes}) "
            f"are not the model's {[f.name for f in emb.fields]} (vocabularies {[f.vocab_size for f in emb.fields]})"
        )
    for split in ("train", "valid"):
        n = len(ds.split_index(split))
        if n < 2:
            raise SearchInputError(f"dataset {ds.name!r}: the {split} split has {n} row(s); a search needs at least 2")
    try:
        check_ids(ds)
    except SsedsError as exc:
        raise SearchInputError(str(exc)) from None
    return batch_size, seed, epochs


# -- the private copy and generators -----------------------------------------------------------------
def search_copy(model: nn.Module) -> nn.Module:
    """A deep copy to train: dense gradients, every parameter trainable, no stale gradients, train mode.

    Train mode because the searches train: dropout is on, as in the training the searches continue."""
    net = copy.deepcopy(model)
    restore_dense(net)  # a copy taken inside a sparse fit would otherwise hand back sparse gradients
    for p in net.parameters():
        p.requires_grad_(True)
        p.grad = None
    return net.train()


def derived_seed(seed: int, stream: int) -> int:
    """An independent seed for a named random stream of one search (so the validation order is not the
    training order of the next seed)."""
    return int(np.random.SeedSequence([seed, stream]).generate_state(1, dtype=np.uint64)[0])


@contextlib.contextmanager
def private_rng(seed: int, device: torch.device) -> Iterator[None]:
    """Within the block torch's global generators (the CPU one, and ``device``'s when it is a GPU)
    start from ``seed``; on exit they are restored to the caller's state."""
    devices = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)
        if devices:
            with torch.cuda.device(devices[0]):
                torch.cuda.manual_seed(seed)
        yield


def attach(net: nn.Module, name: str, layer: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Put ``layer`` between ``net``'s embedding lookup and the rest of the model.

    ``layer`` maps the uniform lookup (B, F, D), fields in the width group's order
    (``embedding._group_fields[0]``), to a (B, F, D) tensor in the same order. The copied embedding's
    ``lookup`` is replaced (an instance attribute over the method), so ``aligned`` and ``concat`` --
    and every model that reads them -- see the layer's output as if it were the embedding. ``layer``
    (an nn.Module) is registered under ``name``, so ``net.parameters()``, ``.to`` and ``.train``
    reach it.
    """
    emb = net.embedding
    emb.add_module(name, layer)
    plain = emb.lookup  # the bound method of the copy: (B, C) -> [(B, F, D)]

    def lookup(ids: torch.Tensor) -> list[torch.Tensor]:
        return [layer(plain(ids)[0])]

    emb.lookup = lookup


def to_field_order(values: torch.Tensor, net: nn.Module) -> torch.Tensor:
    """Rows in the width group's order -> rows in field order (row f = field f)."""
    order = net.embedding._gidx0.to(values.device)
    out = torch.empty_like(values)
    out[order] = values
    return out


# -- the bi-level loop -------------------------------------------------------------------------------
@dataclass
class BiLevelLog:
    """What the loop reports: step counts and the mean losses per epoch (training batches; validation
    batches, penalty excluded)."""

    passes: int = 0
    valid_passes: int = 0
    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)


def bilevel(
    net: nn.Module,
    ds: EncodedDataset,
    arch_params: Sequence[nn.Parameter],
    *,
    batch_size: int,
    seed: int,
    epochs: int,
    lr: float,
    arch_lr: float,
    weight_decay: float = 0.0,
    penalty: Callable[[], torch.Tensor] | None = None,
) -> BiLevelLog:
    """Alternate a weight step on a training batch with an architecture step on a validation batch
    (the module docstring), for ``epochs`` passes over the training split.

    Weights: every parameter of ``net`` not in ``arch_params``, Adam(lr, weight_decay). Architecture:
    ``arch_params``, Adam(arch_lr), on BCE(valid batch) + ``penalty()``. Each backward pass fills only
    its own side's gradients (``backward(inputs=...)``), so neither step sees the other's.
    Raises TrainingDiverged when a loss is NaN or infinite.
    """
    device = model_device(net)
    arch_ids = {id(p) for p in arch_params}
    weights = [p for p in net.parameters() if id(p) not in arch_ids]
    weight_opt = torch.optim.Adam(weights, lr=lr, weight_decay=weight_decay)
    arch_opt = torch.optim.Adam(list(arch_params), lr=arch_lr)
    loss_fn = nn.BCEWithLogitsLoss()

    train_ids, train_y = ds.subset("train")
    valid_ids, valid_y = ds.subset("valid")
    steps_per_epoch = math.ceil(len(train_y) / batch_size)
    valid = batches_from_arrays(valid_ids, valid_y, batch_size, epochs * steps_per_epoch, derived_seed(seed, 1))
    order = torch.Generator().manual_seed(seed)
    log = BiLevelLog()
    for epoch in range(1, epochs + 1):
        train_sum = valid_sum = 0.0
        steps = 0
        for batch, (ids, y) in enumerate(iterate_batches(train_ids, train_y, batch_size, order, device), start=1):
            if len(y) < 2:
                continue  # a last batch of one row: no batch statistics, no one to shuffle with
            loss = loss_fn(net(ids), y)
            train_sum += _finite(loss, epoch, batch)
            weight_opt.zero_grad(set_to_none=True)
            loss.backward(inputs=weights)
            weight_opt.step()
            log.passes += 1

            vids, vy = next(valid)
            vloss = loss_fn(net(vids.to(device)), vy.to(device))
            valid_sum += _finite(vloss, epoch, batch)
            total = vloss + penalty() if penalty is not None else vloss
            arch_opt.zero_grad(set_to_none=True)
            total.backward(inputs=list(arch_params))
            arch_opt.step()
            log.valid_passes += 1

            steps += 1
        log.train_loss.append(train_sum / max(steps, 1))
        log.valid_loss.append(valid_sum / max(steps, 1))
    return log


def _finite(loss: torch.Tensor, epoch: int, batch: int) -> float:
    """The loss as a float, checked: a NaN or infinite loss ends the search."""
    value = loss.item()
    if not math.isfinite(value):
        raise TrainingDiverged(epoch, batch, value)
    return value
