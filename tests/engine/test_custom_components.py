"""A user's own activations and initializers: registered by name, usable in models,
study files (also in worker processes) and saved files; a plain pair of functions works
in a model but is refused by save with a clear message."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import actinit as ai
from actinit.engine.model_file import ModelFileError
from actinit.studies import Store, parse_study, run_study


def cube(x):
    return x**3 / 3 + x


def cube_prime(x):
    return x**2 + 1


@pytest.fixture(scope="module", autouse=True)
def registered():
    if "soft_cube" not in ai.activations.ACTIVATIONS.custom:
        ai.activations.register("soft_cube", cube, cube_prime, zero_centred=True)
    if "plus_minus" not in ai.initializers.INITIALIZERS.custom:
        ai.initializers.register(
            "plus_minus", lambda shape, rng: rng.choice([-0.3, 0.3], size=shape)
        )


def test_registered_by_name_in_a_model_and_a_saved_file(tmp_path):
    assert ai.activations.check_derivative("soft_cube") < 1e-6
    assert ai.activations.get("soft_cube").zero_centred
    X, y = make_moons(n_samples=80, noise=0.2, random_state=0)
    model = ai.Sequential(
        [ai.Dense(6, "soft_cube", init="plus_minus"), ai.Dense(1, "sigmoid")], seed=0
    )
    model.fit(X, y, epochs=3)
    assert set(np.abs(model.get_weights()[0]).round(6).ravel()) != set()
    again = ai.load(model.save(tmp_path / "m.npz"))
    np.testing.assert_allclose(again(X), model(X))
    assert again.layers[0].activation.spec() == "soft_cube"


def test_a_plain_pair_works_in_a_model_but_save_says_to_register_it(tmp_path):
    model = ai.Sequential([ai.Dense(4, (np.sin, np.cos)), ai.Dense(1, "sigmoid")]).build(2)
    assert model(np.zeros((3, 2))).shape == (3, 1)
    with pytest.raises(ModelFileError, match="actinit.activations.register"):
        model.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_names_are_checked():
    with pytest.raises(ValueError, match="already registered"):
        ai.activations.register("relu", cube, cube_prime)
    with pytest.raises(ValueError, match="identifier"):
        ai.activations.register("my act", cube, cube_prime)
    with pytest.raises(TypeError, match="derivative"):
        ai.activations.register("no_derivative", cube)


STUDY = """
name = "custom"
seeds = 2
[data]
name = "moons"
n_train = 60
n_test = 30
[model]
hidden = [4]
[training]
epochs = 3
[grid]
activations = ["soft_cube", "tanh"]
initializers = ["plus_minus", "xavier_normal"]
"""


def test_in_a_study_file_run_by_worker_processes(tmp_path):
    study = parse_study(STUDY)
    with Store(tmp_path / "r.sqlite") as store:
        report = run_study(study, store, jobs=2, backend="loky")
        assert report.failed == 0 and report.ran == 8


def test_the_playground_takes_registered_names():
    from actinit.playground.settings import parse_settings

    settings = parse_settings({"activation": "soft_cube", "init": "plus_minus"})
    assert settings.activation == "soft_cube" and settings.init == "plus_minus"


@pytest.mark.parametrize(
    "function, derivative, words",
    [
        (lambda x: x.sum(), lambda x: np.ones_like(x), "must return numbers of its input's shape"),
        (lambda x: "relu", lambda x: x, "activation .buggy_activation.: its function"),
        (lambda x, y: x, lambda x: x, "fails on an array"),
        (lambda x: np.log(x), lambda x: 1 / x, "not finite"),
    ],
)
def test_a_buggy_registered_activation_is_refused_at_registration(function, derivative, words):
    with pytest.raises((TypeError, ValueError), match=words):
        ai.activations.register("buggy_activation", function, derivative)
    assert "buggy_activation" not in ai.activations.names()


@pytest.mark.parametrize(
    "sample, words",
    [
        (lambda shape, rng: rng.normal(size=7), "returned float64 of shape \\(7,\\)"),
        (lambda shape: np.zeros(shape), "a function of \\(shape, rng\\) is needed"),
        (lambda shape, rng: "he", "return numbers of the shape asked for"),
        (lambda shape, rng: np.full(shape, np.inf), "not finite"),
    ],
)
def test_a_buggy_registered_initializer_is_refused_at_registration(sample, words):
    with pytest.raises((TypeError, ValueError), match=words):
        ai.initializers.register("buggy_initializer", sample)
    assert "buggy_initializer" not in ai.initializers.names()
