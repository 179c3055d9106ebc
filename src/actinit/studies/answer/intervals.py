"""Intervals and corrections that every claim shares: the level (:data:`ALPHA`), a mean's
t interval (:func:`mean_interval`), a share's Wilson interval, Holm's correction and
its step levels, and the rank p-value of one more draw among seeds."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


ALPHA = 0.05


@dataclass(frozen=True)
class Estimate:
    """A mean over ``n`` seeds with its confidence interval [``low``, ``high``]
    (None when it cannot be computed: no seed, or one seed for the interval)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def half_width(self) -> float | None:
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


def mean_interval(
    values: Sequence[float], confidence: float = CONFIDENCE, unit: float = 0.0
) -> Estimate:
    """The mean of ``values`` with its two-sided Student-t interval: mean ± t s/sqrt(n),
    the spread s never below ``unit`` (one step of an accuracy's lattice: ten equal
    accuracies do not make a certainty). With one value the interval is unknown; with
    no spread and no unit it is the mean itself. (Plain arithmetic: a summary makes
    tens of thousands of these from a few seeds.)"""
    data = [float(v) for v in values if v is not None and math.isfinite(v)]
    n = len(data)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = math.fsum(data) / n
    if n == 1:
        return Estimate(mean, None, None, 1)
    if max(data) == min(data) and unit == 0:
        return Estimate(data[0], data[0], data[0], n)
    if max(data) == min(data):
        mean = data[0]
    std = max(unit, math.sqrt(math.fsum((v - mean) ** 2 for v in data) / (n - 1)))
    half = t_quantile(n - 1, confidence) * std / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


@functools.lru_cache(maxsize=4096)
def t_quantile(degrees_of_freedom: int, confidence: float = CONFIDENCE) -> float:
    """Student's t quantile of a two-sided ``confidence`` interval (2.262 for 9 df)."""
    return float(stats.t.ppf(0.5 + confidence / 2, degrees_of_freedom))


@functools.lru_cache(maxsize=65536)
def share_interval(
    successes: int, n: int, confidence: float = CONFIDENCE
) -> tuple[float | None, float | None]:
    """The exact Clopper-Pearson interval of a share ``successes / n`` (None, None
    without runs): it covers the true share at least ``confidence`` of the time, at 0
    and n too (0 of 10 learned: [0, 0.31])."""
    if n == 0:
        return None, None
    return clopper_pearson(successes, n, confidence)


def clopper_pearson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson 1934) interval of a share ``successes / n``: it
    covers the true share at least ``confidence`` of the time whatever the share (the
    Wilson interval dips below near 0 and 1, where failures live)."""
    if n == 0:
        return math.nan, math.nan
    alpha = 1 - confidence
    low = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, n - successes + 1))
    high = (
        1.0
        if successes == n
        else float(stats.beta.ppf(1 - alpha / 2, successes + 1, n - successes))
    )
    return low, high


def share_upper_bound(count: int, n: int, alpha: float = ALPHA) -> float:
    """The one-sided (1 - ``alpha``) exact upper bound of a share seen ``count`` times
    in ``n`` (0 of 10: 0.26; 0 of 40: 0.072): how often something could happen and
    still have been seen this seldom."""
    if n == 0:
        return 1.0
    if count >= n:
        return 1.0
    return float(stats.beta.ppf(1 - alpha, count + 1, n - count))


@functools.lru_cache(maxsize=65536)
def wilson_interval(
    successes: int, n: int, confidence: float = CONFIDENCE
) -> tuple[float | None, float | None]:
    """The Wilson score interval of a share ``successes / n`` (Wilson 1927): unlike
    the normal approximation it stays inside [0, 1] and is not empty at 0 or n."""
    if n == 0:
        return None, None
    interval = stats.binomtest(successes, n).proportion_ci(confidence, method="wilson")
    return float(interval.low), float(interval.high)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's (1979) step-down adjusted p-values: sort ascending, multiply the i-th
    smallest (from 0) by m - i, keep them non-decreasing, cap at 1. A hypothesis is
    rejected at family-wise level alpha when its adjusted p-value is <= alpha."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return adjusted.tolist()


def holm_levels(p_values: Sequence[float], alpha: float = ALPHA) -> list[float]:
    """The level at which Holm's procedure tests each hypothesis: the i-th smallest
    p-value (from 0) against alpha / (m - i) while every smaller one was rejected;
    from the first one kept on, every remaining hypothesis at that step's level. A
    hypothesis is rejected exactly when its p-value is at most its level, and an
    interval at 1 - level then excludes 0 exactly when it is rejected."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    steps = alpha / (m - np.arange(m))
    kept = np.nonzero(p[order] > steps)[0]
    levels = steps.copy()
    if len(kept):
        levels[kept[0] :] = steps[kept[0]]
    result = np.empty(m)
    result[order] = levels
    return result.tolist()


def rank_p_value(value: float, values: Sequence[float], tolerance: float = 0.0) -> float:
    """How surprising ``value`` is as one more draw beside ``values`` (exchangeable):
    the two-sided conformal p-value 2 (1 + k) / (n + 1), k the draws at least as far
    out on the side ``value`` lies (within ``tolerance`` counts as equal), capped at 1.
    Under the hypothesis that the value is such a draw, P(p <= alpha) <= alpha."""
    data = np.asarray(values, dtype=float)
    n = len(data)
    if n == 0:
        return 1.0
    at_or_below = int((data <= value + tolerance).sum())
    at_or_above = int((data >= value - tolerance).sum())
    k = min(at_or_below, at_or_above)
    return min(1.0, 2.0 * (1 + k) / (n + 1))


def seeds_for_rank_test(alpha: float) -> int:
    """The fewest seeds with which a rank p-value can reach ``alpha`` (two-sided):
    2 / (n + 1) <= alpha, i.e. n >= 2 / alpha - 1 (39 for 5%)."""
    return max(1, math.ceil(2.0 / alpha - 1 - 1e-9))
