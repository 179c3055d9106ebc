import gzip
import struct

import numpy as np
import pytest

from actinit.studies import datasets
from actinit.studies.plan.datasets import DataError, read_idx


@pytest.mark.parametrize(
    "name, params, train, test, classes",
    [
        ("blobs", {}, 750, 250, 4),
        ("blobs", {"fold": 2}, 750, 250, 2),
        ("moons", {"n_train": 400, "n_test": 100}, 400, 100, 2),
        ("circles", {}, 300, 100, 2),
        ("parabola", {}, 2000, 2000, 2),
        ("xor", {"n_samples": 200}, 100, 100, 2),
        ("spiral", {"n_samples": 200}, 100, 100, 2),
        ("gaussian", {"n_samples": 200}, 100, 100, 2),
        ("digits", {}, 1347, 450, 10),
    ],
)
def test_shapes_classes_and_determinism(name, params, train, test, classes):
    first = datasets.load(name, seed=3, **params)
    again = datasets.load(name, seed=3, **params)
    assert first.X_train.shape[0] == train and first.X_test.shape[0] == test
    assert first.n_classes == classes and set(np.unique(first.y_train)) == set(range(classes))
    np.testing.assert_array_equal(first.X_train, again.X_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert np.isfinite(first.X_train).all()


def test_seed_changes_generated_data():
    assert not np.array_equal(
        datasets.load("moons", seed=1).X_train, datasets.load("moons", seed=2).X_train
    )


def test_parabola_is_the_deepreplay_layout():
    data = datasets.load("parabola")
    x1, x2 = data.X_train[:, 0], data.X_train[:, 1]
    on_upper = np.isclose(x2, x1**2)
    assert (data.y_train[on_upper] == 0).all() and (data.y_train[~on_upper] == 1).all()
    np.testing.assert_allclose(x2[~on_upper], x1[~on_upper] ** 2 - 0.5)


def test_blobs_is_the_s0_split():
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    # The notebook's exact calls.
    X, y = make_blobs(n_samples=1000, centers=4, n_features=2, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    data = datasets.load("blobs", seed=0)
    np.testing.assert_array_equal(data.X_train, X_train)
    np.testing.assert_array_equal(data.y_test, y_test)


def test_unknown_data_set_and_bad_parameters():
    with pytest.raises(DataError, match="choose one of"):
        datasets.load("mnist2")
    with pytest.raises(DataError, match="bad parameters"):
        datasets.load("moons", radius=3)
    with pytest.raises(DataError, match="does not exist"):
        datasets.load("mnist", path="/nowhere/mnist")


def write_idx(path, array, type_byte=0x08, compress=False):
    header = bytes([0, 0, type_byte, array.ndim]) + b"".join(
        struct.pack(">I", s) for s in array.shape
    )
    payload = header + array.astype(">u1" if type_byte == 0x08 else ">f4").tobytes()
    (gzip.open if compress else open)(path, "wb").write(payload)


def make_mnist_folder(folder, n_train=20, n_test=8, compress=False):
    rng = np.random.default_rng(0)
    suffix = ".gz" if compress else ""
    write_idx(
        folder / f"train-images-idx3-ubyte{suffix}",
        rng.integers(0, 256, (n_train, 28, 28)),
        compress=compress,
    )
    write_idx(
        folder / f"train-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n_train), compress=compress
    )
    write_idx(
        folder / f"t10k-images-idx3-ubyte{suffix}",
        rng.integers(0, 256, (n_test, 28, 28)),
        compress=compress,
    )
    write_idx(
        folder / f"t10k-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n_test), compress=compress
    )


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_from_idx_files(tmp_path, compress):
    make_mnist_folder(tmp_path, compress=compress)
    data = datasets.load("mnist", path=str(tmp_path))
    assert data.X_train.shape == (20, 784) and data.X_test.shape == (8, 784)
    assert 0 <= data.X_train.min() and data.X_train.max() <= 1
    assert data.n_classes == 10


def test_idx_reader_rejects_bad_files(tmp_path):
    good = tmp_path / "labels"
    write_idx(good, np.arange(10))
    np.testing.assert_array_equal(read_idx(good), np.arange(10))
    truncated = tmp_path / "truncated"
    truncated.write_bytes(good.read_bytes()[:-3])
    with pytest.raises(DataError, match="truncated"):
        read_idx(truncated)
    wrong_magic = tmp_path / "magic"
    wrong_magic.write_bytes(b"\x12\x34\x08\x01" + good.read_bytes()[4:])
    with pytest.raises(DataError, match="wrong magic number"):
        read_idx(wrong_magic)
    short_header = tmp_path / "short"
    short_header.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(DataError, match="truncated"):
        read_idx(short_header)
    with pytest.raises(DataError, match="not found"):
        read_idx(tmp_path / "missing")


def test_mnist_with_mismatched_counts(tmp_path):
    make_mnist_folder(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(3))
    with pytest.raises(DataError, match="do not match"):
        datasets.load("mnist", path=str(tmp_path))


def test_csv_with_header_and_string_labels(tmp_path):
    path = tmp_path / "flowers.csv"
    rows = ["a,b,species"] + [f"{i},{i * 2},{'iris' if i % 2 else 'rose'}" for i in range(20)]
    path.write_text("\n".join(rows))
    data = datasets.load("csv", path=str(path), label="species")
    assert data.n_features == 2 and data.n_classes == 2
    assert len(data.X_train) + len(data.X_test) == 20


def test_csv_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y,label\n1,2,0\n3,oops,1\n4,5,0\n6,7,1\n")
    with pytest.raises(DataError, match=r"line 3, y: 'oops' is not a number"):
        datasets.load("csv", path=str(path))
    path.write_text("1,2,0\n3,4\n")
    with pytest.raises(DataError, match="line 2: 2 cells, expected 3"):
        datasets.load("csv", path=str(path))
    with pytest.raises(DataError, match="not found"):
        datasets.load("csv", path=str(tmp_path / "nothing.csv"))


def test_csv_regression_keeps_the_numbers_to_predict(tmp_path):
    path = tmp_path / "heights.csv"
    rows = ["a,b,height"] + [f"{i},{i % 3},{0.5 * i - 1.25}" for i in range(20)]
    path.write_text("\n".join(rows))
    data = datasets.load("csv", path=str(path), regression=True)
    assert data.n_classes == 0 and data.class_names == ()
    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    np.testing.assert_array_equal(y, 0.5 * X[:, 0] - 1.25)  # each row keeps its target
    assert len(X) == 20 and y.dtype == float


@pytest.mark.parametrize(
    "target, message", [("tall", "line 3: the target 'tall'"), ("inf", "line 3: the target 'inf'")]
)
def test_csv_regression_refuses_a_target_that_is_not_a_number(tmp_path, target, message):
    path = tmp_path / "heights.csv"
    path.write_text(f"a,b,height\n1,2,0.5\n3,4,{target}\n5,6,1.5\n7,8,2.5\n")
    with pytest.raises(DataError, match=message + ".*leave it out for classes"):
        datasets.load("csv", path=str(path), regression=True)


def test_a_true_false_parameter_must_be_true_or_false():
    with pytest.raises(DataError, match="regression must be true or false, got 'yes'"):
        datasets.check_description({"name": "csv", "path": "x.csv", "regression": "yes"})
