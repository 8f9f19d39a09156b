"""A tiny planted-truth dataset and the model that generated it, shared by the tests of the trained
width searches (tests/search/test_autodim.py, tests/search/test_dimgrow.py)."""

from __future__ import annotations

import math

import numpy as np
import torch

from sseds_study.config import ModelConfig
from sseds_study.data.spec import PAD, EncodedDataset, make_field_specs
from sseds_study.models.registry import build_model

D = 4


def planted(rows: int = 800, seed: int = 0) -> tuple[EncodedDataset, dict]:
    """Fields a, b (the label is a sigmoid of <u_a[x_a], u_b[x_b]>), noise (independent of the label)
    and genres (multi-valued, width 2, padded with -1, also independent); 75% train, 25% valid."""
    g = np.random.default_rng(seed)
    ua, ub = g.normal(size=(6, D)), g.normal(size=(6, D))
    xa, xb, xc = g.integers(0, 6, size=(3, rows))
    genres = g.integers(0, 5, size=(rows, 2))
    genres[g.random(rows) < 0.5, 1] = PAD
    genres[g.random(rows) < 0.1, :] = PAD  # some rows with no genre at all
    y = (g.random(rows) < 1 / (1 + np.exp(-1.5 * (ua[xa] * ub[xb]).sum(1)))).astype(np.float32)
    fields = make_field_specs(["a", "b", "noise", "genres"], ["categorical"] * 3 + ["multi"], [6, 6, 6, 5], [1, 1, 1, 2])
    ids = np.column_stack([xa, xb, xc, genres]).astype(np.int64)
    split = (np.arange(rows) >= int(0.75 * rows)).astype(np.int8)
    return EncodedDataset("planted", fields, ids, y, split), {"a": ua, "b": ub}


def planted_model(ds: EncodedDataset, truth: dict, name: str = "FM"):
    """The model that generated the labels: a and b hold sqrt(1.5) u, the other fields tiny vectors."""
    torch.manual_seed(0)
    model = build_model(ds.fields, ModelConfig(name=name, emb_dim=D, hidden_dims=(8,)), gates=True)
    with torch.no_grad():
        for f, spec in enumerate(ds.fields):
            w = model.embedding.field_weight(f)
            w.copy_(torch.tensor(math.sqrt(1.5) * truth[spec.name]) if spec.name in truth else 0.01 * torch.randn_like(w))
    return model
