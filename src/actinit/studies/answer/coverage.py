"""How often each interval actinit prints covers the quantity it is of: studies of two
configurations whose truth is known (:mod:`.simulation`), on the cases where intervals
fail (divergence, the ceiling, 1,000 test points), read off the real summary and
comparison (``actinit calibrate`` prints the table)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .intervals import ALPHA, wilson_interval
from .ranking import compare_rows, rank
from .simulation import FULL_SIMS, Model, null_study, simulate

FLAT = 0.85

#: An interval passes when it covers its quantity at least this often.
COVERAGE_FLOOR = 0.93


#: Why an interval of the mean cannot cover where failures may not show.
UNSEEN = (
    "failures that do not show among the seeds cannot widen it: a configuration failing on "
    "{share} of seeds shows none in {seeds} seeds {chance:.0%} of the time; read it beside "
    "'learned k/n' and its exact interval, and 'when learned', which cover"
)


@dataclass
class CoverageCase:
    """A two-configuration study whose truth is known: A (the first) and B, under
    ``model``, at ``seeds`` seeds. ``unseen``: the share of seeds on which A fails
    while B never does, so that a study can show no failure at all (the intervals of
    the mean and of A - B then carry that exception)."""

    name: str
    model: Model
    seeds: int = 10
    unseen: float = 0.0

    def exception(self, interval: str) -> str:
        if not self.unseen or interval not in ("mean", "A - B"):
            return ""
        return UNSEEN.format(
            share=f"{100 * self.unseen:.0f}%",
            seeds=self.seeds,
            chance=(1 - self.unseen) ** self.seeds,
        )


def _failing(a: float, b: float = 0.0) -> Model:
    """A at FLAT failing on ``a`` of its seeds, B on ``b``."""
    return Model(lambda i: FLAT, fail=lambda i: a if i == 0 else b)


COVERAGE_CASES = [
    CoverageCase("no failures", Model(lambda i: FLAT), 10),
    CoverageCase("A fails on 15% of seeds, 10 seeds", _failing(0.15), 10, 0.15),
    CoverageCase("A and B fail on 15%, 10 seeds", _failing(0.15, 0.15), 10),
    CoverageCase("A fails on 5%, 20 seeds", _failing(0.05), 20, 0.05),
    CoverageCase("A fails on 5%, 40 seeds", _failing(0.05), 40, 0.05),
    CoverageCase("A and B fail on 10%, 40 seeds", _failing(0.1, 0.1), 40),
    CoverageCase(
        "near the ceiling (99.5%), 100 test points, 10 seeds",
        Model(lambda i: 0.995, shared=0.003, own=0.002),
        10,
    ),
    CoverageCase(
        "near the ceiling (99.9%), 1,000 test points, 10 seeds",
        Model(lambda i: 0.999, shared=0.001, own=0.0005, test_points=1000),
        10,
    ),
    CoverageCase("1,000 test points, 20 seeds", Model(lambda i: FLAT, test_points=1000), 20),
]


INTERVALS = ("mean", "when learned", "learned share", "A - B", "A - B when both learned")

#: Rankings of six configurations (the first truly 1 point ahead): each row's "vs best
#: of rest" interval, of its mean minus the best of the others' true means.
RANKING_CASES = [
    CoverageCase(
        "rank: 6 configurations, one 1 point ahead, 10 seeds",
        Model(lambda i: FLAT + (0.01 if i == 0 else 0.0)),
        10,
    ),
    CoverageCase(
        "rank: the same, each failing on 10% of seeds",
        Model(lambda i: FLAT + (0.01 if i == 0 else 0.0), fail=lambda i: 0.1),
        10,
    ),
]


@dataclass
class Coverage:
    """How often one printed interval covered its quantity in one case: ``covered``
    of ``shown``; ``exception``: where it may fall short, why (stated in the docs
    and by ``actinit calibrate``)."""

    case: str
    interval: str
    covered: int
    shown: int
    exception: str = ""

    @property
    def rate(self) -> float:
        return self.covered / self.shown if self.shown else math.nan

    @property
    def kept(self) -> bool:
        """Covers at least :data:`COVERAGE_FLOOR`, or says why not (a quick run, of
        fewer than :data:`FULL_SIMS` studies: the floor within its 95% interval)."""
        if not self.shown or self.exception:
            return True
        if self.shown < FULL_SIMS:
            return (wilson_interval(self.covered, self.shown)[1] or 0) >= COVERAGE_FLOOR
        return self.rate >= COVERAGE_FLOOR

    def line(self) -> str:
        low, high = wilson_interval(self.covered, self.shown) if self.shown else (None, None)
        text = (
            f"{self.case}: {self.interval}: covers {100 * self.rate:.1f}% "
            f"[{100 * (low or 0):.1f}, {100 * (high or 0):.1f}] of {self.shown}"
            if self.shown
            else f"{self.case}: {self.interval}: never printed"
        )
        if self.shown and self.rate < COVERAGE_FLOOR and self.exception:
            return text + f"  exception: {self.exception}"
        quick = " (quick run)" if self.shown < FULL_SIMS else ""
        return text + (f"  ok{quick}" if self.kept else f"  BELOW {100 * COVERAGE_FLOOR:.0f}%")


def _covers(low, high, truth: float) -> bool | None:
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return None
    return low - 1e-12 <= truth <= high + 1e-12


def coverage(
    simulations: int = 1000,
    seed: int = 0,
    on_case: Callable[[list[Coverage]], None] | None = None,
) -> list[Coverage]:
    """Each printed interval's coverage in every case of :data:`COVERAGE_CASES`
    (``simulations`` studies each), read off the real summary and comparison."""
    found = []
    for case in COVERAGE_CASES:
        study = null_study(1, 2, case.seeds)
        truth = [case.model.truth(i) for i in range(2)]
        quantities = {
            "mean": truth[0]["mean"],
            "when learned": truth[0]["learned"],
            "learned share": truth[0]["share"],
            "A - B": truth[0]["mean"] - truth[1]["mean"],
            "A - B when both learned": truth[0]["learned"] - truth[1]["learned"],
        }
        tally = {name: [0, 0] for name in INTERVALS}
        for simulation in range(simulations):
            summary = simulate(study, case.model, simulation, seed)
            a, b = summary.rows
            comparison = compare_rows(a, b, "test_accuracy")
            difference = comparison.difference(ALPHA)
            learned = comparison.when_learned(ALPHA)
            shown = {
                "mean": (a.test_accuracy.low, a.test_accuracy.high),
                "when learned": (a.learned_accuracy.low, a.learned_accuracy.high),
                "learned share": (a.learned_low, a.learned_high),
                "A - B": (difference.low, difference.high),
                "A - B when both learned": (learned.low, learned.high) if learned else (None, None),
            }
            for name, (low, high) in shown.items():
                covered = _covers(low, high, quantities[name])
                if covered is None:
                    continue
                tally[name][0] += covered
                tally[name][1] += 1
        rows = [Coverage(case.name, name, *tally[name], case.exception(name)) for name in INTERVALS]
        found += rows
        if on_case:
            on_case(rows)
    for case in RANKING_CASES:
        rows = [_ranking_coverage(case, simulations, seed)]
        found += rows
        if on_case:
            on_case(rows)
    return found


def _ranking_coverage(case: CoverageCase, simulations: int, seed: int) -> Coverage:
    """How often each row's "vs best of rest" interval holds its configuration's true
    mean minus the best true mean of the others (pooled over rows and studies)."""
    study = null_study(3, 2, case.seeds)
    truth = [case.model.truth(i)["mean"] for i in range(len(study.configs))]
    position = {config.key: i for i, config in enumerate(study.configs)}
    covered = shown = 0
    for simulation in range(simulations):
        ranking = rank(simulate(study, case.model, simulation, seed))
        for entry in ranking.entries:
            i = position[entry.row.config.key]
            target = truth[i] - max(t for j, t in enumerate(truth) if j != i)
            found = _covers(*entry.interval, target)
            if found is not None:
                covered += found
                shown += 1
    return Coverage(case.name, "vs best of rest", covered, shown)
