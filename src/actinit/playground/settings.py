"""The playground's settings: what a page may ask for, with bounds and clear refusals.

:data:`FIELDS` describes every setting once (its name, the label the form shows, its
kind, default, bounds and help); the page builds its form from it (``/api/options``),
the URL carries it, :func:`parse_settings` checks it, and :meth:`Settings.run_config`
turns it into the :class:`~actinit.studies.plan.run_config.RunConfig` that studies use, so the
page trains exactly what ``actinit run`` would, and exports it as a study file written
by :func:`~actinit.studies.plan.study_file.write_study`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np

from ..engine import activations, initializers, losses, optimizers
from ..engine.layers import GATES, affine_layer
from ..engine.registry import SpecError
from ..studies import datasets
from ..studies.plan.run_config import (
    RunConfig,
    hidden_activation,
    normalize_activation,
    optimizer_spec,
)
from ..studies.plan.study import Study

#: Classification planes (one sigmoid output, cross-entropy) and regression planes
#: (one linear output, mean squared error); ``csv``: the page's uploaded file.
CLASSIFICATION = ["moons", "circles", "xor", "spiral", "gaussian", "parabola", "blobs",
                  "sine", "cubic", "abs", "checkerboard"]  # fmt: skip
REGRESSION = ["plane", "gaussians"]
UPLOADED = "csv"
MULTICLASS_DATASETS = list(datasets.MULTICLASS_PLANES)
DATASETS = [*CLASSIFICATION, *REGRESSION, UPLOADED]
FEATURES = list(datasets.FEATURES)
OPTIMIZERS = optimizers.names()  # every optimizer the engine registers
#: Epochs one page may train; also what an exported study trains when the page has not.
MAX_EPOCHS = 20000
DEFAULT_EXPORT_EPOCHS = 200
#: The output layer: one sigmoid unit (softmax units for more than two classes, a
#: linear one for regression), Keras's default initializer.
OUTPUT_ACTIVATION, REGRESSION_OUTPUT, OUTPUT_INIT = "sigmoid", "linear", "glorot_uniform"
MULTICLASS_OUTPUT = "softmax"
REGRESSION_LOSS = "mean_squared_error"
#: Classes a page tells apart at most (blobs, spiral arms, or an uploaded file's labels).
MAX_CLASSES = 8
#: Depth and width are bounded by what one update can train, not by small caps:
#: weights x training points per epoch (about a second of work on a laptop core).
MAX_LAYERS, MAX_UNITS, MAX_WORK = 50, 256, 1_000_000_000
#: Layer passes (batches x layers) one epoch may make: each costs tens of microseconds
#: whatever its size, so batches of 1 through 50 layers are slow however few weights.
MAX_LAYER_STEPS = 20_000
#: The largest message a page may send: an uploaded CSV file travels in one.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
#: The largest CSV file a page may upload (characters).
MAX_UPLOAD_CHARACTERS = 1_500_000


class SettingsError(ValueError):
    """A setting outside what the playground accepts; the message says what is allowed.
    ``fields``: each wrong setting's own message, by name (the page shows it beside
    that field)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = dict(fields or {})


@dataclass(frozen=True)
class Settings:
    """One run's settings on the page: the data (set, noise, samples, train share,
    classes, seed, an uploaded file), the network (hidden widths, activation,
    initializer, output), the training (optimizer, learning rate, batch size,
    regularization) and what to record; every field bounded by :data:`FIELDS`, read
    from a page's message by :func:`parse_settings`."""

    dataset: str = "moons"
    noise: float = 0.2
    samples: int = 400
    train_ratio: float = 0.5
    #: Classes of the data: 2, or up to MAX_CLASSES for blobs, spiral and csv; 0 for a
    #: csv file whose labels are numbers to predict (regression).
    classes: int = 2
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    init: str = "xavier_normal"
    layer_activations: tuple[str, ...] = ()
    layer_inits: tuple[str, ...] = ()
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10  # 0: the full batch
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    seed: int = 0
    #: The uploaded file's name when ``dataset`` is ``csv``.
    data_file: str = ""

    @property
    def regression(self) -> bool:
        return self.dataset in REGRESSION or (self.dataset == UPLOADED and self.classes == 0)

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        for name in LIST_FIELDS:
            values[name] = list(values[name])
        return values

    def query(self) -> str:
        """The URL query string that reproduces these settings."""
        values = self.to_dict()
        values["hidden"] = ",".join(map(str, self.hidden)) or "none"
        values["features"] = ",".join(self.features)
        for name in ("layer_activations", "layer_inits"):
            values[name] = ";".join(values[name])
        return urlencode(values)

    @property
    def output_units(self) -> int:
        """Units of the output layer, as the output's loss asks for them."""
        loss = losses.for_output(self.output_activation)
        return loss.output_units(0 if self.regression else self.classes)

    @property
    def output_activation(self) -> str:
        if self.regression:
            return REGRESSION_OUTPUT
        return MULTICLASS_OUTPUT if self.classes > 2 else OUTPUT_ACTIVATION

    @property
    def weights(self) -> int:
        """Weights and biases of the network these settings describe (a maxout layer
        has one set per piece)."""
        sizes = [len(self.features), *self.hidden, self.output_units]
        hidden = self.layer_activations or (self.activation,) * len(self.hidden)
        pieces = [maxout_pieces(spec) for spec in hidden] + [1]
        return sum((a + 1) * b * k for a, b, k in zip(sizes, sizes[1:], pieces))

    def regularizer_spec(self) -> str | None:
        if self.l1 and self.l2:
            return f"l1_l2(l1={self.l1!r}, l2={self.l2!r})"
        if self.l1:
            return f"l1({self.l1!r})"
        if self.l2:
            return f"l2({self.l2!r})"
        return None

    def data_description(self, csv_path: str | None = None) -> dict[str, Any]:
        """The data set as studies describe it; an uploaded file by ``csv_path`` (the
        server's copy), else by the name it was uploaded with."""
        if self.dataset == UPLOADED:
            description = {
                "name": "csv",
                "path": csv_path or self.data_file,
                "test_size": round(1 - self.train_ratio, 3),
                "seed": self.seed,
            }
            if self.regression:
                description["regression"] = True
        else:
            description = datasets.plane_description(
                self.dataset, self.samples, self.noise, self.train_ratio, self.seed, self.classes
            )
        if self.features != Settings.features:
            description["features"] = list(self.features)
        return description

    def run_config(
        self, epochs: int = DEFAULT_EXPORT_EPOCHS, csv_path: str | None = None
    ) -> RunConfig:
        """The run these settings describe, as studies describe runs. The study's run
        seed 0 is the page's seed (``seed_offset``), so `actinit run` on the export
        trains the very network the page showed."""
        return RunConfig(
            data=self.data_description(csv_path),
            hidden=self.hidden,
            activation=self.activation,
            init=self.init,
            init_label=self.init,
            layer_activations=self.layer_activations,
            layer_inits=self.layer_inits,
            bias_init="zeros",
            output_activation=self.output_activation,
            output_init=OUTPUT_INIT,
            loss=REGRESSION_LOSS if self.regression else None,
            optimizer=optimizer_spec(self.optimizer, self.learning_rate),
            epochs=max(1, int(epochs)),
            batch_size=self.batch_size or None,
            regularizer=self.regularizer_spec(),
            dropout=self.dropout,
            seed_offset=self.seed,
        )

    def study(self, epochs: int = DEFAULT_EXPORT_EPOCHS, seeds: int = 1) -> Study:
        """The study of these settings: one configuration, ``seeds`` seeds."""
        config = self.run_config(epochs)
        title = f"Playground: {self.dataset}, {config.activation_label}, {config.initializer_label}"
        return Study.of_config(config, "playground", title, seeds=seeds)


# --------------------------------------------------------------------------
# The table of fields
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bounded:
    """A parser of a number between ``low`` and ``high`` (a whole one if ``whole``); the
    page reads its bounds from it, so each bound is stated once."""

    low: float
    high: float
    whole: bool = False

    def __call__(self, name: str, raw: Any) -> float | int:
        if self.whole:
            text = str(raw).strip()
            if not (text.lstrip("-").isdigit() and len(text) <= 12) or isinstance(raw, bool):
                raise SettingsError(f"{name} must be a whole number, got {raw!r}")
            number = int(text)
            if not self.low <= number <= self.high:
                raise SettingsError(
                    f"{name} must lie between {self.low} and {self.high}, got {number}"
                )
            return number
        try:
            value = float(raw)
        except (TypeError, ValueError, OverflowError):
            raise SettingsError(f"{name} must be a number, got {raw!r}") from None
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise SettingsError(
                f"{name} must lie between {self.low:g} and {self.high:g}, got {raw!r}"
            )
        return value


def _number(low: float, high: float) -> _Bounded:
    return _Bounded(low, high)


def _integer(low: int, high: int) -> _Bounded:
    return _Bounded(low, high, whole=True)


def _choice(choices: list[str]) -> Callable[[str, Any], str]:
    def parse(name: str, raw: Any) -> str:
        if raw not in choices:
            raise SettingsError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
        return raw

    return parse


def _spec(get: Callable[[Any], Any], kind: str, examples: str) -> Callable[[str, Any], str]:
    def parse(name: str, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise SettingsError(f"{name} must be {kind} such as {examples}; got {raw!r}")
        try:
            return get(raw).spec()
        except SpecError as error:
            raise SettingsError(f"{name}: {_short(error)} (e.g. {examples})") from None

    return parse


def _short(error: SpecError) -> str:
    """A registry's refusal without its whole catalogue when it has a nearest name
    ("Did you mean 'tanh'?"): the field's list offers the rest."""
    text = str(error)
    if "Did you mean" in text:
        return text[: text.index("?", text.index("Did you mean")) + 1]
    return text


def _hidden_activation(name: str, raw: Any) -> str:
    """A hidden layer's activation spec, canonical; ``maxout(k)`` (a layer of k affine
    pieces in the engine) as ``maxout(pieces=k)``."""
    if isinstance(raw, str) and (
        raw.strip().lower().startswith("maxout") or raw.strip().lower() in GATES
    ):
        try:
            return normalize_activation(raw.strip().lower())
        except (SpecError, ValueError) as problem:
            raise SettingsError(f"{name}: {problem}") from None
    spec = _spec(activations.get, "an activation", ACTIVATION_EXAMPLES)(name, raw)
    try:
        return hidden_activation(spec)  # the studies' own rule (softmax is output-only)
    except ValueError as problem:
        raise SettingsError(f"{name}: {problem}") from None


def maxout_pieces(spec: str) -> int:
    """Affine pieces per unit of a hidden layer of activation ``spec`` (1 unless maxout)."""
    return getattr(affine_layer(1, spec), "pieces", 1)


ACTIVATION_EXAMPLES = "relu, tanh, leaky_relu(0.1), maxout(3)"
INITIALIZER_EXAMPLES = "he_normal, xavier_uniform, random_normal(std=10)"
_initializer = _spec(initializers.get, "an initializer", INITIALIZER_EXAMPLES)


def _per_layer(parse_one: Callable[[str, Any], str]) -> Callable[[str, Any], tuple[str, ...]]:
    """One spec per hidden layer, separated by ';' (specs hold commas); empty: none."""

    def parse(name: str, raw: Any) -> tuple[str, ...]:
        if isinstance(raw, str):
            parts = [part.strip() for part in raw.split(";")] if raw.strip() else []
        elif isinstance(raw, (list, tuple)):
            parts = list(raw)
        else:
            raise SettingsError(f"{name} is a list with one name per hidden layer; got {raw!r}")
        return tuple(parse_one(f"{name} (layer {i})", part) for i, part in enumerate(parts, 1))

    return parse


def _features(name: str, raw: Any) -> tuple[str, ...]:
    parts = [p.strip() for p in raw.split(",")] if isinstance(raw, str) else raw
    try:
        return datasets.check_features(parts)
    except datasets.DataError as error:
        raise SettingsError(f"{name}: {error}") from None


def _file_name(name: str, raw: Any) -> str:
    if not isinstance(raw, str) or len(raw) > 200 or any(c in raw for c in "/\\\0"):
        raise SettingsError(f"{name} is the uploaded file's name (no folders); got {raw!r}")
    return raw


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
    aliases: tuple[str, ...] = ()

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The lowest and highest value allowed, from the parser that checks them."""
        return (self.parse.low, self.parse.high) if isinstance(self.parse, _Bounded) else None

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


#: The names a layer's activation select offers (any spec may be typed, e.g. maxout(4)).
HIDDEN_ACTIVATIONS = [name for name in activations.names() if name != "softmax"] + [
    "maxout(pieces=2)",
    "maxout(pieces=3)",
    *GATES,
]
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
    Field("noise", "Noise", "Data", "number", _number(0.0, 1.0)),
    Field(
        "samples",
        "Samples",
        "Data",
        "integer",
        _integer(20, 2000),
        aliases=("n_samples", "points"),
    ),
    Field(
        "train_ratio",
        "Train share",
        "Data",
        "number",
        _number(0.1, 0.9),
        aliases=("train_share", "train"),
    ),
    Field(
        "classes",
        "Classes",
        "Data",
        "integer",
        _integer(0, MAX_CLASSES),
        help="more than 2: blobs, spiral arms, or an uploaded file's labels; "
        "0: an uploaded file's numbers to predict (regression)",
        aliases=("n_classes", "centers"),
    ),
    Field(
        "features",
        "Inputs",
        "Data",
        "features",
        _features,
        help="the inputs computed from x1, x2",
        choices=tuple(FEATURES),
    ),
    Field(
        "hidden",
        "Hidden layers",
        "Network",
        "layers",
        _layers,
        help=f"units per hidden layer, e.g. 4,4 (at most {MAX_LAYERS} layers of {MAX_UNITS})",
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
        _initializer,
        help="a name or e.g. random_normal(std=10)",
        choices=tuple(initializers.names()),
        aliases=("initializer", "initialization", "weights"),
    ),
    Field(
        "layer_activations",
        "Per layer: activations",
        "Network",
        "per_layer",
        _per_layer(_hidden_activation),
        help="one activation per hidden layer, separated by ';' (empty: the one above)",
        aliases=("activations",),
    ),
    Field(
        "layer_inits",
        "Per layer: initializers",
        "Network",
        "per_layer",
        _per_layer(_initializer),
        help="one initializer per hidden layer, separated by ';' (empty: the one above)",
        aliases=("initializers",),
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
        aliases=("lr", "learning rate"),
    ),
    Field(
        "batch_size",
        "Batch size",
        "Training",
        "integer",
        _integer(0, 2000),
        help="0: the full batch",
        aliases=("batch",),
    ),
    Field("l1", "L1", "Training", "number", _number(0.0, 1.0)),
    Field("l2", "L2", "Training", "number", _number(0.0, 1.0)),
    Field("dropout", "Dropout", "Training", "number", _number(0.0, 0.9)),
    Field(
        "seed",
        "Seed",
        "Training",
        "integer",
        _integer(0, 2**31 - 1),
        help="draws the data and the initial weights",
    ),
    Field(
        "data_file",
        "Uploaded file",
        "Data",
        "hidden",
        _file_name,
        help="the name of the CSV file uploaded (data set csv)",
    ),
)
LIST_FIELDS = ("features", "hidden", "layer_activations", "layer_inits")

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
    parsed, problems = {}, {}
    for name, raw in given.items():
        try:
            parsed[name] = BY_NAME[name].parse(name, raw)
        except SettingsError as error:
            problems[name] = str(error)
    if problems:
        raise SettingsError("; ".join(problems.values()), fields=problems)
    settings = Settings(**parsed)
    _check_together(settings)
    return settings


def check_work(runs: list[Settings], rows: int | None = None) -> None:
    """The real work of one epoch, for every run a page trains together (A and B, B on
    A's data): weights x training rows (an uploaded file's ``rows``, else the samples
    asked for) and batches x layers; refused past what one update can train."""
    first = runs[0]
    total = first.samples if rows is None else rows
    n_train = max(2, round(total * first.train_ratio))
    work = sum(run.weights for run in runs) * n_train
    batch = min(first.batch_size or n_train, n_train)
    steps = sum(
        -(-n_train // min(run.batch_size or n_train, n_train)) * (len(run.hidden) + 1)
        for run in runs
    )
    who = "runs A and B together have" if len(runs) > 1 else "the network has"
    if work > MAX_WORK:
        raise SettingsError(
            f"too much work per epoch: {who} {sum(r.weights for r in runs):,} weights x "
            f"{n_train:,} training rows = {work:.2g}; the playground trains at most "
            f"{MAX_WORK:.2g} per update. Use fewer or narrower layers, or fewer rows"
        )
    if steps > MAX_LAYER_STEPS:
        raise SettingsError(
            f"too many batches per epoch: {n_train:,} training rows in batches of {batch} "
            f"through {len(first.hidden) + 1} layers make {steps:,} layer passes"
            f"{' (A and B together)' if len(runs) > 1 else ''}; the playground makes at "
            f"most {MAX_LAYER_STEPS:,} per epoch. Use larger batches or fewer layers"
        )


def _check_together(settings: Settings) -> None:
    """What no single setting shows: per-layer lists that fit the layers, a CSV file
    named for the csv data set, and a network one update can train."""
    for name in ("layer_activations", "layer_inits"):
        given = getattr(settings, name)
        if given and len(given) != len(settings.hidden):
            raise SettingsError(
                f"{name} gives {len(given)} value(s) for {len(settings.hidden)} hidden "
                "layer(s); give one per hidden layer separated by ';', or leave it empty"
            )
    if settings.dataset == UPLOADED and not settings.data_file:
        raise SettingsError("the csv data set is a file you upload: use 'Upload CSV' first")
    if settings.classes == 1:
        raise SettingsError(
            f"classes = 1: data have 2 to {MAX_CLASSES} classes, or 0 when an uploaded "
            "CSV file's labels are numbers to predict (regression)"
        )
    if settings.classes == 0 and settings.dataset != UPLOADED:
        raise SettingsError(
            f"classes = 0 stands for numbers to predict in an uploaded CSV file; "
            f"{settings.dataset} is not one (set classes = 2)"
        )
    if settings.classes != 2 and settings.dataset not in (*MULTICLASS_DATASETS, UPLOADED):
        kind = "a regression surface" if settings.regression else "two classes"
        raise SettingsError(
            f"{settings.dataset} has {kind}; {settings.classes} classes come from "
            f"{', '.join(MULTICLASS_DATASETS)} or an uploaded CSV file (set classes = 2 "
            "for the others)"
        )
    _check_layers(settings)
    if settings.dataset != UPLOADED:  # an upload's own rows are counted when it is used
        check_work([settings])


def _check_layers(settings: Settings) -> None:
    """Every hidden layer can be made as set (an initializer that needs what a layer
    lacks, such as critical in a gated or maxout layer, is said in the page's terms)."""
    config = settings.run_config()
    for layer, (_, activation, init) in enumerate(config.hidden_layers(), start=1):
        try:
            affine_layer(1, activation, init=init)
        except ValueError as problem:
            field = "layer_inits" if settings.layer_inits else "init"
            raise SettingsError(
                f"hidden layer {layer} ({activation}, {init}): {problem}", {field: str(problem)}
            ) from None


@functools.lru_cache(maxsize=1)
def thumbnails(points: int = 160) -> dict[str, dict[str, Any]]:
    """Each built-in 2-D data set as a few points (seed 0, its default noise) for the
    page's pictures to click: ``{"moons": {"x": [[x1, x2], ...], "y": [...],
    "regression": False}, ...}``."""
    shown = {}
    for name in [*CLASSIFICATION, *REGRESSION]:
        description = datasets.plane_description(name, points, Settings.noise, 0.5, 0)
        params = {k: v for k, v in description.items() if k not in ("name", "seed")}
        data = datasets.load(name, seed=0, **params)
        X = np.concatenate([data.X_train, data.X_test])[:points]
        y = np.concatenate([data.y_train, data.y_test])[:points]
        shown[name] = {
            "x": np.round(X, 3).tolist(),
            "y": np.round(y.astype(float), 3).tolist(),
            "regression": name in REGRESSION,
        }
    return shown


def options() -> dict[str, Any]:
    """Everything the page builds its form from: the fields in order, with their
    labels, kinds, choices, bounds and defaults."""
    return {
        "fields": [field.describe() for field in FIELDS],
        "datasets": DATASETS,
        "regression": REGRESSION,
        "multiclass": MULTICLASS_DATASETS,
        "features": FEATURES,
        "limits": {
            "layers": MAX_LAYERS,
            "units": MAX_UNITS,
            "work": MAX_WORK,
            "upload_characters": MAX_UPLOAD_CHARACTERS,
            "message_bytes": MAX_MESSAGE_BYTES,
        },
        "activations": list(BY_NAME["activation"].choices),
        "initializers": list(BY_NAME["init"].choices),
        "activation_examples": ACTIVATION_EXAMPLES,
        "initializer_examples": INITIALIZER_EXAMPLES,
        "optimizers": OPTIMIZERS,
        "max_epochs": MAX_EPOCHS,
        "defaults": Settings().to_dict(),
    }
