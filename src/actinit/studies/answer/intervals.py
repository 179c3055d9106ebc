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


def mean_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Estimate:
    """The mean of ``values`` with its two-sided Student-t interval: mean ± t s/sqrt(n).
    With one value the interval is unknown; with no spread it is the mean itself.
    (Plain arithmetic: a summary makes tens of thousands of these from a few seeds.)"""
    data = [float(v) for v in values if v is not None and math.isfinite(v)]
    n = len(data)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = math.fsum(data) / n
    if n == 1:
        return Estimate(mean, None, None, 1)
    if max(data) == min(data):
        return Estimate(data[0], data[0], data[0], n)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in data) / (n - 1))
    half = t_quantile(n - 1, confidence) * std / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


@functools.lru_cache(maxsize=4096)
def t_quantile(degrees_of_freedom: int, confidence: float = CONFIDENCE) -> float:
    """Student's t quantile of a two-sided ``confidence`` interval (2.262 for 9 df)."""
    return float(stats.t.ppf(0.5 + confidence / 2, degrees_of_freedom))


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
