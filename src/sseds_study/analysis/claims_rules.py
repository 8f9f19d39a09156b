"""The verdict rules of the claims chapter, and the helpers its sections share.

A verdict is one of ``VERDICTS``: *supported*, *not supported*, *inconclusive*, or *not testable
here*. "The same AUC" is a one-sided non-inferiority test at a margin, not a test of no difference:
a paired difference from the full model must stay above ``-MARGIN`` over its whole 95% interval (a
one-sided test at the 2.5% level). The margin's source: the DCN paper (Wang et al. 2017, book
reference ``wang2017dcn``) calls an improvement of 0.001 in logloss practically significant for CTR
prediction; AUC and logloss are different scales, so 0.001 AUC borrows the size, not the meaning.
An interval that straddles ``-MARGIN`` cannot say which side the truth is on (inconclusive); an
interval wholly inside ``±MARGIN`` is "equivalent within the margin", a stronger statement than
non-inferior.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..config import SearchConfig
from ..study import with_variant

SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE, NOT_TESTABLE = "supported", "not supported", "inconclusive", "not testable here"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE, NOT_TESTABLE)
MARGIN = 0.001  # AUC: a loss smaller than this is "the same AUC" (see the module docstring)
# The outcomes of the non-inferiority test of one cell, and the claim verdict each gives.
EQUIVALENT, NONINFERIOR, INFERIOR = "equivalent within the margin", "non-inferior", "inferior"
OUTCOME_VERDICT = {EQUIVALENT: SUPPORTED, NONINFERIOR: SUPPORTED, INFERIOR: NOT_SUPPORTED,
                   INCONCLUSIVE: INCONCLUSIVE}


def interval_text(mean: float, half: float, digits: int = 4, bounds: tuple[float, float] | None = None) -> str:
    """'+0.0012 (95% CI −0.0005 to +0.0029)', or the mean alone when it has no interval. ``bounds``: the
    range the quantity can take (a correlation's [-1, 1]); a t interval from few values can overrun it,
    and is shown cut to it."""
    if mean != mean:
        return "–"
    if round(mean, digits) == 0:
        mean = 0.0  # rounds to zero: no "-0.0000"
    if half != half:
        return f"{mean:+.{digits}f}"
    lo, hi = mean - half, mean + half
    if bounds is not None:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return f"{mean:+.{digits}f} (95% CI {lo:+.{digits}f} to {hi:+.{digits}f})"


# -- verdict rules ---------------------------------------------------------------------------------------

def noninferiority(lower: float, upper: float, margin: float = MARGIN) -> str:
    """The outcome of the one-sided non-inferiority test read from a 95% interval: equivalent within
    the margin when the whole interval lies inside (-margin, margin), non-inferior when it lies above
    -margin, inferior when it lies below, inconclusive when it straddles or touches -margin."""
    verdict_ = margin_verdict(lower, upper, margin)
    if verdict_ == SUPPORTED:
        return EQUIVALENT if upper < margin else NONINFERIOR
    return INFERIOR if verdict_ == NOT_SUPPORTED else INCONCLUSIVE


def margin_verdict(lower: float, upper: float, margin: float = MARGIN) -> str:
    """Non-inferiority at ``margin``: supported when the whole interval lies above ``-margin``, not
    supported when it lies below, inconclusive when it straddles it (or touches it: an end exactly at
    ``-margin`` does not clear it)."""
    if math.isnan(lower) or math.isnan(upper):
        return INCONCLUSIVE
    if lower > -margin:
        return SUPPORTED
    if upper < -margin:
        return NOT_SUPPORTED
    return INCONCLUSIVE


def all_hold(verdicts: Sequence[str]) -> str:
    """The verdict on "it holds in every case": not supported if it fails in one, supported only if
    it holds in each, not testable if no case is testable, inconclusive otherwise."""
    testable = [v for v in verdicts if v != NOT_TESTABLE]
    if not testable:
        return NOT_TESTABLE
    if NOT_SUPPORTED in testable:
        return NOT_SUPPORTED
    if len(testable) == len(verdicts) and all(v == SUPPORTED for v in testable):
        return SUPPORTED
    return INCONCLUSIVE


def count_verdict(better: int, worse: int, cells: int, powered: bool = False) -> str:
    """Rule for "SSEDS beats the baselines" over a table of Holm-corrected paired verdicts: supported
    when it is better in more than half of the cells and worse in none; not supported when it is worse
    in some cells and at least as often as better, or better in none while the design had the power
    to see a gain worth having (``powered``); inconclusive otherwise. A table of indistinguishable
    cells from a design too small to see such a gain is absence of evidence, not evidence of absence."""
    if cells == 0:
        return NOT_TESTABLE
    if better > cells / 2 and worse == 0:
        return SUPPORTED
    if (worse > 0 and worse >= better) or (better == 0 and powered):
        return NOT_SUPPORTED
    return INCONCLUSIVE


def missing(what: str, profile: str) -> str:
    return f"{NOT_TESTABLE}: no runs of {what} in profile {profile}"


def finished(results: pd.DataFrame, reference: SearchConfig | None) -> pd.DataFrame:
    """Finished runs with their search variant named; empty (with the key columns) when there are none."""
    if results.empty or "status" not in results:
        return pd.DataFrame(columns=["dataset", "model", "method", "budget", "seed", "test_auc", "variant"])
    return with_variant(results[results["status"] == "ok"], reference)


def by_seed(rows: pd.DataFrame, column: str = "test_auc") -> pd.Series:
    return rows.groupby("seed")[column].mean()
