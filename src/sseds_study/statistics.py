"""Confidence intervals and paired comparisons over seeds: generic numbers in, numbers out (no study or
result tables here)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """(mean, half-width) of a Student-t confidence interval; NaNs are ignored, and the half-width is
    NaN for fewer than two values."""
    x = np.asarray([v for v in values if v == v], dtype=float)
    if len(x) == 0:
        return math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, half


@dataclass(frozen=True)
class PairedDifference:
    """Per-seed paired comparison of a method with a reference: mean of (method - reference) over the
    seeds both have, its Student-t interval half-width, and two-sided p-values of the paired t test
    and the Wilcoxon signed-rank test (exact for small samples). ``n``: the number of pairs."""

    n: int
    mean: float
    ci95: float
    p_t: float
    p_wilcoxon: float


def paired_difference(values: Sequence[float], reference: Sequence[float], level: float = 0.95) -> PairedDifference:
    """Compare paired samples (same seed, same pretrained model): values[i] against reference[i].
    Pairs with a NaN on either side are dropped."""
    a, b = np.asarray(values, dtype=float), np.asarray(reference, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples must have the same length; got {a.shape} and {b.shape}")
    d = (a - b)[~(np.isnan(a) | np.isnan(b))]
    mean, half = t_interval(d, level)
    if len(d) < 2:
        return PairedDifference(len(d), mean, half, math.nan, math.nan)
    if np.all(d == d[0]):  # no spread: the tests are undefined; a constant non-zero shift is still a shift
        p = 1.0 if d[0] == 0 else 0.0
        return PairedDifference(len(d), mean, 0.0, p, p)
    p_t = float(stats.ttest_rel(a, b, nan_policy="omit").pvalue)
    p_w = float(stats.wilcoxon(d).pvalue) if np.any(d != 0) else 1.0
    return PairedDifference(len(d), mean, half, p_t, p_w)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (NaNs stay NaN and do not count as tests)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = len(idx)
    order = idx[np.argsort(p[idx], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


VERDICTS = ("better", "worse", "indistinguishable")
# A verdict is borderline when its adjusted p-value lies within a factor of BORDERLINE_FACTOR of the
# level, on either side: a few more seeds, another split or a last-bit change of the arithmetic could
# move it across. Verdict tables mark such cells and the headline sentences name them.
BORDERLINE_FACTOR = 2.0


def borderline(adjusted_p: float, alpha: float = 0.05, factor: float = BORDERLINE_FACTOR) -> bool:
    """True when ``alpha / factor < adjusted_p <= alpha * factor`` (NaN: False)."""
    return bool(alpha / factor < adjusted_p <= alpha * factor)


def verdict(mean_difference: float, adjusted_p: float, alpha: float = 0.05, higher_is_better: bool = True) -> str:
    """'better' / 'worse' when the (multiplicity-adjusted) test rejects at ``alpha``, by the sign of
    the mean difference; otherwise 'indistinguishable' (also when there are too few pairs to test)."""
    if not adjusted_p <= alpha or mean_difference == 0 or math.isnan(mean_difference):
        return "indistinguishable"
    return "better" if (mean_difference > 0) == higher_is_better else "worse"


def detectable_difference(sd: float, n: int, tests: int = 1, alpha: float = 0.05) -> float:
    """The smallest mean paired difference that the paired t test over ``n`` pairs with spread ``sd``
    (the standard deviation of the per-pair differences) declares at ``alpha`` in the first step of a
    Holm correction over ``tests`` tests (two-sided, level ``alpha / tests``): a true difference of
    this size is declared about half the time, a smaller one less often. NaN below two pairs."""
    if n < 2 or not sd == sd:
        return math.nan
    return float(stats.t.ppf(1 - alpha / (2 * max(1, tests)), n - 1) * sd / math.sqrt(n))


def difference_spread(ci95: float, n: int, level: float = 0.95) -> float:
    """The standard deviation of the per-pair differences behind a paired t interval's half-width
    ``ci95`` over ``n`` pairs (``t_interval``'s inverse); NaN below two pairs."""
    if n < 2 or not ci95 == ci95:
        return math.nan
    return float(ci95 * math.sqrt(n) / stats.t.ppf(0.5 + level / 2, n - 1))


def minimum_detectable_difference(sd: float, n: int, alpha: float = 0.05, power: float = 0.80) -> float:
    """The smallest true mean paired difference that a two-sided paired t test over ``n`` pairs at
    level ``alpha`` detects with probability ``power``, when the per-pair differences have standard
    deviation ``sd``: (t_{1-alpha/2, n-1} + t_{power, n-1}) sd / sqrt(n). The usual approximation
    (the noncentral t replaced by a shifted central one); before any multiplicity correction, which
    raises it. NaN below two pairs."""
    if n < 2 or not sd == sd:
        return math.nan
    return float((stats.t.ppf(1 - alpha / 2, n - 1) + stats.t.ppf(power, n - 1)) * sd / math.sqrt(n))


def pooled_sd(sds: Sequence[float], ns: Sequence[int]) -> float:
    """The pooled standard deviation of several samples, each weighted by its degrees of freedom:
    sqrt(sum (n_i - 1) sd_i^2 / sum (n_i - 1)); samples with fewer than two values or no sd are left
    out (NaN when none is left)."""
    pairs = [(s, n) for s, n in zip(sds, ns, strict=True) if n >= 2 and s == s]
    dof = sum(n - 1 for _, n in pairs)
    return math.sqrt(sum((n - 1) * s * s for s, n in pairs) / dof) if dof else math.nan
