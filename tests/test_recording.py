"""Recorded statistics on cases with known answers, and the diagnoses drawn from them."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import actinit as ai
from actinit.engine.recording import Recording
from actinit.studies.diagnosis import diagnose


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=300, noise=0.2, random_state=0)


def record(layers, moons, epochs=15, optimizer="sgd(lr=0.5)", **kwargs):
    X, y = moons
    model = ai.Sequential(layers, optimizer=optimizer, seed=0)
    recorder = ai.Recorder(X, y, **kwargs)
    history = model.fit(X, y, epochs=epochs, batch_size=32, callbacks=[recorder])
    return model, recorder.recording, history


def kinds(recording):
    return {finding.kind for finding in diagnose(recording)}


def test_zero_initialized_net_has_identical_units(moons):
    _, recording, _ = record(
        [
            ai.Dense(12, "tanh", init="zeros"),
            ai.Dense(6, "sigmoid", init="zeros"),
            ai.Dense(1, "sigmoid", init="zeros"),
        ],
        moons,
    )
    assert np.all(recording.stats["unit_spread"][:, :2] < 1e-6)
    findings = diagnose(recording)
    symmetry = [f for f in findings if f.kind == "symmetry"]
    assert {f.numbers["layer"] for f in symmetry} == {1, 2}
    assert "all 12 units of layer 1 are identical: symmetry was never broken" in symmetry[0].message


def test_deep_sigmoid_with_small_init_has_shrinking_gradients(moons):
    layers = [ai.Dense(32, "sigmoid", init="random_normal(std=0.05)") for _ in range(6)]
    _, recording, _ = record(layers + [ai.Dense(1, "sigmoid")], moons, epochs=3)
    first = recording.stats["grad_norm"][0]
    assert np.all(np.diff(first) > 0), first  # each layer's gradient smaller than the next's
    assert first[0] / first[-1] < 1e-4
    assert "vanishing_gradients" in kinds(recording)


def test_relu_layer_with_large_negative_bias_is_all_dead(moons):
    _, recording, _ = record(
        [ai.Dense(10, "relu", bias_init="constant(-50)"), ai.Dense(1, "sigmoid")], moons, epochs=5
    )
    assert np.all(recording.stats["dead"][:, 0] == 1.0)
    dead = [f for f in diagnose(recording) if f.kind == "dead_units"]
    assert (
        dead
        and dead[0].message.startswith("100% of layer 1's units are dead")
        and dead[0].numbers["since"] == 0
    )


def test_large_sigmoid_weights_saturate(moons):
    _, recording, _ = record(
        [ai.Dense(20, "sigmoid", init="random_normal(std=50)"), ai.Dense(1, "sigmoid")],
        moons,
        epochs=2,
    )
    assert recording.stats["saturated"][0, 0] > 0.8
    assert "saturation" in kinds(recording)


def test_healthy_net_and_metric_and_update_records(moons):
    model, recording, history = record(
        [ai.Dense(12, "relu", init="kaiming_normal"), ai.Dense(1, "sigmoid")],
        moons,
        epochs=10,
        snapshot_every=2,
    )
    assert list(recording.epochs) == list(range(11))
    np.testing.assert_allclose(recording.metrics["loss"][1:], history["loss"])
    assert np.isnan(recording.metrics["loss"][0])
    assert recording.stats["update_ratio"][0].tolist() == [0.0, 0.0]
    assert np.all(recording.stats["update_ratio"][1:] > 0)
    assert list(recording.snapshot_epochs) == [0, 2, 4, 6, 8, 10]
    np.testing.assert_array_equal(
        recording.snapshots["dense0.W"][-1], model.parameters()["dense0.W"]
    )
    assert recording.parameter_trace.shape == (11, model.count_parameters())
    assert "healthy" in kinds(recording) and "learning" in kinds(recording)


def test_recording_round_trips_through_plain_arrays(moons, tmp_path):
    _, recording, _ = record([ai.Dense(2, "tanh"), ai.Dense(1, "sigmoid")], moons, epochs=4)
    path = tmp_path / "recording.npz"
    np.savez(path, **recording.to_arrays())
    with np.load(path, allow_pickle=False) as archive:
        again = Recording.from_arrays(dict(archive))
    assert again.layer_names == recording.layer_names
    np.testing.assert_array_equal(again.stats["grad_norm"], recording.stats["grad_norm"])
    np.testing.assert_array_equal(again.snapshots["dense0.W"], recording.snapshots["dense0.W"])


def test_recording_does_not_change_training(moons):
    X, y = moons
    plain = ai.Sequential([ai.Dense(8, "relu"), ai.Dropout(0.3), ai.Dense(1, "sigmoid")], seed=4)
    plain.fit(X, y, epochs=5)
    recorded = ai.Sequential([ai.Dense(8, "relu"), ai.Dropout(0.3), ai.Dense(1, "sigmoid")], seed=4)
    recorded.fit(X, y, epochs=5, callbacks=[ai.Recorder(X, y)])
    for name, value in plain.parameters().items():
        np.testing.assert_array_equal(value, recorded.parameters()[name])


def test_divergence_is_diagnosed(moons):
    X, y = moons
    model = ai.Sequential(
        [ai.Dense(16, "relu", init="random_normal(std=30)"), ai.Dense(1, "linear")],
        loss="mse",
        optimizer="sgd(lr=100)",
    )
    recorder = ai.Recorder(X, y)
    model.fit(X, y.astype(float), epochs=30, batch_size=None, callbacks=[recorder])
    assert "divergence" in kinds(recorder.recording)


def test_two_unit_layer_activations_on_an_input_grid(moons):
    model, recording, _ = record(
        [ai.Dense(2, "tanh"), ai.Dense(1, "sigmoid")],
        moons,
        epochs=6,
        snapshot_every=3,
        grid_resolution=10,
    )
    assert recording.grid_inputs.shape == (100, 2)
    assert recording.feature_grid.shape == (len(recording.snapshot_epochs), 100, 2)
    expected = np.tanh(
        recording.grid_inputs @ model.parameters()["dense0.W"] + model.parameters()["dense0.b"]
    )
    np.testing.assert_allclose(recording.feature_grid[-1], expected, rtol=1e-5, atol=1e-6)
    again = Recording.from_arrays(recording.to_arrays())
    np.testing.assert_array_equal(again.feature_grid, recording.feature_grid)
    _, wide, _ = record([ai.Dense(5, "relu"), ai.Dense(1, "sigmoid")], moons, epochs=2)
    assert wide.feature_grid is None and wide.grid_inputs is None


# Runs whose truth is known, and what the diagnosis must (and must not) say of them
# (issue "Pictures and diagnoses that tell the truth", item 4).


def test_zero_init_is_symmetry_not_vanishing_gradients(moons):
    _, recording, _ = record(
        [
            ai.Dense(8, "relu", init="zeros"),
            ai.Dense(8, "relu", init="zeros"),
            ai.Dense(1, "sigmoid"),
        ],
        moons,
    )
    found = kinds(recording)
    assert "symmetry" in found and "vanishing_gradients" not in found


def test_a_confident_fused_sigmoid_output_is_not_saturation(moons):
    _, recording, history = record(
        [ai.Dense(16, "relu", init="he_normal"), ai.Dense(1, "sigmoid", init="glorot_normal")],
        moons,
        epochs=200,
        optimizer="adam(lr=0.05)",
    )
    assert history.history["accuracy"][-1] > 0.95
    assert recording.stats["saturated"][-1, -1] > 0.5  # the output is confident...
    found = kinds(recording)
    assert "saturation" not in found and "healthy" in found  # ...and that is no problem


def test_a_run_at_chance_is_said_not_to_learn(moons):
    _, recording, _ = record(
        [ai.Dense(8, "sigmoid", init="random_normal(std=0.01)") for _ in range(6)]
        + [ai.Dense(1, "sigmoid", init="random_normal(std=0.01)")],
        moons,
        epochs=5,
        optimizer="sgd(lr=0.01)",
    )
    findings = {f.kind: f for f in diagnose(recording)}
    assert "not_learned" in findings and "chance level" in findings["not_learned"].message
    assert "learning" not in findings


def test_saturated_tanh_from_large_weights(moons):
    _, recording, _ = record(
        [ai.Dense(32, "tanh", init="random_normal(std=10)"), ai.Dense(1, "sigmoid")],
        moons,
        epochs=3,
    )
    assert "saturation" in kinds(recording)
