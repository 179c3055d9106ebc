"""Statistics over seeds: intervals, paired comparisons and multiplicity.

Every figure a study reports is an estimate from a few seeds, so it comes with its
uncertainty:

- a mean with its Student-t confidence interval, ``mean ± t_{n-1, 0.975} s / sqrt(n)``;
- a share (the seeds that "learned") with its Wilson score interval;
- two configurations compared *seed by seed*: runs with the same seed share their data
  draw, their mini-batch order and their dropout noise (:func:`actinit.studies.plan.run_config.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .intervals import ALPHA, CONFIDENCE, Estimate, holm, holm_levels, mean_interval
from .lazy import LazySequence
from .shifts import (  # the shifts' names, as this module gave them before
    Shift,  # noqa: F401
    decision_p,  # noqa: F401
    hodges_lehmann,
    signed_rank_interval,
    signed_rank_intervals,
)
from .signed_rank import resolved, signed_rank_ps


def correct(
    comparisons: Sequence[PairedComparison], alpha: float = ALPHA, family: int | None = None
) -> None:
    """Holm's correction over ``comparisons`` (a family of ``family`` tests when more
    were made than are kept here; the extra ones count as never rejected): each gets
    its adjusted p-value and the level its interval is drawn at."""
    p_values = [c.p_value for c in comparisons]
    extra = max(0, (family or len(p_values)) - len(p_values))
    padded = p_values + [1.0] * extra
    for comparison, adjusted, level in zip(comparisons, holm(padded), holm_levels(padded, alpha)):
        comparison.p_adjusted = adjusted
        comparison.level = level


@dataclass
class PairedComparison:
    """A against B over the seeds both have. ``wins_a`` / ``wins_b`` count the seeds
    where each is better (by the metric's own direction) and ``ties`` the rest;
    ``p_value`` is the two-sided Wilcoxon signed-rank test's (:func:`decision_p`),
    ``p_adjusted`` Holm's when several were made, ``level`` the level the verdict is
    taken at (alpha, or Holm's step for this test). ``difference`` is the shift A - B
    the same test estimates: its Hodges-Lehmann estimate with the interval at
    1 - ``level`` that the test inverts, so that the interval excludes 0 exactly when
    the verdict says one is better."""

    a: str
    b: str
    metric: str
    seeds: int
    wins_a: int
    wins_b: int
    ties: int
    p_value: float
    higher_is_better: bool = True
    p_adjusted: float | None = None
    #: Seeds where one side's value is infinite (a diverged loss): counted as a loss
    #: for that side.
    unbounded: int = 0
    #: The per-seed differences A - B (infinite where one run diverged; two diverged
    #: runs tie at 0).
    raw: list[float] = field(default_factory=list)
    level: float = ALPHA
    _shifts: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def differences(self) -> list[float]:
        """The finite per-seed differences A - B."""
        return [v for v in self.raw if math.isfinite(v)]

    def shift(self, level: float | None = None) -> Shift:
        """The Hodges-Lehmann shift with its interval at 1 - ``level`` (default: the
        verdict's own level)."""
        level = self.level if level is None else level
        if level not in self._shifts:
            self._shifts[level] = signed_rank_interval(np.array(self.raw, dtype=float), level)
        return self._shifts[level]

    @functools.cached_property
    def estimate(self) -> float:
        """The Hodges-Lehmann shift A - B alone (no interval): the median of the Walsh
        averages, infinite where a diverged run decides it."""
        return hodges_lehmann(np.array(self.raw, dtype=float))

    @property
    def difference(self) -> Estimate:
        """The shift A - B and its interval as an :class:`Estimate` (an infinite end
        shown as unknown)."""
        s = self.shift()
        finite = [math.isfinite(v) for v in (s.estimate, s.low, s.high)]
        return Estimate(
            s.estimate if finite[0] else None,
            s.low if finite[1] else None,
            s.high if finite[2] else None,
            self.seeds,
        )

    @property
    def mean_difference(self) -> Estimate:
        """The mean of the finite differences with its Student-t interval (for
        exports; the verdict rests on the signed-rank test and its shift)."""
        return mean_interval(self.differences)

    @property
    def confidence(self) -> float:
        return 1.0 - self.level

    @property
    def p(self) -> float:
        """The p-value the verdict rests on: Holm's when corrected, else the raw one."""
        return self.p_value if self.p_adjusted is None else self.p_adjusted

    @property
    def identical(self) -> bool:
        """Every seed gave both configurations the same value: nothing to test."""
        return self.seeds > 0 and self.ties == self.seeds

    @property
    def seeds_needed(self) -> int:
        """The fewest seeds at which this test could reach its level."""
        return seeds_for_signed_rank(self.level)

    def better(self, alpha: float = ALPHA) -> str | None:
        """``"a"`` or ``"b"`` when one is better at level ``alpha`` (after Holm's
        correction when one was made), else None."""
        if self.p > alpha or self.wins_a == self.wins_b == 0:
            return None
        estimate = self.estimate  # inside the interval, which excludes 0 when rejected
        sign = np.sign(estimate) if not math.isnan(estimate) else 0
        if sign == 0:
            sign = 1 if self.wins_a > self.wins_b else -1 if self.wins_b > self.wins_a else 0
        if sign == 0:
            return None
        return "a" if (sign > 0) == self.higher_is_better else "b"

    def verdict(self, alpha: float = ALPHA) -> str:
        """In a few words: "A better", "B better", "identical on every seed", "too few
        seeds (needs N)" when no result could reach the level, else "not settled"."""
        winner = self.better(alpha)
        if winner is not None:
            return f"{winner.upper()} better"
        if self.identical:
            return "identical on every seed"
        if self.seeds < self.seeds_needed:
            return f"too few seeds (needs {self.seeds_needed})"
        return "not settled"

    def interval_text(self, fmt) -> str:
        """``estimate [low, high]``, an infinite end written as such."""
        s = self.shift()
        if math.isnan(s.estimate):
            return "difference unknown"

        def show(v: float) -> str:
            return fmt(v) if math.isfinite(v) else ("-inf" if v < 0 else "+inf")

        return f"{show(s.estimate)} [{show(s.low)}, {show(s.high)}]"

    def sentence(self, fmt, alpha: float = ALPHA) -> str:
        """The comparison in words, e.g. ``relu/he is better than relu/zeros: A - B =
        45.1 [40.2, 50.0] (Hodges-Lehmann, 95% signed-rank interval; relu/he wins 10,
        relu/zeros wins 0, ties 0; Wilcoxon p = 0.002)``."""
        winner = self.better(alpha)
        test = f"Wilcoxon p = {_p_text(self.p_value)}"
        if self.p_adjusted is not None:
            test += f", Holm-adjusted {_p_text(self.p_adjusted)}"
        counts = f"{self.a} wins {self.wins_a}, {self.b} wins {self.wins_b}, ties {self.ties}"
        size = (
            f"A - B = {self.interval_text(fmt)} (Hodges-Lehmann, "
            f"{_confidence_text(self.confidence)} signed-rank interval)"
        )
        if winner is not None:
            first, second = (self.a, self.b) if winner == "a" else (self.b, self.a)
            head = f"{first} is better than {second}"
        elif self.identical:
            head = (
                f"{self.a} and {self.b} gave the same value on every one of {self.seeds} "
                "seeds: the comparison cannot be tested"
            )
        elif self.seeds < self.seeds_needed:
            head = (
                f"too few seeds to decide between {self.a} and {self.b}: at {self.seeds} "
                f"seeds no signed-rank test can reach {self.level:.2g} (it needs "
                f"{self.seeds_needed})"
            )
        else:
            head = f"{self.a} and {self.b} are not told apart at {self.seeds} seeds"
        return f"{head}: {size} ({counts}; {test})"


def _confidence_text(confidence: float) -> str:
    text = f"{100 * confidence:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _p_text(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else "< 0.001"


def fill_shifts(comparisons: Sequence[PairedComparison | None]) -> None:
    """Compute at once the shift (at its own level) of every comparison that has not
    computed it yet, those over the same number of seeds together
    (:func:`~.shifts.signed_rank_intervals`): what a table of hundreds of comparisons
    prints."""
    by_seeds: dict[int, list[PairedComparison]] = {}
    for comparison in comparisons:
        if comparison is not None and comparison.raw and comparison.level not in comparison._shifts:
            by_seeds.setdefault(len(comparison.raw), []).append(comparison)
    for group in by_seeds.values():
        raws = np.array([comparison.raw for comparison in group], dtype=float)
        shifts = signed_rank_intervals(raws, np.array([c.level for c in group], dtype=float))
        for comparison, shift in zip(group, shifts):
            comparison._shifts[comparison.level] = shift


def paired_comparison(
    a: Mapping[int, float],
    b: Mapping[int, float],
    metric: str = "",
    higher_is_better: bool = True,
    names: tuple[str, str] = ("A", "B"),
    confidence: float = CONFIDENCE,
) -> PairedComparison:
    """Compare two configurations on the seeds both have (``a`` and ``b``: seed ->
    value). A value of +inf (-inf for a metric where higher is better) is a run that
    diverged: the worst possible value, kept in the ranks of the signed-rank test.
    ``confidence``: the interval's level (the verdict's is 1 - confidence). Many at
    once: :func:`paired_comparisons`."""
    seeds = sorted(set(a) & set(b))
    x = np.array([a[s] for s in seeds], dtype=float)
    y = np.array([b[s] for s in seeds], dtype=float)
    with np.errstate(invalid="ignore"):
        raw = np.where(x == y, 0.0, x - y)  # inf - inf of two diverged runs is a tie
    (comparison,) = paired_comparisons(
        raw[None, :], np.zeros(len(raw)), metric, higher_is_better, [names], seeds, confidence
    )
    return comparison


def paired_comparisons(
    rows: np.ndarray,
    baseline: np.ndarray,
    metric: str = "",
    higher_is_better: bool = True,
    names: Sequence[tuple[str, str]] = (),
    seeds: Sequence[int] = (),
    confidence: float = CONFIDENCE,
    far_from: float | None = None,
) -> list[PairedComparison]:
    """:func:`paired_comparison` of every row of ``rows`` (configurations x seeds)
    against ``baseline`` (its values on the same seeds), the tests computed together
    (``far_from``: see :func:`signed_rank_ps`)."""
    rows = np.asarray(rows, dtype=float).reshape(len(rows), -1)
    named = list(names) + [("A", "B")] * (len(rows) - len(names))
    return list(
        ComparisonBatch.against(
            rows, baseline, metric, higher_is_better, named.__getitem__, confidence, far_from
        )
    )


class ComparisonBatch(LazySequence[PairedComparison]):
    """Paired comparisons of many configurations with one, kept as arrays (a row per
    comparison): the p-values, wins, ties and per-seed differences of all of them at
    once, a :class:`PairedComparison` made for one when it is read. ``names(i)`` is
    the (A, B) of comparison i; ``p_adjusted`` and ``level``, arrays, are set by the
    correction that takes the batch as its family."""

    def __init__(
        self,
        raw: np.ndarray,
        metric: str,
        higher_is_better: bool,
        names: Callable[[int], tuple[str, str]],
        confidence: float = CONFIDENCE,
        far_from: float | None = None,
    ) -> None:
        self.raw = raw
        self.metric = metric
        self.higher_is_better = higher_is_better
        self.names = names
        self.p_values = signed_rank_ps(raw, far_from).astype(float)
        signs = resolved(raw) if raw.size else raw
        signs = signs if higher_is_better else -signs
        self.wins_a, self.wins_b = (signs > 0).sum(axis=1), (signs < 0).sum(axis=1)
        self.unbounded = (~np.isfinite(raw)).sum(axis=1)
        self.p_adjusted: np.ndarray | None = None
        self.level = np.full(len(raw), round(1.0 - confidence, 12))
        super().__init__(len(raw))
        self._lists: dict[str, list] | None = None
        self._better: dict[float, np.ndarray] = {}

    @classmethod
    def against(
        cls,
        rows: np.ndarray,
        baseline: np.ndarray,
        metric: str,
        higher_is_better: bool,
        names: Callable[[int], tuple[str, str]],
        confidence: float = CONFIDENCE,
        far_from: float | None = None,
    ) -> ComparisonBatch:
        """Every row of ``rows`` (comparisons x seeds) against ``baseline`` (its values
        on the same seeds): A - B seed by seed, two infinite values alike a tie."""
        baseline = np.asarray(baseline, dtype=float)
        with np.errstate(invalid="ignore"):
            raw = np.where(rows == baseline[None, :], 0.0, rows - baseline[None, :])
        return cls(raw, metric, higher_is_better, names, confidence, far_from)

    def _make(self, index: int) -> PairedComparison:
        lists = self._figure_lists()
        a, b = self.names(index)
        seeds = self.raw.shape[1]
        won, lost = lists["wins_a"][index], lists["wins_b"][index]
        adjusted = lists["p_adjusted"]
        return PairedComparison(
            a=a,
            b=b,
            metric=self.metric,
            seeds=seeds,
            wins_a=won,
            wins_b=lost,
            ties=seeds - won - lost,
            p_value=lists["p_values"][index],
            higher_is_better=self.higher_is_better,
            p_adjusted=None if adjusted is None else adjusted[index],
            unbounded=lists["unbounded"][index],
            raw=self.raw[index].tolist(),
            level=lists["level"][index],
        )

    def _figure_lists(self) -> dict[str, list]:
        """The arrays as lists, made once (a NumPy scalar per field costs more than
        the rest of a comparison)."""
        if self._lists is None:
            self._lists = {
                name: getattr(self, name).tolist()
                for name in ("wins_a", "wins_b", "p_values", "unbounded", "level")
            }
            adjusted = self.p_adjusted
            self._lists["p_adjusted"] = None if adjusted is None else adjusted.tolist()
        return self._lists

    def adjust(self, p_adjusted: np.ndarray, level: np.ndarray) -> None:
        """Set the correction's adjusted p-values and levels (before any comparison
        is read)."""
        if any(made is not None for made in self._made):
            raise RuntimeError("a batch is corrected before its comparisons are read")
        self.p_adjusted = np.asarray(p_adjusted, dtype=float)
        self.level = np.asarray(level, dtype=float)
        self._lists = None
        self._better = {}

    def better(self, alpha: float = ALPHA) -> np.ndarray:
        """Per comparison, +1 where A is better at level ``alpha``, -1 where B is, 0
        where neither (:meth:`PairedComparison.better`, read only for the comparisons
        whose p-value could make one better)."""
        if alpha in self._better:
            return self._better[alpha]
        p = self.p_values if self.p_adjusted is None else self.p_adjusted
        found = np.zeros(len(self), dtype=np.int8)
        possible = (p <= alpha) & ((self.wins_a > 0) | (self.wins_b > 0))
        for index in np.flatnonzero(possible).tolist():
            winner = self[index].better(alpha)
            found[index] = 0 if winner is None else 1 if winner == "a" else -1
        self._better[alpha] = found
        return found


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
