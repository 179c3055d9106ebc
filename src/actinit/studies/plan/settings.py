"""The settings of a run as a study file states them, in one table (:data:`SETTINGS`):
each setting's section, grid key, default, and the normalizer that checks a value and
says what was wrong. Reading, grid expansion and writing study files all derive from
it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...engine import activations, initializers, losses, optimizers, regularizers, starting_points
from .run_config import (
    PRUNING_METHODS,
    canonical_init,
    hidden_activation,
    recommended_init,
)

#: Bounds that keep a mistyped number from starting a run that never ends.
MAX_SEEDS = 10_000


MAX_EPOCHS = 10_000_000


MAX_UNITS = 100_000


MAX_LAYERS = 1_000


class StudyError(ValueError):
    """A study file that cannot be used; the message names the line and the key."""


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
