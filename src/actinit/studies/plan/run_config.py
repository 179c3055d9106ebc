"""One description of a network and its training: :class:`RunConfig`, and the one
function that builds a model from it, :func:`~actinit.studies.run.fitting.build_model`.

Study files, the playground and the command line all describe a run this way, so a
new model option is added here (a field, and where :func:`~actinit.studies.run.fitting.build_model` uses it) and
in the table of settings that reads and writes study files (:data:`actinit.studies.plan.study.SETTINGS`).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from ...engine import (
    initializers,
    losses,
    optimizers,
)
from ...engine.layers import affine_layer
from ...engine.registry import compact_spec

#: Keys of a data description that choose how data is drawn, not a loader parameter.
DATA_CONTROL_KEYS = ("name", "vary_with_seed", "seed", "features", "digest")


def normalize_activation(spec: str) -> str:
    """The canonical spec of a hidden activation: ``"leaky_relu(0.1)"`` ->
    ``"leaky_relu(negative_slope=0.1)"``; ``"maxout(3)"`` -> ``"maxout(pieces=3)"``
    (maxout is a layer in the engine; studies name it like an activation)."""
    return affine_layer(1, spec).activation_label


#: Activations of the output only: softmax normalises a layer's units against each
#: other (one rule for study files and the playground).
OUTPUT_ONLY = ("softmax",)


def hidden_activation(spec: str) -> str:
    """:func:`normalize_activation` of a hidden layer's activation; an output-only one
    (softmax) is refused, saying where it belongs."""
    canonical = normalize_activation(spec)
    if canonical.split("(")[0] in OUTPUT_ONLY:
        raise ValueError(
            f"{canonical} is an output activation (output_activation = '{canonical}'); "
            "choose a hidden activation such as relu or tanh"
        )
    return canonical


def recommended_init(activation_spec: str) -> str:
    """The initializer an activation's authors recommend (``init = "auto"``)."""
    return affine_layer(1, activation_spec).recommended_init


@dataclass(frozen=True)
class RunConfig:
    """Everything one training run needs, apart from its seed.

    ``data``: a data set description (``{"name": "moons", "noise": 0.2, ...}``);
    ``hidden``: units per hidden layer; ``activation``/``init``: of every hidden
    layer (``init_label`` is how tables name the initializer); the output layer has
    ``output_activation`` and ``output_init``; ``loss`` None means the loss that goes
    with the output activation. ``optimizer`` is a full spec with its learning rate;
    ``batch_size`` None is the full batch.
    """

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
    #: Added to the run's seed for the weights and the shuffling (the data keeps the
    #: run's seed): the playground's seed 7 is the exported study's run 0.
    seed_offset: int = field(default=0, metadata={"since": 2})
    #: Another program's exact initial parameters instead of the initializers' draws
    #: (a spec of :mod:`actinit.engine.starting_points`): a replayed run.
    starting_point: str | None = field(default=None, metadata={"since": 3})
    #: One activation / initializer spec per hidden layer, overriding ``activation``
    #: / ``init`` (empty: every layer takes those).
    layer_activations: tuple[str, ...] = field(default=(), metadata={"since": 4})
    layer_inits: tuple[str, ...] = field(default=(), metadata={"since": 4})
    #: Pruning after training (:mod:`actinit.studies.run.pruning`): a method of
    #: ``PRUNING_METHODS`` (None: no pruning), the share to remove, in how many rounds, the
    #: epochs of training after each round, and what the survivors start that
    #: training from: "trained" (their trained values: fine-tuning), "init" (their
    #: original draws: a lottery ticket), "epoch:k" (their values after epoch k) or
    #: "reinit" (fresh draws of the same initializers).
    prune_method: str | None = field(default=None, metadata={"since": 5})
    prune_amount: float = field(default=0.0, metadata={"since": 5})
    prune_rounds: int = field(default=1, metadata={"since": 5})
    #: When > 0: prune this share of what is left each round, as many rounds as the
    #: amount takes (0.2 and 0.83: 8 rounds of 19.9%); ``prune_rounds`` is then unused.
    prune_per_round: float = field(default=0.0, metadata={"since": 5})
    fine_tune: int = field(default=0, metadata={"since": 5})
    rewind: str = field(default="trained", metadata={"since": 5})
    #: The output layer's pruning rate as a share of the hidden layers' (per-layer
    #: magnitude pruning): Frankle & Carbin prune it at half the rate (10% per round
    #: where the hidden layers lose 20%), which a study that rewinds takes by default.
    prune_output_rate: float = field(default=1.0, metadata={"since": 6})

    def __post_init__(self) -> None:
        for name in ("layer_activations", "layer_inits"):
            given = getattr(self, name)
            if given and len(given) != len(self.hidden):
                raise ValueError(
                    f"{name} gives {len(given)} value(s) for {len(self.hidden)} hidden "
                    f"layer(s); give one per hidden layer, or none"
                )

    def hidden_layers(self) -> list[tuple[int, str, str]]:
        """(units, activation spec, initializer spec) of each hidden layer."""
        return [
            (
                units,
                self.layer_activations[i] if self.layer_activations else self.activation,
                self.layer_inits[i] if self.layer_inits else self.init,
            )
            for i, units in enumerate(self.hidden)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain JSON values (tuples as lists, the data description
        copied)."""
        values = {spec.name: getattr(self, spec.name) for spec in fields(self)}
        values["data"] = copy.deepcopy(values["data"])
        for name in ("hidden", "layer_activations", "layer_inits"):
            values[name] = list(values[name])
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        for name in ("hidden", "layer_activations", "layer_inits"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)

    @classmethod
    def of_values(cls, values: dict[str, Any]) -> RunConfig:
        """``RunConfig(**values)``, checked the same way, made faster: a grid makes
        thousands, and a frozen dataclass's ``__init__`` sets each of its fields
        through ``object.__setattr__``, three quarters of the time of a study's
        configurations."""
        known, required = _field_names()
        if not (values.keys() <= known and required <= values.keys()):
            unknown, missing = values.keys() - known, required - values.keys()
            problem = f"unknown field(s) {sorted(unknown)}" if unknown else ""
            problem += "; " * bool(unknown and missing)
            problem += f"missing field(s) {sorted(missing)}" if missing else ""
            raise TypeError(f"RunConfig: {problem}")
        config = object.__new__(cls)
        config.__dict__.update(_defaults(), **values)  # around the frozen __setattr__
        config.__post_init__()
        return config

    @functools.cached_property
    def key(self) -> str:
        """A hash of the whole configuration: the key of its runs in the store.
        Fields added after the first release leave the key alone while at their
        default (``metadata={"since": ...}``), so stored results stay found."""
        values = dict(self.__dict__)  # JSON writes a tuple as the list to_dict makes
        names = _field_names()[0]
        if len(values) != len(names):  # a cached property besides the fields
            values = {name: values[name] for name in names}
        for name, default in _later_defaults():
            if values[name] == default:
                del values[name]
        text = _KEY_ENCODER.encode(values)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    @property
    def activation_label(self) -> str:
        """How tables name the activation: ``leaky_relu(0.1)``; per layer ``relu,tanh``."""
        return ",".join(map(compact_spec, self.layer_activations or (self.activation,)))

    @property
    def initializer_label(self) -> str:
        """How tables name the initializer: its label; per layer ``he_normal,orthogonal``."""
        return ",".join(self.layer_inits) if self.layer_inits else self.init_label

    @property
    def label(self) -> str:
        replayed = " (replayed)" if self.starting_point else ""
        pruned = f", {self.pruning_label}" if self.prune_method else ""
        return f"{self.activation_label} / {self.initializer_label}{replayed}{pruned}"

    @property
    def pruning_schedule(self) -> tuple[int, float]:
        """(rounds, the share of what is left pruned each round)."""
        if self.prune_amount == 0:
            return self.prune_rounds if not self.prune_per_round else 1, 0.0
        rounds = self.prune_rounds
        if self.prune_per_round:
            steps = math.log(1 - self.prune_amount) / math.log(1 - self.prune_per_round)
            rounds = max(1, round(steps))
        return rounds, 1 - (1 - self.prune_amount) ** (1 / rounds)

    @property
    def pruning_label(self) -> str:
        """``magnitude 80% (rewind init)``, or "none"."""
        if not self.prune_method:
            return "none"
        rewind = "" if self.rewind == "trained" else f" (rewind {self.rewind})"
        return f"{self.prune_method} {100 * self.prune_amount:g}%{rewind}"

    @property
    def loss_function(self) -> losses.Loss:
        """The loss from the loss registry: the one named, else the output activation's."""
        return _loss_of(self.loss, self.output_activation)


#: The key's JSON: sorted, compact, a tuple written as the list to_dict makes.
_KEY_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=list)


@functools.lru_cache(maxsize=1)
def _later_defaults() -> tuple[tuple[str, Any], ...]:
    """(name, default) of every field added after the first release (left out of the
    key while at its default)."""
    return tuple((f.name, f.default) for f in fields(RunConfig) if "since" in f.metadata)


@functools.lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    """Every field's default (none has a default factory)."""
    return {f.name: f.default for f in fields(RunConfig) if f.default is not MISSING}


@functools.lru_cache(maxsize=1)
def _field_names() -> tuple[frozenset[str], frozenset[str]]:
    """(every field's name, the names of the fields without a default)."""
    names = frozenset(f.name for f in fields(RunConfig))
    return names, names - _defaults().keys()


@functools.lru_cache(maxsize=256)
def _loss_of(loss: str | None, output_activation: str) -> losses.Loss:
    return losses.get(loss) if loss else losses.for_output(output_activation)


@functools.lru_cache(maxsize=1024)
def canonical_init(spec: str) -> str:
    """An initializer's spec as actinit writes it (``"he"`` -> ``"kaiming_normal"`` ...);
    cached, as a grid builds the same few thousands of times."""
    return initializers.get(spec).spec()


@functools.lru_cache(maxsize=1024)
def optimizer_spec(spec: str, learning_rate: float | None) -> str:
    """The optimizer ``spec`` with its learning rate set (None: its own default)."""
    optimizer = optimizers.get(spec)
    if learning_rate is None:
        return optimizer.spec()
    return optimizers.get(
        {"name": optimizer.name, **optimizer.config(), "lr": learning_rate}
    ).spec()


#: The pruning methods by name: weights by magnitude per layer or over the whole
#: network, or whole units by a criterion of :mod:`actinit.engine.unit_pruning`.
PRUNING_METHODS = {
    "magnitude": ("weights", "layer"),
    "global": ("weights", "global"),
    "units-norm": ("units", "weight_norm"),
    "units-activation": ("units", "mean_activation"),
    "units-scaled": ("units", "scaled"),
    "redundant": ("units", "redundant"),
}
