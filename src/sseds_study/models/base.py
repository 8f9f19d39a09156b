"""The common base of the CTR models: an ``embedding`` and exact parameter counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from torch import nn

from ..config import ModelConfig
from ..data.spec import FieldSpec
from .embedding import FieldEmbedding

if TYPE_CHECKING:
    from .inherit import KeptInputs


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

    def inherit_layers(self, pretrained: CTRModel, kept: KeptInputs) -> None:
        """Copy every non-embedding weight of ``pretrained`` (the same model at uniform width) into this
        slim model, slicing the layers that read the embeddings to the inputs ``kept`` locates, so that
        this model computes what ``pretrained`` computes with the dropped columns gated to zero.
        Called by ``models.inherit.inherit_pretrained`` after the embedding tables are loaded."""
        raise NotImplementedError(f"{type(self).__name__} does not say how it inherits a pretrained model")
