"""Tiny fields and id matrices for the model tests (no dataset files, no training)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sseds_study.data.spec import PAD, make_field_specs

torch.set_num_threads(1)

# five fields: categorical, numeric, a multi-valued field of width 3, two more categoricals
NAMES = ["user", "age", "genres", "item", "zip"]
KINDS = ["categorical", "numeric", "multi", "categorical", "categorical"]
VOCABS = [7, 5, 6, 9, 4]
WIDTHS = [1, 1, 3, 1, 1]


@pytest.fixture
def fields():
    return make_field_specs(NAMES, KINDS, VOCABS, WIDTHS)


def random_ids(fields, n: int, seed: int = 0, pad_rate: float = 0.4) -> torch.Tensor:
    """(n, C) int64 ids in range, multi-valued fields padded with -1 at random (some rows fully)."""
    rng = np.random.default_rng(seed)
    cols = []
    for spec in fields:
        block = rng.integers(0, spec.vocab_size, size=(n, spec.width))
        if spec.is_multi:
            block[rng.random((n, spec.width)) < pad_rate] = PAD
            block[0] = PAD  # row 0: no values at all
        cols.append(block)
    return torch.from_numpy(np.concatenate(cols, axis=1).astype(np.int64))


@pytest.fixture
def ids(fields):
    return random_ids(fields, 32)


@pytest.fixture
def make_ids():
    """The ``random_ids`` helper, as a fixture (the tests directory is not a package)."""
    return random_ids
