"""The paired mean difference, the one quantity every comparison shows and tests.

Runs of one seed share their data, split, mini-batch order and dropout noise, so two
configurations are compared by the per-seed differences d_s = y_A(s) - y_B(s). The
claim "A is better than B" is a claim about the **mean over seeds** (what every table
shows and ranks by): mean(d) > 0. It is tested by Student's paired t test and its
interval is the same test inverted,

    mean(d) ± t_{n-1, 1 - level/2} · s / sqrt(n),

so the printed interval excludes 0 exactly when the verdict says one is better, at the
level the verdict was taken (p < level; both ends closed).

Accuracies are counts of test points, so two seeds can agree to the point and a sample
of ten can have no spread at all ("100.0 [100.0, 100.0]" from ten perfect runs). The
spread is therefore never taken below one step of the metric's lattice (``unit``: 1 /
the test points, read off the values by :func:`lattice_unit`): ten perfect runs on 100
test points give 100.0 [99.3, 100.0], and a difference of one point on every seed is
not a certainty. ``actinit calibrate`` measures what this costs and buys: the
intervals' coverage near the ceiling rises from 65-92% (the plain t interval) to
94-100%.

Whether a run fails at all (diverges, or never rises above the study's "learned"
threshold) is a separate answer: :func:`mcnemar` compares how often two configurations
fail, paired by seed (McNemar's exact test on the seeds where one failed and the other
did not), and :func:`clopper_pearson` gives a share of seeds its exact interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .intervals import ALPHA, clopper_pearson, share_upper_bound  # noqa: F401


@dataclass(frozen=True)
class Difference:
    """A mean paired difference ``estimate`` over ``n`` seeds with its interval
    [``low``, ``high``] at 1 - ``level`` (both ends closed; infinite when fewer than
    two seeds leave it unknown)."""

    estimate: float
    low: float
    high: float
    level: float
    n: int

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def excludes_zero(self) -> bool:
        return not self.contains(0.0)

    def text(self, fmt) -> str:
        """``estimate [low, high]``, an unknown end written as ±inf."""

        def show(v: float) -> str:
            return fmt(v) if math.isfinite(v) else ("-inf" if v < 0 else "+inf")

        if math.isnan(self.estimate):
            return "unknown"
        return f"{show(self.estimate)} [{show(self.low)}, {show(self.high)}]"

    def flipped(self) -> Difference:
        """B - A instead of A - B."""
        return Difference(-self.estimate, -self.high, -self.low, self.level, self.n)


def lattice_unit(values: np.ndarray, metric: str = "test_accuracy") -> float:
    """The step between the values an accuracy can take (1 / test points), read off
    ``values``: the smallest gap between two distinct finite values (0.01 when every
    value is the same, the step of 100 test points). 0 for a metric that is not an
    accuracy (a loss has no lattice)."""
    if not metric.endswith("accuracy"):
        return 0.0
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    distinct = np.unique(np.round(finite, 9))
    gaps = np.diff(distinct)
    gaps = gaps[gaps > 1e-7]
    return float(gaps.min()) if len(gaps) else 0.01


@dataclass
class MeanTests:
    """Paired t tests of many rows of differences at once (rows x seeds; a non-finite
    difference is left out of its row): per row the seeds used, the mean difference,
    its standard error (the spread floored at ``unit``), and the two-sided p-value."""

    n: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    p: np.ndarray

    @classmethod
    def of(cls, raw: np.ndarray, unit: float = 0.0) -> MeanTests:
        raw = np.asarray(raw, dtype=float)
        if raw.ndim != 2:
            raw = raw.reshape(len(raw), -1) if raw.size else np.zeros((len(raw), 0))
        finite = np.isfinite(raw)
        n = finite.sum(axis=1)
        values = np.where(finite, raw, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = values.sum(axis=1) / n
            squares = np.where(finite, (raw - mean[:, None]) ** 2, 0.0).sum(axis=1)
            sd = np.sqrt(squares / np.maximum(n - 1, 1))
            sd = np.maximum(sd, unit)
            se = np.where(n > 1, sd / np.sqrt(n), np.inf)
            t = np.where(se > 0, np.abs(mean) / se, np.where(mean == 0, 0.0, np.inf))
        p = np.ones(len(raw))
        several = n > 1
        p[several] = 2 * stats.t.sf(t[several], n[several] - 1)
        p = np.where(np.isnan(p), 1.0, np.minimum(p, 1.0))
        mean = np.where(n > 0, mean, np.nan)
        return cls(n, mean, se, p)

    def intervals(self, level: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """The (low, high) ends of every row's interval at 1 - ``level``."""
        level = np.broadcast_to(np.asarray(level, dtype=float), self.mean.shape)
        quantile = np.full(len(self.mean), np.inf)
        several = self.n > 1
        quantile[several] = stats.t.ppf(1 - level[several] / 2, self.n[several] - 1)
        with np.errstate(invalid="ignore"):
            half = np.where(self.se > 0, quantile * self.se, 0.0)
        return self.mean - half, self.mean + half

    def difference(self, row: int, level: float) -> Difference:
        low, high = self.intervals(level)
        return Difference(
            float(self.mean[row]), float(low[row]), float(high[row]), level, int(self.n[row])
        )


def paired_mean_test(differences, unit: float = 0.0) -> tuple[float, float]:
    """(p-value, mean) of one row of paired differences (see :class:`MeanTests`)."""
    found = MeanTests.of(np.asarray(differences, dtype=float)[None, :], unit)
    return float(found.p[0]), float(found.mean[0])


def t_quantiles(levels: np.ndarray, df: np.ndarray, one_sided: bool = False) -> np.ndarray:
    """Student's t quantile 1 - level (one-sided) or 1 - level/2 (two-sided)."""
    levels = np.asarray(levels, dtype=float)
    return stats.t.ppf(1 - (levels if one_sided else levels / 2), np.maximum(df, 1))


# --------------------------------------------------------------------------
# Failures: how often a configuration fails, and two compared seed by seed
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Failures:
    """How often A and B failed (diverged, or never rose above the study's learned
    threshold) on the ``seeds`` both ran, seed by seed: ``a_only`` seeds where A
    failed and B did not, ``b_only`` the reverse, ``both`` where both failed. ``p``:
    McNemar's exact two-sided test that each fails as often (the discordant seeds
    split as a fair coin would)."""

    seeds: int
    a_only: int
    b_only: int
    both: int
    p: float

    @property
    def a_failed(self) -> int:
        return self.a_only + self.both

    @property
    def b_failed(self) -> int:
        return self.b_only + self.both

    @property
    def discordant(self) -> int:
        return self.a_only + self.b_only

    def fewer(self, level: float = ALPHA) -> str | None:
        """``"a"`` when A fails less often than B at ``level``, ``"b"`` the reverse."""
        if self.p >= level or self.a_only == self.b_only:
            return None
        return "a" if self.a_only < self.b_only else "b"

    def discordant_bound(self, alpha: float = ALPHA) -> float:
        """The (1 - alpha) upper bound of the share of seeds on which one fails and
        the other does not: how much of the mean gap failures not seen could hold."""
        return share_upper_bound(self.discordant, self.seeds, alpha)

    def text(self, a: str = "A", b: str = "B") -> str:
        return (
            f"failed: {a} {self.a_failed}/{self.seeds}, {b} {self.b_failed}/{self.seeds} "
            f"({self.a_only} seeds only {a}, {self.b_only} only {b}; McNemar exact "
            f"p {p_text(self.p)})"
        )


def mcnemar(failed_a: np.ndarray, failed_b: np.ndarray) -> Failures:
    """:class:`Failures` of two configurations from their per-seed failure flags (on
    the same seeds, in the same order)."""
    failed_a, failed_b = np.asarray(failed_a, bool), np.asarray(failed_b, bool)
    a_only = int((failed_a & ~failed_b).sum())
    b_only = int((failed_b & ~failed_a).sum())
    both = int((failed_a & failed_b).sum())
    discordant = a_only + b_only
    p = 1.0 if discordant == 0 else float(stats.binomtest(a_only, discordant).pvalue)
    return Failures(len(failed_a), a_only, b_only, both, min(1.0, p))


def p_text(p: float) -> str:
    """A p-value with its relation, to follow "p": "= 0.032", or "< 0.001"."""
    return f"= {p:.2g}" if p >= 0.001 else "< 0.001"
