"""The optimizers of ``fit``: Adam over parameter groups (embedding tables, modules with their own
decay, everything else), and for large tables sparse gradients with SparseAdam (``train.optimizer``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize

from ..config import OPTIMIZERS, TrainConfig, check_choice

# optimizer "auto": embedding tables of at least this many rows get sparse gradients and SparseAdam.
# Every dataset of the study stays far below (MovieLens-100K/-1M and synthetic2 have < 20k rows in all
# their tables together), so their training is dense Adam, unchanged; Criteo at min_count 10 (about
# a million rows) is above.
SPARSE_MIN_ROWS = 200_000

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
    check_choice(optimizer, OPTIMIZERS, "train.optimizer")
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
    ``models.gather._SparseRowGather``) flagged as coalesced, which autograd's accumulation drops:
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
