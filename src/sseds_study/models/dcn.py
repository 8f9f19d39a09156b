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
