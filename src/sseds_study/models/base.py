"""The common base of the CTR models: an ``embedding`` and exact parameter counts."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ..config import ModelConfig
from ..data.spec import FieldSpec
from .embedding import FieldEmbedding


class CTRModel(nn.Module):
    """Base class. Subclasses set ``self.embedding`` (a FieldEmbedding) and define
    ``forward(ids (B, C) int64) -> logits (B,)``. Models know nothing about training."""

    embedding: FieldEmbedding

    def __init__(self, fields: Sequence[FieldSpec], cfg: ModelConfig):
        super().__init__()
        self.fields = tuple(fields)
        self.cfg = cfg

    def count_params(self) -> dict[str, int]:
        """Exact counts: embedding (sum_f V_f d_f), alignment (sum of d_f * D over the maps), other
        (everything else, first-order tables included) and total."""
        embedding = self.embedding.embedding_params()
        alignment = self.embedding.alignment_params()
        total = sum(p.numel() for p in self.parameters())
        return {"embedding": embedding, "alignment": alignment, "other": total - embedding - alignment, "total": total}
