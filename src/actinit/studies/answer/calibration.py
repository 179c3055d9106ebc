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
from .effects import interactions
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


@dataclass
class Model:
    """A study's truth: each configuration's accuracy (``mean``, by its position in the
    grid), the standard deviation of the seed's shared draw and of a run's own noise,
    and the test points accuracy is counted on."""

    mean: Callable[[int], float]
    shared: float = 0.04
    own: float = 0.02
    test_points: int = 100


class MemoryStore:
    """A store that keeps runs in memory: what :func:`~.summary.summarize` and
    :func:`~.adaptive.run_adaptive` read (``runs``), filled by :func:`simulated_runs`."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, int], dict[str, Any]] = {}

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


FLAT = 0.85


def _compare(seeds: int = 10, shift: float = 0.0) -> Callable[[int, int], bool]:
    study = null_study(1, 2, seeds)
    model = Model(lambda i: FLAT + (shift if i == 0 else 0.0))

    def trial(simulation: int, base: int) -> bool:
        summary = simulate(study, model, simulation, base)
        a, b = summary.rows
        winner = compare_rows(a, b, "test_accuracy").better()
        return winner == "a" if shift else winner is not None

    return trial


def _rank(configurations: int = 6, seeds: int = 10) -> Callable[[int, int], bool]:
    study = null_study(configurations // 2, 2, seeds)
    model = Model(lambda i: FLAT)

    def trial(simulation: int, base: int) -> bool:
        ranking = rank(simulate(study, model, simulation, base))
        return len(ranking.best_set) < len(ranking.entries)

    return trial


def _adaptive(
    max_seeds: int, precision: float | None = None, shift: float = 0.0
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
        ranking = rank(result.summary, alpha=result.alpha)
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


def _main_effects(seeds: int = 10) -> Callable[[int, int], bool]:
    study = null_study(3, 3, seeds)
    model = Model(lambda i: FLAT)

    def trial(simulation: int, base: int) -> bool:
        from .effects import effects

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


def _figures(seeds: int = 40) -> Callable[[int, int], bool]:
    """Three published figures, each one more draw of its configuration (another seed
    of the same distribution): "not reproduced" anywhere is a false claim."""
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


CLAIMS: list[Claim] = [
    Claim("compare", "A vs B, two identical configurations, 10 seeds", _compare()),
    Claim("compare-40", "the same at 40 seeds", _compare(40)),
    Claim("rank", "6 identical configurations, 10 seeds: any called worse than the best", _rank()),
    Claim("rank-20", "the same at 20 seeds", _rank(6, 20)),
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
        "figures",
        "3 published figures, each one more draw, 40 seeds: 'not reproduced'",
        _figures(),
        0.5,
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
        """At or below alpha within Monte Carlo error: alpha is inside or above the
        rate's 95% interval."""
        return self.claim.power or self.low <= ALPHA

    def line(self) -> str:
        what = "power" if self.claim.power else "false-claim rate"
        mark = "" if self.claim.power else ("  ok" if self.kept else "  ABOVE 5%")
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
    """Each claim's rate over ``simulations`` null studies (scaled by the claim's
    weight, at least 20), ``seed`` fixing every draw; ``claims`` picks some by name, or
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
        start = time.perf_counter()
        hits = sum(claim.trial(simulation, seed) for simulation in range(count))
        rate = Rate(claim, hits, count, time.perf_counter() - start)
        rates.append(rate)
        if on_rate:
            on_rate(rate)
    return rates
