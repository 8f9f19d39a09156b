"""The verdict rules of the claims chapter (analysis/claims_rules.py)."""

from __future__ import annotations

import math

import pytest

from sseds_study.analysis import claims_rules as c

# -- verdicts -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lower", "upper", "expected"), [
    (-0.0009999, 0.01, c.SUPPORTED),        # just above the margin
    (-0.001, 0.01, c.INCONCLUSIVE),         # exactly at it: not cleared
    (-0.002, -0.001, c.INCONCLUSIVE),       # upper end exactly at it
    (-0.003, -0.0010001, c.NOT_SUPPORTED),  # wholly below
    (math.nan, math.nan, c.INCONCLUSIVE),
])
def test_margin_verdict_at_the_margin(lower, upper, expected):
    assert c.margin_verdict(lower, upper, 0.001) == expected


@pytest.mark.parametrize(("lower", "upper", "expected"), [
    (-0.0009, 0.0009, c.EQUIVALENT),     # the whole interval inside ±margin
    (-0.0009, 0.001, c.NONINFERIOR),     # above -margin, reaching +margin
    (-0.0005, 0.02, c.NONINFERIOR),
    (-0.003, -0.002, c.INFERIOR),
    (-0.002, 0.0005, c.INCONCLUSIVE),    # straddles -margin
])
def test_noninferiority_outcomes_and_their_verdicts(lower, upper, expected):
    outcome = c.noninferiority(lower, upper, 0.001)
    assert outcome == expected
    assert c.OUTCOME_VERDICT[outcome] == c.margin_verdict(lower, upper, 0.001)


def test_all_hold_needs_every_case():
    assert c.all_hold([c.SUPPORTED, c.SUPPORTED]) == c.SUPPORTED
    assert c.all_hold([c.SUPPORTED, c.INCONCLUSIVE]) == c.INCONCLUSIVE
    assert c.all_hold([c.SUPPORTED, c.NOT_SUPPORTED, c.INCONCLUSIVE]) == c.NOT_SUPPORTED
    assert c.all_hold([c.SUPPORTED, c.NOT_TESTABLE]) == c.INCONCLUSIVE  # one case unknown: not all shown
    assert c.all_hold([c.NOT_TESTABLE, c.NOT_TESTABLE]) == c.NOT_TESTABLE


def test_count_verdict_rule():
    assert c.count_verdict(better=3, worse=0, cells=4) == c.SUPPORTED
    assert c.count_verdict(better=2, worse=0, cells=4) == c.INCONCLUSIVE  # half is not more than half
    assert c.count_verdict(better=3, worse=1, cells=4) == c.INCONCLUSIVE
    assert c.count_verdict(better=1, worse=1, cells=4) == c.NOT_SUPPORTED
    # nothing distinguishable: absence of evidence unless the design could have seen a gain
    assert c.count_verdict(better=0, worse=0, cells=4) == c.INCONCLUSIVE
    assert c.count_verdict(better=0, worse=0, cells=4, powered=True) == c.NOT_SUPPORTED
    assert c.count_verdict(better=0, worse=1, cells=4) == c.NOT_SUPPORTED
    assert c.count_verdict(better=0, worse=0, cells=0) == c.NOT_TESTABLE


def test_interval_text_cuts_a_correlation_interval_to_its_range():
    assert c.interval_text(0.7, 2.03, 2, (-1.0, 1.0)) == "+0.70 (95% CI -1.00 to +1.00)"
    assert c.interval_text(0.0003, 0.0001) == "+0.0003 (95% CI +0.0002 to +0.0004)"
    assert c.interval_text(math.nan, 0.1) == "–" and c.interval_text(0.5, math.nan, 1) == "+0.5"
