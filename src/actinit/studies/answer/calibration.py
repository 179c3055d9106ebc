"""How often each kind of claim is wrong: null studies simulated through the real
decision code.

Every answer actinit gives ("A is better than B", "X is worse than the best", "the
best initializer depends on activation", "not reproduced", "supported", and the same
after adaptive rounds of seeds) promises that it is false with a chance of at most 5%.
This module measures that promise. Each simulation builds a study whose truth is
known and in which the claim is false (identical configurations, effects that add up
without interacting, a published figure drawn like one more seed), stores its runs in
an in-memory store, and asks the same functions the command line asks:
:func:`~.summary.summarize`, :func:`~.analysis.compare_rows`, :func:`~.analysis.rank`,
:func:`~.analysis.interactions`, :func:`~.adaptive.run_adaptive`,
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

import numpy as np

from ..plan.study import RunConfig, Study
from ..plan.study_file import parse_study
from ..run.runner import RunReport
from .adaptive import run_adaptive
from .conclusions import judge_conclusions
from .effects import effects, interactions
from .intervals import ALPHA, wilson_interval
from .ranking import compare_rows, rank
from .run_table import columns_of_records
from .summary import StudySummary, summarize

TEMPLATE = """
name = "calibration"
seeds = {seeds}

[data]
name = "moons"

[model]
hidden = [8]
output_activation = "sigmoid"

[training]
epochs = 20

[grid]
activations = {activations}
initializers = {initializers}

[summary]
target_accuracy = 0.9
{extra}
"""

ACTIVATIONS = ["relu", "tanh", "elu", "gelu", "swish", "softplus"]
INITIALIZERS = ["he_normal", "xavier_normal", "lecun_normal"]


def null_study(activations: int, initializers: int, seeds: int = 10, extra: str = "") -> Study:
    """A grid of ``activations`` x ``initializers`` configurations (nothing is trained:
    only the configurations and their analysis are real)."""
    return parse_study(
        TEMPLATE.format(
            seeds=seeds,
            activations=_toml(ACTIVATIONS[:activations]),
            initializers=_toml(INITIALIZERS[:initializers]),
            extra=extra,
        ),
        source="calibration.toml",
    )


def _toml(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


#: A claim's rate passes when its 95% upper bound is under this, at FULL_SIMS or more.
PASS_UPPER = 0.065
FULL_SIMS = 2000
#: Where a failed run scores: chance on two balanced classes.
CHANCE = 0.5


@dataclass
class Model:
    """A study's truth: each configuration's accuracy when it learns (``mean``, by its
    position in the grid), the chance it fails (``fail``: scores at chance instead),
    the standard deviation of the seed's shared draw and of a run's own noise, and
    the test points accuracy is counted on."""

    mean: Callable[[int], float]
    shared: float = 0.04
    own: float = 0.02
    test_points: int = 100
    fail: Callable[[int], float] = lambda position: 0.0
    #: Paired counts: every configuration shares the first one's count of correct
    #: test points on a seed, less ``paired(position)`` points, give or take one on a
    #: fifth of seeds (two networks that agree on almost every test point, so that
    #: their per-seed differences sit at one value: an interval's end lands exactly
    #: on a margin). None: each run counts its own.
    paired: Callable[[int], int] | None = None

    def truth(self, position: int, draws: int = 400_000) -> dict[str, float]:
        """The configuration's true mean accuracy over seeds, its mean when it learns
        and its learned share (by simulating the same draws: clipping and counting
        make them not quite ``mean``)."""
        rng = np.random.default_rng(12345 + position)
        p = np.clip(
            self.mean(position) + self.shared * rng.normal(size=draws)
            + self.own * rng.normal(size=draws), 0.0, 1.0,
        )  # fmt: skip
        fail = self.fail(position)
        learned = float(p.mean())
        return {"mean": (1 - fail) * learned + fail * CHANCE, "learned": learned, "share": 1 - fail}


class MemoryStore:
    """A store that keeps runs in memory: what :func:`~.summary.summarize` and
    :func:`~.adaptive.run_adaptive` read (``runs``), filled by :func:`simulated_runs`."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, int], dict[str, Any]] = {}
        self.adaptive: dict[str, int] = {}

    def record_looks(self, config_keys, looks: int) -> None:
        for key in config_keys:
            self.adaptive[key] = max(self.adaptive.get(key, 1), looks)

    def looks(self, config_keys) -> int:
        return max([self.adaptive.get(key, 1) for key in config_keys] + [1])

    def run_columns(self, keys, fields, below_seed=None):
        return columns_of_records(list(self.records.values()), keys, fields, below_seed)

    def runs(self, keys=None, **_) -> list[dict[str, Any]]:
        wanted = None if keys is None else set(keys)
        return [
            record
            for (key, _seed), record in sorted(self.records.items())
            if wanted is None or key in wanted
        ]


def simulated_runs(study: Study, model: Model, simulation: int, base_seed: int):
    """A ``run`` for :func:`~.adaptive.run_adaptive` (and the first round): it stores
    the runs asked for, each drawn from ``model`` with its own seed, so a configuration's
    seed k is the same whenever it is drawn."""
    index = {config.key: i for i, config in enumerate(study.configs)}

    def run(study_, store: MemoryStore, seeds: int | None = None, plan=None, **_) -> RunReport:
        todo = plan if plan is not None else [(c, s) for c in study.configs for s in range(seeds)]
        ran = 0
        for config, seed in todo:
            if (config.key, seed) in store.records:
                continue
            store.records[(config.key, seed)] = _record(
                config, seed, index[config.key], model, simulation, base_seed
            )
            ran += 1
        return RunReport(len(todo), len(todo) - ran, ran, 0, 0, 0.0)

    return run


def _record(
    config: RunConfig, seed: int, position: int, model: Model, simulation: int, base_seed: int
) -> dict[str, Any]:
    shared = np.random.default_rng([base_seed, simulation, 1_000_000 + seed]).normal()
    own = np.random.default_rng([base_seed, simulation, position, seed])
    p = model.mean(position) + model.shared * shared + model.own * own.normal()
    if own.uniform() < model.fail(position):
        p = CHANCE  # a run that learned nothing
    if model.paired is not None:
        common = np.random.default_rng([base_seed, simulation, 2_000_000 + seed])
        count = common.binomial(model.test_points, min(1.0, max(0.0, model.mean(0) + model.shared * shared)))
        jitter = own.choice([-1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        count = min(model.test_points, max(0, count - model.paired(position) + (jitter if position else 0)))
        accuracy = count / model.test_points
    else:
        accuracy = own.binomial(model.test_points, min(1.0, max(0.0, p))) / model.test_points
    return {
        "config_key": config.key,
        "seed": seed,
        "status": "ok",
        "test_accuracy": accuracy,
        "train_accuracy": min(1.0, accuracy + 0.02),
        "test_loss": 1.0 - accuracy,
        "train_loss": 0.98 - accuracy,
        "epochs_to_target": None,
        "seconds": 0.0,
        "error": None,
    }


def simulate(study: Study, model: Model, simulation: int, base_seed: int) -> StudySummary:
    """One simulated study, summarised by :func:`~.summary.summarize`."""
    store = MemoryStore()
    simulated_runs(study, model, simulation, base_seed)(study, store, seeds=study.seeds)
    return summarize(study, store)


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

    @property
    def full_sims(self) -> int:
        """The simulations of a full run: 5,000 for a quick claim (a true rate of
        exactly 5% then passes the rule with room to spare), 2,000 for a slow one."""
        return 5000 if self.weight >= 1 else FULL_SIMS


FLAT = 0.85


def _pair(seeds: int, model: Model, extra: str = "") -> Callable[[int, int], StudySummary]:
    """A study of two configurations (A first) simulated under ``model``."""
    study = null_study(1, 2, seeds, extra)
    return lambda simulation, base: simulate(study, model, simulation, base)


def _compare(
    seeds: int = 10, shift: float = 0.0, **model: Any
) -> Callable[[int, int], bool]:
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
    """"A and B are equally good within 1 point" where it is false: B fails on
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
    Claim("rank-40", "the same at 40 seeds, 16 configurations", _best_set(16, 40), 0.5),
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
    ),
    Claim("adaptive-160", "the same, 10 -> 160", _adaptive(160), 0.15),
    Claim(
        "adaptive-precision",
        "the same until every interval is within ± 1 point (max 40)",
        _adaptive(40, 0.01),
        0.3,
    ),
    Claim(
        "adaptive-then-rank",
        "the same, 10 -> 40, then `rank` reading the store afterwards",
        _adaptive(40, rank_after=True),
        0.3,
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
        passes at 2,000 simulations 97% of the time; one of 6.5% never). A quick run
        (fewer simulations) is held to alpha inside its interval instead."""
        if self.claim.power:
            return True
        if self.simulations >= FULL_SIMS:
            return self.high < PASS_UPPER
        return self.low <= ALPHA

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
    unknown = {n for n in claims or [] if not any(c.name.startswith(n) for c in CLAIMS)}
    if unknown:
        raise ValueError(
            f"unknown claim {sorted(unknown)[0]!r}; claims: {', '.join(c.name for c in CLAIMS)}"
        )
    rates = []
    for claim in chosen:
        count = max(20, round(simulations * claim.weight))
        if simulations >= FULL_SIMS:
            count = max(count, claim.full_sims)
        start = time.perf_counter()
        hits = sum(claim.trial(simulation, seed) for simulation in range(count))
        rate = Rate(claim, hits, count, time.perf_counter() - start)
        rates.append(rate)
        if on_rate:
            on_rate(rate)
    return rates


# --------------------------------------------------------------------------
# Coverage of every printed interval
# --------------------------------------------------------------------------

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
    return found


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
        verdict = "ok" if found.rate >= COVERAGE_FLOOR else (
            f"exception: {found.exception}" if found.exception else "**below**"
        )
        lines.append(
            f"| {found.case} | {found.interval} | {100 * found.rate:.1f}% "
            f"[{100 * (low or 0):.1f}, {100 * (high or 0):.1f}] | {verdict} |"
        )
    return "\n".join(lines) + "\n"
