"""The catalogue since 2017 (gated, squared and learned activations; ZerO, Fixup,
orthogonal with gain, data-dependent) everywhere a name goes."""

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.datasets import make_moons

import actinit as ai
from actinit import theory
from actinit.cli import main
from actinit.studies import parse_study

NEW_ACTIVATIONS = [
    "squared_relu",
    "snake",
    "rational",
    "glu",
    "reglu",
    "geglu",
    "swiglu",
    "bilinear",
]
NEW_INITIALIZERS = [
    "zero_hadamard",
    "fixup(depth=4)",
    "orthogonal(gain=auto)",
    "data_dependent",
]


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=200, noise=0.2, random_state=0)


def test_every_new_name_trains_records_saves_and_loads(moons, tmp_path):
    X, y = moons
    layers = [ai.engine.layers.affine_layer(6, name, init="auto") for name in NEW_ACTIVATIONS]
    model = ai.Sequential(layers + [ai.Dense(1, "sigmoid")], optimizer="adam(lr=0.01)", seed=0)
    recorder = ai.Recorder(X, y)
    model.fit(X, y, epochs=5, callbacks=[recorder])
    assert recorder.recording.stats["grad_norm"].shape == (6, len(NEW_ACTIVATIONS) + 1)
    # the learned activations learned
    assert not np.allclose(model.layers[1].activation.frequency, 1.0)
    again = ai.load(model.save(tmp_path / "m.npz"))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    assert [layer.activation_label for layer in again.layers[:-1]][3:] == NEW_ACTIVATIONS[3:]


@pytest.mark.parametrize("init", NEW_INITIALIZERS)
def test_every_new_initializer_in_a_model_and_a_study(moons, init):
    X, y = moons
    model = ai.Sequential(
        [ai.Dense(8, "tanh", init=init), ai.Dense(8, "tanh", init=init), ai.Dense(1, "sigmoid")],
        optimizer="adam(lr=0.01)",
        seed=0,
    )
    model.fit(X, y, epochs=30)
    assert model.evaluate(X, y)["accuracy"] > 0.8


def test_a_study_file_takes_the_new_names():
    study = parse_study(
        f"""
name = "new"
seeds = 1
[data]
name = "moons"
[model]
hidden = [8]
output_activation = "sigmoid"
[grid]
activations = {NEW_ACTIVATIONS!r}
initializers = ["auto", "zero_hadamard", "orthogonal(gain=auto)", "data_dependent"]
""".replace("'", '"'),
        source="new.toml",
    )
    assert {c.activation for c in study.configs} == set(NEW_ACTIVATIONS)
    (gated,) = {
        c.init
        for c in study.configs
        if c.activation == "swiglu" and c.init_label.startswith("auto")
    }
    assert gated == "lecun_normal"


def test_the_playground_and_the_list_offer_them():
    from actinit.playground.settings import HIDDEN_ACTIVATIONS, parse_settings

    for name in NEW_ACTIVATIONS:
        assert name in HIDDEN_ACTIVATIONS
    settings = parse_settings({"dataset": "moons", "hidden": "4", "activation": "swiglu"})
    assert settings.activation == "swiglu"
    listed = CliRunner().invoke(main, ["list", "activations"], env={"COLUMNS": "400"})
    text = " ".join(listed.output.split())
    for name in NEW_ACTIVATIONS:
        assert name in text
    assert "two affine maps" in text
    listed = CliRunner().invoke(main, ["list", "initializers"], env={"COLUMNS": "400"})
    listed = " ".join(listed.output.split())
    for name in ("zero_hadamard", "fixup", "data_dependent"):
        assert name in listed


def test_the_estimators_take_a_gated_activation(moons):
    from actinit.sklearn import NetClassifier

    X, y = moons
    assert (
        NetClassifier(hidden=(8,), activation="swiglu", init="auto", epochs=30)
        .fit(X, y)
        .score(X, y)
        > 0.8
    )


def test_the_theory_says_what_it_covers():
    with pytest.raises(ValueError, match="does not cover it"):
        theory.propagation("swiglu", 1.0)
    with pytest.raises(theory.NoEdgeError, match="squared_relu has no edge of chaos"):
        theory.edge_of_chaos("squared_relu")
    assert theory.edge_of_chaos("rational(approximates=tanh)") == pytest.approx(1.0, abs=1e-4)
    critical = ai.Dense(16, "snake", init="critical(bias_std=0.2)")
    assert theory.chi1("snake", critical.init.sigma_w, 0.2) == pytest.approx(1.0, abs=1e-6)


def test_plot_activations_draws_them(tmp_path):
    from actinit.viz import plot_activations

    figure = plot_activations(NEW_ACTIVATIONS)
    titles = [axis.get_title() for axis in figure.axes if axis.get_visible()]
    assert len(titles) == len(NEW_ACTIVATIONS)
    assert "swiglu: swish(x) · x  (both maps = x)" in titles
    swiglu = figure.axes[NEW_ACTIVATIONS.index("swiglu")].lines[0]
    x, y = swiglu.get_data()
    np.testing.assert_allclose(y, x * x / (1 + np.exp(-x)), rtol=1e-12)
    result = CliRunner().invoke(
        main, ["plot", "activations", "swiglu,snake", "-o", str(tmp_path / "a.png")]
    )
    assert result.exit_code == 0, result.output
