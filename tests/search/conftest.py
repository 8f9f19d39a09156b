"""Fixtures for the search tests; the stand-in models live in search_standins.py."""

from __future__ import annotations

import pytest
import torch
from search_standins import TinyFM


@pytest.fixture
def tiny_fm():
    torch.manual_seed(0)
    return TinyFM([5, 3, 4], 4)


@pytest.fixture
def toy_batches():
    """Two fixed batches for a 3-field model with vocab sizes (5, 3, 4)."""
    g = torch.Generator().manual_seed(1)
    out = []
    for size in (6, 5):
        ids = torch.stack([torch.randint(0, v, (size,), generator=g) for v in (5, 3, 4)], dim=1)
        labels = torch.randint(0, 2, (size,), generator=g).float()
        out.append((ids, labels))
    return out
