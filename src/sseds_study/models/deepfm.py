"""DeepFM (Guo et al., 2017): FM on the aligned embeddings plus an MLP on their concatenation."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..config import ModelConfig
from ..data.spec import FieldSpec
from .base import CTRModel
from .embedding import FieldEmbedding
from .inherit import KeptInputs, copy_mlp
from .layers import MLP, FirstOrder, fm_interaction


class DeepFM(CTRModel):
    """ids (B, C) -> logits (B,) = FM(aligned) + MLP(concat); both parts share the embedding tables."""

    def __init__(self, fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False):
        super().__init__(fields, cfg)
        self.embedding = FieldEmbedding(fields, cfg.emb_dim, cfg.emb_dims, gates=gates, align=True)
        self.linear = FirstOrder(fields)
        self.mlp = MLP(self.embedding.concat_dim, cfg.hidden_dims, cfg.dropout, out_dim=1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        aligned, flat = self.embedding.aligned_and_concat(ids)  # (B, F', D), (B, sum d_f)
        fm = self.linear(ids) + fm_interaction(aligned)  # (B,)
        return fm + self.mlp(flat).squeeze(1)  # (B,)

    def inherit_layers(self, pretrained: DeepFM, kept: KeptInputs) -> None:
        self.linear.load_state_dict(pretrained.linear.state_dict())  # reads ids, not embeddings
        copy_mlp(self.mlp, pretrained.mlp, kept.concat)  # the MLP reads the concatenation
