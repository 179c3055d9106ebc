"""Studies: a grid of configurations over a data set, each trained for many seeds.

A study is a TOML file (or one of the built-in ones in ``studies/builtin``)::

    name = "moons"
    title = "Moons: zeros, large random and He initialization with ReLU"
    seeds = 5                      # how many seeds `actinit reproduce` runs by default

    [data]                         # a data set from actinit.studies.datasets
    name = "moons"
    noise = 0.2
    vary_with_seed = true          # draw new data for every seed (default: fixed data)

    [model]
    hidden = [12, 6]               # units per hidden layer
    output_activation = "sigmoid"  # loss follows: sigmoid -> binary CE, softmax -> CE
    bias_init = "zeros"
    regularizer = "l2(1e-4)"       # optional: l1(..), l2(..), l1_l2(l1=.., l2=..)
    dropout = 0.1                  # optional: inverted dropout after every hidden layer

    [training]
    epochs = 15000
    batch_size = "full"            # or a number
    optimizer = "sgd"
    learning_rate = 0.01

    [grid]                         # every combination is one configuration
    activations = ["relu"]
    initializers = ["zeros", { label = "he", weights = "kaiming_normal" }]
    # also: optimizers, learning_rates, hidden (list of lists), batch_sizes

    [summary]
    learned_threshold = 0.6        # a seed "learned" if test accuracy is above this
    target_accuracy = 0.9          # report epochs until test accuracy reaches it

    [[published]]                  # numbers from the original study, for comparison
    activation = "relu"
    initializer = "he"
    metric = "test_accuracy"
    value = 0.94

Errors name the line and the key that is wrong.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..engine import activations, initializers, optimizers, regularizers
from ..engine.registry import SpecError, format_spec, parse_spec
from . import datasets

METRICS = ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "epochs_to_target")
BUILTIN_PACKAGE = "actinit.studies.builtin"


class StudyError(ValueError):
    """A study file that cannot be used; the message names the line and the key."""


def normalize_activation(spec: str) -> str:
    """The canonical spec of an activation; ``maxout(k)`` (a layer, not an
    activation) becomes ``maxout(pieces=k)``."""
    name, args, kwargs = parse_spec(spec)
    if name == "maxout":
        pieces = args[0] if args else kwargs.get("pieces", 2)
        if not isinstance(pieces, int) or pieces < 2 or len(args) + len(kwargs) > 1:
            raise SpecError(f"maxout takes one parameter, pieces >= 2 (e.g. 'maxout(3)'): {spec!r}")
        return format_spec("maxout", {"pieces": pieces})
    return activations.get(spec).spec()


def recommended_init(activation_spec: str) -> str:
    """The initializer an activation's authors recommend (``init = "auto"``)."""
    if activation_spec.startswith("maxout"):
        return "glorot_uniform"
    return activations.get(activation_spec).recommended_init


@dataclass(frozen=True)
class RunConfig:
    """Everything one training run needs, apart from its seed."""

    data: dict[str, Any]
    hidden: tuple[int, ...]
    activation: str
    init: str
    init_label: str
    bias_init: str
    output_activation: str
    output_init: str
    loss: str | None
    optimizer: str
    epochs: int
    batch_size: int | None
    target_accuracy: float | None = None
    dtype: str = "float32"
    regularizer: str | None = None
    dropout: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        values = dict(values)
        values["hidden"] = tuple(values["hidden"])
        return cls(**values)

    @property
    def key(self) -> str:
        """A hash of the whole configuration: the key of its runs in the store."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    @property
    def label(self) -> str:
        return f"{self.activation} / {self.init_label}"


#: How finely published figures are printed: a figure counts as inside actinit's range
#: when it is within this rounding of it (accuracies to 0.1%, losses to 4 decimals).
DEFAULT_TOLERANCE = {
    "test_accuracy": 0.0005,
    "train_accuracy": 0.0005,
    "test_loss": 0.00005,
    "train_loss": 0.00005,
    "epochs_to_target": 0.5,
}


@dataclass
class Published:
    """One published figure: which configuration, which metric, which value, and how
    finely it was printed (``tolerance``)."""

    value: float
    metric: str = "test_accuracy"
    match: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    tolerance: float | None = None

    def __post_init__(self) -> None:
        if self.tolerance is None:
            self.tolerance = DEFAULT_TOLERANCE[self.metric]

    def matches(self, config: RunConfig) -> bool:
        for key, wanted in self.match.items():
            if key == "initializer":
                if wanted not in (config.init_label, config.init):
                    return False
            elif key == "activation":
                if normalize_activation(wanted) != config.activation:
                    return False
            elif str(getattr(config, key, None)) != str(wanted):
                return False
        return True


@dataclass
class Study:
    name: str
    title: str
    configs: list[RunConfig]
    seeds: int = 3
    description: str = ""
    source: str = ""
    learned_threshold: float = 0.6
    target_accuracy: float | None = None
    published: list[Published] = field(default_factory=list)
    path: str | None = None

    def __repr__(self) -> str:
        return f"Study({self.name!r}, {len(self.configs)} configurations, seeds={self.seeds})"


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
        raise StudyError(
            f"no built-in study named {text_name!r} and no such file. Built-in studies: "
            f"{', '.join(builtin_names())}"
        )
    study = parse_study(path.read_text(), source=str(path), overrides=overrides)
    study.path = str(path)
    return study


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """The line number (1-based) where ``key`` is set, inside ``[section]`` if given."""
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\[?\s*([\w.]+)\s*\]\]?", line)
        if header:
            current = header.group(1)
            if key == current and section is None:
                return number
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
        if value is not None and not isinstance(value, kind):
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


TOP_KEYS = {
    "name",
    "title",
    "description",
    "source",
    "seeds",
    "data",
    "model",
    "training",
    "grid",
    "summary",
    "published",
}
MODEL_KEYS = {
    "hidden",
    "activation",
    "init",
    "bias_init",
    "output_activation",
    "output_init",
    "loss",
    "dtype",
    "regularizer",
    "dropout",
}
TRAINING_KEYS = {"epochs", "batch_size", "optimizer", "learning_rate"}
GRID_KEYS = {
    "activations",
    "initializers",
    "optimizers",
    "learning_rates",
    "hidden",
    "batch_sizes",
    "datasets",
}
SUMMARY_KEYS = {"learned_threshold", "target_accuracy"}


def parse_study(
    text: str, source: str = "<study>", overrides: dict[str, Any] | None = None
) -> Study:
    """Parse and validate a study; ``overrides`` (e.g. ``{"epochs": 5}``) replace
    training settings for every configuration."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StudyError(f"{source}: not valid TOML: {error}") from None
    reader = _Reader(document, text, source)
    reader.check_keys(None, TOP_KEYS)
    for section, allowed in (
        ("model", MODEL_KEYS),
        ("training", TRAINING_KEYS),
        ("grid", GRID_KEYS),
        ("summary", SUMMARY_KEYS),
    ):
        reader.check_keys(section, allowed)
    overrides = overrides or {}

    name = reader.get(None, "name", None, str)
    if not name:
        raise reader.fail(None, "name", "every study needs a name")
    data = dict(reader.table("data"))
    if "name" not in data:
        raise reader.fail("data", "data", "needs name = one of " + ", ".join(datasets.names()))
    if data["name"] not in datasets.DATASETS:
        raise reader.fail(
            "data", "name", f"unknown data set; choose one of {', '.join(datasets.names())}"
        )

    model = reader.table("model")
    training = reader.table("training")
    grid = reader.table("grid")
    summary = reader.table("summary")

    def spec_list(section, key, fallback_section, fallback_key, registry_get):
        values = grid.get(key)
        if values is None:
            single = (model if fallback_section == "model" else training).get(fallback_key)
            values = [single] if single is not None else []
        if not isinstance(values, list) or not values:
            raise reader.fail(section, key, "must be a non-empty list")
        return values

    activation_specs = spec_list("grid", "activations", "model", "activation", activations.get)
    for spec in activation_specs:
        _check_spec(
            reader,
            "grid" if "activations" in grid else "model",
            "activations" if "activations" in grid else "activation",
            spec,
            normalize_activation,
        )

    init_entries = []
    for entry in spec_list("grid", "initializers", "model", "init", initializers.get):
        if isinstance(entry, str):
            entry = {"weights": entry}
        if not isinstance(entry, dict) or "weights" not in entry:
            raise reader.fail(
                "grid",
                "initializers",
                f"each entry is a name or a table with 'weights', got {entry!r}",
            )
        unknown = set(entry) - {"weights", "biases", "label", "output"}
        if unknown:
            raise reader.fail(
                "grid", "initializers", f"unknown fields {sorted(unknown)} in {entry!r}"
            )
        for part in ("weights", "biases", "output"):
            if part in entry and not (part == "weights" and entry[part] == "auto"):
                _check_spec(reader, "grid", "initializers", entry[part], initializers.get)
        init_entries.append(entry)

    optimizer_specs = spec_list("grid", "optimizers", "training", "optimizer", optimizers.get)
    learning_rates = grid.get("learning_rates")
    if learning_rates is None:
        learning_rates = [training.get("learning_rate")]
    if not isinstance(learning_rates, list) or not learning_rates:
        raise reader.fail("grid", "learning_rates", "must be a non-empty list of numbers")
    for rate in learning_rates:
        if rate is not None and not (isinstance(rate, (int, float)) and rate > 0):
            raise reader.fail(
                "grid" if "learning_rates" in grid else "training",
                "learning_rates" if "learning_rates" in grid else "learning_rate",
                f"learning rates must be positive numbers, got {rate!r}",
            )
    optimizer_variants = []
    for spec, rate in itertools.product(optimizer_specs, learning_rates):
        _check_spec(
            reader,
            "grid" if "optimizers" in grid else "training",
            "optimizers" if "optimizers" in grid else "optimizer",
            spec,
            optimizers.get,
        )
        optimizer = optimizers.get(spec)
        if rate is not None:
            optimizer = optimizers.get(
                {"name": optimizer.name, **{**optimizer.config(), "lr": rate}}
            )
        optimizer_variants.append(optimizer.spec())

    hidden_options = grid.get("hidden", [model.get("hidden", [])])
    if not isinstance(hidden_options, list) or not all(
        isinstance(h, list) and all(isinstance(u, int) and u > 0 for u in h) for h in hidden_options
    ):
        raise reader.fail(
            "grid" if "hidden" in grid else "model",
            "hidden",
            "hidden layers are a list of positive unit counts, e.g. [12, 6]",
        )

    batch_options = grid.get("batch_sizes", [training.get("batch_size", 32)])
    if "batch_size" in overrides:
        batch_options = [overrides["batch_size"]]
    batch_sizes = []
    for value in batch_options:
        if value in ("full", None):
            batch_sizes.append(None)
        elif isinstance(value, int) and value > 0:
            batch_sizes.append(value)
        else:
            raise reader.fail(
                "grid" if "batch_sizes" in grid else "training",
                "batch_sizes" if "batch_sizes" in grid else "batch_size",
                f'a batch size is a positive integer or "full", got {value!r}',
            )

    epochs = overrides.get("epochs", training.get("epochs", 100))
    if not isinstance(epochs, int) or epochs < 1:
        raise reader.fail("training", "epochs", f"must be a positive integer, got {epochs!r}")

    output_activation = model.get("output_activation", "sigmoid")
    _check_spec(reader, "model", "output_activation", output_activation, activations.get)
    bias_init = model.get("bias_init", "zeros")
    _check_spec(reader, "model", "bias_init", bias_init, initializers.get)
    output_init = model.get("output_init")
    if output_init is not None:
        _check_spec(reader, "model", "output_init", output_init, initializers.get)
    regularizer = model.get("regularizer")
    if regularizer is not None:
        _check_spec(reader, "model", "regularizer", regularizer, regularizers.get)
        regularizer = regularizers.get(regularizer).spec()
    dropout = model.get("dropout", 0.0)
    if not (isinstance(dropout, (int, float)) and 0 <= dropout < 1):
        raise reader.fail("model", "dropout", f"must be a rate in [0, 1), got {dropout!r}")
    dtype = model.get("dtype", "float32")
    if dtype not in ("float32", "float64"):
        raise reader.fail("model", "dtype", 'must be "float32" or "float64"')

    target = summary.get("target_accuracy")
    if target is not None and not (isinstance(target, (int, float)) and 0 < target <= 1):
        raise reader.fail("summary", "target_accuracy", "must be a number in (0, 1]")
    threshold = summary.get("learned_threshold", 0.6)
    if not (isinstance(threshold, (int, float)) and 0 <= threshold <= 1):
        raise reader.fail("summary", "learned_threshold", "must be a number in [0, 1]")

    data_options = grid.get("datasets", [data])
    configs = []
    for data_option, hidden, activation, entry, optimizer, batch_size in itertools.product(
        data_options,
        hidden_options,
        activation_specs,
        init_entries,
        optimizer_variants,
        batch_sizes,
    ):
        if isinstance(data_option, str):
            if data_option not in datasets.DATASETS:
                raise reader.fail("grid", "datasets", f"unknown data set {data_option!r}")
            data_option = {**data, "name": data_option}
        activation = normalize_activation(activation)
        weights = entry["weights"]
        if weights == "auto":
            weights = recommended_init(activation)
        weights = initializers.get(weights).spec()
        configs.append(
            RunConfig(
                data=dict(data_option),
                hidden=tuple(hidden),
                activation=activation,
                init=weights,
                init_label=entry.get(
                    "label", entry["weights"] if entry["weights"] != "auto" else f"auto: {weights}"
                ),
                bias_init=initializers.get(entry.get("biases", bias_init)).spec(),
                output_activation=activations.get(output_activation).spec(),
                output_init=initializers.get(entry.get("output", output_init or weights)).spec(),
                loss=model.get("loss"),
                optimizer=optimizer,
                epochs=epochs,
                batch_size=batch_size,
                target_accuracy=target,
                dtype=dtype,
                regularizer=regularizer,
                dropout=float(dropout),
            )
        )

    published = []
    for number, item in enumerate(document.get("published", []), start=1):
        if not isinstance(item, dict) or "value" not in item:
            raise reader.fail(None, "published", f"entry {number} needs a value")
        metric = item.get("metric", "test_accuracy")
        if metric not in METRICS:
            raise reader.fail(
                "published", "metric", f"unknown metric {metric!r}; use {', '.join(METRICS)}"
            )
        match = {k: v for k, v in item.items() if k not in ("value", "metric", "note", "tolerance")}
        published.append(
            Published(
                float(item["value"]), metric, match, item.get("note", ""), item.get("tolerance")
            )
        )

    seeds = overrides.get("seeds", reader.get(None, "seeds", 3, int))
    return Study(
        name=name,
        title=reader.get(None, "title", name, str),
        configs=configs,
        seeds=seeds,
        description=reader.get(None, "description", "", str),
        source=reader.get(None, "source", "", str),
        learned_threshold=float(threshold),
        target_accuracy=target,
        published=published,
    )


def _check_spec(reader: _Reader, section: str, key: str, spec: Any, get) -> None:
    try:
        get(spec)
    except (SpecError, TypeError, ValueError) as error:
        raise reader.fail(section, key, str(error)) from None
