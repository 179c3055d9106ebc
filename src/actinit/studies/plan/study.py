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
one); its configurations are every combination. :func:`parse_study` reads a file into
a :class:`Study` and :func:`write_study` writes one back: reading what was written
gives an equal study. Errors name the line and the key that is wrong.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomlkit

from ...engine import activations, initializers, losses, optimizers, regularizers, starting_points
from ...engine.registry import SpecError
from . import datasets
from .metrics import METRICS
from .run_config import (
    PRUNING_METHODS,
    RunConfig,
    canonical_init,
    hidden_activation,
    normalize_activation,
    optimizer_spec,
    recommended_init,
)

BUILTIN_PACKAGE = "actinit.studies.builtin"
#: Bounds that keep a mistyped number from starting a run that never ends.
MAX_SEEDS = 10_000
MAX_EPOCHS = 10_000_000
MAX_UNITS = 100_000
MAX_LAYERS = 1_000


class StudyError(ValueError):
    """A study file that cannot be used; the message names the line and the key."""


# --------------------------------------------------------------------------
# The settings of a run, as a study file names them
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class InitChoice:
    """One entry of ``initializers``: the weights' initializer (``"auto"``: the
    activation's recommended one), how tables label it, and optionally the biases'
    and the output layer's initializers."""

    weights: str
    label: str | None = None
    biases: str | None = None
    output: str | None = None
    #: A starting point (:mod:`actinit.engine.starting_points`) that replays the
    #: original program's own draw of this initializer: run once beside the seeds.
    replay: str | None = None

    def resolved(self, activation: str) -> tuple[str, str]:
        """(canonical weight initializer, label) for a layer of ``activation``."""
        if self.weights == "auto":
            weights = canonical_init(recommended_init(activation))
            return weights, self.label or f"auto: {weights}"
        return canonical_init(self.weights), self.label or self.weights


def _prune_method(value: Any) -> str | None:

    if value is None or value == "none":
        return None
    if value not in PRUNING_METHODS:
        raise ValueError(
            f"a pruning method is one of {', '.join(PRUNING_METHODS)} (or none); got {value!r}"
        )
    return value


def _rewind(value: Any) -> str:
    """ "trained", "init", "reinit" or "epoch:k" (k >= 1)."""
    if value in ("trained", "init", "reinit"):
        return value
    if isinstance(value, str) and value.startswith("epoch:"):
        epoch = value.split(":", 1)[1]
        if epoch.isdigit() and int(epoch) >= 1:
            return f"epoch:{int(epoch)}"
    raise ValueError(
        f"rewind is trained, init, reinit or epoch:K (K >= 1: the values after epoch K); "
        f"got {value!r}"
    )


def _positive_int(value: Any, upper: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= upper:
        raise ValueError(f"must be a whole number from 1 to {upper:,}, got {value!r}")
    return value


def _count(value: Any, upper: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= upper:
        raise ValueError(f"must be a whole number from 0 to {upper:,}, got {value!r}")
    return value


def _hidden(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > MAX_LAYERS:
        raise ValueError(f"hidden layers are a list of unit counts, e.g. [12, 6]; got {value!r}")
    try:
        return tuple(_positive_int(units, MAX_UNITS) for units in value)
    except ValueError:
        raise ValueError(
            f"hidden layers are a list of unit counts from 1 to {MAX_UNITS:,}, e.g. [12, 6]; "
            f"got {value!r}"
        ) from None


def _spec(registry_get: Callable[[Any], Any], allow_none: bool = False):
    def normalize(value: Any) -> str | None:
        if value is None and allow_none:
            return None
        if not isinstance(value, str):
            raise ValueError(f"expected a name such as 'relu' or 'l2(1e-4)', got {value!r}")
        return registry_get(value).spec()

    return normalize


def _activation(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an activation name such as 'relu', got {value!r}")
    return hidden_activation(value)


def _per_layer(normalize_one: Callable[[Any], str]):
    """A list with one spec per hidden layer (empty: none given)."""

    def normalize(value: Any) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"expected a list with one name per hidden layer, got {value!r}")
        return tuple(normalize_one(item) for item in value)

    return normalize


def _init_choice(value: Any) -> InitChoice:
    if isinstance(value, str):
        value = {"weights": value}
    if not isinstance(value, dict) or "weights" not in value:
        raise ValueError(f"each entry is a name or a table with 'weights', got {value!r}")
    unknown = set(value) - {"weights", "biases", "label", "output", "replay"}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)} in {value!r}")
    for part in ("weights", "biases", "output", "label", "replay"):
        if part in value and not isinstance(value[part], str):
            raise ValueError(f"{part} must be a string, got {value[part]!r}")
        if part in ("biases", "output") or (part == "weights" and value[part] != "auto"):
            if part in value:
                initializers.get(value[part])
    replay = starting_points.get(value["replay"]).spec() if "replay" in value else None
    return InitChoice(
        value["weights"], value.get("label"), value.get("biases"), value.get("output"), replay
    )


def _batch_size(value: Any) -> int | None:
    if value in ("full", None):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ValueError(f'a batch size is a positive integer or "full", got {value!r}')


def _learning_rate(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"a learning rate is a positive number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"a learning rate is a positive finite number, got {value!r}")
    return value


def _output_rate(value: Any) -> float | None:
    """The output layer's share of the hidden layers' pruning rate, in (0, 1]."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(
            f"output_rate is the output layer's share of the pruning rate, in (0, 1]; got {value!r}"
        )
    return float(value)


def _rate(value: Any) -> float:
    """A share in [0, 1): a dropout rate, the share of weights pruned."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"must be a rate in [0, 1), got {value!r}")
    return float(value)


def _dtype(value: Any) -> str:
    if value not in ("float32", "float64"):
        raise ValueError(f'must be "float32" or "float64", got {value!r}')
    return value


REQUIRED = object()


@dataclass(frozen=True)
class Setting:
    """One setting of a run: its key in ``section``, its key in ``[grid]`` (None: it
    cannot vary), its default (REQUIRED: none) and the function that checks a value
    and returns its canonical form (raising ValueError with the reason)."""

    key: str
    section: str
    normalize: Callable[[Any], Any]
    default: Any = None
    grid: str | None = None
    #: How a value is written back (the inverse of ``normalize`` where they differ).
    write: Callable[[Any], Any] = lambda value: value
    #: Its key in ``section`` when that differs from the run's field (``[pruning]
    #: method`` is the field ``prune_method``).
    section_key: str | None = None

    @property
    def name(self) -> str:
        """The key in its section."""
        return self.section_key or self.key

    @property
    def where(self) -> str:
        return f"{self.section}.{self.name}" + (f" or grid.{self.grid}" if self.grid else "")


#: Every setting of a run, in the order configurations are enumerated.
SETTINGS = (
    Setting("hidden", "model", _hidden, (), grid="hidden"),
    Setting("activation", "model", _activation, REQUIRED, grid="activations"),
    Setting("init", "model", _init_choice, REQUIRED, grid="initializers"),
    Setting("optimizer", "training", _spec(optimizers.get), "sgd", grid="optimizers"),
    Setting("learning_rate", "training", _learning_rate, None, grid="learning_rates"),
    Setting(
        "batch_size",
        "training",
        _batch_size,
        32,
        grid="batch_sizes",
        write=lambda value: "full" if value is None else value,
    ),
    Setting("epochs", "training", lambda v: _positive_int(v, MAX_EPOCHS), 100),
    Setting("bias_init", "model", _spec(initializers.get), "zeros"),
    Setting("output_activation", "model", _spec(activations.get), "sigmoid"),
    Setting("output_init", "model", _spec(initializers.get, allow_none=True), None),
    Setting("loss", "model", _spec(losses.get, allow_none=True), None),
    Setting("dtype", "model", _dtype, "float32"),
    Setting("regularizer", "model", _spec(regularizers.get, allow_none=True), None),
    Setting("dropout", "model", _rate, 0.0),
    Setting("seed_offset", "training", lambda v: _count(v, 2**31 - 1), 0),
    Setting("layer_activations", "model", _per_layer(_activation), (), write=list),
    Setting("layer_inits", "model", _per_layer(_spec(initializers.get)), (), write=list),
    Setting(
        "prune_method", "pruning", _prune_method, None, grid="prune_methods", section_key="method"
    ),
    Setting("prune_amount", "pruning", _rate, 0.0, grid="prune_amounts", section_key="amount"),
    Setting("prune_rounds", "pruning", lambda v: _positive_int(v, 100), 1, section_key="rounds"),
    Setting("prune_per_round", "pruning", _rate, 0.0, section_key="per_round"),
    Setting("fine_tune", "pruning", lambda v: _count(v, MAX_EPOCHS), 0),
    Setting("rewind", "pruning", _rewind, "trained", grid="rewinds"),
    Setting("prune_output_rate", "pruning", _output_rate, None, section_key="output_rate"),
)
SETTING = {setting.key: setting for setting in SETTINGS}
#: Settings a run takes as they are (the rest are resolved first: the activation, the
#: initializer choice and its labels, the optimizer with its learning rate, ...).
PLAIN_SETTINGS = (
    "epochs",
    "batch_size",
    "dtype",
    "regularizer",
    "dropout",
    "seed_offset",
    "layer_activations",
    "layer_inits",
    "prune_method",
    "prune_amount",
    "prune_rounds",
    "prune_per_round",
    "fine_tune",
    "rewind",
)
SECTION_KEYS = {
    section: {s.name for s in SETTINGS if s.section == section}
    for section in ("model", "training", "pruning")
}
GRID_KEYS = {s.grid for s in SETTINGS if s.grid} | {"datasets"}
SUMMARY_KEYS = {"learned_threshold", "target_accuracy"}
TOP_KEYS = {"name", "title", "description", "source", "seeds", "data", "model", "training"}
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
        return RunConfig(
            data=dict(data),
            hidden=point["hidden"],
            activation=activation,
            init=weights,
            init_label=label,
            bias_init=canonical_init(choice.biases or point["bias_init"]),
            output_activation=point["output_activation"],
            output_init=canonical_init(output_init),
            loss=point["loss"],
            optimizer=optimizer_spec(point["optimizer"], point["learning_rate"]),
            target_accuracy=self.target_accuracy,
            prune_output_rate=_output_rate_of(point),
            **{key: point[key] for key in PLAIN_SETTINGS},
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


def builtin_names() -> list[str]:
    folder = resources.files(BUILTIN_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_study(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> Study:
    """A built-in study by name, or a study file by path."""
    text_name = str(name_or_path)
    if text_name in builtin_names():
        resource = resources.files(BUILTIN_PACKAGE) / f"{text_name}.toml"
        return parse_study(
            resource.read_text(), source=f"built-in study {text_name!r}", overrides=overrides
        )
    path = Path(name_or_path)
    if not path.is_file():
        close = difflib.get_close_matches(text_name, builtin_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "."
        raise StudyError(
            f"no built-in study named {text_name!r} and no such file{hint} Built-in studies: "
            f"{', '.join(builtin_names())}"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise StudyError(
            f"{path} is not a UTF-8 TOML file (byte {error.start} cannot be read); a study "
            "file is text, see `actinit run --help`"
        ) from None
    study = parse_study(text, source=str(path), overrides=overrides)
    study.path = str(path)
    return study


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """The line number (1-based) where ``key`` is set, inside ``[section]`` if given."""
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\[?\s*([\w.]+)\s*\]\]?", line)
        if header:
            current = header.group(1)
            if current == (key if section is None else f"{section}.{key}"):
                return number  # a table, or the first of an array of tables
            continue
        if re.match(rf"\s*{re.escape(key)}\s*=", line) and (section is None or section == current):
            return number
    return None


class _Reader:
    """Reads sections of a parsed TOML document, with errors that point at lines."""

    def __init__(self, document: dict[str, Any], text: str, source: str) -> None:
        self.document, self.text, self.source = document, text, source

    def fail(self, section: str | None, key: str, message: str) -> StudyError:
        line = _line_of(self.text, key, section)
        where = f"line {line}" if line else "(not set)"
        name = f"{section}.{key}" if section else key
        return StudyError(f"{self.source}, {where}, key '{name}': {message}")

    def table(self, section: str) -> dict[str, Any]:
        value = self.document.get(section, {})
        if not isinstance(value, dict):
            raise self.fail(None, section, f"must be a table [{section}]")
        return value

    def get(self, section: str | None, key: str, default: Any, kind: type | tuple) -> Any:
        source = self.document if section is None else self.table(section)
        value = source.get(key, default)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(section, key, f"expected {names}, got {value!r}")
        return value

    def check_keys(self, section: str | None, allowed: set[str]) -> None:
        source = self.document if section is None else self.table(section)
        for key in source:
            if key not in allowed:
                raise self.fail(section, key, f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def normalized(self, section: str | None, key: str, normalize, value: Any) -> Any:
        try:
            return normalize(value)
        except (SpecError, ValueError, TypeError) as error:
            if section == "data" and getattr(error, "key", None):
                key = error.key  # the data parameter at fault, not the data set's name
            raise self.fail(section, key, str(error)) from None


def parse_study(
    text: str, source: str = "<study>", overrides: dict[str, Any] | None = None
) -> Study:
    """Parse and validate a study; ``overrides`` (e.g. ``{"epochs": 5, "seeds": 2}``)
    replace settings for every configuration."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StudyError(f"{source}: not valid TOML: {error}") from None
    except RecursionError:
        raise StudyError(f"{source}: not valid TOML: arrays nested too deeply") from None
    reader = _Reader(document, text, source)
    reader.check_keys(None, TOP_KEYS)
    for section, allowed in (*SECTION_KEYS.items(), ("grid", GRID_KEYS), ("summary", SUMMARY_KEYS)):
        reader.check_keys(section, allowed)
    overrides = dict(overrides or {})
    header = _read_header(reader, overrides.pop("seeds", None))
    summary = _read_summary(reader)
    study = Study(
        **header,
        datasets=_read_datasets(reader),
        axes={setting.key: _read_axis(reader, setting, overrides) for setting in SETTINGS},
        **summary,
        published=_read_published(reader),
        conclusions=_read_conclusions(reader),
    )
    _check_per_layer(reader, study)
    _check_pruning(reader, study)
    return study


def _check_pruning(reader: _Reader, study: Study) -> None:
    """Whole units cannot be rewound: the smaller network has no earlier values; a
    rewind to epoch k needs k epochs of training; a schedule is rounds or a share per
    round, not both, and a share per round above 0."""

    section = reader.table("pruning")
    if "rounds" in section and "per_round" in section:
        raise reader.fail(
            "pruning",
            "per_round",
            "give rounds (that many equal steps) or per_round (the share of what is left "
            "pruned each round), not both",
        )
    if "per_round" in section and study.axes["prune_per_round"] == [0.0]:
        raise reader.fail(
            "pruning", "per_round", "must be above 0 (the share pruned each round), e.g. 0.2"
        )
    for rewind in study.axes["rewind"]:
        if rewind.startswith("epoch:"):
            epoch = int(rewind.split(":")[1])
            trained = min(study.axes["epochs"])
            if epoch > trained:
                raise reader.fail(
                    "pruning",
                    "rewind",
                    f"rewind {rewind} is past the {trained} epochs trained: give an epoch "
                    f"from 1 to {trained}",
                )
    units = [m for m in study.axes["prune_method"] if m and PRUNING_METHODS[m][0] == "units"]
    rewinds = [r for r in study.axes["rewind"] if r != "trained"]
    if units and rewinds:
        raise reader.fail(
            "pruning",
            "rewind",
            f"{units[0]} removes whole units, which cannot be rewound ({rewinds[0]}): rewind "
            "with magnitude or global pruning, or use rewind = 'trained' (fine-tuning)",
        )


def _check_per_layer(reader: _Reader, study: Study) -> None:
    """Per-layer activations and initializers give one value per hidden layer."""
    for key in ("layer_activations", "layer_inits"):
        for given in study.axes[key]:
            for hidden in study.axes["hidden"]:
                if given and len(given) != len(hidden):
                    raise reader.fail(
                        "model",
                        key,
                        f"{len(given)} value(s) for {len(hidden)} hidden layer(s) {list(hidden)}; "
                        "give one per hidden layer",
                    )


def _read_header(reader: _Reader, seeds_override: int | None) -> dict[str, Any]:
    name = reader.get(None, "name", None, str)
    if not name or not name.strip():
        raise reader.fail(None, "name", 'every study needs a name, e.g. name = "my-study"')
    seeds = reader.get(None, "seeds", 3, int) if seeds_override is None else seeds_override
    try:
        seeds = _positive_int(seeds, MAX_SEEDS)
    except ValueError as error:
        raise reader.fail(None, "seeds", f"the number of seeds per configuration {error}") from None
    return {
        "name": name,
        "title": reader.get(None, "title", name, str),
        "seeds": seeds,
        "description": reader.get(None, "description", "", str).strip(),
        "source": reader.get(None, "source", "", str),
        "replay_note": reader.get(None, "replay_note", "", str).strip(),
    }


def _read_datasets(reader: _Reader) -> list[dict[str, Any]]:
    data = dict(reader.table("data"))
    if "name" not in data:
        raise reader.fail(None, "data", "needs name = one of " + ", ".join(datasets.names()))
    base = reader.normalized("data", "name", datasets.check_description, data)
    options = reader.table("grid").get("datasets")
    if options is None:
        return [base]
    if not isinstance(options, list) or not options:
        raise reader.fail("grid", "datasets", "must be a non-empty list of data set names")
    return [
        reader.normalized(
            "grid",
            "datasets",
            datasets.check_description,
            {**data, "name": option} if isinstance(option, str) else {**data, **option},
        )
        for option in options
    ]


def _read_axis(reader: _Reader, setting: Setting, overrides: dict[str, Any]) -> list[Any]:
    """The values a setting takes: an override, its grid list, its single value in
    its section, or its default."""
    grid, section = reader.table("grid"), reader.table(setting.section)
    where = (setting.section, setting.name)
    if setting.key in overrides:
        values = [overrides[setting.key]]
    elif setting.grid and setting.grid in grid:
        values, where = grid[setting.grid], ("grid", setting.grid)
        if not isinstance(values, list) or not values:
            raise reader.fail("grid", setting.grid, "must be a non-empty list")
    elif setting.name in section:
        values = [section[setting.name]]
    elif setting.default is REQUIRED:
        raise reader.fail(setting.section, setting.name, f"needs a value: set {setting.where}")
    else:
        values = [setting.default]
    normalized = [reader.normalized(*where, setting.normalize, value) for value in values]
    seen = []
    for value, raw in zip(normalized, values):
        if value in seen:
            same = "" if raw == value or isinstance(value, InitChoice) else f" (as {value!r})"
            raise reader.fail(
                *where,
                f"lists {raw!r} twice{same}: every value makes its own configurations, so "
                "each may appear once",
            )
        seen.append(value)
    return normalized


def _fraction(low_open: bool):
    def check(value: Any) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not (0 < value <= 1 if low_open else 0 <= value <= 1):
            raise ValueError(f"must be a number in {'(0, 1]' if low_open else '[0, 1]'}")
        return float(value)

    return check


def _read_summary(reader: _Reader) -> dict[str, Any]:
    summary = reader.table("summary")
    target = summary.get("target_accuracy")
    if target is not None:
        target = reader.normalized("summary", "target_accuracy", _fraction(True), target)
    threshold = summary.get("learned_threshold", 0.6)
    threshold = reader.normalized("summary", "learned_threshold", _fraction(False), threshold)
    return {"learned_threshold": threshold, "target_accuracy": target}


def _read_published(reader: _Reader) -> list[Published]:
    entries = reader.document.get("published", [])
    if not isinstance(entries, list):
        raise reader.fail(None, "published", "use [[published]] tables, one per figure")
    published = []
    for number, item in enumerate(entries, start=1):
        if not isinstance(item, dict) or "value" not in item:
            raise reader.fail(None, "published", f"entry {number} needs a value")
        metric = item.get("metric", "test_accuracy")
        if metric not in METRICS:
            raise reader.fail(
                "published", "metric", f"unknown metric {metric!r}; use {', '.join(METRICS)}"
            )
        match = {k: v for k, v in item.items() if k not in PUBLISHED_FIELDS}
        unknown = set(match) - MATCH_KEYS
        if unknown:
            raise reader.fail(
                "published",
                sorted(unknown)[0],
                f"entry {number}: cannot match on {sorted(unknown)}",
            )
        value = reader.normalized("published", "value", _finite, item["value"])
        for key in ("note", "data", "caveat", "differs"):
            if key in item and not isinstance(item[key], str):
                raise reader.fail("published", key, f"entry {number}: must be a string")
        published.append(
            Published(
                value,
                metric,
                match,
                item.get("note", ""),
                item.get("tolerance"),
                item.get("data"),
                item.get("caveat", ""),
                item.get("differs", ""),
            )
        )
    return published


def _read_conclusions(reader: _Reader) -> list[Conclusion]:
    """``[[conclusion]]`` tables: text, metric, a = {...}, b = {...} or [{...}, ...],
    claim ("better" or "equal") and margin."""
    entries = reader.document.get("conclusion", [])
    if not isinstance(entries, list):
        raise reader.fail(None, "conclusion", "use [[conclusion]] tables, one per claim")
    conclusions = []
    for number, item in enumerate(entries, start=1):
        if not isinstance(item, dict):
            raise reader.fail(None, "conclusion", f"entry {number} must be a table")
        unknown = set(item) - set(CONCLUSION_FIELDS)
        if unknown:
            raise reader.fail("conclusion", sorted(unknown)[0], f"entry {number}: unknown key")
        for key in ("text", "a", "b"):
            if key not in item:
                raise reader.fail("conclusion", key, f"entry {number} needs {key}")
        metric = item.get("metric", "test_accuracy")
        claim = item.get("claim", "better")
        if metric not in METRICS:
            raise reader.fail("conclusion", "metric", f"unknown metric {metric!r}")
        if claim not in CLAIMS:
            raise reader.fail("conclusion", "claim", f"claim must be one of {CLAIMS}")
        sides = [item["a"]] + (item["b"] if isinstance(item["b"], list) else [item["b"]])
        for side in sides:
            if not isinstance(side, dict) or set(side) - MATCH_KEYS:
                raise reader.fail(
                    "conclusion",
                    "a",
                    f"entry {number}: a and b match settings, e.g. "
                    '{ activation = "relu", initializer = "he" }',
                )
        margin = reader.normalized("conclusion", "margin", _finite, item.get("margin", 0.01))
        conclusions.append(
            Conclusion(
                str(item["text"]),
                dict(item["a"]),
                [dict(s) for s in sides[1:]],
                metric,
                claim,
                margin,
            )
        )
    return conclusions


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value!r}")
    return float(value)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _toml_value(value: Any) -> Any:
    if isinstance(value, InitChoice):
        parts = {"label": value.label, "weights": value.weights, "biases": value.biases}
        parts.update(output=value.output, replay=value.replay)
        parts = {k: v for k, v in parts.items() if v is not None}
        return value.weights if set(parts) == {"weights"} else _inline(parts)
    if isinstance(value, tuple):
        return list(value)
    return value


def _inline(values: dict[str, Any]) -> Any:
    table = tomlkit.inline_table()
    table.update(values)
    return table


def study_document(study: Study) -> tomlkit.TOMLDocument:
    """The study as a TOML document (what :func:`write_study` prints)."""
    document = tomlkit.document()
    document["name"] = study.name
    document["title"] = study.title
    if study.description:
        document["description"] = tomlkit.string(study.description + "\n", multiline=True)
    if study.source:
        document["source"] = study.source
    document["seeds"] = study.seeds
    if study.replay_note:
        document["replay_note"] = tomlkit.string(study.replay_note + "\n", multiline=True)
    document["data"] = study.datasets[0]
    sections = {name: tomlkit.table() for name in ("model", "training", "pruning", "grid")}
    for setting in SETTINGS:
        values = [_toml_value(setting.write(value)) for value in study.axes[setting.key]]
        if len(values) > 1:
            sections["grid"][setting.grid] = values
        elif values[0] is not None and values[0] != _toml_value(setting.write(setting.default)):
            sections[setting.section][setting.name] = values[0]
    if len(study.datasets) > 1:
        sections["grid"]["datasets"] = _dataset_options(study.datasets)
    for name, table in sections.items():
        if table:
            document[name] = table
    summary = {"learned_threshold": study.learned_threshold}
    if study.target_accuracy is not None:
        summary["target_accuracy"] = study.target_accuracy
    document["summary"] = summary
    if study.published:
        document["published"] = [_published_entry(p) for p in study.published]
    if study.conclusions:
        document["conclusion"] = [
            {
                "text": c.text,
                "metric": c.metric,
                "claim": c.claim,
                "margin": c.margin,
                "a": _inline(c.a),
                "b": [_inline(b) for b in c.b],
            }
            for c in study.conclusions
        ]
    return document


def _dataset_options(options: list[dict[str, Any]]) -> list[Any]:
    base = options[0]
    if all({**option, "name": base["name"]} == base for option in options):
        return [option["name"] for option in options]
    return [_inline(option) for option in options]


def _published_entry(published: Published) -> dict[str, Any]:
    entry = {**published.match, "metric": published.metric, "value": published.value}
    for key in ("note", "data", "caveat", "differs"):
        if getattr(published, key):
            entry[key] = getattr(published, key)
    if published.tolerance != DEFAULT_TOLERANCE[published.metric]:
        entry["tolerance"] = published.tolerance
    return entry


def write_study(study: Study) -> str:
    """The study file of ``study``: ``parse_study(write_study(s)) == s``."""
    return tomlkit.dumps(study_document(study))
