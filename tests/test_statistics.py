"""Confidence intervals over seeds."""

import numpy as np
import pytest

from sseds_study.statistics import t_interval


def test_t_interval_by_hand():
    mean, half = t_interval([0.70, 0.72, 0.74])
    # t(0.975, df=2) = 4.302653; sd = 0.02; half = 4.302653 * 0.02 / sqrt(3)
    assert mean == pytest.approx(0.72)
    assert half == pytest.approx(4.302653 * 0.02 / 3**0.5, rel=1e-5)
    assert np.isnan(t_interval([0.7])[1])
