"""Studies whose truth is known, simulated without training, and stored in memory: what
``actinit calibrate`` asks the real decision code about (:mod:`.calibration`,
:mod:`.coverage`).

Runs look like real ones: each seed shares a draw between configurations (its data,
its mini-batch order: a common effect of standard deviation ``shared``), each run has
its own noise, accuracy is a count of correct test points out of ``test_points`` (so
accuracies are discrete and tie, as in a real study), and a run may *fail*: with the
configuration's ``fail`` probability it learns nothing and scores at chance (50%),
the central phenomenon of initialization.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..plan.study import RunConfig, Study
from ..plan.study_file import parse_study
from ..run.runner import RunReport
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


#: Simulations from which a run is a full one (fewer: a quick run, said so).
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
        count = common.binomial(
            model.test_points, min(1.0, max(0.0, model.mean(0) + model.shared * shared))
        )
        jitter = own.choice([-1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        count = min(
            model.test_points, max(0, count - model.paired(position) + (jitter if position else 0))
        )
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
