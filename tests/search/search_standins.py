"""Tiny stand-in models that follow the models' contract (ids (B, C) -> logits (B,), with an
``embedding.gate`` buffer of ones (F, D) multiplied into each field's embedding), so the search code can
be tested before, and independently of, the real models."""

from __future__ import annotations

import torch
from torch import nn


class GatedEmbedding(nn.Module):
    """Per-field tables; forward returns (B, F, D) embeddings times the gate."""

    def __init__(self, vocab_sizes, emb_dim):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(v, emb_dim) for v in vocab_sizes)
        self.register_buffer("gate", torch.ones(len(vocab_sizes), emb_dim))

    def forward(self, ids):  # (B, F) -> (B, F, D)
        emb = torch.stack([table(ids[:, f]) for f, table in enumerate(self.tables)], dim=1)
        return emb * self.gate


class TinyFM(nn.Module):
    """FM logit plus a small MLP with dropout and batch norm: dropout and batch norm are there so the
    tests can see that saliency runs in eval mode and leaves buffers alone."""

    def __init__(self, vocab_sizes, emb_dim, dropout=0.5):
        super().__init__()
        self.embedding = GatedEmbedding(vocab_sizes, emb_dim)
        self.mlp = nn.Sequential(
            nn.Linear(len(vocab_sizes) * emb_dim, 8),
            nn.BatchNorm1d(8),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(8, 1),
        )
        self.bias = nn.Parameter(torch.zeros(()))

    def forward(self, ids):  # (B, F) -> (B,)
        e = self.embedding(ids)  # (B, F, D)
        s = e.sum(dim=1)
        fm = 0.5 * (s * s - (e * e).sum(dim=1)).sum(dim=1)
        return fm + self.mlp(e.flatten(1)).squeeze(1) + self.bias


class GatedLinear(nn.Module):
    """logit = sum_{f,j} e[f,j] * gate[f,j] * w[j] + bias: its gate gradient is known in closed form,
    d loss / d gate[f,j] = mean_i (sigmoid(z_i) - y_i) * e_i[f,j] * w[j]."""

    def __init__(self, vocab_sizes, emb_dim):
        super().__init__()
        self.embedding = GatedEmbedding(vocab_sizes, emb_dim)
        self.w = nn.Parameter(torch.randn(emb_dim))
        self.bias = nn.Parameter(torch.tensor(0.1))

    def forward(self, ids):
        return (self.embedding(ids) * self.w).sum(dim=(1, 2)) + self.bias


def harmful_column_model():
    """One field, two dims: dim 0 pushes the logit the right way, dim 1 the wrong way, so removing dim 1
    lowers the loss. Returns the model and its one batch."""
    model = GatedLinear([2], 2)
    with torch.no_grad():
        model.embedding.tables[0].weight.copy_(torch.tensor([[1.0, 1.0], [-1.0, -1.0]]))
        model.w.copy_(torch.tensor([1.0, -0.5]))
        model.bias.zero_()
    return model, [(torch.tensor([[0], [1]]), torch.tensor([1.0, 0.0]))]
