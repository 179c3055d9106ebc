"""Paired comparisons over seeds, and their multiplicity.

Every figure a study reports is an estimate from a few seeds, so it comes with its
uncertainty:

- a mean with its Student-t confidence interval, ``mean ± t_{n-1, 0.975} s / sqrt(n)``,
  the spread never below one step of an accuracy's lattice (:mod:`.differences`);
- a share of seeds (those that learned) with its exact Clopper-Pearson interval;
- two configurations compared *seed by seed*: runs with the same seed share their data
  draw, their mini-batch order and their dropout noise
  (:func:`actinit.studies.run.fitting.data_seed`,
  :class:`actinit.engine.model.Sequential`), so the difference
  of two configurations is measured on the same draws (common random numbers). The
  paired comparison tests and shows one quantity, **the mean difference A - B over
  seeds** (Student's paired t test and the interval it inverts), beside the seeds each
  one wins and, where the study says what "learned" means, how often each failed
  (McNemar's exact test) and the difference on the seeds where both learned;
- many comparisons at once are corrected with Holm's step-down method, which keeps the
  chance of any false "better" at most ``alpha`` (family-wise).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .differences import Difference, Failures, MeanTests, lattice_unit, p_text
from .intervals import ALPHA, CONFIDENCE, Estimate, holm, holm_levels
from .lazy import LazySequence

#: A paired t test needs two seeds to have a spread.
SEEDS_NEEDED = 2


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
    ``p_value`` is the two-sided paired t test of the mean difference, ``p_adjusted``
    Holm's when several were made, ``level`` the level the verdict is taken at (alpha,
    or Holm's step for this test). :meth:`difference` is the mean difference A - B
    with the interval at 1 - ``level`` that the same test inverts, so that the
    interval excludes 0 exactly when the verdict says one is better."""

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
    #: Seeds where one side's value is infinite (a diverged loss): left out of the
    #: mean difference, and counted in ``failures``.
    unbounded: int = 0
    #: The per-seed differences A - B (infinite where one run diverged; two diverged
    #: runs tie at 0).
    raw: list[float] = field(default_factory=list)
    level: float = ALPHA
    #: The spread's floor: one step of the metric's lattice (0: none).
    unit: float = 0.0
    #: How often each failed, seed by seed (None where the study has no "learned").
    failures: Failures | None = None
    #: The per-seed differences on the seeds where both learned (None: not known).
    learned_raw: list[float] | None = None

    @property
    def differences(self) -> list[float]:
        """The finite per-seed differences A - B."""
        return [v for v in self.raw if math.isfinite(v)]

    def _tests(self) -> MeanTests:
        return MeanTests.of(np.array(self.raw, dtype=float)[None, :], self.unit)

    def difference(self, level: float | None = None) -> Difference:
        """The mean difference A - B with its interval at 1 - ``level`` (default: the
        verdict's own level)."""
        return self._tests().difference(0, self.level if level is None else level)

    # the name earlier versions gave the interval of the tested quantity
    shift = difference

    @property
    def estimate(self) -> float:
        """The mean difference A - B alone (no interval)."""
        return float(np.mean(self.differences)) if self.differences else math.nan

    @property
    def mean_difference(self) -> Estimate:
        """The mean difference and its interval at the verdict's level as an
        :class:`Estimate` (an infinite end shown as unknown)."""
        d = self.difference()
        ends = [v if math.isfinite(v) else None for v in (d.estimate, d.low, d.high)]
        return Estimate(*ends, d.n)

    def when_learned(self, level: float | None = None) -> Difference | None:
        """The mean difference on the seeds where both learned ("how well it does
        when it works"), at ``level`` (default the verdict's); None when unknown."""
        if self.learned_raw is None:
            return None
        tests = MeanTests.of(np.array(self.learned_raw, dtype=float)[None, :], self.unit)
        return tests.difference(0, self.level if level is None else level)

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
        """The fewest seeds with which the test can decide anything."""
        return SEEDS_NEEDED

    def better(self, alpha: float = ALPHA) -> str | None:
        """``"a"`` or ``"b"`` when one has the better mean at level ``alpha`` (after
        Holm's correction when one was made): the interval at that level excludes 0."""
        if self.p >= alpha or self.identical or not self.differences:
            return None
        estimate = self.estimate
        if estimate == 0 or math.isnan(estimate):
            return None
        return "a" if (estimate > 0) == self.higher_is_better else "b"

    def verdict(self, alpha: float = ALPHA) -> str:
        """In a few words: "A better", "B better", "identical on every seed", "too few
        seeds (needs 2)", else "not settled"."""
        winner = self.better(alpha)
        if winner is not None:
            return f"{winner.upper()} better"
        if self.identical:
            return "identical on every seed"
        if len(self.differences) < self.seeds_needed:
            return f"too few seeds (needs {self.seeds_needed})"
        return "not settled"

    def interval_text(self, fmt) -> str:
        """``estimate [low, high]``, an infinite end written as such."""
        return self.difference().text(fmt)

    def sentence(self, fmt, alpha: float = ALPHA) -> str:
        """The comparison in words, e.g. ``relu/he is better than relu/zeros: A - B =
        45.1 [40.2, 50.0] (mean over 10 seeds, 95% paired-t interval; relu/he wins
        10, relu/zeros wins 0, ties 0; p = 0.002)``, then how often each failed and
        the difference where both learned."""
        winner = self.better(alpha)
        test = f"paired t p {p_text(self.p_value)}"
        if self.p_adjusted is not None:
            test += f", Holm-adjusted {p_text(self.p_adjusted)}"
        counts = f"{self.a} wins {self.wins_a}, {self.b} wins {self.wins_b}, ties {self.ties}"
        size = (
            f"A - B = {self.interval_text(fmt)} (mean over {len(self.differences)} seeds, "
            f"{_confidence_text(self.confidence)} interval)"
        )
        if winner is not None:
            first, second = (self.a, self.b) if winner == "a" else (self.b, self.a)
            head = f"{first} is better than {second} on the mean over seeds"
        elif self.identical:
            head = (
                f"{self.a} and {self.b} gave the same value on every one of {self.seeds} "
                "seeds: the comparison cannot be tested"
            )
        elif len(self.differences) < self.seeds_needed:
            head = f"too few seeds to decide between {self.a} and {self.b} (a t test needs 2)"
        else:
            head = f"{self.a} and {self.b} are not told apart at {self.seeds} seeds"
        text = f"{head}: {size} ({counts}; {test})"
        return text + self.parts_sentence(fmt, alpha)

    def parts_sentence(self, fmt, alpha: float = ALPHA) -> str:
        """The mean taken apart: how often each failed, and the difference where both
        learned (empty when the study says nothing of learning)."""
        if self.failures is None:
            return ""
        f = self.failures
        fewer = f.fewer(alpha)
        how_often = (
            f"{self.a if fewer == 'a' else self.b} fails less often"
            if fewer
            else "how often each fails is not told apart"
        )
        text = f". Taken apart: {how_often} ({f.text(self.a, self.b)})"
        learned = self.when_learned()
        if learned is not None and learned.n >= 1:
            text += f"; on the {learned.n} seeds where both learned, A - B = {learned.text(fmt)}"
        if f.discordant == 0 and f.seeds:
            text += (
                f"; no seed learned with one and failed with the other, yet up to "
                f"{100 * f.discordant_bound(alpha):.0f}% of seeds could (95% bound)"
            )
        return text


def _confidence_text(confidence: float) -> str:
    text = f"{100 * confidence:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def paired_comparison(
    a: Mapping[int, float],
    b: Mapping[int, float],
    metric: str = "",
    higher_is_better: bool = True,
    names: tuple[str, str] = ("A", "B"),
    confidence: float = CONFIDENCE,
    failed: tuple[Mapping[int, bool], Mapping[int, bool]] | None = None,
) -> PairedComparison:
    """Compare two configurations on the seeds both have (``a`` and ``b``: seed ->
    value). An infinite value is a run whose metric diverged: it is left out of the
    mean difference and counted as a failure. ``confidence``: the interval's level
    (the verdict's is 1 - confidence). ``failed``: seed -> did the run fail, for A and
    B (the decomposition into failures and the difference where both learned)."""
    seeds = sorted(set(a) & set(b))
    x = np.array([a[s] for s in seeds], dtype=float)
    y = np.array([b[s] for s in seeds], dtype=float)
    with np.errstate(invalid="ignore"):
        raw = np.where(x == y, 0.0, x - y)  # inf - inf of two diverged runs is a tie
    unit = lattice_unit(np.concatenate([x, y]), metric or "test_accuracy") if metric else 0.0
    batch = ComparisonBatch(
        raw[None, :], metric, higher_is_better, lambda _: names, confidence, unit
    )
    comparison = batch[0]
    if failed is not None:
        fa = np.array([bool(failed[0].get(s, False)) for s in seeds])
        fb = np.array([bool(failed[1].get(s, False)) for s in seeds])
        from .differences import mcnemar

        comparison.failures = mcnemar(fa | ~np.isfinite(x), fb | ~np.isfinite(y))
        both = ~(fa | fb) & np.isfinite(raw)
        comparison.learned_raw = raw[both].tolist()
    return comparison


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
    against ``baseline`` (its values on the same seeds), the tests computed together."""
    rows = np.asarray(rows, dtype=float).reshape(len(rows), -1)
    named = list(names) + [("A", "B")] * (len(rows) - len(names))
    unit = (
        lattice_unit(np.concatenate([rows.ravel(), np.asarray(baseline, float)]), metric)
        if metric
        else 0.0
    )
    return list(
        ComparisonBatch.against(
            rows, baseline, metric, higher_is_better, named.__getitem__, confidence, unit
        )
    )


class ComparisonBatch(LazySequence[PairedComparison]):
    """Paired comparisons kept as arrays (a row per comparison): the p-values, wins,
    ties and per-seed differences of all of them at once, a :class:`PairedComparison`
    made for one when it is read. ``names(i)`` is the (A, B) of comparison i;
    ``p_adjusted`` and ``level``, arrays, are set by the correction that takes the
    batch as its family (:meth:`adjust`)."""

    def __init__(
        self,
        raw: np.ndarray,
        metric: str,
        higher_is_better: bool,
        names: Callable[[int], tuple[str, str]],
        confidence: float = CONFIDENCE,
        unit: float = 0.0,
    ) -> None:
        self.raw = raw
        self.metric = metric
        self.higher_is_better = higher_is_better
        self.names = names
        self.unit = unit
        self.tests = MeanTests.of(raw, unit) if len(raw) else MeanTests.of(np.zeros((0, 1)))
        self.p_values = self.tests.p
        signs = np.sign(np.where(np.isnan(raw), 0.0, raw)) if raw.size else raw
        signs = signs if higher_is_better else -signs
        self.wins_a, self.wins_b = (signs > 0).sum(axis=1), (signs < 0).sum(axis=1)
        self.unbounded = (~np.isfinite(raw)).sum(axis=1)
        self.p_adjusted: np.ndarray | None = None
        self.level = np.full(len(raw), round(1.0 - confidence, 12))
        super().__init__(len(raw))

    @classmethod
    def against(
        cls,
        rows: np.ndarray,
        baseline: np.ndarray,
        metric: str,
        higher_is_better: bool,
        names: Callable[[int], tuple[str, str]],
        confidence: float = CONFIDENCE,
        unit: float = 0.0,
    ) -> ComparisonBatch:
        """Every row of ``rows`` (comparisons x seeds) against ``baseline`` (its values
        on the same seeds): A - B seed by seed, two infinite values alike a tie."""
        baseline = np.asarray(baseline, dtype=float)
        with np.errstate(invalid="ignore"):
            raw = np.where(rows == baseline[None, :], 0.0, rows - baseline[None, :])
        return cls(raw, metric, higher_is_better, names, confidence, unit)

    def _make(self, index: int) -> PairedComparison:
        a, b = self.names(index)
        seeds = self.raw.shape[1]
        won, lost = int(self.wins_a[index]), int(self.wins_b[index])
        adjusted = self.p_adjusted
        return PairedComparison(
            a=a,
            b=b,
            metric=self.metric,
            seeds=seeds,
            wins_a=won,
            wins_b=lost,
            ties=seeds - won - lost,
            p_value=float(self.p_values[index]),
            higher_is_better=self.higher_is_better,
            p_adjusted=None if adjusted is None else float(adjusted[index]),
            unbounded=int(self.unbounded[index]),
            raw=self.raw[index].tolist(),
            level=float(self.level[index]),
            unit=self.unit,
        )

    def adjust(self, p_adjusted: np.ndarray, level: np.ndarray) -> None:
        """Set the correction's adjusted p-values and levels; comparisons already
        read are updated too."""
        self.p_adjusted = np.asarray(p_adjusted, dtype=float)
        self.level = np.asarray(level, dtype=float)
        for index, made in enumerate(self._made):
            if made is not None:
                made.p_adjusted = float(self.p_adjusted[index])
                made.level = float(self.level[index])

    def better(self, alpha: float = ALPHA) -> np.ndarray:
        """Per comparison, +1 where A has the better mean at level ``alpha``, -1 where
        B has, 0 where neither (:meth:`PairedComparison.better` for all at once)."""
        p = self.p_values if self.p_adjusted is None else self.p_adjusted
        mean = self.tests.mean
        sign = np.sign(np.nan_to_num(mean)) * (1 if self.higher_is_better else -1)
        identical = (self.wins_a == 0) & (self.wins_b == 0)
        return np.where((p < alpha) & ~identical, sign, 0).astype(np.int8)


def floor_note(seeds: int, comparisons: int, alpha: float = ALPHA) -> str:
    """A sentence when ``seeds`` are too few for any paired test (fewer than two);
    else an empty string."""
    if comparisons < 1 or seeds <= 0 or seeds >= SEEDS_NEEDED:
        return ""
    return f"with {seeds} seed no paired test can decide anything: a t test needs {SEEDS_NEEDED}"
