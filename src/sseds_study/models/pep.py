"""PEP (Liu et al., "Learnable Embedding Sizes for Recommender Systems", ICLR 2021): soft-thresholded
embedding tables with learnable thresholds, and fixed element masks for retraining.

PEP trains the embedding entries v together with threshold parameters s and uses, in place of v,

    v~ = S(v, s) = sign(v) * relu(|v| - g(s)),      g(s) = sigmoid(slope * s)

so every entry with |v| <= g(s) is exactly zero. As s grows during training more entries vanish; the
element mask (v~ != 0) at the moment the non-zero fraction reaches a budget is the pruned table, and
PEP retrains the model with that mask (from the original initialisation, "rewind", or from a fresh
one). Gradients are the usual sub-gradients: d v~ / d v = 1{|v| > g(s)} (0 at v = 0), and
d v~ / d s = -sign(v) * 1{|v| > g(s)} * g'(s), summed over the entries that share s.

Granularity (the shape of s; D = base width, F = fields, R = rows of all tables together):

* ``global`` (1,): one threshold;          * ``dim`` (D,): one per embedding dimension;
* ``field`` (F,): one per field;           * ``field_dim`` (F, D): one per field and dimension;
* ``feature`` (R,): one per feature value (row), PEP's "feature-wise";
* ``feature_dim`` (R, D): one per entry, PEP's "feature-dimension-wise".

A table of width d_g < D (mixed widths) uses the first d_g dimension thresholds.

How it is attached: a ``torch.nn.utils.parametrize`` parametrization on the weight of every
``nn.Embedding`` in ``model.embedding.tables`` (the field tables; the first-order tables of FM-style
models are not pruned, as in PEP). The thresholds live in ONE ``SoftThreshold`` module registered on
the embedding as ``pep_threshold``, so they are in ``model.parameters()`` and are trained by the
model's optimizer, and a state_dict holds them once. Each parametrization knows which field every row
belongs to (a row -> field buffer read from ``FieldEmbedding.field_weight`` views), so per-field
thresholds apply to the right rows whatever the table layout.

The state_dict keys of a parametrized table change (``tables.0.weight`` becomes
``tables.0.parametrizations.weight.original``); ``plain_state_dict`` maps them back, and
``remove_pep`` bakes the (thresholded or masked) weight into a plain parameter.

Optimizer: ``train.make_optimizer`` (``train.param_groups``) puts the raw weight of a parametrized
table in the embedding group, and the thresholds in a group of their own, with the decay (and, when
set, the learning rate) the ``SoftThreshold`` declares in ``group_weight_decay`` / ``group_lr``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize

from ..config.settings import PEP_GRANULARITIES
from ..errors import ConfigError
from .pep_masks import (
    THRESHOLD_ATTR,
    attach_fixed_mask,
    embedding_of,
    field_rows,
    row_field,
    tables_parametrized,
)

__all__ = [
    "GRANULARITIES",
    "THRESHOLD_INIT",
    "THRESHOLD_WEIGHT_DECAY",
    "SoftThreshold",
    "attach_fixed_mask",
    "attach_soft_threshold",
    "current_mask",
    "embedding_of",
    "kept_fraction",
    "pep_mode",
    "plain_state_dict",
    "remove_pep",
    "soft_threshold",
    "threshold_parameters",
]

GRANULARITIES = PEP_GRANULARITIES  # the choices of PEPConfig.granularity
THRESHOLD_INIT = -15.0  # g(-15) = 3.1e-7: at the start (almost) nothing is pruned
THRESHOLD_WEIGHT_DECAY = 1e-5  # L2 on s in PEP's reference code (its one weight decay for all parameters)


def soft_threshold(v: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
    """sign(v) * relu(|v| - threshold); ``threshold`` broadcasts against ``v``."""
    return torch.sign(v) * torch.relu(v.abs() - threshold)


def pep_mode(model: nn.Module) -> str | None:
    """The PEP state of the field tables: "soft" (thresholds), "mask" (a fixed mask) or None (plain)."""
    emb = embedding_of(model)
    for t in emb.tables:
        if parametrize.is_parametrized(t, "weight"):
            p = t.parametrizations.weight[0]
            return "soft" if isinstance(p, _SoftThresholdParametrization) else "mask"
    return None


# -- soft thresholds ------------------------------------------------------------------------------------
class SoftThreshold(nn.Module):
    """The learnable threshold parameters ``s`` of one embedding, shared by all its tables.

    ``threshold()`` = g(s) = sigmoid(slope * s), same shape as ``s`` (see the module docstring for the
    shapes per granularity).

    ``group_weight_decay`` is the L2 weight decay of ``s`` in the optimizer (``train.param_groups``),
    set here and not by the training config's ``weight_decay``; ``group_lr`` its learning rate (None:
    the optimizer's). It matters: L2 on s (s < 0) pushes s up,
    towards g(0) = 0.5, and with Adam it dominates the tiny loss gradient g'(s) * dL/ds while g(s) ~ 0.
    It is what makes the thresholds rise in PEP's reference code (Adam with L2 1e-5 on every
    parameter, thresholds included). With 0 only the loss moves s; in our small test runs the loss
    lowered the thresholds and nothing got pruned.
    """

    def __init__(
        self,
        granularity: str,
        shape: tuple[int, ...],
        init: float,
        slope: float = 1.0,
        weight_decay: float = 0.0,
        lr: float | None = None,
    ):
        super().__init__()
        if granularity not in GRANULARITIES:
            raise ConfigError(f"pep.granularity: expected one of {', '.join(GRANULARITIES)}; got {granularity!r}")
        if not np.isfinite(init):
            raise ConfigError(f"pep.threshold_init: expected a finite number; got {init!r}")
        if not (np.isfinite(slope) and slope > 0):
            raise ConfigError(f"pep.slope: expected a positive number; got {slope!r}")
        if not (np.isfinite(weight_decay) and weight_decay >= 0):
            raise ConfigError(f"pep.threshold_weight_decay: expected a number >= 0; got {weight_decay!r}")
        if lr is not None and not (np.isfinite(lr) and lr > 0):
            raise ConfigError(f"pep.threshold_lr: expected a positive number; got {lr!r}")
        self.group_weight_decay = float(weight_decay)
        self.group_lr = None if lr is None else float(lr)
        self.group_name = "thresholds"
        self.granularity = granularity
        self.slope = float(slope)
        self.s = nn.Parameter(torch.full(shape, float(init)))

    def threshold(self) -> torch.Tensor:
        return torch.sigmoid(self.slope * self.s)

    def extra_repr(self) -> str:
        return (
            f"granularity={self.granularity}, shape={tuple(self.s.shape)}, slope={self.slope}, "
            f"weight_decay={self.group_weight_decay}, lr={self.group_lr}"
        )


class _SoftThresholdParametrization(nn.Module):
    """weight (V_g, d_g) -> soft_threshold(weight, g(s) for each entry of table g)."""

    def __init__(self, thresholds: SoftThreshold, row_field: torch.Tensor, row_start: int, width: int):
        super().__init__()
        # a tuple keeps the shared module out of this module's children: it is registered once, on the
        # embedding, so it appears once in state_dict and parameters()
        self._thresholds = (thresholds,)
        self.register_buffer("row_field", row_field, persistent=False)  # (V_g,)
        self.row_start = int(row_start)  # first row of table g in the (R, ...) feature thresholds
        self.width = int(width)

    def table_threshold(self) -> torch.Tensor:
        """g(s) broadcastable to (V_g, d_g)."""
        thr = self._thresholds[0]
        gran, s, d = thr.granularity, thr.s, self.width
        if gran == "global":
            t = s  # (1,)
        elif gran == "dim":
            t = s[:d]  # (d_g,)
        elif gran == "field":
            t = s.index_select(0, self.row_field).unsqueeze(1)  # (V_g, 1)
        elif gran == "field_dim":
            t = s.index_select(0, self.row_field)[:, :d]  # (V_g, d_g)
        elif gran == "feature":
            t = s[self.row_start : self.row_start + self.row_field.shape[0]].unsqueeze(1)  # (V_g, 1)
        else:  # feature_dim
            t = s[self.row_start : self.row_start + self.row_field.shape[0], :d]  # (V_g, d_g)
        return torch.sigmoid(thr.slope * t)

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return soft_threshold(weight, self.table_threshold())


def attach_soft_threshold(
    model: nn.Module,
    granularity: str,
    init: float = THRESHOLD_INIT,
    slope: float = 1.0,
    weight_decay: float = THRESHOLD_WEIGHT_DECAY,
    lr: float | None = None,
) -> SoftThreshold:
    """Soft-threshold every field table of ``model`` with learnable thresholds; returns them.

    Call it before building the optimizer (``fit`` builds its own): the thresholds become part of
    ``model.parameters()`` (as ``embedding.pep_threshold.s``). ``init`` is s at the start, the same for
    every threshold (PEP starts very negative, so that g(init) ~ 0 and nothing is pruned at first);
    ``slope`` scales s inside the sigmoid; ``weight_decay`` is the L2 decay of s in
    ``train.param_groups`` (see ``SoftThreshold``: it is the pressure that raises the thresholds; 0
    turns it off), ``lr`` its Adam learning rate (None: the training config's). The raw weights keep
    their parameter objects.
    """
    emb = embedding_of(model)
    if tables_parametrized(emb) or hasattr(emb, THRESHOLD_ATTR):
        raise ConfigError("attach_soft_threshold: the embedding already carries PEP thresholds or a mask; remove_pep first")
    if len(emb.tables) == 0:
        raise ConfigError("attach_soft_threshold: the embedding has no tables (every field has width 0)")
    layout = field_rows(emb)
    num_fields, dim = emb.num_fields, emb.emb_dim
    total_rows = sum(t.weight.shape[0] for t in emb.tables)
    shape = {
        "global": (1,),
        "dim": (dim,),
        "field": (num_fields,),
        "field_dim": (num_fields, dim),
        "feature": (total_rows,),
        "feature_dim": (total_rows, dim),
    }.get(granularity)
    thresholds = SoftThreshold(granularity, shape or (1,), init, slope, weight_decay, lr)
    ref = emb.tables[0].weight
    thresholds.to(device=ref.device, dtype=ref.dtype)
    emb.add_module(THRESHOLD_ATTR, thresholds)
    row_start = 0
    for g, table in enumerate(emb.tables):
        rows, width = table.weight.shape
        fields_of_rows = row_field(layout, g, rows).to(ref.device)
        param = _SoftThresholdParametrization(thresholds, fields_of_rows, row_start, width)
        parametrize.register_parametrization(table, "weight", param)
        row_start += rows
    return thresholds


def threshold_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The threshold parameters of a model with soft thresholds attached ([] otherwise)."""
    thr = getattr(embedding_of(model), THRESHOLD_ATTR, None)
    return [thr.s] if thr is not None else []


# -- reading and removing -------------------------------------------------------------------------------
@torch.no_grad()
def current_mask(model: nn.Module) -> list[torch.Tensor]:
    """Per field a bool (V_f, d_f) tensor on the model's device: True where the embedding entry the
    model uses (thresholded or masked) is non-zero. Works on plain tables too."""
    emb = embedding_of(model)
    with parametrize.cached():  # one evaluation per table, not one per field
        return [emb.field_weight(f) != 0 for f in range(emb.num_fields)]


@torch.no_grad()
def kept_fraction(model: nn.Module) -> float:
    """Non-zero entries / all entries of the field tables (sum_f V_f * d_f), as the model uses them."""
    emb = embedding_of(model)
    kept = total = 0
    for table in emb.tables:
        w = table.weight  # thresholded / masked when parametrized
        kept += int(torch.count_nonzero(w))
        total += w.numel()
    if total == 0:
        raise ConfigError("kept_fraction: the embedding has no entries")
    return kept / total


@torch.no_grad()
def remove_pep(model: nn.Module, bake: bool = True) -> None:
    """Remove thresholds or masks from the field tables. ``bake=True`` leaves each table holding the
    values the model used (thresholded or masked: exact zeros stay zeros); ``bake=False`` restores the
    raw weights. The table parameters keep their identity. A plain model is left as it is."""
    emb = embedding_of(model)
    for table in emb.tables:
        if parametrize.is_parametrized(table, "weight"):
            parametrize.remove_parametrizations(table, "weight", leave_parametrized=bake)
    if hasattr(emb, THRESHOLD_ATTR):
        delattr(emb, THRESHOLD_ATTR)


def plain_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's state_dict with the keys of an unparametrized model, cloned to CPU.

    A parametrized table contributes its raw weight under ``<table>.weight``; thresholds and mask
    buffers are left out. The result loads into a freshly built model of the same configuration (the
    rewind initialisation of PEP's retraining).
    """
    emb = embedding_of(model)
    emb_prefix = next((name for name, m in model.named_modules() if m is emb), None)
    drop, rename = [], {}
    for name, m in model.named_modules():
        if isinstance(m, nn.Embedding) and parametrize.is_parametrized(m, "weight"):
            base = f"{name}.parametrizations.weight"
            rename[f"{base}.original"] = f"{name}.weight"
            drop.append(f"{base}.")
    if hasattr(emb, THRESHOLD_ATTR):
        drop.append(f"{emb_prefix}.{THRESHOLD_ATTR}." if emb_prefix else f"{THRESHOLD_ATTR}.")
    out = {}
    for key, value in model.state_dict().items():
        if key in rename:
            key = rename[key]
        elif any(key.startswith(p) for p in drop):
            continue
        out[key] = value.detach().to("cpu", copy=True)
    return out
