"""Wide & Deep (Cheng et al., 2016): a first-order (wide) term plus an MLP on the concatenated
embeddings. No interaction needs equal widths, so there are no alignment maps."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..config import ModelConfig
from ..data.spec import FieldSpec
from .base import CTRModel
from .embedding import FieldEmbedding
from .inherit import KeptInputs, copy_mlp
from .layers import MLP, FirstOrder


class WideDeep(CTRModel):
    """ids (B, C) -> logits (B,) = wide(ids) + MLP(concat)."""

    def __init__(self, fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False):
        super().__init__(fields, cfg)
        self.embedding = FieldEmbedding(fields, cfg.emb_dim, cfg.emb_dims, gates=gates, align=False)
        self.linear = FirstOrder(fields)
        self.mlp = MLP(self.embedding.concat_dim, cfg.hidden_dims, cfg.dropout, out_dim=1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        flat = self.embedding.concat(ids)  # (B, sum d_f)
        return self.linear(ids) + self.mlp(flat).squeeze(1)  # (B,)

    def inherit_layers(self, pretrained: WideDeep, kept: KeptInputs) -> None:
        self.linear.load_state_dict(pretrained.linear.state_dict())  # reads ids, not embeddings
        copy_mlp(self.mlp, pretrained.mlp, kept.concat)  # the MLP reads the concatenation
