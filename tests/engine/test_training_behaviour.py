"""Tests of behaviour: what training does, not only its arithmetic."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import actinit as ai


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(n_samples=400, noise=0.2, random_state=0)
    X_test, y_test = make_moons(n_samples=200, noise=0.2, random_state=1)
    return X, y, X_test, y_test


def moons_model(init, seed=0, optimizer="sgd(lr=0.5)"):
    return ai.Sequential(
        [
            ai.Dense(12, "relu", init=init),
            ai.Dense(6, "relu", init=init),
            ai.Dense(1, "sigmoid", init=init),
        ],
        optimizer=optimizer,
        seed=seed,
    )


def test_zero_init_keeps_units_identical(moons):
    X, y, _, _ = moons
    model = ai.Sequential(
        [
            ai.Dense(8, "tanh", init="zeros"),
            ai.Dense(4, "sigmoid", init="zeros"),
            ai.Dense(1, "sigmoid", init="zeros"),
        ],
        optimizer="sgd(lr=0.5)",
    )
    model.fit(X, y, epochs=50, batch_size=None)
    for layer in model.layers:
        # Every unit's incoming weights (a column of W) stays equal to every other's.
        assert np.allclose(layer.W, layer.W[:, :1]), layer.name
    first = model.forward_trace(X)[0]["output"]
    assert np.allclose(first, first[:, :1])


def test_zero_init_relu_learns_nothing(moons):
    X, y, _, _ = moons
    model = moons_model("zeros")
    history = model.fit(X, y, epochs=100, batch_size=None)
    assert history["loss"][0] == pytest.approx(np.log(2), abs=1e-6)
    assert history["loss"][-1] == pytest.approx(np.log(2), abs=0.01)
    assert (model.layers[0].W == 0).all()


def test_he_initialized_relu_net_learns_moons(moons):
    X, y, X_test, y_test = moons
    model = moons_model("kaiming_normal")
    model.fit(X, y, epochs=300, batch_size=32)
    assert model.evaluate(X, y)["accuracy"] > 0.95
    assert model.evaluate(X_test, y_test)["accuracy"] > 0.93


def test_same_seed_repeats_bit_for_bit(moons):
    X, y, _, _ = moons
    runs = []
    for _ in range(2):
        model = ai.Sequential(
            [ai.Dense(8, "rrelu"), ai.Dropout(0.2), ai.Dense(1, "sigmoid")],
            optimizer="adam(lr=0.01)",
            seed=42,
        )
        history = model.fit(X, y, epochs=5, batch_size=16)
        runs.append((history["loss"], {k: v.copy() for k, v in model.parameters().items()}))
    assert runs[0][0] == runs[1][0]
    for name in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][name], runs[1][1][name])
    other = ai.Sequential([ai.Dense(8, "rrelu"), ai.Dense(1, "sigmoid")], seed=43).build(2)
    assert not np.array_equal(other.parameters()["dense0.W"], runs[0][1]["dense0.W"])


def test_batch_size_does_not_change_the_initial_weights():
    a = ai.Sequential([ai.Dense(4, "relu")], seed=5).build(3)
    b = ai.Sequential([ai.Dense(4, "relu")], seed=5).build(3)
    np.testing.assert_array_equal(a.parameters()["dense0.W"], b.parameters()["dense0.W"])


def test_float64_on_request(moons):
    X, y, _, _ = moons
    model = moons_model("he_normal")
    assert model.build(2).parameters()["dense0.W"].dtype == np.float32
    model64 = ai.Sequential([ai.Dense(3, "relu"), ai.Dense(1, "sigmoid")], dtype="float64")
    model64.fit(X, y, epochs=1)
    assert all(v.dtype == np.float64 for v in model64.parameters().values())


def test_history_validation_and_early_stopping(moons):
    X, y, X_test, y_test = moons
    model = moons_model("he_normal", optimizer="adam(lr=0.05)")
    stopper = ai.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    history = model.fit(
        X, y, epochs=500, batch_size=32, validation_data=(X_test, y_test), callbacks=[stopper]
    )
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.stopped_epoch is not None and len(history.epochs) < 500
    assert model.evaluate(X_test, y_test)["loss"] == pytest.approx(
        min(history["val_loss"]), rel=1e-5
    )


def test_divergence_is_detected_and_training_stops(moons):
    X, y, _, _ = moons
    model = ai.Sequential(
        [
            ai.Dense(16, "relu", init="random_normal(std=30)"),
            ai.Dense(16, "relu", init="random_normal(std=30)"),
            ai.Dense(1, "linear"),
        ],
        loss="mse",
        optimizer="sgd(lr=10)",
    )
    history = model.fit(X, y.astype(float), epochs=50, batch_size=None)
    assert history.diverged and history.diverged_epoch < 49
    assert not np.isfinite(history["loss"][-1])


def test_multiclass_softmax_learns_blobs():
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=300, centers=4, random_state=0)
    model = ai.Sequential(
        [ai.Dense(16, "tanh", init="xavier_normal"), ai.Dense(4, "softmax")],
        optimizer="adam(lr=0.02)",
    )
    model.fit(X, y, epochs=60)
    assert model.evaluate(X, y)["accuracy"] > 0.85
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (300, 4) and np.allclose(probabilities.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X), probabilities.argmax(axis=1))


def test_predict_proba_for_a_sigmoid_output_has_two_columns(moons):
    X, y, _, _ = moons
    model = moons_model("he_normal")
    model.fit(X, y, epochs=2)
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (len(X), 2)
    np.testing.assert_array_equal(model.predict(X), (probabilities[:, 1] >= 0.5).astype(int))


def test_regression_with_mse():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(256, 1))
    y = np.sin(2 * X[:, 0])
    model = ai.Sequential(
        [ai.Dense(32, "tanh", init="xavier_normal"), ai.Dense(1)],
        optimizer="adam(lr=0.02)",
        dtype="float64",
    )
    history = model.fit(X, y, epochs=150, batch_size=32)
    assert "accuracy" not in history.history
    assert model.evaluate(X, y)["loss"] < 0.01
    assert model.predict(X).shape == (256,)


def test_save_and_load_round_trip(tmp_path, moons):
    X, y, _, _ = moons
    model = ai.Sequential(
        [ai.Dense(6, "prelu"), ai.BatchNorm(), ai.Maxout(3, pieces=2), ai.Dense(1, "sigmoid")],
        optimizer="adam(lr=0.01)",
        seed=3,
    )
    model.fit(X, y, epochs=3)
    path = model.save(tmp_path / "model")
    assert path.suffix == ".npz"
    loaded = ai.Sequential.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.config() == model.config()


def test_load_refuses_pickled_content(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, config=np.array(["{}"], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        ai.Sequential.load(path)
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="not a saved actinit model"):
        ai.Sequential.load(tmp_path / "junk.npz")


def test_lsuv_gives_unit_variance_pre_activations(moons):
    X, y, _, _ = moons
    model = ai.Sequential(
        [
            ai.Dense(32, "tanh", init="lsuv"),
            ai.Dense(32, "tanh", init="lsuv"),
            ai.Dense(1, "sigmoid"),
        ]
    )
    model.fit(X, y, epochs=0)
    for record in model.forward_trace(X)[:2]:
        assert record["pre_activation"].var() == pytest.approx(1.0, abs=0.1)


def test_max_norm_caps_every_units_incoming_weights(moons):
    X, y, _, _ = moons
    model = ai.Sequential(
        [ai.Dense(10, "relu", init="random_normal(std=3)"), ai.Dense(1, "sigmoid")],
        max_norm=1.5,
        optimizer="sgd(lr=0.1)",
    )
    model.fit(X, y, epochs=2)
    norms = np.linalg.norm(model.layers[0].W, axis=0)
    assert norms.max() <= 1.5 + 1e-5


def test_l2_penalty_shrinks_weights(moons):
    X, y, _, _ = moons
    plain = moons_model("he_normal", seed=1)
    plain.fit(X, y, epochs=40)
    penalised = ai.Sequential(
        [
            ai.Dense(12, "relu", init="he_normal", regularizer="l2(0.05)"),
            ai.Dense(6, "relu", init="he_normal", regularizer="l2(0.05)"),
            ai.Dense(1, "sigmoid", init="he_normal"),
        ],
        optimizer="sgd(lr=0.5)",
        seed=1,
    )
    history = penalised.fit(X, y, epochs=40)
    assert "penalty" in history.history
    assert np.linalg.norm(penalised.layers[0].W) < np.linalg.norm(plain.layers[0].W)


def test_inverted_dropout_keeps_the_expected_activation():
    layer = ai.Dropout(0.4)
    x = np.ones((200, 500))
    out = layer.forward(x, training=True, rng=np.random.default_rng(0))
    assert set(np.unique(out)) == {0.0, 1 / 0.6}
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    assert layer.forward(x, training=False) is x


def test_binary_step_blocks_backpropagation(moons):
    X, y, _, _ = moons
    model = ai.Sequential([ai.Dense(8, "binary_step"), ai.Dense(1, "sigmoid")], dtype="float64")
    _, gradients = model.loss_and_gradients(X, y)
    assert (gradients["dense0.W"] == 0).all() and (gradients["dense0.b"] == 0).all()
    assert np.abs(gradients["dense1.W"]).sum() > 0


def test_prelu_slope_is_learned(moons):
    X, y, _, _ = moons
    model = ai.Sequential([ai.Dense(8, "prelu"), ai.Dense(1, "sigmoid")], optimizer="sgd(lr=0.5)")
    model.fit(X, y, epochs=20)
    assert model.parameters()["dense0.slope"][0] != pytest.approx(0.25)


def test_on_batch_end_is_called_after_every_update_only_for_callbacks_that_define_it():
    import numpy as np

    import actinit as ai
    from actinit.engine.callbacks import Callback, CallbackList

    class Count(Callback):
        def __init__(self):
            self.seen = []

        def on_batch_end(self, batch):
            self.seen.append(batch)

    X = np.random.default_rng(0).normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    model = ai.Sequential(
        [ai.Dense(3, activation="relu"), ai.Dense(1, activation="sigmoid")], seed=0
    )
    counter = Count()
    model.fit(X, y, epochs=2, batch_size=16, callbacks=[counter])
    assert counter.seen == [0, 1, 2, 3] * 2  # 50 rows in batches of 16: 4 updates
    full = Count()
    model.fit(X, y, epochs=3, batch_size=None, callbacks=[full])
    assert full.seen == [0, 0, 0]
    assert CallbackList([Callback()], model, {}).batch_listeners is None
