"""Confidence intervals over seeds."""

import numpy as np
import pytest

from sseds_study.statistics import borderline, t_interval


def test_t_interval_by_hand():
    mean, half = t_interval([0.70, 0.72, 0.74])
    # t(0.975, df=2) = 4.302653; sd = 0.02; half = 4.302653 * 0.02 / sqrt(3)
    assert mean == pytest.approx(0.72)
    assert half == pytest.approx(4.302653 * 0.02 / 3**0.5, rel=1e-5)
    assert np.isnan(t_interval([0.7])[1])


def test_detectable_difference_is_the_t_threshold_at_the_holm_first_step():
    import math

    from scipy import stats

    from sseds_study.statistics import detectable_difference, difference_spread

    assert detectable_difference(0.01, 10) == pytest.approx(stats.t.ppf(0.975, 9) * 0.01 / math.sqrt(10))
    assert detectable_difference(0.01, 10, tests=4) == pytest.approx(stats.t.ppf(1 - 0.05 / 8, 9) * 0.01 / math.sqrt(10))
    assert detectable_difference(0.01, 3) > detectable_difference(0.01, 10)
    assert math.isnan(detectable_difference(0.01, 1)) and math.isnan(difference_spread(0.1, 1))
    half = stats.t.ppf(0.975, 4) * 0.02 / math.sqrt(5)
    assert difference_spread(half, 5) == pytest.approx(0.02)


@pytest.mark.parametrize(("p", "expected"), [(0.001, False), (0.025, False), (0.026, True), (0.05, True), (0.1, True),
                                             (0.11, False), (float("nan"), False)])
def test_borderline_is_within_a_factor_two_of_the_level(p, expected):
    assert borderline(p) is expected


def test_minimum_detectable_difference_by_hand():
    import math

    from sseds_study.statistics import minimum_detectable_difference

    # n = 10: t(0.975, 9) = 2.262157, t(0.80, 9) = 0.883404; sd 0.004
    assert minimum_detectable_difference(0.004, 10) == pytest.approx((2.262157 + 0.883404) * 0.004 / math.sqrt(10),
                                                                     rel=1e-5)
    # n = 3: t(0.975, 2) = 4.302653, t(0.80, 2) = 1.060660
    assert minimum_detectable_difference(0.004, 3) == pytest.approx((4.302653 + 1.060660) * 0.004 / math.sqrt(3),
                                                                    rel=1e-5)
    assert minimum_detectable_difference(0.004, 2) > minimum_detectable_difference(0.004, 3)
    assert math.isnan(minimum_detectable_difference(0.004, 1))
    assert math.isnan(minimum_detectable_difference(float("nan"), 5))


def test_pooled_sd_weights_by_degrees_of_freedom():
    import math

    from sseds_study.statistics import pooled_sd

    # (9 * 0.003^2 + 2 * 0.006^2) / 11
    assert pooled_sd([0.003, 0.006], [10, 3]) == pytest.approx(math.sqrt((9 * 9e-6 + 2 * 36e-6) / 11))
    assert pooled_sd([0.003, float("nan"), 0.5], [10, 10, 1]) == pytest.approx(0.003)
    assert math.isnan(pooled_sd([], []))
