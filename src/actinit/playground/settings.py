"""The playground's settings: what a page may ask for, with bounds and clear refusals.

Settings travel as URL query parameters (so a link reproduces an experiment) and as
JSON in WebSocket messages; both go through :func:`parse_settings`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from ..engine import activations, initializers, optimizers
from ..engine.registry import SpecError, compact_spec, parse_spec
from ..studies import datasets

DATASETS = ["moons", "circles", "xor", "spiral", "gaussian", "parabola", "blobs"]
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
LIMITS = {
    "layers": 6,  # hidden layers
    "units": 32,  # units per hidden layer
    "samples": 2000,  # points in the data set
    "epochs": 20000,  # epochs one session may train
    "learning_rate": (1e-6, 10.0),
    "noise": (0.0, 1.0),
    "train_ratio": (0.1, 0.9),
    "penalty": (0.0, 1.0),
    "dropout": (0.0, 0.9),
}


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
        values["hidden"] = ",".join(map(str, self.hidden))
        return urlencode(values)

    def optimizer_spec(self) -> str:
        return f"{self.optimizer}(lr={self.learning_rate!r})"

    def regularizer_spec(self) -> str | None:
        if self.l1 and self.l2:
            return f"l1_l2(l1={self.l1!r}, l2={self.l2!r})"
        if self.l1:
            return f"l1({self.l1!r})"
        if self.l2:
            return f"l2({self.l2!r})"
        return None

    def data_spec(self) -> dict[str, Any]:
        """The data set as actinit.studies.datasets names it: name, seed and parameters."""
        n_train = max(2, round(self.samples * self.train_ratio))
        n_test = max(2, self.samples - n_train)
        test_size = round(1 - self.train_ratio, 3)
        spec: dict[str, Any] = {"name": self.dataset, "seed": self.seed}
        if self.dataset == "moons":
            spec.update(n_train=n_train, n_test=n_test, noise=self.noise)
        elif self.dataset == "circles":
            spec.update(n_train=n_train, n_test=n_test, noise=self.noise / 4)
        elif self.dataset == "parabola":
            spec.update(n_points=max(2, self.samples // 2))
        elif self.dataset == "blobs":
            spec.update(n_samples=self.samples, centers=4, fold=2, test_size=test_size)
        else:
            spec.update(n_samples=self.samples, noise=self.noise, test_size=test_size)
        return spec

    def load_data(self) -> datasets.Dataset:
        params = self.data_spec()
        name, seed = params.pop("name"), params.pop("seed")
        return datasets.load(name, seed=seed, **params)

    def study_toml(self) -> str:
        """A study file that ``actinit run`` accepts, reproducing this setting."""
        data = self.data_spec()
        lines = [
            'name = "playground"',
            f'title = "Playground: {self.dataset}, {compact_spec(self.activation)}, {self.init}"',
            "seeds = 5",
            "",
            "[data]",
            *(f"{key} = {_toml(value)}" for key, value in data.items()),
            "",
            "[model]",
            f"hidden = {list(self.hidden)}",
            f"output_activation = {_toml(OUTPUT_ACTIVATION)}",
            f"output_init = {_toml(OUTPUT_INIT)}",
            *(
                [f"regularizer = {_toml(self.regularizer_spec())}"]
                if self.regularizer_spec()
                else []
            ),
            *([f"dropout = {self.dropout!r}"] if self.dropout else []),
            "",
            "[training]",
            "epochs = 200",
            f"batch_size = {self.batch_size if self.batch_size else _toml('full')}",
            f"optimizer = {_toml(self.optimizer)}",
            f"learning_rate = {self.learning_rate!r}",
            "",
            "[grid]",
            f"activations = [{_toml(self.activation)}]",
            f"initializers = [{_toml(self.init)}]",
        ]
        return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _number(values: dict[str, Any], key: str, default: float, bounds: tuple[float, float]) -> float:
    raw = values.get(key, default)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{key} must be a number, got {raw!r}") from None
    low, high = bounds
    if not low <= number <= high:
        raise SettingsError(f"{key} must lie between {low:g} and {high:g}, got {number:g}")
    return number


def _integer(values: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    raw = values.get(key, default)
    try:
        number = int(str(raw))
    except ValueError:
        raise SettingsError(f"{key} must be a whole number, got {raw!r}") from None
    if not low <= number <= high:
        raise SettingsError(f"{key} must lie between {low} and {high}, got {number}")
    return number


def _hidden(raw: Any) -> tuple[int, ...]:
    if isinstance(raw, str):
        parts = [p for p in raw.replace(" ", "").split(",") if p]
    elif isinstance(raw, (list, tuple)):
        parts = list(raw)
    else:
        raise SettingsError(f"hidden must be a list of unit counts such as 4,4; got {raw!r}")
    if len(parts) > LIMITS["layers"]:
        raise SettingsError(f"at most {LIMITS['layers']} hidden layers, got {len(parts)}")
    units = []
    for part in parts:
        try:
            count = int(str(part))
        except ValueError:
            raise SettingsError(f"hidden layer sizes are whole numbers, got {part!r}") from None
        if not 1 <= count <= LIMITS["units"]:
            raise SettingsError(f"each hidden layer has 1 to {LIMITS['units']} units, got {count}")
        units.append(count)
    return tuple(units)


def parse_settings(values: dict[str, Any]) -> Settings:
    """Settings from a query-string or JSON dict; anything unknown or out of bounds is
    refused with a :class:`SettingsError` naming the setting and what is allowed."""
    known = set(Settings.__dataclass_fields__)
    unknown = set(values) - known
    if unknown:
        raise SettingsError(f"unknown setting(s) {sorted(unknown)}; known: {sorted(known)}")
    default = Settings()
    dataset = str(values.get("dataset", default.dataset))
    if dataset not in DATASETS:
        raise SettingsError(f"dataset must be one of {', '.join(DATASETS)}; got {dataset!r}")
    activation = str(values.get("activation", default.activation))
    init = str(values.get("init", default.init))
    optimizer = str(values.get("optimizer", default.optimizer))
    try:
        if parse_spec(activation)[0] == "softmax":
            raise SettingsError("softmax is an output activation; choose a hidden activation")
        activation = activations.get(activation).spec()
        init = initializers.get(init).spec()
    except SpecError as error:
        raise SettingsError(str(error)) from None
    if optimizer not in OPTIMIZERS:
        raise SettingsError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
    settings = Settings(
        dataset=dataset,
        noise=_number(values, "noise", default.noise, LIMITS["noise"]),
        samples=_integer(values, "samples", default.samples, 20, LIMITS["samples"]),
        train_ratio=_number(values, "train_ratio", default.train_ratio, LIMITS["train_ratio"]),
        hidden=_hidden(values.get("hidden", default.hidden)),
        activation=activation,
        init=init,
        optimizer=optimizer,
        learning_rate=_number(
            values, "learning_rate", default.learning_rate, LIMITS["learning_rate"]
        ),
        batch_size=_integer(values, "batch_size", default.batch_size, 0, LIMITS["samples"]),
        l1=_number(values, "l1", default.l1, LIMITS["penalty"]),
        l2=_number(values, "l2", default.l2, LIMITS["penalty"]),
        dropout=_number(values, "dropout", default.dropout, LIMITS["dropout"]),
        seed=_integer(values, "seed", default.seed, 0, 2**31 - 1),
    )
    try:
        optimizers.get(settings.optimizer_spec())
    except SpecError as error:
        raise SettingsError(str(error)) from None
    return settings


def options() -> dict[str, Any]:
    """What the page offers in its menus."""
    return {
        "datasets": DATASETS,
        "activations": [n for n in activations.names() if n != "softmax"],
        "initializers": initializers.names(),
        "optimizers": OPTIMIZERS,
        "limits": {k: list(v) if isinstance(v, tuple) else v for k, v in LIMITS.items()},
        "defaults": Settings().to_dict(),
    }
