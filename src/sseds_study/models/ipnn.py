"""IPNN (Qu et al., 2016): the concatenated embeddings and the pairwise inner products of the
aligned embeddings, fed together into an MLP."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..config import ModelConfig
from ..data.spec import FieldSpec
from .base import CTRModel
from .embedding import FieldEmbedding
from .inherit import KeptInputs, copy_mlp
from .layers import MLP, InnerProduct


class IPNN(CTRModel):
    """ids (B, C) -> logits (B,) = MLP([concat (sum d_f), inner products (F'(F'-1)/2)])."""

    def __init__(self, fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False):
        super().__init__(fields, cfg)
        self.embedding = FieldEmbedding(fields, cfg.emb_dim, cfg.emb_dims, gates=gates, align=True)
        self.product = InnerProduct(self.embedding.num_kept_fields)
        in_dim = self.embedding.concat_dim + self.product.num_pairs
        self.mlp = MLP(in_dim, cfg.hidden_dims, cfg.dropout, out_dim=1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        aligned, flat = self.embedding.aligned_and_concat(ids)  # (B, F', D), (B, sum d_f)
        products = self.product(aligned)  # (B, P)
        return self.mlp(torch.cat([flat, products], dim=1)).squeeze(1)  # (B,)

    def inherit_layers(self, pretrained: IPNN, kept: KeptInputs) -> None:
        # the MLP reads [concat (F D), products (F(F-1)/2)]; a pair with a dropped field is 0 when gated
        copy_mlp(self.mlp, pretrained.mlp, torch.cat([kept.concat, kept.flat_dim + kept.pairs]))
