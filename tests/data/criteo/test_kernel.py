"""The compiled pass's own functions (numba), apart from the encoder that drives them."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data.criteo import kernel

pytestmark = pytest.mark.skipif(not kernel.available(), reason="numba is not installed")


def test_rows_are_counted_eight_bytes_at_a_time_exactly():
    rng = np.random.default_rng(0)
    for _ in range(300):  # newlines beside zero bytes and bytes with the high bit set: the word trick's traps
        buf = rng.choice(np.array([10, 0, 1, 9, 11, 128, 138, 255, 65], dtype=np.uint8), int(rng.integers(0, 80)))
        a = int(rng.integers(0, len(buf) + 1))
        b = int(rng.integers(a, len(buf) + 1))
        want = int((buf[a:b] == 10).sum()) + (1 if b > a and buf[b - 1] != 10 else 0)
        assert kernel.count_rows(buf, a, b) == want
