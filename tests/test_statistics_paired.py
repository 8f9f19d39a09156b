"""Paired differences, Holm's correction and verdicts, against hand computations and scipy."""

import math

import numpy as np
import pytest
from scipy import stats

from sseds_study.statistics import holm, paired_difference, verdict


def test_paired_difference_by_hand():
    a, b = [0.80, 0.82, 0.81, 0.85], [0.78, 0.79, 0.80, 0.80]
    d = np.subtract(a, b)  # 0.02, 0.03, 0.01, 0.05
    r = paired_difference(a, b)
    assert r.n == 4 and r.mean == pytest.approx(0.0275)
    assert r.ci95 == pytest.approx(stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2)
    assert r.p_t == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    assert r.p_wilcoxon == pytest.approx(0.125)  # exact: all 4 differences positive -> 2 / 2**4


def test_pairs_with_nan_are_dropped_and_constant_shift_is_decided():
    r = paired_difference([0.7, np.nan, 0.9], [0.6, 0.5, 0.8])
    assert r.n == 2 and r.mean == pytest.approx(0.1) and r.ci95 == 0.0 and r.p_t == 0.0
    same = paired_difference([0.5, 0.6], [0.5, 0.6])
    assert same.p_t == 1.0 and verdict(same.mean, same.p_t) == "indistinguishable"
    one = paired_difference([0.5], [0.4])
    assert one.n == 1 and math.isnan(one.p_t)
    with pytest.raises(ValueError, match="same length"):
        paired_difference([0.5, 0.6], [0.4])


def test_holm_by_hand():
    # sorted p: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06), 0.04 (x1, monotone: 0.06)
    adjusted = holm([0.03, 0.01, np.nan, 0.04, 0.02])
    np.testing.assert_allclose(adjusted, [0.06, 0.04, np.nan, 0.06, 0.06])
    assert holm([0.9, 0.8]).max() == 1.0


def test_verdicts():
    assert verdict(0.01, 0.01) == "better" and verdict(-0.01, 0.01) == "worse"
    assert verdict(0.01, 0.2) == "indistinguishable" and verdict(0.01, float("nan")) == "indistinguishable"
    assert verdict(-0.01, 0.01, higher_is_better=False) == "better"
