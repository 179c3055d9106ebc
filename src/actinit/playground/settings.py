"""The playground's settings: what a page may ask for, with bounds and clear refusals.

:data:`FIELDS` describes every setting once (its name, the label the form shows, its
kind, default, bounds and help); the page builds its form from it (``/api/options``),
the URL carries it, :func:`parse_settings` checks it, and :meth:`Settings.run_config`
turns it into the :class:`~actinit.studies.config.RunConfig` that studies use, so the
page trains exactly what ``actinit run`` would, and exports it as a study file written
by :func:`~actinit.studies.study.write_study`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from ..engine import activations, initializers
from ..engine.registry import SpecError, parse_spec
from ..studies import datasets
from ..studies.config import RunConfig
from ..studies.study import Study, optimizer_spec

DATASETS = ["moons", "circles", "xor", "spiral", "gaussian", "parabola", "blobs"]
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
#: Epochs one page may train; also what an exported study trains when the page has not.
MAX_EPOCHS = 20000
DEFAULT_EXPORT_EPOCHS = 200
#: The output layer: one sigmoid unit, Keras's default initializer.
OUTPUT_ACTIVATION, OUTPUT_INIT = "sigmoid", "glorot_uniform"


class SettingsError(ValueError):
    """A setting outside what the playground accepts; the message says what is allowed."""


@dataclass(frozen=True)
class Settings:
    dataset: str = "moons"
    noise: float = 0.2
    samples: int = 400
    train_ratio: float = 0.5
    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    init: str = "xavier_normal"
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10  # 0: the full batch
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["hidden"] = list(self.hidden)
        return values

    def query(self) -> str:
        """The URL query string that reproduces these settings."""
        values = self.to_dict()
        values["hidden"] = ",".join(map(str, self.hidden)) or "none"
        return urlencode(values)

    def regularizer_spec(self) -> str | None:
        if self.l1 and self.l2:
            return f"l1_l2(l1={self.l1!r}, l2={self.l2!r})"
        if self.l1:
            return f"l1({self.l1!r})"
        if self.l2:
            return f"l2({self.l2!r})"
        return None

    def run_config(self, epochs: int = DEFAULT_EXPORT_EPOCHS) -> RunConfig:
        """The run these settings describe, as studies describe runs. The study's run
        seed 0 is the page's seed (``seed_offset``), so `actinit run` on the export
        trains the very network the page showed."""
        return RunConfig(
            data=datasets.plane_description(
                self.dataset, self.samples, self.noise, self.train_ratio, self.seed
            ),
            hidden=self.hidden,
            activation=self.activation,
            init=self.init,
            init_label=self.init,
            bias_init="zeros",
            output_activation=OUTPUT_ACTIVATION,
            output_init=OUTPUT_INIT,
            loss=None,
            optimizer=optimizer_spec(self.optimizer, self.learning_rate),
            epochs=max(1, int(epochs)),
            batch_size=self.batch_size or None,
            regularizer=self.regularizer_spec(),
            dropout=self.dropout,
            seed_offset=self.seed,
        )

    def study(self, epochs: int = DEFAULT_EXPORT_EPOCHS, seeds: int = 1) -> Study:
        """The study of these settings: one configuration, ``seeds`` seeds."""
        title = f"Playground: {self.dataset}, {self.activation}, {self.init}"
        return Study.of_config(self.run_config(epochs), "playground", title, seeds=seeds)


# --------------------------------------------------------------------------
# The table of fields
# --------------------------------------------------------------------------


def _number(low: float, high: float) -> Callable[[str, Any], float]:
    def parse(name: str, raw: Any) -> float:
        try:
            number = float(raw)
        except (TypeError, ValueError, OverflowError):
            raise SettingsError(f"{name} must be a number, got {raw!r}") from None
        if not (math.isfinite(number) and low <= number <= high):
            raise SettingsError(f"{name} must lie between {low:g} and {high:g}, got {raw!r}")
        return number

    return parse


def _integer(low: int, high: int) -> Callable[[str, Any], int]:
    def parse(name: str, raw: Any) -> int:
        text = str(raw).strip()
        if not (text.lstrip("-").isdigit() and len(text) <= 12) or isinstance(raw, bool):
            raise SettingsError(f"{name} must be a whole number, got {raw!r}")
        number = int(text)
        if not low <= number <= high:
            raise SettingsError(f"{name} must lie between {low} and {high}, got {number}")
        return number

    return parse


def _choice(choices: list[str]) -> Callable[[str, Any], str]:
    def parse(name: str, raw: Any) -> str:
        if raw not in choices:
            raise SettingsError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
        return raw

    return parse


def _spec(get: Callable[[Any], Any], kind: str) -> Callable[[str, Any], str]:
    def parse(name: str, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise SettingsError(f"{name} must be {kind} name such as in the list, got {raw!r}")
        try:
            return get(raw).spec()
        except SpecError as error:
            raise SettingsError(f"{name}: {error}") from None

    return parse


def _hidden_activation(name: str, raw: Any) -> str:
    spec = _spec(activations.get, "an activation")(name, raw)
    if parse_spec(spec)[0] == "softmax":
        raise SettingsError("softmax is an output activation; choose a hidden activation")
    return spec


MAX_LAYERS, MAX_UNITS = 6, 32


def _layers(name: str, raw: Any) -> tuple[int, ...]:
    if isinstance(raw, str):
        if not raw.strip():
            raise SettingsError(
                f"{name}: no layers given; write unit counts such as 4,4, or 'none' for a "
                "network without hidden layers"
            )
        parts = [] if raw.strip().lower() == "none" else [p.strip() for p in raw.split(",")]
    elif isinstance(raw, (list, tuple)):
        parts = list(raw)
    else:
        raise SettingsError(f"{name} is a list of unit counts such as 4,4; got {raw!r}")
    if any(part == "" for part in parts):
        raise SettingsError(f"{name}: an empty layer in {raw!r}; write unit counts such as 4,4")
    if len(parts) > MAX_LAYERS:
        raise SettingsError(f"at most {MAX_LAYERS} hidden layers, got {len(parts)}")
    try:
        return tuple(_integer(1, MAX_UNITS)("units", part) for part in parts)
    except SettingsError:
        raise SettingsError(
            f"each hidden layer has 1 to {MAX_UNITS} units (a whole number); got {raw!r}"
        ) from None


@dataclass(frozen=True)
class Field:
    """One setting of the page: ``parse(name, raw)`` checks a raw value (from the URL
    or a message) and returns it in canonical form. ``kind`` tells the page which
    control to draw; ``aliases`` are other names the URL may use for it."""

    name: str
    label: str
    group: str
    kind: str
    parse: Callable[[str, Any], Any]
    help: str = ""
    choices: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None
    aliases: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        """What the page needs to draw this field's control."""
        return {
            "name": self.name,
            "label": self.label,
            "group": self.group,
            "kind": self.kind,
            "help": self.help,
            "choices": list(self.choices),
            "bounds": list(self.bounds) if self.bounds else None,
            "default": getattr(Settings(), self.name),
        }


HIDDEN_ACTIVATIONS = [name for name in activations.names() if name != "softmax"]
#: Every setting of the page, in the order the form shows them.
FIELDS: tuple[Field, ...] = (
    Field(
        "dataset",
        "Data set",
        "Data",
        "choice",
        _choice(DATASETS),
        choices=tuple(DATASETS),
        aliases=("data", "data_set"),
    ),
    Field("noise", "Noise", "Data", "number", _number(0.0, 1.0), bounds=(0.0, 1.0)),
    Field(
        "samples",
        "Samples",
        "Data",
        "integer",
        _integer(20, 2000),
        bounds=(20, 2000),
        aliases=("n_samples", "points"),
    ),
    Field(
        "train_ratio",
        "Train share",
        "Data",
        "number",
        _number(0.1, 0.9),
        bounds=(0.1, 0.9),
        aliases=("train_share", "train"),
    ),
    Field(
        "hidden",
        "Hidden layers",
        "Network",
        "layers",
        _layers,
        help=f"units per hidden layer, e.g. 4,4 (at most {MAX_LAYERS} x {MAX_UNITS})",
        aliases=("hidden_layers", "layers"),
    ),
    Field(
        "activation",
        "Activation",
        "Network",
        "spec",
        _hidden_activation,
        help="a name or e.g. leaky_relu(0.1)",
        choices=tuple(HIDDEN_ACTIVATIONS),
        aliases=("act",),
    ),
    Field(
        "init",
        "Initializer",
        "Network",
        "spec",
        _spec(initializers.get, "an initializer"),
        help="a name or e.g. random_normal(std=10)",
        choices=tuple(initializers.names()),
        aliases=("initializer", "initialization", "weights"),
    ),
    Field(
        "optimizer",
        "Optimizer",
        "Training",
        "choice",
        _choice(OPTIMIZERS),
        choices=tuple(OPTIMIZERS),
    ),
    Field(
        "learning_rate",
        "Learning rate",
        "Training",
        "number",
        _number(1e-6, 10.0),
        bounds=(1e-6, 10.0),
        aliases=("lr", "learning rate"),
    ),
    Field(
        "batch_size",
        "Batch size",
        "Training",
        "integer",
        _integer(0, 2000),
        bounds=(0, 2000),
        help="0: the full batch",
        aliases=("batch",),
    ),
    Field("l1", "L1", "Training", "number", _number(0.0, 1.0), bounds=(0.0, 1.0)),
    Field("l2", "L2", "Training", "number", _number(0.0, 1.0), bounds=(0.0, 1.0)),
    Field("dropout", "Dropout", "Training", "number", _number(0.0, 0.9), bounds=(0.0, 0.9)),
    Field(
        "seed",
        "Seed",
        "Training",
        "integer",
        _integer(0, 2**31 - 1),
        bounds=(0, 2**31 - 1),
        help="draws the data and the initial weights",
    ),
)

BY_NAME = {field.name: field for field in FIELDS}
ALIASES = {alias: field.name for field in FIELDS for alias in (*field.aliases, field.name)}
ALIASES.update({field.label.lower().replace(" ", "_"): field.name for field in FIELDS})


def parse_settings(values: dict[str, Any]) -> Settings:
    """Settings from a query-string or JSON dict (names, form labels or aliases such as
    ``initializer`` for ``init``); anything unknown or out of bounds is refused with a
    :class:`SettingsError` naming every setting that is wrong and what is allowed."""
    unknown = sorted(key for key in values if str(key).lower() not in ALIASES)
    if unknown:
        raise SettingsError(
            f"unknown setting(s) {', '.join(map(repr, unknown))}; known: "
            f"{', '.join(field.name for field in FIELDS)}"
        )
    given: dict[str, Any] = {}
    for key, raw in values.items():
        name = ALIASES[str(key).lower()]
        if name in given:
            raise SettingsError(f"{name} is given twice (as {key!r} and another name)")
        given[name] = raw
    parsed, problems = {}, []
    for name, raw in given.items():
        try:
            parsed[name] = BY_NAME[name].parse(name, raw)
        except SettingsError as error:
            problems.append(str(error))
    if problems:
        raise SettingsError("; ".join(problems))
    return Settings(**parsed)


def options() -> dict[str, Any]:
    """Everything the page builds its form from: the fields in order, with their
    labels, kinds, choices, bounds and defaults."""
    return {
        "fields": [field.describe() for field in FIELDS],
        "datasets": DATASETS,
        "activations": list(BY_NAME["activation"].choices),
        "initializers": list(BY_NAME["init"].choices),
        "optimizers": OPTIMIZERS,
        "max_epochs": MAX_EPOCHS,
        "defaults": Settings().to_dict(),
    }
