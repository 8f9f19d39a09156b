"""FM (Rendle, 2010): bias + first-order term + pairwise interactions of the aligned embeddings."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..config import ModelConfig
from ..data.spec import FieldSpec
from .base import CTRModel
from .embedding import FieldEmbedding
from .inherit import KeptInputs
from .layers import FirstOrder, fm_interaction


class FM(CTRModel):
    """ids (B, C) -> logits (B,) = w_0 + sum_f w_f[x_f] + sum_{f<g} <A_f e_f, A_g e_g>."""

    def __init__(self, fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False):
        super().__init__(fields, cfg)
        self.embedding = FieldEmbedding(fields, cfg.emb_dim, cfg.emb_dims, gates=gates, align=True)
        self.linear = FirstOrder(fields)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        emb = self.embedding.aligned(ids)  # (B, F', D)
        return self.linear(ids) + fm_interaction(emb)  # (B,)

    def inherit_layers(self, pretrained: FM, kept: KeptInputs) -> None:
        # no layer reads the embeddings: a gated field's zero vector adds nothing to the pairwise sum
        self.linear.load_state_dict(pretrained.linear.state_dict())
