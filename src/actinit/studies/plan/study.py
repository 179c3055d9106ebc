"""Studies: a grid of configurations over a data set, each trained for many seeds.

A study is a TOML file (or one of the built-in ones in ``studies/builtin``)::

    name = "moons"
    title = "Moons: zeros, large random and He initialization with ReLU"
    seeds = 5                      # how many seeds `actinit reproduce` runs by default

    [data]                         # a data set from actinit.studies.plan.datasets
    name = "moons"
    noise = 0.2
    vary_with_seed = true          # draw new data for every seed (default: fixed data)

    [model]
    hidden = [12, 6]               # units per hidden layer
    activation = "relu"
    output_activation = "sigmoid"  # the loss follows: sigmoid -> binary CE, softmax -> CE
    bias_init = "zeros"
    regularizer = "l2(1e-4)"       # optional: l1(..), l2(..), l1_l2(l1=.., l2=..)
    dropout = 0.1                  # optional: inverted dropout after every hidden layer

    [training]
    epochs = 15000
    batch_size = "full"            # or a number
    optimizer = "sgd"              # the default: plain (stochastic) gradient descent
    learning_rate = 0.01

    [grid]                         # every combination is one configuration
    initializers = ["zeros", { label = "he", weights = "kaiming_normal" }]
    # also: activations, optimizers, learning_rates, hidden (list of lists),
    # batch_sizes, datasets

    [summary]
    learned_threshold = 0.6        # a seed "learned" if test accuracy is above this
    target_accuracy = 0.9          # report epochs until test accuracy reaches it

    [[published]]                  # numbers from the original study, for comparison
    activation = "relu"
    initializer = "he"
    metric = "test_accuracy"
    value = 0.94

Every setting of ``[model]`` and ``[training]`` is one row of :data:`SETTINGS`: its
section, its key in ``[grid]`` (where it can vary), its default and how it is checked.
A study is those settings as *axes* (lists of values; a single value is an axis of
one); its configurations are every combination. :func:`~.study_file.parse_study` reads a file into
a :class:`Study` and :func:`~.study_file.write_study` writes one back: reading what was written
gives an equal study. Errors name the line and the key that is wrong.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .run_config import (
    RunConfig,
    canonical_init,
    normalize_activation,
    optimizer_spec,
)
from .settings import (
    PLAIN_SETTINGS,
    SETTING,
    SETTINGS,
    TOP_KEYS,
    InitChoice,
)

# --------------------------------------------------------------------------
# The settings of a run, as a study file names them
# --------------------------------------------------------------------------


TOP_KEYS |= {"grid", "summary", "published", "replay_note", "conclusion", "pruning"}


# --------------------------------------------------------------------------
# Studies
# --------------------------------------------------------------------------


#: How finely published figures are printed: a figure counts as inside actinit's range
#: when it is within this rounding of it (accuracies to 0.1%, losses to 4 decimals).
DEFAULT_TOLERANCE = {
    "test_accuracy": 0.0005,
    "train_accuracy": 0.0005,
    "test_loss": 0.00005,
    "train_loss": 0.00005,
    "epochs_to_target": 0.5,
}
MATCH_KEYS = {"activation", "initializer"} | set(RunConfig.__dataclass_fields__)
PUBLISHED_FIELDS = ("value", "metric", "note", "tolerance", "data", "caveat", "differs")


def matches(config: RunConfig, wanted: dict[str, Any]) -> bool:
    """Does ``config`` have every setting of ``wanted`` (``initializer`` by label or
    spec, ``activation`` by any spelling, the rest as RunConfig fields)?"""
    for key, value in wanted.items():
        if key == "initializer":
            if value not in (config.init_label, config.init):
                return False
        elif key == "activation":
            if normalize_activation(value) != config.activation:
                return False
        elif str(getattr(config, key, None)) != str(value):
            return False
    return True


@dataclass
class Published:
    """One published figure: which configuration, which metric, which value, and how
    finely it was printed (``tolerance``)."""

    value: float
    metric: str = "test_accuracy"
    match: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    tolerance: float | None = None
    #: The data set the figure was measured on, when it is not the study's own.
    data: str | None = None
    #: A few words a verdict carries along, e.g. "5,000 digits, not 60,000".
    caveat: str = ""
    #: How the figure's setup differs from actinit's runs (another training set, another
    #: test set): the figure is then "not comparable", shown and not tested.
    differs: str = ""

    def __post_init__(self) -> None:
        if self.tolerance is None:
            self.tolerance = DEFAULT_TOLERANCE[self.metric]

    def matches(self, config: RunConfig) -> bool:
        return matches(config, self.match)


CLAIMS = ("better", "equal")
CONCLUSION_FIELDS = ("text", "metric", "a", "b", "claim", "margin")


@dataclass
class Conclusion:
    """A conclusion a published study drew, as a claim actinit can test seed by seed:
    the configuration ``a`` (settings to match, like a published figure's) is
    ``"better"`` than every configuration of ``b`` on ``metric``, or ``"equal"`` to
    it within ``margin`` (in the metric's units: 0.01 is one point of accuracy)."""

    text: str
    a: dict[str, Any]
    b: list[dict[str, Any]]
    metric: str = "test_accuracy"
    claim: str = "better"
    margin: float = 0.01

    def matches(self, config: RunConfig, side: dict[str, Any]) -> bool:
        return matches(config, side)


@dataclass
class Study:
    """A study: its data sets and the axes of its settings (``axes["activation"]`` is
    the list of activations it tries); :attr:`configs` is every combination."""

    name: str
    title: str
    datasets: list[dict[str, Any]]
    axes: dict[str, list[Any]]
    seeds: int = 3
    description: str = ""
    source: str = ""
    learned_threshold: float = 0.6
    target_accuracy: float | None = None
    published: list[Published] = field(default_factory=list)
    conclusions: list[Conclusion] = field(default_factory=list)
    #: How the original runs are replayed, or why they cannot be.
    replay_note: str = ""
    path: str | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return f"Study({self.name!r}, {len(self.configs)} configurations, seeds={self.seeds})"

    def _points(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(data description, one value per setting) for every combination of the
        axes, data sets first."""
        keys = [setting.key for setting in SETTINGS]
        for data in self.datasets:
            for values in itertools.product(*(self.axes[key] for key in keys)):
                yield data, dict(zip(keys, values, strict=True))

    @property
    def configs(self) -> list[RunConfig]:
        """One :class:`RunConfig` per combination of the axes, data sets first."""
        return [self._config(data, point) for data, point in self._points()]

    @property
    def replays(self) -> list[RunConfig]:
        """The original program's own runs, one per configuration whose initializer
        has a ``replay``: its exact initial parameters, in float64 as those programs
        compute. Each runs once (seed 0), beside :attr:`configs`' seeds."""
        if not any(choice.replay for choice in self.axes["init"]):
            return []  # the common case, without going through the grid
        return [
            dataclasses.replace(
                self._config(data, point), starting_point=point["init"].replay, dtype="float64"
            )
            for data, point in self._points()
            if point["init"].replay
        ]

    def _config(self, data: dict[str, Any], point: dict[str, Any]) -> RunConfig:
        activation = point["activation"]
        choice: InitChoice = point["init"]
        weights, label = choice.resolved(activation)
        output_init = choice.output or point["output_init"] or weights
        return RunConfig.of_values(
            {
                "data": dict(data),
                "hidden": point["hidden"],
                "activation": activation,
                "init": weights,
                "init_label": label,
                "bias_init": canonical_init(choice.biases or point["bias_init"]),
                "output_activation": point["output_activation"],
                "output_init": canonical_init(output_init),
                "loss": point["loss"],
                "optimizer": optimizer_spec(point["optimizer"], point["learning_rate"]),
                "target_accuracy": self.target_accuracy,
                "prune_output_rate": _output_rate_of(point),
                **{key: point[key] for key in PLAIN_SETTINGS},
            }
        )

    @classmethod
    def of_config(cls, config: RunConfig, name: str, title: str = "", seeds: int = 1) -> Study:
        """The study of one configuration (what the playground exports)."""
        values = {
            **{key: getattr(config, key) for key in SETTING if hasattr(config, key)},
            "init": InitChoice(config.init, config.init_label),
            "learning_rate": None,
        }
        return cls(
            name=name,
            title=title or name,
            datasets=[dict(config.data)],
            axes={key: [values[key]] for key in SETTING},
            seeds=seeds,
            target_accuracy=config.target_accuracy,
        )


def _output_rate_of(point: dict[str, Any]) -> float:
    """The output layer's share of the pruning rate: as given, else one half for
    per-layer magnitude pruning that rewinds (the lottery ticket, as Frankle & Carbin
    prune it), else 1 (every layer at the same rate)."""
    if point["prune_output_rate"] is not None:
        return point["prune_output_rate"]
    ticket = point["prune_method"] == "magnitude" and point["rewind"] != "trained"
    return 0.5 if ticket else 1.0


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
