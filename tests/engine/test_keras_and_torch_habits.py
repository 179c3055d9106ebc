"""Keras and PyTorch habits users bring to actinit's model (issue "Where its users
already work")."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import actinit as ai


def net():
    return ai.Sequential([ai.Dense(6, "relu", init="he_normal"), ai.Dense(1, "sigmoid")], seed=0)


def test_build_takes_a_keras_shape_or_a_width():
    assert net().build((None, 2)).input_dim == 2
    assert net().build(2).input_dim == 2
    with pytest.raises(ValueError, match="positive integer"):
        net().build((None, 0))


def test_summary_prints_and_returns_its_text(capsys):
    model = net().build(2)
    text = model.summary()
    assert "total parameters: 25" in text and capsys.readouterr().out.strip() == text
    assert model.summary(print_fn=None) == text and capsys.readouterr().out == ""


def test_count_get_and_set_weights_and_call():
    model = net().build(2)
    assert model.count_params() == 25
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(2, 6), (6,), (6, 1), (1,)]
    other = ai.Sequential([ai.Dense(6, "relu"), ai.Dense(1, "sigmoid")], seed=9).build(2)
    other.set_weights(weights)
    X = np.random.default_rng(0).standard_normal((5, 2))
    np.testing.assert_array_equal(other(X), model(X))
    assert model(X).shape == (5, 1)
    with pytest.raises(ValueError, match="set_weights needs 4 arrays"):
        other.set_weights(weights[:3])
    with pytest.raises(ValueError, match="shape"):
        other.set_weights([weights[0].T, *weights[1:]])


def test_validation_split_holds_out_the_last_samples():
    X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
    history = net().fit(X, y, epochs=3, validation_split=0.2)
    assert len(history.history["val_accuracy"]) == 3
    model = net()
    model.fit(X, y, epochs=1, validation_split=0.25)
    with pytest.raises(ValueError, match="not both"):
        net().fit(X, y, validation_split=0.2, validation_data=(X, y))
    with pytest.raises(ValueError, match=r"share in \(0, 1\)"):
        net().fit(X, y, validation_split=1.5)


def test_predict_proba_of_a_binary_net_has_two_columns_as_scikit_learn():
    X, y = make_moons(n_samples=50, noise=0.2, random_state=0)
    model = net()
    model.fit(X, y, epochs=2)
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (50, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_load_is_at_the_top_level(tmp_path):
    model = net().build(2)
    again = ai.load(model.save(tmp_path / "m.npz"))
    np.testing.assert_array_equal(again.get_weights()[0], model.get_weights()[0])


def test_notebook_reprs_frames_and_parquet(tmp_path):
    from click.testing import CliRunner

    from actinit.cli import main
    from actinit.studies import Store, load_study, run_study, summarize
    from actinit.studies.answer.diagnosis import Diagnosis

    model = net()
    assert "not built" in model._repr_html_()
    assert "total parameters: 25" in model.build(2)._repr_html_()
    study = load_study("circles", {"seeds": 2, "epochs": 5})
    db = tmp_path / "r.sqlite"
    with Store(db) as store:
        run_study(study, store, backend="sequential")
        summary = summarize(study, store)
    html = summary._repr_html_()
    assert "<table>" in html and "replayed" in html
    frame = summary.to_frame()
    assert len(frame) == 3 * 2 + 3  # seeds and replays, one row each
    assert {"activation", "initializer", "seed", "replay", "test_accuracy", "depth"} <= set(frame)
    assert frame.replay.sum() == 3
    assert "<ul>" in Diagnosis([])._repr_html_()
    out = tmp_path / "runs.parquet"
    args = ["export", "circles", "--format", "parquet", "--epochs", "5", "--db", str(db)]
    result = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    import pandas

    assert len(pandas.read_parquet(out)) == 9
    missing = CliRunner().invoke(main, args)
    assert missing.exit_code == 2 and "-o runs.parquet" in missing.output


def test_auto_initializer_follows_the_activation_and_the_default_is_keras():
    assert ai.Dense(4, "relu", init="auto").init.spec() == "kaiming_normal"
    assert ai.Dense(4, "selu", init="auto").init.spec() == "lecun_normal"
    assert ai.Dense(4, "relu").init.spec() == "glorot_uniform"  # as Keras's Dense
