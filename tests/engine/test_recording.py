"""Recorded statistics on cases with known answers, and the diagnoses drawn from them."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import actinit as ai
from actinit.engine.recording import Recording
from actinit.studies.answer.diagnosis import diagnose


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


# --- Diagnosis that is right at depth (issue "The trainability phase diagram") ---------


def deep(activation, std, depth, width=32, **options):
    layers = [
        ai.Dense(width, activation, init=f"random_normal(std={std})", **options)
        for _ in range(depth)
    ]
    return layers + [ai.Dense(1, "sigmoid")]


def findings_at(recording, kind):
    return [f for f in diagnose(recording) if f.kind == kind]


def backward_signals(model, X, y):
    """An independent measure of d loss_i / dz per layer: the chain rule by hand,
    layer by layer, from the output's logit gradient (p - y) / n."""
    hidden, inputs = [], X
    for layer in model.layers:
        z = inputs @ layer.W + layer.b
        hidden.append((inputs, z))
        inputs = layer.activation.function(z)
    p = inputs.ravel()
    delta = ((p - y) / len(y))[:, None]
    rms = [np.sqrt(np.mean(delta**2)) * len(y)]
    for layer, (_, z) in zip(model.layers[::-1][:-1], hidden[::-1][1:]):
        below = model.layers[model.layers.index(layer) - 1]
        delta = (delta @ layer.W.T) * below.activation.derivative(z)
        rms.append(np.sqrt(np.mean(delta**2)) * len(y))
    return np.array(rms[::-1])


def test_small_weights_at_depth_are_vanishing_not_exploding(moons):
    """tanh at depth 20 with N(0, 0.05^2) weights had every norm near 1e-12 and no
    finding; ReLU at depth 25 was called "exploding gradients: 144 times (4.7e-18 vs
    3.3e-20)": the weight-gradient norm ||h^T delta|| cancels a shrinking forward
    signal against the backward one."""
    X, y = moons
    _, tanh_run, _ = record(deep("tanh", 0.05, 20), moons, epochs=1)
    (tanh_finding,) = findings_at(tanh_run, "vanishing_gradients")
    assert tanh_finding.severity == "critical" and "below 1e-08" in tanh_finding.message
    assert tanh_run.stats["grad_norm"][0].max() < 1e-8
    model, relu_run, _ = record(deep("relu", 0.05, 25), moons, epochs=1)
    assert not findings_at(relu_run, "exploding_gradients")
    assert findings_at(relu_run, "vanishing_gradients")
    # the recorded backward signal is the chain rule's, computed here by hand at epoch 0
    start = ai.Sequential(deep("relu", 0.05, 25), optimizer="sgd(lr=0.5)", seed=0).build(2)
    np.testing.assert_allclose(
        relu_run.stats["backward_rms"][0], backward_signals(start, X, y), rtol=1e-5
    )
    assert relu_run.stats["backward_rms"][0][0] / relu_run.stats["backward_rms"][0][-1] < 1e-10


def test_every_gradient_exactly_zero_is_the_strongest_finding(moons):
    """At depth 50 every norm is exactly 0 and the rule skipped silently."""
    _, recording, _ = record(deep("relu", 0.05, 50), moons, epochs=1)
    assert np.all(recording.stats["grad_norm"][0] == 0)
    findings = diagnose(recording)
    assert findings[0].severity == "critical" and "exactly 0" in findings[0].message


def test_batch_norm_is_probed_as_it_trains(moons):
    """20 x ReLU with N(0, 1) weights and batch norm was "exploding gradients:
    3.56e+11" from an evaluation-mode probe at epoch 0, where the running statistics
    are still (0, 1) and batch norm is the identity. In training mode the largest
    gradient norm at initialization is of order 1."""
    import copy

    X, y = moons
    layers = []
    for _ in range(20):
        layers += [ai.Dense(32, "relu", init="random_normal(std=1.0)"), ai.BatchNorm()]
    layers.append(ai.Dense(1, "sigmoid"))
    model = ai.Sequential(layers, optimizer="sgd(lr=0.01)", seed=0).build(2)
    twin = copy.deepcopy(model)
    _, gradients = twin.loss_and_gradients(X, y, training=True)
    largest = max(np.linalg.norm(g) for name, g in gradients.items() if name.endswith(".W"))
    assert largest < 100
    recorder = ai.Recorder(X, y)
    model.fit(X, y, epochs=1, batch_size=32, callbacks=[recorder])
    recording = recorder.recording
    assert recording.stats["grad_norm"][0].max() == pytest.approx(largest, rel=1e-9)
    assert not findings_at(recording, "exploding_gradients")


def test_dead_units_in_a_network_that_learned_are_information(moons):
    """ "27 of 51 layers have 25-44% dead units" on a He/ReLU network at 98.4%: true,
    but said as a problem."""
    _, recording, _ = record(
        [ai.Dense(16, "relu", bias_init="constant(-0.6)", init="he_normal") for _ in range(3)]
        + [ai.Dense(1, "sigmoid")],
        moons,
        epochs=60,
        optimizer="adam(lr=0.01)",
    )
    dead = findings_at(recording, "dead_units")
    share = recording.stats["dead"][-1][:-1]
    assert dead and np.any((share >= 0.25) & (share < 0.75))
    assert recording.metrics["accuracy"][-1] > 0.85
    assert all(f.severity == "info" and "learned regardless" in f.message for f in dead)


def test_the_loss_fall_is_measured_from_initialization(moons):
    """ "The loss did not fall: 0.4381 after the first epoch" on a run that reached
    75.8%: the fall is measured from the loss at initialization."""
    X, y = moons
    layers = [ai.Dense(8, "tanh"), ai.Dense(1, "sigmoid")]
    before = ai.Sequential(layers, optimizer="adam(lr=0.05)", seed=0).build(2)
    initial = before.evaluate(X, y)["loss"]
    _, recording, _ = record(
        [ai.Dense(8, "tanh"), ai.Dense(1, "sigmoid")], moons, epochs=4, optimizer="adam(lr=0.05)"
    )
    assert recording.metrics["probe_loss"][0] == pytest.approx(initial, rel=1e-12)
    (finding,) = findings_at(recording, "learning")
    assert finding.numbers["start"] == pytest.approx(initial, rel=1e-12)
    assert "at initialization" in finding.message


@pytest.mark.parametrize(
    "sigma_w, kind", [(0.5, "vanishing_gradients"), (4.0, "exploding_gradients")]
)
def test_the_diagnosis_agrees_with_the_theory_phase(moons, sigma_w, kind):
    """tanh with sigma_w far inside each phase at depth 30: the theory says gradients
    change e-fold every xi_grad layers (ordered: shrink; chaotic: grow); the
    diagnosis must name the same."""
    from actinit import theory

    width, depth = 64, 30
    result = theory.propagation("tanh", sigma_w, 0.0)
    assert result.xi_grad * 3 < depth
    _, recording, _ = record(
        deep("tanh", sigma_w / np.sqrt(width), depth, width=width), moons, epochs=1
    )
    assert findings_at(recording, kind)
    assert result.phase == ("ordered" if kind.startswith("vanishing") else "chaotic")
