"""One description of a network and its training: :class:`RunConfig`, and the one
function that builds a model from it, :func:`build_model`.

Study files, the playground and the command line all describe a run this way, so a
new model option is added here (a field, and where :func:`build_model` uses it) and
in the table of settings that reads and writes study files (:data:`actinit.studies.study.SETTINGS`).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

from ..engine import Dropout, Sequential, activations, losses
from ..engine.layers import affine_layer
from ..engine.registry import compact_spec
from . import datasets

#: Keys of a data description that choose how data is drawn, not a loader parameter.
DATA_CONTROL_KEYS = ("name", "vary_with_seed", "seed", "features")


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
    #: Pruning after training (:mod:`actinit.studies.pruning`): a method of
    #: ``METHODS`` (None: no pruning), the share to remove, in how many rounds, the
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

    @functools.cached_property
    def key(self) -> str:
        """A hash of the whole configuration: the key of its runs in the store.
        Fields added after the first release leave the key alone while at their
        default (``metadata={"since": ...}``), so stored results stay found."""
        values = {}
        for name, since, default in _key_fields():
            value = getattr(self, name)
            if not (since and value == default):
                values[name] = value  # JSON writes a tuple as the list to_dict makes
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
def _key_fields() -> tuple[tuple[str, bool, Any], ...]:
    """(name, added after the first release, default) of every RunConfig field."""
    return tuple((f.name, "since" in f.metadata, f.default) for f in fields(RunConfig))


@functools.lru_cache(maxsize=256)
def _loss_of(loss: str | None, output_activation: str) -> losses.Loss:
    return losses.get(loss) if loss else losses.for_output(output_activation)


def build_model(config: RunConfig, n_classes: int, seed: int) -> Sequential:
    """The network ``config`` describes, for data with ``n_classes`` classes (0 for
    regression), its initial weights drawn from ``seed + config.seed_offset``. Not yet
    built: its first ``fit`` (or ``build(n_features)``) creates the parameters."""
    layers = []
    for units, activation, init in config.hidden_layers():
        if layers and config.dropout:
            layers.append(Dropout(config.dropout))
        layers.append(affine_layer(units, activation, init=init, bias_init=config.bias_init))
    if layers and config.dropout:
        layers.append(Dropout(config.dropout))
    # a loss object of the model's own (the cached one is shared, for reading only)
    loss = losses.get(config.loss) if config.loss else losses.for_output(config.output_activation)
    output_units = loss.output_units(n_classes)
    layers.append(
        affine_layer(
            output_units,
            activations.get(config.output_activation),
            init=config.output_init,
            bias_init=config.bias_init,
        )
    )
    return Sequential(
        layers,
        loss=loss,
        optimizer=config.optimizer,
        seed=seed + config.seed_offset,
        dtype=config.dtype,
        regularizer=config.regularizer,
        starting_point=config.starting_point,
    )


@functools.lru_cache(maxsize=16)
def _cached_dataset(data_json: str, seed: int) -> datasets.Dataset:
    params = json.loads(data_json)
    name = params.pop("name")
    features = params.get("features")
    for key in DATA_CONTROL_KEYS[1:]:
        params.pop(key, None)
    data = datasets.load(name, seed=seed, **params)
    if features:
        data = datasets.with_features(data, datasets.check_features(features, name))
    return data


def data_seed(config: RunConfig, seed: int) -> int:
    """The seed the run's data is drawn with: the run's own if ``vary_with_seed``,
    else the data description's fixed ``seed`` (0 by default)."""
    return seed if config.data.get("vary_with_seed") else int(config.data.get("seed", 0))


def dataset_for(config: RunConfig, seed: int) -> datasets.Dataset:
    """The run's data (cached: runs of one study share their data sets)."""
    return _cached_dataset(json.dumps(config.data, sort_keys=True), data_seed(config, seed))


def model_for(config: RunConfig, data: datasets.Dataset, seed: int) -> Sequential:
    """The network of ``config`` built for ``data``'s features and classes."""
    model = build_model(config, data.n_classes, seed)
    return model.build(data.n_features)


#: A run without callbacks or a target validates often enough for this many points
#: of its validation curve (a 15,000-epoch run: every 30 epochs).
VALIDATION_POINTS = 500


def validation_every(config: RunConfig, callbacks=()) -> int:
    """How often a run evaluates its test data: every epoch when it looks for the
    epoch that reaches a target or a callback watches, else :data:`VALIDATION_POINTS`
    times in all (and after the last epoch)."""
    if callbacks or config.target_accuracy is not None:
        return 1
    return max(1, config.epochs // VALIDATION_POINTS)


def fit_run(model: Sequential, config: RunConfig, data: datasets.Dataset, callbacks=()):
    """Fit ``model`` as ``config`` says (its epochs and batch size), with ``data``'s test
    part as validation data (:func:`validation_every`); returns the History."""
    return model.fit(
        data.X_train,
        data.y_train,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=(data.X_test, data.y_test),
        callbacks=callbacks,
        validation_every=validation_every(config, callbacks),
    )
