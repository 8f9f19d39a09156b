"""DCN (Wang et al., 2017): a cross network and an MLP side by side, joined by a final linear layer.

The cross network runs on the flattened ALIGNED embeddings (B, F' D), so its size does not shrink
with the widths (only with dropped fields); the MLP runs on the plain concatenation (B, sum d_f).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..config import ModelConfig
from ..data.spec import FieldSpec
from .base import CTRModel
from .embedding import FieldEmbedding
from .inherit import KeptInputs, copy_into, copy_mlp
from .layers import MLP, CrossNetwork


class DCN(CTRModel):
    """ids (B, C) -> logits (B,) = Linear([Cross(aligned.flatten), MLP(concat)])."""

    def __init__(self, fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False):
        super().__init__(fields, cfg)
        self.embedding = FieldEmbedding(fields, cfg.emb_dim, cfg.emb_dims, gates=gates, align=True)
        cross_dim = self.embedding.num_kept_fields * cfg.emb_dim  # F' * D: the cross network's width, not D
        self.cross = CrossNetwork(cross_dim, cfg.cross_layers)
        self.mlp = MLP(self.embedding.concat_dim, cfg.hidden_dims, cfg.dropout, out_dim=None)
        self.head = nn.Linear(cross_dim + self.mlp.output_dim, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        aligned, flat = self.embedding.aligned_and_concat(ids)  # (B, F', D), (B, sum d_f)
        cross = self.cross(aligned.flatten(1))  # (B, F' D)
        deep = self.mlp(flat)  # (B, H)
        return self.head(torch.cat([cross, deep], dim=1)).squeeze(1)  # (B,)

    @torch.no_grad()
    def inherit_layers(self, pretrained: DCN, kept: KeptInputs) -> None:
        # the cross network reads the kept fields' aligned blocks, the MLP the kept concat columns
        const = self.cross.inherit(pretrained.cross, kept.aligned, kept.dropped)  # x_L on the dropped blocks
        deep = copy_mlp(self.mlp, pretrained.mlp, kept.concat)
        head = pretrained.head.weight.detach().cpu().double()  # (1, F D + H)
        copy_into(self.head.weight, head[:, torch.cat([kept.aligned, kept.flat_dim + deep])], "head weight")
        # the dropped blocks' output is a constant, so their head weights act as a bias
        bias = pretrained.head.bias.detach().cpu().double() + head[:, kept.dropped] @ const
        copy_into(self.head.bias, bias, "head bias")
