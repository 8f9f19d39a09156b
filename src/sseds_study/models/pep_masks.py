"""Where PEP's tables live in a FieldEmbedding, and PEP's fixed masks for retraining.

``models.pep`` puts learnable soft thresholds on the same tables; both read the layout here: which
rows of which ``embedding.tables`` entry belong to each field.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize

from ..errors import ConfigError

THRESHOLD_ATTR = "pep_threshold"  # the SoftThreshold's name on the embedding module


# -- layout of the field tables -------------------------------------------------------------------------
def embedding_of(model: nn.Module) -> nn.Module:
    """The FieldEmbedding of a CTR model (``model.embedding``), or ``model`` itself if it is one."""
    emb = getattr(model, "embedding", model)
    if not isinstance(getattr(emb, "tables", None), nn.ModuleList) or not hasattr(emb, "field_weight"):
        raise ConfigError(
            f"{type(model).__name__}: expected a model with `embedding.tables` (nn.Embedding tables) and "
            "`embedding.field_weight(f)`"
        )
    return emb


def field_rows(emb: nn.Module) -> list[tuple[int, int, int] | None]:
    """Per field (table index, first row, number of rows) in the field tables, None for width 0.

    Read from the ``field_weight(f)`` views (a slice of rows of one table), so it does not depend on
    how FieldEmbedding groups fields. Called on unparametrized tables only.
    """
    weights = [t.weight for t in emb.tables]
    out: list[tuple[int, int, int] | None] = []
    for f in range(emb.num_fields):
        view = emb.field_weight(f)
        if view.shape[1] == 0:
            out.append(None)
            continue
        ptr = view.untyped_storage().data_ptr()
        hits = [g for g, w in enumerate(weights) if w.untyped_storage().data_ptr() == ptr]
        if len(hits) != 1 or view.stride(0) != weights[hits[0]].stride(0):
            raise ConfigError(f"field {f}: its table is not a row slice of one of embedding.tables")
        g = hits[0]
        start = (view.storage_offset() - weights[g].storage_offset()) // weights[g].stride(0)
        out.append((g, int(start), int(view.shape[0])))
    # every row of every table must belong to exactly one field
    for g, w in enumerate(weights):
        covered = torch.zeros(w.shape[0], dtype=torch.long)
        for spec in out:
            if spec is not None and spec[0] == g:
                covered[spec[1] : spec[1] + spec[2]] += 1
        if not bool((covered == 1).all()):
            raise ConfigError(f"embedding table {g}: rows are not covered exactly once by the fields")
    return out


def row_field(field_rows, g: int, num_rows: int) -> torch.Tensor:
    """(num_rows,) int64: the field of every row of table g."""
    idx = torch.full((num_rows,), -1, dtype=torch.long)
    for f, spec in enumerate(field_rows):
        if spec is not None and spec[0] == g:
            idx[spec[1] : spec[1] + spec[2]] = f
    return idx


def tables_parametrized(emb: nn.Module) -> bool:
    return any(parametrize.is_parametrized(t, "weight") for t in emb.tables)


# -- fixed masks (retraining) ---------------------------------------------------------------------------
class _FixedMaskParametrization(nn.Module):
    """weight (V_g, d_g) -> weight * mask. The gradient of a masked raw entry is exactly zero."""

    def __init__(self, mask: torch.Tensor):
        super().__init__()
        self.register_buffer("mask", mask)  # (V_g, d_g), weight dtype, 0/1; persistent

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight * self.mask


def _as_bool_tensor(mask) -> torch.Tensor:
    if isinstance(mask, torch.Tensor):
        return mask.detach().to("cpu").bool()
    return torch.from_numpy(np.asarray(mask, dtype=bool))


@torch.no_grad()
def attach_fixed_mask(model: nn.Module, masks: Sequence) -> None:
    """Keep only the masked-in entries of every field table, for PEP's retraining.

    ``masks``: per field a bool (V_f, d_f) array (``current_mask`` or a snapshot's ``masks``). The raw
    entries outside the mask are set to zero, and the tables are parametrized as ``weight * mask``:
    masked entries get a zero gradient, so with Adam (decoupled or L2 weight decay alike, since the
    raw value is zero) they stay exactly zero through training. For the rewind variant, load the
    recorded initial weights (``plain_state_dict`` of the model before the search) first.
    """
    emb = embedding_of(model)
    if tables_parametrized(emb) or hasattr(emb, THRESHOLD_ATTR):
        raise ConfigError("attach_fixed_mask: the embedding already carries PEP thresholds or a mask; remove_pep first")
    masks = list(masks)
    if len(masks) != emb.num_fields:
        raise ConfigError(f"attach_fixed_mask: expected {emb.num_fields} field masks; got {len(masks)}")
    layout = field_rows(emb)
    table_masks = [torch.zeros(t.weight.shape, dtype=torch.bool) for t in emb.tables]
    for f, (mask, spec) in enumerate(zip(masks, layout, strict=True)):
        mask = _as_bool_tensor(mask)
        expected = (emb.fields[f].vocab_size, emb.emb_dims[f])
        if tuple(mask.shape) != expected:
            raise ConfigError(f"attach_fixed_mask: field {f} mask has shape {tuple(mask.shape)}; expected {expected}")
        if spec is not None:
            g, start, rows = spec
            table_masks[g][start : start + rows] = mask
    for table, mask in zip(emb.tables, table_masks, strict=True):
        w = table.weight
        m = mask.to(device=w.device, dtype=w.dtype)
        w.mul_(m)
        parametrize.register_parametrization(table, "weight", _FixedMaskParametrization(m))
