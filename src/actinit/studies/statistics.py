"""Statistics over seeds: intervals, paired comparisons and multiplicity.

Every figure a study reports is an estimate from a few seeds, so it comes with its
uncertainty:

- a mean with its Student-t confidence interval, ``mean ± t_{n-1, 0.975} s / sqrt(n)``;
- a share (the seeds that "learned") with its Wilson score interval;
- two configurations compared *seed by seed*: runs with the same seed share their data
  draw, their mini-batch order and their dropout noise (:func:`actinit.studies.config.
  data_seed`, :class:`actinit.engine.model.Sequential`), so the difference of two
  configurations is measured on the same draws (common random numbers). The paired
  comparison gives the mean difference with its t interval, the seeds each one wins
  and the Wilcoxon signed-rank test (exact for few seeds, ties included);
- many comparisons at once are corrected with Holm's step-down method, which keeps the
  chance of any false "better" at most ``alpha`` (family-wise).

The computations are scipy.stats'; what is here decides what is compared with what.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


@dataclass
class PairedComparison:
    """A against B over the seeds both have. ``difference`` is mean(A - B) with its
    interval; ``wins_a`` / ``wins_b`` count the seeds where each is better (by the
    metric's own direction) and ``ties`` the rest; ``p_value`` is the two-sided
    Wilcoxon signed-rank test's, ``p_adjusted`` Holm's when several were made."""

    a: str
    b: str
    metric: str
    seeds: int
    difference: Estimate
    wins_a: int
    wins_b: int
    ties: int
    p_value: float
    higher_is_better: bool = True
    p_adjusted: float | None = None
    #: Seeds where one side's value is infinite (a diverged loss): counted as a loss
    #: for that side, left out of the mean difference.
    unbounded: int = 0
    #: The finite per-seed differences A - B behind ``difference``.
    differences: list[float] = field(default_factory=list)

    @property
    def p(self) -> float:
        """The p-value the verdict rests on: Holm's when corrected, else the raw one."""
        return self.p_value if self.p_adjusted is None else self.p_adjusted

    def better(self, alpha: float = ALPHA) -> str | None:
        """``"a"`` or ``"b"`` when one is better at level ``alpha``, else None."""
        if self.p > alpha or self.wins_a == self.wins_b == 0:
            return None
        sign = np.sign(self.difference.mean or 0.0) if self.unbounded == 0 else 0
        if sign == 0:
            sign = 1 if self.wins_a > self.wins_b else -1 if self.wins_b > self.wins_a else 0
        if sign == 0:
            return None
        a_better = (sign > 0) == self.higher_is_better
        return "a" if a_better else "b"

    def sentence(self, fmt, alpha: float = ALPHA) -> str:
        """The comparison in words, e.g. ``relu/he is better than relu/zeros by 45.1
        points [40.2, 50.0] (wins 10 of 10 seeds, Wilcoxon p = 0.002, Holm)``."""
        winner = self.better(alpha)
        d = self.difference
        if d.mean is None:
            size = "difference unknown"
        elif d.low is None:
            size = f"difference {fmt(d.mean)}"
        else:
            size = f"{fmt(d.mean)} [{fmt(d.low)}, {fmt(d.high)}]"
        test = f"Wilcoxon p = {_p_text(self.p_value)}"
        if self.p_adjusted is not None:
            test += f", Holm-adjusted {_p_text(self.p_adjusted)}"
        counts = f"{self.a} wins {self.wins_a}, {self.b} wins {self.wins_b}, ties {self.ties}"
        if winner is None:
            head = f"{self.a} and {self.b} cannot be told apart at {self.seeds} seeds"
            note = floor_note(self.seeds, 1, alpha)
            if note and self.p_adjusted is None:
                head += f" ({note})"
        else:
            first, second = (self.a, self.b) if winner == "a" else (self.b, self.a)
            head = f"{first} is better than {second}"
        return f"{head}: A - B = {size} ({counts}; {test})"


def _p_text(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else "< 0.001"


def paired_comparison(
    a: Mapping[int, float],
    b: Mapping[int, float],
    metric: str = "",
    higher_is_better: bool = True,
    names: tuple[str, str] = ("A", "B"),
    confidence: float = CONFIDENCE,
    p_value: float | None = None,
) -> PairedComparison:
    """Compare two configurations on the seeds both have (``a`` and ``b``: seed ->
    value). A value of +inf (-inf for a metric where higher is better) is a run that
    diverged: the worst possible value, kept in the ranks of the signed-rank test but
    out of the mean difference. ``p_value``: the signed-rank test's, when computed
    already (:func:`signed_rank_ps` does many at once)."""
    seeds = sorted(set(a) & set(b))
    x = np.array([a[s] for s in seeds], dtype=float)
    y = np.array([b[s] for s in seeds], dtype=float)
    finite = np.isfinite(x) & np.isfinite(y)
    with np.errstate(invalid="ignore"):
        raw = np.where(x == y, 0.0, x - y)  # inf - inf of two diverged runs is a tie
    sign = raw if higher_is_better else -raw
    difference = mean_interval(raw[finite], confidence)
    return PairedComparison(
        a=names[0],
        b=names[1],
        metric=metric,
        seeds=len(seeds),
        difference=difference,
        wins_a=int((sign > 0).sum()),
        wins_b=int((sign < 0).sum()),
        ties=int((sign == 0).sum()),
        p_value=signed_rank_p(_ranked_differences(raw)) if p_value is None else p_value,
        higher_is_better=higher_is_better,
        unbounded=int((~finite).sum() - ((~np.isfinite(x)) & (x == y)).sum()),
        differences=[float(v) for v in raw[finite]],
    )


def _ranked_differences(differences: np.ndarray) -> np.ndarray:
    """Differences where an infinite one is replaced by a finite one larger than every
    finite difference: the signed-rank test sees only ranks, which stay the same."""
    finite = differences[np.isfinite(differences)]
    top = 2.0 * (np.abs(finite).max() if len(finite) else 1.0) + 1.0
    return np.where(np.isfinite(differences), differences, np.sign(differences) * top)


#: Up to this many non-zero differences the signed-rank p-value is exact (as
#: scipy's own exact method, which goes up to 50 but ignores ties); above it, the
#: normal approximation with tie correction.
EXACT_UP_TO = 50


def signed_rank_p(differences: np.ndarray) -> float:
    """The two-sided p-value of Wilcoxon's signed-rank test of ``differences``
    (zeros dropped, as Wilcoxon did); 1 when nothing differs. Exact up to
    :data:`EXACT_UP_TO` non-zero differences, ties included
    (:func:`exact_signed_rank_p`); beyond, scipy's normal approximation with tie
    correction."""
    nonzero = np.asarray(differences, dtype=float)
    nonzero = nonzero[nonzero != 0]
    if len(nonzero) == 0:
        return 1.0
    if len(nonzero) <= EXACT_UP_TO:
        return exact_signed_rank_p(nonzero)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return min(1.0, float(stats.wilcoxon(nonzero, method="asymptotic").pvalue))


def exact_signed_rank_p(nonzero: np.ndarray) -> float:
    """The exact two-sided p-value of the signed-rank statistic W+ (the sum of the
    ranks of |d| whose d is positive, tied |d| sharing their mid-rank) under the null
    hypothesis that every one of the 2^n sign assignments is equally likely.

    scipy's exact method ignores ties, and its permutation method enumerates the
    2^n assignments (a second at n = 12, so it cannot serve a ranking of hundreds of
    configurations); the distribution of W+ is instead counted by adding one rank at a
    time (doubled mid-ranks are whole numbers): O(n^3) work."""
    doubled = np.rint(2 * stats.rankdata(np.abs(nonzero))).astype(int)
    total = int(doubled.sum())
    counts = np.zeros(total + 1)
    counts[0] = 1.0
    for rank in doubled:
        counts[rank:] = counts[rank:] + counts[: total + 1 - rank].copy()
    observed = int(doubled[nonzero > 0].sum())
    distance = np.abs(np.arange(total + 1) - total / 2)
    extreme = counts[distance >= abs(observed - total / 2) - 1e-9].sum()
    return min(1.0, float(extreme / counts.sum()))


def paired_differences(
    a: Mapping[int, float], b: Mapping[int, float], seeds: Sequence[int]
) -> np.ndarray:
    """a - b on ``seeds``, as the signed-rank test ranks them (two diverged runs tie;
    an infinite difference is the largest)."""
    x = np.array([a[s] for s in seeds], dtype=float)
    y = np.array([b[s] for s in seeds], dtype=float)
    with np.errstate(invalid="ignore"):
        raw = np.where(x == y, 0.0, x - y)
    return _ranked_differences(raw)


def signed_rank_ps(differences: np.ndarray) -> np.ndarray:
    """:func:`signed_rank_p` of every row of a (pairs, seeds) array at once: exactly
    (the count of :func:`exact_signed_rank_p`, every row in step, a zero difference
    adding a rank of 0) up to :data:`EXACT_UP_TO` seeds, else scipy's vectorised
    normal approximation (it drops each row's zeros itself)."""
    differences = np.asarray(differences, dtype=float)
    rows, seeds = differences.shape if differences.ndim == 2 else (len(differences), 0)
    p = np.ones(rows)
    nonzero = differences != 0
    if rows == 0 or seeds == 0 or not nonzero.any():
        return p
    if seeds > EXACT_UP_TO:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stats.wilcoxon(differences, axis=1, method="asymptotic")
        p = np.nan_to_num(np.asarray(result.pvalue, dtype=float), nan=1.0)
        p[~nonzero.any(axis=1)] = 1.0
        return np.minimum(p, 1.0)
    magnitudes = np.where(nonzero, np.abs(differences), np.nan)
    ranks = stats.rankdata(magnitudes, axis=1, nan_policy="omit")
    doubled = np.where(nonzero, np.rint(2 * np.nan_to_num(ranks)), 0).astype(int)
    totals = doubled.sum(axis=1)
    width = int(totals.max()) + 1
    counts = np.zeros((rows, width))
    counts[:, 0] = 1.0
    positions = np.arange(width)
    for k in range(seeds):
        source = positions[None, :] - doubled[:, k : k + 1]
        shifted = np.take_along_axis(counts, np.clip(source, 0, None), axis=1)
        counts = counts + np.where(source >= 0, shifted, 0.0)
    observed = (doubled * (differences > 0)).sum(axis=1)
    distance = np.abs(positions[None, :] - totals[:, None] / 2)
    extreme = distance >= np.abs(observed - totals / 2)[:, None] - 1e-9
    p = (counts * extreme).sum(axis=1) / counts.sum(axis=1)
    p[~nonzero.any(axis=1)] = 1.0
    return np.minimum(p, 1.0)


def paired_comparisons(
    rows: np.ndarray,
    baseline: np.ndarray,
    metric: str = "",
    higher_is_better: bool = True,
    names: Sequence[tuple[str, str]] = (),
    seeds: Sequence[int] = (),
    confidence: float = CONFIDENCE,
) -> list[PairedComparison]:
    """:func:`paired_comparison` of every row of ``rows`` (configurations x seeds)
    against ``baseline`` (its values on the same seeds), computed together. Rows with
    an infinite value (a diverged run) go one by one."""
    rows = np.asarray(rows, dtype=float).reshape(len(rows), -1)
    baseline = np.asarray(baseline, dtype=float)
    with np.errstate(invalid="ignore"):
        raw = np.where(rows == baseline[None, :], 0.0, rows - baseline[None, :])
    finite = np.isfinite(raw).all(axis=1)
    ranked = np.array([_ranked_differences(r) for r in raw]).reshape(raw.shape)
    p_values = signed_rank_ps(ranked)
    n = raw.shape[1]
    signs = raw if higher_is_better else -raw
    wins_a, wins_b = (signs > 0).sum(axis=1), (signs < 0).sum(axis=1)
    comparisons = []
    for i in range(len(raw)):
        pair = names[i] if i < len(names) else ("A", "B")
        if not finite[i]:
            comparisons.append(
                paired_comparison(
                    dict(zip(seeds, rows[i])),
                    dict(zip(seeds, baseline)),
                    metric,
                    higher_is_better,
                    pair,
                    confidence,
                    p_value=float(p_values[i]),
                )
            )
            continue
        comparisons.append(
            PairedComparison(
                a=pair[0],
                b=pair[1],
                metric=metric,
                seeds=n,
                difference=mean_interval(raw[i], confidence),
                wins_a=int(wins_a[i]),
                wins_b=int(wins_b[i]),
                ties=int(n - wins_a[i] - wins_b[i]),
                p_value=float(p_values[i]),
                higher_is_better=higher_is_better,
                differences=raw[i].tolist(),
            )
        )
    return comparisons


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


def seeds_for_signed_rank(alpha: float) -> int:
    """The fewest paired seeds with which a two-sided signed-rank test can reach
    ``alpha``: its smallest p-value is 2 / 2^n (every seed won by the same side)."""
    return max(1, math.ceil(math.log2(2.0 / alpha) - 1e-9))


def floor_note(seeds: int, comparisons: int, alpha: float = ALPHA) -> str:
    """A sentence when ``seeds`` are too few for any of ``comparisons`` paired tests to
    be significant after Holm (whose strictest threshold is alpha / comparisons); else
    an empty string."""
    if comparisons < 1 or seeds <= 0:
        return ""
    needed = seeds_for_signed_rank(alpha / comparisons)
    if seeds >= needed:
        return ""
    over = f" and {comparisons} comparisons" if comparisons > 1 else ""
    return (
        f"with {seeds} seeds{over} no paired test can reach {alpha:.0%}: the smallest "
        f"signed-rank p-value is 2/2^{seeds} = {2 / 2**seeds:.2g}; it takes at least "
        f"{needed} seeds"
    )
