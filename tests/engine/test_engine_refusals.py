"""Bad input gets a clear error that says what was wrong and how to fix it."""

import numpy as np
import pytest

import actinit as ai


@pytest.fixture
def model():
    return ai.Sequential([ai.Dense(4, "relu"), ai.Dense(1, "sigmoid")])


X = np.random.default_rng(0).normal(size=(10, 2))
Y = np.arange(10) % 2


@pytest.mark.parametrize(
    "inputs, labels, message",
    [
        (X[:, 0], Y, "2-D"),
        (X[None], Y, "2-D"),
        (np.where(np.eye(10, 2) > 0, np.nan, X), Y, "NaN"),
        (np.where(np.eye(10, 2) > 0, np.inf, X), Y, "NaN or infinity"),
        (np.array([["a", "b"]] * 10), Y, "numeric"),
        (X, Y[:7], "10 samples but y has 7"),
        (X, np.arange(10) % 3, "0 or 1"),
        (X, np.where(Y > 0, np.nan, 0.0), "NaN"),
        (X[:0], Y[:0], "no samples"),
    ],
)
def test_bad_data_is_refused(model, inputs, labels, message):
    with pytest.raises(ValueError, match=message):
        model.fit(inputs, labels, epochs=1)


def test_class_ids_must_fit_the_output_layer():
    model = ai.Sequential([ai.Dense(3, "softmax")])
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        model.fit(X, np.arange(10) % 5)
    with pytest.raises(ValueError, match="whole numbers"):
        model.fit(X, np.full(10, 0.5))
    with pytest.raises(ValueError, match="columns"):
        model.fit(X, np.eye(4)[np.arange(10) % 4])


def test_categorical_crossentropy_needs_several_outputs():
    with pytest.raises(ValueError, match="at least 2 units"):
        ai.Sequential([ai.Dense(1, "sigmoid")], loss="categorical_crossentropy").build(2)


def test_feature_count_must_match_the_built_model(model):
    model.fit(X, Y)
    with pytest.raises(ValueError, match="built for 2"):
        model.predict(np.zeros((3, 5)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": -1}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"epochs": 1.5}, "epochs"),
        ({"validation_data": (X,)}, "pair"),
    ],
)
def test_bad_fit_settings(model, kwargs, message):
    with pytest.raises(ValueError, match=message):
        model.fit(X, Y, **kwargs)


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: ai.Sequential([ai.Dense(4, "relu")], optimizer="sgd(lr=-0.01)"),
            "lr must be a positive",
        ),
        (lambda: ai.Sequential([ai.Dense(4, "reluu")]), "unknown activation 'reluu'"),
        (lambda: ai.Sequential([ai.Dense(4, init="he_normel")]), "unknown initializer"),
        (lambda: ai.Sequential([ai.Dense(4)], loss="hinge"), "unknown loss"),
        (lambda: ai.Sequential([ai.Dense(0)]), "units must be a positive integer"),
        (lambda: ai.Sequential([ai.Dense(4)], dtype="float16"), "float32"),
        (lambda: ai.Sequential([ai.Dense(4)], seed=-3), "seed"),
        (lambda: ai.Sequential(["dense"]), "takes layers"),
        (lambda: ai.Dropout(1.0), "rate"),
        (lambda: ai.Maxout(3, pieces=1), "pieces"),
        (lambda: ai.Sequential([ai.Dense(4)], regularizer="l3(0.1)"), "unknown regularizer"),
    ],
)
def test_bad_settings_fail_at_construction(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_unknown_names_list_valid_choices():
    with pytest.raises(ai.SpecError) as error:
        ai.optimizers.get("adamm")
    assert "adam" in str(error.value) and "rmsprop" in str(error.value)


def test_parse_spec_reads_literals_and_bare_words():
    from actinit.engine.registry import parse_spec

    assert parse_spec("variance_scaling(scale=2, mode=fan_avg, distribution=uniform)") == (
        "variance_scaling",
        (),
        {"scale": 2, "mode": "fan_avg", "distribution": "uniform"},
    )
    assert parse_spec(" Leaky_ReLU(0.1) ") == ("leaky_relu", (0.1,), {})
    with pytest.raises(ai.SpecError):
        parse_spec("relu(__import__('os').system('true'))")


def test_predict_before_training_says_what_to_do(model):
    with pytest.raises(RuntimeError, match="build"):
        model.predict(X)


def _huge_header_model(tmp_path):
    import zipfile

    model = ai.Sequential([ai.Dense(3, "relu"), ai.Dense(1, "sigmoid")], loss="binary_crossentropy")
    model.build(2)
    path = model.save(tmp_path / "m.npz")
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    name = "parameter/dense0.W.npy"
    members[name] = members[name].replace(b"'shape': (2, 3)", b"'shape': (200000000, 400000000)")
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_a_model_file_declaring_a_petabyte_array_is_refused_not_allocated(tmp_path):
    """ai.load raised MemoryError: Unable to allocate 284. PiB."""
    from actinit.engine.model_file import ModelFileError

    path = _huge_header_model(tmp_path)
    with pytest.raises(ModelFileError, match=r"declares a \(200000000, 400000000\) array"):
        ai.load(path)


@pytest.mark.parametrize("content", [b"root:x:0:0:root:/root:/bin/bash\n", b"PK\x03\x04truncated"])
def test_a_starting_point_that_is_not_an_npz_of_arrays_names_its_path(tmp_path, content):
    """/etc/passwd suggested allow_pickle; a truncated npz gave a bare BadZipFile."""
    bad = tmp_path / "start.npz"
    bad.write_bytes(content)
    model = ai.Sequential(
        [ai.Dense(3, "relu"), ai.Dense(1, "sigmoid")],
        loss="binary_crossentropy",
        starting_point=f"npz(path='{bad}')",
    )
    with pytest.raises(ValueError) as caught:
        model.build(2)
    assert str(bad) in str(caught.value) and "allow_pickle" not in str(caught.value)
