"""The registry of data sets, :class:`Dataset`, loading one by name, and the checks a
data description goes through before anything is drawn or read.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


def train_test_split(*arrays, **options):
    """scikit-learn's ``train_test_split``, imported when a data set is first drawn:
    answering from stored runs (``rank``, ``show``, ``report``) never loads
    scikit-learn, a second of every command's start-up."""
    from sklearn.model_selection import train_test_split as split

    return split(*arrays, **options)


def sklearn_datasets():
    """``sklearn.datasets``, imported when a data set is first drawn (see
    :func:`train_test_split`)."""
    from sklearn import datasets

    return datasets


class DataError(ValueError):
    """A data set that cannot be built or read, with the reason; ``key`` names the
    parameter of the data description at fault, when one is."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass
class Dataset:
    """A data set drawn or read: training and test inputs ``X`` (samples x features)
    and targets ``y`` (class ids, or numbers for regression: ``n_classes`` 0), what
    it is in words, and the names of its classes where the data named them."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    description: str = ""
    #: What each class id stands for, where the data named them (a CSV file's labels).
    class_names: tuple[str, ...] = ()

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, train={self.X_train.shape}, test={self.X_test.shape}, "
            f"classes={self.n_classes})"
        )


DATASETS: dict[str, Callable[..., Dataset]] = {}
TWO_DIMENSIONAL: list[str] = []


def register(name: str, two_dimensional: bool = False):
    """Decorator: register a loader ``loader(seed=..., **params) -> Dataset`` under
    ``name``; ``two_dimensional`` marks a set of points in the plane."""

    def decorate(loader):
        DATASETS[name] = loader
        if two_dimensional:
            TWO_DIMENSIONAL.append(name)
        return loader

    return decorate


def names() -> list[str]:
    """The registered data sets' names, in registration order."""
    return list(DATASETS)


def describe(name: str) -> str:
    """The data set's first paragraph (whole sentences, on one line) and the
    parameters it accepts: ``"Two interleaving half circles ... (n_train=400, ...)"``."""
    doc = (inspect.getdoc(DATASETS[name]) or "").split("\n\n")[0]
    text = " ".join(doc.split()).replace("``", "")
    return f"{text} Parameters: {_accepted(DATASETS[name]) or 'none'}."


def load(name: str, seed: int = 0, **params: Any) -> Dataset:
    """Build the data set ``name`` with its parameters; errors name the valid choices."""
    if name not in DATASETS:
        raise DataError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    loader = DATASETS[name]
    try:
        inspect.signature(loader).bind(seed=seed, **params)
    except TypeError as error:
        raise DataError(
            f"bad parameters for data set {name!r}: {error}. Accepted: {inspect.signature(loader)}"
        ) from None
    return loader(seed=seed, **params)


#: Keys of a data description that say how it is drawn, not parameters of its loader
#: (``features``: the inputs computed from a 2-D set's x1, x2; see :data:`FEATURES`).
CONTROL_KEYS = ("name", "seed", "vary_with_seed", "features", "digest")


#: Files larger than this are digested by their size and the content of their first and
#: last megabyte (plus their name), not read whole each time a study is read.
WHOLE_DIGEST_UP_TO = 256 * 2**20


def content_digest(path: str | Path) -> str | None:
    """A digest of the data a ``path`` setting points to (a CSV file, or a folder of
    MNIST-format files: every file in it, by name and content), so that a run's key
    names the data it read, not where it lay: ``sha256:`` and 16 hex digits. None
    where nothing is there (the loader then says so)."""
    import hashlib

    target = Path(path).expanduser()
    if target.is_file():
        files = [target]
    elif target.is_dir():
        files = sorted(f for f in target.iterdir() if f.is_file())
    else:
        return None
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" if len(files) > 1 else b"")
        size = file.stat().st_size
        digest.update(str(size).encode())
        with open(file, "rb") as stream:
            if size <= WHOLE_DIGEST_UP_TO:
                for block in iter(lambda: stream.read(2**20), b""):
                    digest.update(block)
            else:
                digest.update(stream.read(2**20))
                stream.seek(size - 2**20)
                digest.update(stream.read(2**20))
    return "sha256:" + digest.hexdigest()[:16]


#: The most points a generated set may ask for (10 million 2-D points are 160 MB).
MAX_SAMPLES = 10_000_000


def check_description(description: dict[str, Any]) -> dict[str, Any]:
    """Check a data description as a study gives it (``{"name": "moons", "noise": 0.2,
    "seed": 1, "vary_with_seed": False}``) without loading anything: a known name,
    parameters the loader takes. Returns it unchanged; raises :class:`DataError`."""
    name = description.get("name")
    if name not in DATASETS:
        raise DataError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    seed = description.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise DataError(f"the data seed must be a non-negative integer, got {seed!r}")
    if not isinstance(description.get("vary_with_seed", False), bool):
        raise DataError("vary_with_seed must be true or false")
    if "features" in description:
        check_features(description["features"], name)
    params = {k: v for k, v in description.items() if k not in CONTROL_KEYS}
    try:
        inspect.signature(DATASETS[name]).bind(seed=0, **params)
    except TypeError as error:
        unknown = next((key for key in params if key not in _parameters(DATASETS[name])), None)
        raise DataError(
            f"bad parameters for data set {name!r}: {error}. Accepted: {_accepted(DATASETS[name])}",
            unknown,
        ) from None
    defaults = inspect.signature(DATASETS[name]).parameters
    for key, value in params.items():
        _check_parameter(name, key, value)
        if isinstance(defaults[key].default, bool) and not isinstance(value, bool):
            raise DataError(f"data set {name!r}: {key} must be true or false, got {value!r}", key)
    return description


def _check_parameter(name: str, key: str, value: Any) -> None:
    """Numbers a loader would choke on far from the door: non-finite values and sample
    counts beyond :data:`MAX_SAMPLES`."""
    if isinstance(value, float) and not math.isfinite(value):
        raise DataError(f"data set {name!r}: {key} must be a finite number, got {value}", key)
    counts = key.startswith("n_") or key.startswith("limit_")
    if counts and isinstance(value, int) and not isinstance(value, bool):
        if key in ("n_train", "limit_train") and value == 1:
            raise DataError(
                f"data set {name!r}: {key} = 1 trains on a single sample, one class: nothing "
                "can be learned from it; give at least 2 (and a sample of every class)",
                key,
            )
        if not 1 <= value <= MAX_SAMPLES:
            raise DataError(
                f"data set {name!r}: {key} must be a whole number from 1 to {MAX_SAMPLES:,}, "
                f"got {value:,}",
                key,
            )


def _parameters(loader: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(loader).parameters)


def _accepted(loader: Callable[..., Any]) -> str:
    parameters = inspect.signature(loader).parameters.values()
    return ", ".join(f"{p.name}={p.default!r}" for p in parameters if p.name != "seed")


def _split(name, X, y, test_size, seed, stratify=True, description=""):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y if stratify else None
    )
    return Dataset(name, X_train, y_train, X_test, y_test, int(len(np.unique(y))), description)


def _positive(name: str, value: Any) -> int:
    if not isinstance(value, int) or value < 1:
        raise DataError(f"{name} must be a positive integer, got {value!r}")
    return value


# --------------------------------------------------------------------------
# Generated two-dimensional sets
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Planes drawn from functions, and regression planes
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Input features of a 2-D set
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------


#: The inputs a 2-D set can be given, computed from its two columns x1, x2.
FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1**2,
    "x2^2": lambda x1, x2: x2**2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def check_features(names: Any, data_name: str = "") -> tuple[str, ...]:
    """``names`` as a tuple of known feature names (at least one, no repeats);
    :class:`DataError` naming the valid ones otherwise."""
    where = f"data set {data_name!r}: " if data_name else ""
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise DataError(
            f"{where}features is a list of inputs such as ['x1', 'x2', 'x1^2']; got {names!r}",
            "features",
        )
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise DataError(
            f"{where}unknown feature(s) {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(FEATURES)}",
            "features",
        )
    if len(set(names)) != len(names):
        raise DataError(f"{where}a feature is given twice in {list(names)}", "features")
    if data_name and data_name not in (*TWO_DIMENSIONAL, "csv"):
        raise DataError(
            f"features are computed from a 2-D set's x1, x2; {data_name!r} is not one",
            "features",
        )
    return tuple(names)


def feature_map(names: tuple[str, ...], X: np.ndarray) -> np.ndarray:
    """The features ``names`` of 2-D points ``X`` (n, 2): an (n, len(names)) array."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[name](x1, x2) for name in names]).astype(X.dtype)


def with_features(data: Dataset, names: tuple[str, ...]) -> Dataset:
    """``data`` (a 2-D set) with the inputs ``names`` instead of x1, x2."""
    if data.n_features != 2:
        raise DataError(
            f"features are computed from x1, x2; {data.name!r} has {data.n_features} "
            "feature columns",
            "features",
        )
    return dataclasses.replace(
        data, X_train=feature_map(names, data.X_train), X_test=feature_map(names, data.X_test)
    )


def _regression_split(name: str, X: np.ndarray, y: np.ndarray, seed: int, test_size: float):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed
    )
    return Dataset(name, X_train, y_train, X_test, y_test, 0, "regression")
