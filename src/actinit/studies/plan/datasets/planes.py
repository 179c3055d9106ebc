"""Generated two-dimensional data sets (blobs, moons, circles, spirals, xor,
checkerboards, regression planes ...) and the input features a 2-D set can be given."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import (
    TWO_DIMENSIONAL,
    DataError,
    Dataset,
    _positive,
    _regression_split,
    _split,
    register,
    sklearn_datasets,
)

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
    X, y = sklearn_datasets().make_blobs(
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
    X_train, y_train = sklearn_datasets().make_moons(
        _positive("n_train", n_train), noise=noise, random_state=seed
    )
    X_test, y_test = sklearn_datasets().make_moons(
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
    X_train, y_train = sklearn_datasets().make_circles(
        _positive("n_train", n_train), noise=noise, factor=factor, random_state=seed
    )
    X_test, y_test = sklearn_datasets().make_circles(
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


for _name in CURVES:
    register(_name, two_dimensional=True)(_curve_set(_name))
