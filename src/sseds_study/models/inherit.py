"""``init=inherit``: prune-then-fine-tune. A slim model starts as the pretrained uniform model with
the dropped embedding columns pruned away, every other weight carried over.

The defining property: right after ``inherit_pretrained`` the slim model computes what the pretrained
model computes with the dropped (field, column) pairs gated to zero (``embedding.masked(kept)``, the
``prune_only`` evaluation), up to float rounding. Fine-tuning then starts from exactly the model
``prune_only`` scores, so inherit and prune_only differ only by the retraining.

How each part carries over (F fields, D base width, kept: bool (F, D)):

* embedding tables: the kept columns of each field, in increasing column order; a field with no
  kept column has no table. Alignment maps ``d_f -> D`` start as the selection matrix that puts each
  kept column back in its place, so the aligned vectors equal the gated uniform ones.
* weights that do not read the embeddings (first-order terms, global biases, hidden layers after
  the first): copied unchanged.
* layers reading the embeddings: the gated inputs are zeros, so their weights on those inputs
  never act; slicing the input weights to the inputs the slim model still has is exact
  (``KeptInputs`` says where those inputs sit in the pretrained layout). Each model does its own
  slicing in ``inherit_layers``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from .embedding import FieldEmbedding


@dataclass(frozen=True)
class KeptInputs:
    """Where the slim model's embedding-derived inputs sit in the pretrained (uniform) model's.

    concat: (sum_f d_f,) positions in the uniform ``concat`` (F * D) of the slim ``concat`` columns.
    aligned: (F' * D,) positions in the flattened uniform ``aligned`` (F * D) of the slim one's.
    dropped: (F - F') * D positions of the fields with no kept column, in the same layout.
    pairs: (F'(F'-1)/2,) positions among the uniform model's F(F-1)/2 field pairs (row-major upper
        triangle, as ``InnerProduct``) of the pairs of kept fields.
    """

    concat: torch.Tensor
    aligned: torch.Tensor
    dropped: torch.Tensor
    pairs: torch.Tensor
    flat_dim: int  # F * D, the uniform model's concat (and flattened aligned) width

    @classmethod
    def of(cls, kept: torch.Tensor) -> KeptInputs:
        num_fields, dim = kept.shape
        kept_fields = [f for f in range(num_fields) if kept[f].any()]
        dropped_fields = [f for f in range(num_fields) if not kept[f].any()]
        pair_pos = {p: i for i, p in enumerate(itertools.combinations(range(num_fields), 2))}

        def index(values):
            return torch.tensor(list(values), dtype=torch.long)

        return cls(
            concat=index(f * dim + j for f in range(num_fields) for j in torch.nonzero(kept[f]).flatten().tolist()),
            aligned=index(f * dim + k for f in kept_fields for k in range(dim)),
            dropped=index(f * dim + k for f in dropped_fields for k in range(dim)),
            pairs=index(pair_pos[p] for p in itertools.combinations(kept_fields, 2)),
            flat_dim=num_fields * dim,
        )


@torch.no_grad()
def copy_into(dst: torch.Tensor, src: torch.Tensor, name: str) -> None:
    """dst <- src, with an error naming the weight when the shapes differ (e.g. other hidden_dims)."""
    if dst.shape != src.shape:
        raise ValueError(f"inherit: {name} has shape {tuple(src.shape)} in the pretrained model; "
                         f"the slim model expects {tuple(dst.shape)}")
    dst.copy_(src.to(dst))


@torch.no_grad()
def copy_mlp(dst, src, in_index: torch.Tensor, name: str = "mlp") -> torch.Tensor:
    """Copy an ``MLP``, its first Linear keeping only the input columns ``in_index``.

    Returns where the slim MLP's outputs sit among the pretrained one's: all of them when the MLP has
    a layer, else (an identity MLP) the kept inputs themselves.
    """
    dst_linears = [m for m in dst.net if isinstance(m, nn.Linear)]
    src_linears = [m for m in src.net if isinstance(m, nn.Linear)]
    if len(dst_linears) != len(src_linears):
        raise ValueError(f"inherit: {name} has {len(src_linears)} linear layers in the pretrained model; "
                         f"the slim model expects {len(dst_linears)}")
    if not dst_linears:
        return in_index
    for i, (d, s) in enumerate(zip(dst_linears, src_linears, strict=True)):
        weight = s.weight.index_select(1, in_index.to(s.weight.device)) if i == 0 else s.weight
        copy_into(d.weight, weight, f"{name} layer {i} weight")
        copy_into(d.bias, s.bias, f"{name} layer {i} bias")
    return torch.arange(dst_linears[-1].out_features)


@torch.no_grad()
def load_kept_columns(
    slim: FieldEmbedding,
    pretrained: Sequence[torch.Tensor] | FieldEmbedding,
    kept: Sequence[Sequence[int]] | torch.Tensor,
) -> None:
    """Initialise ``slim``'s tables from the kept columns of a uniform model's tables, and each
    alignment map to the selection matrix (weight[kept[k], k] = 1), so that the aligned vectors equal
    the pretrained vectors with the dropped columns zeroed.

    Args:
        pretrained: per field a (V_f, D) table, or a uniform ``FieldEmbedding``.
        kept: a bool keep-mask (F, D) whose row f has d_f True entries, or per field the sorted
            indices (len d_f) of the kept columns.
    """
    names = [spec.name for spec in slim.fields]
    if isinstance(pretrained, FieldEmbedding):
        pretrained = pretrained.field_weights()
    if isinstance(kept, torch.Tensor):
        expected = (slim.num_fields, slim.emb_dim)
        if tuple(kept.shape) != expected:
            raise ValueError(f"inherit: the keep-mask has shape {tuple(kept.shape)}; expected (fields, emb_dim) = {expected}")
        kept = [torch.nonzero(row, as_tuple=True)[0].tolist() for row in kept.bool()]
    if len(pretrained) != slim.num_fields or len(kept) != slim.num_fields:
        raise ValueError(f"inherit: expected {slim.num_fields} pretrained tables and kept-column lists (fields "
                         f"{', '.join(names)}); got {len(pretrained)} and {len(kept)}")
    for f, (src, cols) in enumerate(zip(pretrained, kept, strict=True)):
        cols = [int(c) for c in cols]
        name, d, rows = names[f], slim.emb_dims[f], slim.fields[f].vocab_size
        if len(cols) != d:
            raise ValueError(f"inherit: field {name!r}: the allocation keeps {len(cols)} columns; "
                             f"the slim model expects {d} (its width)")
        if tuple(src.shape) != (rows, slim.emb_dim):
            raise ValueError(f"inherit: field {name!r}: the pretrained table has shape {tuple(src.shape)}; "
                             f"expected ({rows}, {slim.emb_dim}) (V_f, D)")
        if d == 0:
            continue
        dst = slim.field_weight(f)
        dst.copy_(src[:, cols].to(dst))
        lin = slim.align_map(f)
        if lin is not None:
            sel = torch.zeros_like(lin.weight)  # (D, d_f)
            sel[cols, torch.arange(d)] = 1.0
            lin.weight.copy_(sel)


@torch.no_grad()
def inherit_pretrained(slim, pretrained, kept: torch.Tensor) -> None:
    """Turn ``slim`` (a mixed-width model whose field f has width kept[f].sum()) into the pretrained
    uniform model pruned to the kept columns: every kept weight carried over, nothing random left.

    Raises ValueError, naming the field or weight and what was expected, when the two models or the
    keep-mask disagree.
    """
    if type(slim) is not type(pretrained):
        raise ValueError(f"inherit: the pretrained model is {type(pretrained).__name__}; the slim model is {type(slim).__name__}")
    emb, pre_emb = slim.embedding, pretrained.embedding
    slim_names = [s.name for s in emb.fields]
    pre_names = [s.name for s in pre_emb.fields]
    if slim_names != pre_names:
        raise ValueError(f"inherit: the pretrained model has fields {pre_names}; the slim model has {slim_names}")
    if pre_emb.emb_dim != emb.emb_dim:
        raise ValueError(f"inherit: the pretrained model has emb_dim {pre_emb.emb_dim}; the slim model has {emb.emb_dim}")
    for name, d in zip(pre_names, pre_emb.emb_dims, strict=True):
        if d != pre_emb.emb_dim:
            raise ValueError(f"inherit: field {name!r} has width {d} in the pretrained model; "
                             f"expected the base width {pre_emb.emb_dim} (inherit prunes a uniform model)")
    kept = torch.as_tensor(kept).cpu()
    if kept.dtype != torch.bool:
        raise ValueError(f"inherit: expected a bool keep-mask; got dtype {kept.dtype}")
    load_kept_columns(emb, pre_emb, kept)
    slim.inherit_layers(pretrained, KeptInputs.of(kept))
