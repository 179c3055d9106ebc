"""How often each kind of claim is wrong: null studies simulated through the real
decision code.

Every answer actinit gives ("A is better than B", "X is worse than the best", "the
best initializer depends on activation", "not reproduced", "supported", and the same
after adaptive rounds of seeds) promises that it is false with a chance of at most 5%.
This module measures that promise. Each simulation builds a study whose truth is
known and in which the claim is false (identical configurations, effects that add up
without interacting, a published figure drawn like one more seed), stores its runs in
an in-memory store, and asks the same functions the command line asks:
:func:`~.summary.summarize`, :func:`~.ranking.compare_rows`, :func:`~.ranking.rank`,
:func:`~.effects.interactions`, :func:`~.adaptive.run_adaptive`,
:func:`~.conclusions.judge_conclusions`. Nothing is trained.

Runs look like real ones: each seed shares a draw between configurations (its data,
its mini-batch order: a common effect of standard deviation ``shared``), each run has
its own noise, and accuracy is a count of correct test points out of ``test_points``
(so accuracies are discrete and tie, as in a real study of 100 test points).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .adaptive import run_adaptive
from .conclusions import judge_conclusions
from .coverage import COVERAGE_CASES, COVERAGE_FLOOR, Coverage, coverage  # noqa: F401
from .effects import effects, interactions
from .intervals import ALPHA, wilson_interval
from .ranking import compare_rows, rank
from .simulation import (  # noqa: F401  (the harness's names, as this module gave them)
    FULL_SIMS,
    MemoryStore,
    Model,
    _record,
    null_study,
    simulate,
    simulated_runs,
)
from .summary import StudySummary, summarize

#: A claim's rate passes when its 95% upper bound is under this, at FULL_SIMS or more.
PASS_UPPER = 0.065


# --------------------------------------------------------------------------
# The claims
# --------------------------------------------------------------------------


@dataclass
class Claim:
    """One kind of claim: how a null study is made and what in the answer would be a
    false claim about it."""

    name: str
    description: str
    #: (simulation, base seed) -> was a false claim made?
    trial: Callable[[int, int], bool]
    #: Share of the simulations a full run makes (adaptive rounds are slower).
    weight: float = 1.0
    #: A claim measured for power, not error: the share of simulations that find a true
    #: effect.
    power: bool = False

    #: The simulations of a full run: 5,000 (a true rate of exactly 5% then passes
    #: the rule with room to spare: its upper bound is about 5.6%), 2,000 for the slow
    #: claims (adaptive rounds, a 16-configuration grid at 40 seeds).
    full_sims: int = 5000


FLAT = 0.85


def _pair(seeds: int, model: Model, extra: str = "") -> Callable[[int, int], StudySummary]:
    """A study of two configurations (A first) simulated under ``model``."""
    study = null_study(1, 2, seeds, extra)
    return lambda simulation, base: simulate(study, model, simulation, base)


def _compare(seeds: int = 10, shift: float = 0.0, **model: Any) -> Callable[[int, int], bool]:
    """A vs B; with ``shift`` A is that much better (power: A named), else any
    "better" is false. ``model``: the rest of :class:`Model` (test points, failures)."""
    mean = model.pop("mean", FLAT)
    summaries = _pair(seeds, Model(lambda i: mean + (shift if i == 0 else 0.0), **model))

    def trial(simulation: int, base: int) -> bool:
        a, b = summaries(simulation, base).rows
        winner = compare_rows(a, b, "test_accuracy").better()
        return winner == "a" if shift else winner is not None

    return trial


def _one_sided(seeds: int, what: str) -> Callable[[int, int], bool]:
    """B is A but fails on 10% of seeds (A never): A's mean is 3.5 points higher.
    False: ``what`` = "b better" (on the mean), "b fails less", "when learned" (any
    difference where both learned: they are the same runs there)."""
    summaries = _pair(seeds, Model(lambda i: FLAT, fail=lambda i: 0.1 if i == 1 else 0.0))

    def trial(simulation: int, base: int) -> bool:
        a, b = summaries(simulation, base).rows
        c = compare_rows(a, b, "test_accuracy")
        if what == "b better":
            return c.better() == "b"
        if what == "b fails less":
            return c.failures.fewer() == "b"
        learned = c.when_learned(ALPHA)
        return learned is not None and learned.n >= 2 and learned.excludes_zero

    return trial


def _both_sided(seeds: int, what: str = "better") -> Callable[[int, int], bool]:
    """A and B the same, each failing on 10% of seeds on its own: any "better" (or,
    ``what`` = "fails less", any "fails less often") is false."""
    summaries = _pair(seeds, Model(lambda i: FLAT, fail=lambda i: 0.1))

    def trial(simulation: int, base: int) -> bool:
        a, b = summaries(simulation, base).rows
        c = compare_rows(a, b, "test_accuracy")
        return c.failures.fewer() is not None if what == "fails less" else c.better() is not None

    return trial


def _rank(configurations: int = 6, seeds: int = 10, guarantee: str = "every-pair", **model: Any):
    """Identical configurations: under every-pair or screening, any left out of the
    best set is a false claim ("worse than the best")."""
    study = null_study(configurations // 2, 2, seeds)
    truth = Model(lambda i: FLAT, **model)

    def trial(simulation: int, base: int) -> bool:
        ranking = rank(simulate(study, truth, simulation, base), guarantee=guarantee)
        return len(ranking.best_set) < len(ranking.entries)

    return trial


def _best_set(configurations: int = 6, seeds: int = 10, ahead: float = 0.002, **model: Any):
    """The default guarantee's own claim, "the best configuration is in the best
    set": one configuration truly ``ahead`` of the others (which are identical), so
    that the data often rank another first. False: the true best left out."""
    study = null_study(configurations // 2, 2, seeds)
    truth = Model(lambda i: FLAT + (ahead if i == 0 else 0.0), **model)
    best_key = study.configs[0].key

    def trial(simulation: int, base: int) -> bool:
        ranking = rank(simulate(study, truth, simulation, base))
        return best_key not in {entry.row.config.key for entry in ranking.best_set}

    return trial


def _rank_then_compare(seeds: int = 10) -> Callable[[int, int], bool]:
    """6 identical configurations ranked, then the first two compared with `compare`
    (a comparison picked by the ranking, tested as if planned): "better" is false."""
    study = null_study(3, 2, seeds)
    truth = Model(lambda i: FLAT)

    def trial(simulation: int, base: int) -> bool:
        summary = simulate(study, truth, simulation, base)
        ranking = rank(summary)
        first, second = ranking.entries[0].row, ranking.entries[1].row
        return compare_rows(first, second, "test_accuracy").better() is not None

    return trial


def _adaptive(
    max_seeds: int, precision: float | None = None, shift: float = 0.0, rank_after: bool = False
) -> Callable[[int, int], bool]:
    study = null_study(1, 2, 10)
    model = Model(lambda i: FLAT + (shift if i == 0 else 0.0))

    def trial(simulation: int, base: int) -> bool:
        store = MemoryStore()
        result = run_adaptive(
            study,
            store,
            max_seeds,
            precision,
            run=simulated_runs(study, model, simulation, base),
        )
        if rank_after:  # the store read again afterwards, as `actinit rank` reads it
            ranking = rank(summarize(study, store), guarantee="every-pair")
        else:
            ranking = rank(result.summary, alpha=result.alpha, guarantee="every-pair")
        if shift:
            return [e.label for e in ranking.best_set] == [ranking.entries[0].label] and (
                ranking.entries[0].row.config.key == study.configs[0].key
            )
        return len(ranking.best_set) < len(ranking.entries)

    return trial


def _effects(seeds: int = 10) -> Callable[[int, int], bool]:
    """A 3 x 3 grid whose activation and initializer each shift accuracy (each main
    effect found about 60% of the time level by level) but add up: no interaction."""
    study = null_study(3, 3, seeds)
    activation_effect, initializer_effect = (0.0, 0.01, 0.02), (0.0, 0.012, 0.024)

    def mean(i: int) -> float:
        return 0.8 + activation_effect[i // 3] + initializer_effect[i % 3]

    model = Model(mean)

    def trial(simulation: int, base: int) -> bool:
        return bool(interactions(simulate(study, model, simulation, base)))

    return trial


def _interaction_words(gaps: tuple[float, float], false_words: str, seeds: int = 10):
    """A 2 x 2 grid: he - xavier is ``gaps[0]`` at relu and ``gaps[1]`` at tanh (the
    interaction is real). False: a sentence containing ``false_words`` ("depends on"
    where the gaps do not cross; "more" where the gaps are equal and opposite, which no
    test compares in size)."""
    study = null_study(2, 2, seeds)  # relu/he, relu/xavier, tanh/he, tanh/xavier

    def mean(i: int) -> float:
        activation, initializer = divmod(i, 2)
        return 0.8 + (gaps[activation] if initializer == 0 else 0.0)

    model = Model(mean)

    def trial(simulation: int, base: int) -> bool:
        said = interactions(simulate(study, model, simulation, base))
        return any(false_words in found.sentence for found in said)

    return trial


def _main_effects(seeds: int = 10) -> Callable[[int, int], bool]:
    study = null_study(3, 3, seeds)
    model = Model(lambda i: FLAT)

    def trial(simulation: int, base: int) -> bool:
        return any(effect.matters for effect in effects(simulate(study, model, simulation, base)))

    return trial


FIGURES = """
[[published]]
activation = "relu"
initializer = "he_normal"
value = {0}
tolerance = 0.0

[[published]]
activation = "relu"
initializer = "xavier_normal"
value = {1}
tolerance = 0.0

[[published]]
activation = "tanh"
initializer = "he_normal"
value = {2}
tolerance = 0.0
"""


def _figures(seeds: int = 120) -> Callable[[int, int], bool]:
    """Three published figures, each one more draw of its configuration (another seed
    of the same distribution): "not reproduced" anywhere is a false claim. At 120
    seeds the rank test, Holm-corrected over three figures, can reject (it needs 119):
    below that, the rate would be 0 by construction."""
    model = Model(lambda i: FLAT)
    base_study = null_study(2, 2, seeds)

    def trial(simulation: int, base: int) -> bool:
        # the figure: seed `seeds` of the same model, which the study never runs
        figures = [
            _record(config, seeds, i, model, simulation, base)["test_accuracy"]
            for i, config in enumerate(base_study.configs[:3])
        ]
        study = null_study(2, 2, seeds, FIGURES.format(*figures))
        summary = simulate(study, model, simulation, base)
        return any(c.verdict == "not reproduced" for c in summary.comparisons)

    return trial


CONCLUSIONS = """
[[conclusion]]
text = "He beats Xavier with relu"
a = {{ activation = "relu", initializer = "he_normal" }}
b = {{ activation = "relu", initializer = "xavier_normal" }}

[[conclusion]]
text = "relu beats tanh with He"
a = {{ activation = "relu", initializer = "he_normal" }}
b = [{{ activation = "tanh", initializer = "he_normal" }}]

[[conclusion]]
text = "He and Xavier are equally good with tanh"
claim = "equal"
margin = 0.01
a = {{ activation = "tanh", initializer = "he_normal" }}
b = {{ activation = "tanh", initializer = "xavier_normal" }}
"""


def _conclusions(seeds: int = 10) -> Callable[[int, int], bool]:
    """Two "better" claims between identical configurations (supported or
    contradicted is false) and an "equal" claim whose two sides differ by 2 points,
    twice its margin (supported is false)."""
    study = null_study(2, 2, seeds, CONCLUSIONS.format())
    model = Model(lambda i: FLAT + (0.02 if i == 3 else 0.0))

    def trial(simulation: int, base: int) -> bool:
        tested = judge_conclusions(simulate(study, model, simulation, base))
        better = any(t.verdict in ("supported", "contradicted") for t in tested[:2])
        return better or tested[2].verdict == "supported"

    return trial


EQUAL = """
[[conclusion]]
text = "A and B are equally good"
claim = "equal"
metric = "{metric}"
margin = {margin}
a = {{ activation = "relu", initializer = "he_normal" }}
b = {{ activation = "relu", initializer = "xavier_normal" }}
"""


def _equal(seeds: int, fail_b: float = 0.0, at_margin: bool = False, metric: str = "test_accuracy"):
    """ "A and B are equally good within 1 point" where it is false: B fails on
    ``fail_b`` of its seeds (its mean is then that share of 35 points lower), or
    (``at_margin``) B is exactly one test point of 100 below A on most seeds (one
    more or one less on a fifth of them, in equal measure): the mean gap is the
    margin itself, and every per-seed difference sits on or next to it. "supported" is
    false. On the test loss (1 - accuracy here) nothing widens the interval for
    failures not seen, so the margin rule itself is what is measured."""
    study = null_study(1, 2, seeds, EQUAL.format(metric=metric, margin=0.01))
    model = Model(
        lambda i: FLAT,
        fail=lambda i: fail_b if i else 0.0,
        paired=(lambda i: i) if at_margin else None,
    )

    def trial(simulation: int, base: int) -> bool:
        (tested,) = judge_conclusions(simulate(study, model, simulation, base))
        return tested.verdict == "supported"

    return trial


CLAIMS: list[Claim] = [
    Claim("compare", "A vs B, two identical configurations, 10 seeds", _compare()),
    Claim("compare-40", "the same at 40 seeds", _compare(40)),
    Claim("compare-1000", "the same, 1,000 test points", _compare(test_points=1000)),
    Claim(
        "compare-ceiling",
        "the same near the ceiling (99.5%, 100 test points: most runs perfect)",
        _compare(mean=0.995, shared=0.002, own=0.002),
    ),
    Claim(
        "compare-diverging",
        "two identical configurations, each failing on 10% of seeds, 10 seeds: 'better'",
        _both_sided(10),
    ),
    Claim("compare-diverging-40", "the same at 40 seeds", _both_sided(40)),
    Claim(
        "fails-less",
        "the same: either called to fail less often (McNemar)",
        _both_sided(20, "fails less"),
    ),
    Claim(
        "compare-one-sided",
        "B = A but failing on 10% of seeds (A's mean 3.5 points higher), 10 seeds: 'B better'",
        _one_sided(10, "b better"),
    ),
    Claim("compare-one-sided-40", "the same at 40 seeds", _one_sided(40, "b better")),
    Claim(
        "fails-less-one-sided",
        "the same, 20 seeds: 'B fails less often'",
        _one_sided(20, "b fails less"),
    ),
    Claim(
        "when-learned",
        "the same, 20 seeds: a difference where both learned (the same runs there)",
        _one_sided(20, "when learned"),
    ),
    Claim(
        "equal-diverging",
        "'equal within 1 point' while B fails on 5% of seeds (mean gap 1.75), 10 seeds",
        _equal(10, fail_b=0.05),
        0.5,
    ),
    Claim("equal-diverging-40", "the same at 40 seeds", _equal(40, fail_b=0.05), 0.5),
    Claim(
        "equal-at-margin",
        "'equal within 1 point' of test loss, B one test point below A on most seeds "
        "(the gap is the margin), 20 seeds",
        _equal(20, at_margin=True, metric="test_loss"),
        0.5,
    ),
    Claim(
        "equal-at-margin-40",
        "the same at 40 seeds",
        _equal(40, at_margin=True, metric="test_loss"),
        0.5,
    ),
    Claim(
        "rank",
        "6 configurations, one truly 0.2 points ahead (nearly tied: the hardest case), 10 "
        "seeds: the best left out of the best set",
        _best_set(),
    ),
    Claim("rank-20", "the same at 20 seeds", _best_set(seeds=20)),
    Claim(
        "rank-40",
        "the same at 40 seeds, 16 configurations",
        _best_set(16, 40),
        0.5,
        full_sims=FULL_SIMS,
    ),
    Claim(
        "rank-diverging",
        "the same at 10 seeds, each configuration failing on 10% of seeds",
        _best_set(fail=lambda i: 0.1),
    ),
    Claim(
        "rank-every-pair",
        "6 identical configurations, --guarantee every-pair: any called worse than the best",
        _rank(),
    ),
    Claim(
        "rank-every-pair-diverging",
        "the same, each failing on 10% of seeds",
        _rank(fail=lambda i: 0.1),
    ),
    Claim(
        "rank-screening",
        "6 identical configurations, --guarantee screening: any called worse than the best",
        _rank(guarantee="screening"),
    ),
    Claim(
        "rank-then-compare",
        "6 identical configurations ranked, the first two then compared as if planned",
        _rank_then_compare(),
    ),
    Claim(
        "adaptive-40",
        "two identical configurations, seeds doubled 10 -> 40 while undecided",
        _adaptive(40),
        0.3,
        full_sims=FULL_SIMS,
    ),
    Claim("adaptive-160", "the same, 10 -> 160", _adaptive(160), 0.15, full_sims=FULL_SIMS),
    Claim(
        "adaptive-precision",
        "the same until every interval is within ± 1 point (max 40)",
        _adaptive(40, 0.01),
        0.3,
        full_sims=FULL_SIMS,
    ),
    Claim(
        "adaptive-then-rank",
        "the same, 10 -> 40, then `rank` reading the store afterwards",
        _adaptive(40, rank_after=True),
        0.3,
        full_sims=FULL_SIMS,
    ),
    Claim(
        "effects",
        "3 x 3 identical configurations: a dimension called to matter",
        _main_effects(),
        0.5,
    ),
    Claim(
        "interactions",
        "3 x 3 grid whose main effects add up (no interaction): any interaction sentence",
        _effects(),
        0.3,
    ),
    Claim(
        "interactions-no-crossing",
        "2 x 2 grid, he - xavier 4 points at relu, 0 at tanh: 'the best depends on'",
        _interaction_words((0.04, 0.0), "depends on"),
        0.3,
    ),
    Claim(
        "interactions-opposite",
        "2 x 2 grid, he - xavier +2 at relu, -2 at tanh: any 'matters more' (sizes equal)",
        _interaction_words((0.02, -0.02), "more"),
        0.3,
    ),
    Claim(
        "figures",
        "3 published figures, each one more draw, 120 seeds: 'not reproduced'",
        _figures(),
        0.25,
    ),
    Claim(
        "conclusions",
        "2 'better' claims between identical configurations, 1 'equal' claim 2 margins off",
        _conclusions(),
        0.5,
    ),
    Claim(
        "power-compare",
        "A truly 3 points better (seed spread 4, own noise 2, 100 test points), 10 seeds",
        _compare(10, 0.03),
        power=True,
    ),
    Claim("power-compare-20", "the same at 20 seeds", _compare(20, 0.03), power=True),
    Claim(
        "power-adaptive",
        "A truly 3 points better, seeds doubled 10 -> 40: A named the winner",
        _adaptive(40, shift=0.03),
        0.3,
        power=True,
        full_sims=FULL_SIMS,
    ),
]


@dataclass
class Rate:
    """How often a claim was made in ``simulations``, with its Wilson interval."""

    claim: Claim
    hits: int
    simulations: int
    seconds: float
    low: float = field(init=False)
    high: float = field(init=False)

    def __post_init__(self) -> None:
        low, high = wilson_interval(self.hits, self.simulations)
        self.low, self.high = low or 0.0, high or 0.0

    @property
    def rate(self) -> float:
        return self.hits / self.simulations if self.simulations else math.nan

    @property
    def kept(self) -> bool:
        """The rate's 95% upper bound is under :data:`PASS_UPPER` (a true rate of 5%
        passes at 5,000 simulations almost always; one of 6.5% never). A quick run
        (fewer simulations) fails only where its rate is surely above 6.5% (the low end
        of its interval): a claim broken at 10% is caught at 300 simulations, and one
        kept at exactly 5% is not failed by chance."""
        if self.claim.power:
            return True
        if self.simulations >= FULL_SIMS:
            return self.high < PASS_UPPER
        return self.low <= PASS_UPPER

    def line(self) -> str:
        what = "power" if self.claim.power else "false-claim rate"
        mark = ""
        if not self.claim.power:
            quick = "" if self.simulations >= FULL_SIMS else " (quick run)"
            mark = f"  ok{quick}" if self.kept else "  ABOVE"
        return (
            f"{self.claim.name}: {what} {100 * self.rate:.1f}% "
            f"[{100 * self.low:.1f}, {100 * self.high:.1f}] ({self.simulations} sims; "
            f"{self.claim.description}){mark}"
        )


def calibrate(
    simulations: int = 1000,
    seed: int = 0,
    claims: Sequence[str] | None = None,
    on_rate: Callable[[Rate], None] | None = None,
) -> list[Rate]:
    """Each claim's rate over ``simulations`` null studies (below :data:`FULL_SIMS`,
    scaled by the claim's weight, at least 20: a quick run; from it on, every claim
    gets at least :attr:`Claim.full_sims`), ``seed`` fixing every draw; ``claims`` picks some by name, or
    by the start of their names ("adaptive": all three, "power": every power line)."""
    names = {c.name for c in CLAIMS}

    def picks(claim: Claim) -> bool:
        return claims is None or any(
            claim.name == n or (n not in names and claim.name.startswith(n)) for n in claims
        )

    chosen = [c for c in CLAIMS if picks(c)]
    unknown = {
        n for n in claims or [] if not n.strip() or not any(c.name.startswith(n) for c in CLAIMS)
    }
    if unknown:
        raise ValueError(
            f"unknown claim {sorted(unknown)[0]!r}; claims: {', '.join(c.name for c in CLAIMS)}"
        )
    rates = []
    for claim in chosen:
        count = _count(claim, simulations)
        start = time.perf_counter()
        hits = sum(claim.trial(simulation, seed) for simulation in range(count))
        rate = Rate(claim, hits, count, time.perf_counter() - start)
        rates.append(rate)
        if on_rate:
            on_rate(rate)
    return rates


def _count(claim: Claim, simulations: int) -> int:
    """How many null studies ``claim`` gets in a run of ``simulations``."""
    count = max(20, round(simulations * claim.weight))
    return max(count, claim.full_sims) if simulations >= FULL_SIMS else count


def estimate_seconds(
    simulations: int, seed: int = 0, claims: Sequence[str] | None = None, with_coverage=True
) -> float:
    """Seconds :func:`calibrate` (and :func:`coverage` when ``with_coverage``) would take
    on this machine, from a pilot: two null studies of each chosen claim and of each
    coverage case, timed and scaled (about a second or two of work)."""
    pilot = 2
    total = 0.0
    for claim in (c for c in CLAIMS if claims is None or any(c.name.startswith(n) for n in claims)):
        start = time.perf_counter()
        for simulation in range(pilot):
            claim.trial(simulation, seed)
        total += (time.perf_counter() - start) / pilot * _count(claim, simulations)
    if with_coverage:
        start = time.perf_counter()
        coverage(pilot, seed)
        total += (time.perf_counter() - start) / pilot * simulations
    return total


# --------------------------------------------------------------------------


def markdown(rates: Sequence[Rate], coverages: Sequence[Coverage], command: str) -> str:
    """The error-rate page of the documentation: what ``command`` printed, as two
    Markdown tables (claims, then intervals' coverage)."""
    lines = [
        "# Error rates, measured",
        "",
        f"Generated by `{command}`: every claim actinit makes, simulated in a study "
        "where it is false and asked through the real decision code, and every interval "
        "it prints, simulated where its quantity is known. Do not edit: run the command "
        "again. How each answer is made is in [Answers and their error rates](answers.md).",
        "",
        f"A claim passes when the upper end of its rate's 95% interval is under "
        f"{100 * PASS_UPPER:.1f}% (at {FULL_SIMS:,} simulations or more; the quick claims "
        "get 5,000, so that a rate of exactly 5% passes with room to spare). A power line "
        "is the share of simulations that find a true effect.",
        "",
        "| claim | its null study | simulations | rate [95% interval] | |",
        "|---|---|---|---|---|",
    ]
    for rate in rates:
        verdict = "power" if rate.claim.power else ("ok" if rate.kept else "**above**")
        lines.append(
            f"| `{rate.claim.name}` | {rate.claim.description} | {rate.simulations:,} | "
            f"{100 * rate.rate:.1f}% [{100 * rate.low:.1f}, {100 * rate.high:.1f}] | {verdict} |"
        )
    lines += [
        "",
        "## Coverage of every printed interval",
        "",
        f"Two configurations, A and B, simulated {coverages[0].shown if coverages else 0:,} "
        "times per case; each interval is the one `show`, `rank` and `compare` print, at "
        f"95%. It passes at {100 * COVERAGE_FLOOR:.0f}% or with its stated exception.",
        "",
        "| case | interval | covers [95% interval] | |",
        "|---|---|---|---|",
    ]
    for found in coverages:
        low, high = wilson_interval(found.covered, found.shown) if found.shown else (0, 0)
        verdict = (
            "ok"
            if found.rate >= COVERAGE_FLOOR
            else (f"exception: {found.exception}" if found.exception else "**below**")
        )
        lines.append(
            f"| {found.case} | {found.interval} | {100 * found.rate:.1f}% "
            f"[{100 * (low or 0):.1f}, {100 * (high or 0):.1f}] | {verdict} |"
        )
    return "\n".join(lines) + "\n"
