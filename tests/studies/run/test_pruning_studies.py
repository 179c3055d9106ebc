"""Pruning as a study: the [pruning] section, pruned runs, the trade-off pictures."""

import math

import numpy as np
import pytest

from actinit.studies import Store, load_study, parse_study, run_study
from actinit.studies.answer.summary import summarize
from actinit.studies.answer.tradeoff import tradeoff_curves
from actinit.studies.plan.run_config import RunConfig
from actinit.studies.plan.settings import StudyError
from actinit.studies.run.fitting import dataset_for, model_for

STUDY = """
name = "tiny-prune"
seeds = 2

[data]
name = "moons"
n_train = 200
n_test = 100

[model]
hidden = [32, 32]
activation = "relu"
output_activation = "sigmoid"

[training]
epochs = 15
optimizer = "adam"
learning_rate = 0.01

[pruning]
{pruning}

[grid]
initializers = ["he_normal"]
prune_amounts = [0.0, 0.5, 0.9]
{grid}
"""


def study(pruning='method = "magnitude"', grid=""):
    return parse_study(STUDY.format(pruning=pruning, grid=grid), source="tiny.toml")


@pytest.fixture(scope="module")
def lottery(tmp_path_factory):
    tiny = study('method = "magnitude"\nper_round = 0.5', 'rewinds = ["init", "reinit"]')
    store = Store(tmp_path_factory.mktemp("lottery") / "l.sqlite")
    run_study(tiny, store, backend="sequential")
    yield tiny, store
    store.close()


def test_a_pruning_study_parses_and_refuses_what_cannot_be():
    tiny = study(grid='prune_methods = ["magnitude", "units-scaled"]')
    assert len(tiny.configs) == 6
    labels = {c.label for c in tiny.configs}
    assert "relu / he_normal, units-scaled 90%" in labels
    with pytest.raises(StudyError, match="cannot be rewound"):
        study('method = "units-norm"\nrewind = "init"')
    with pytest.raises(StudyError, match="rewind is trained, init, reinit or epoch:K"):
        study('method = "magnitude"\nrewind = "epoch:0"')
    with pytest.raises(StudyError, match="a pruning method is one of"):
        study('method = "random"')
    # a study without pruning keeps the keys it always had
    plain = load_study("moons")
    assert all(c.prune_method is None for c in plain.configs)
    assert "prune_method" not in plain.configs[0].key and len(plain.configs[0].key) == 20


def test_schedules_prune_a_share_of_what_is_left():
    config = study('method = "magnitude"\nper_round = 0.2').configs[2]  # 90%
    rounds, step = config.pruning_schedule
    assert rounds == 10 and (1 - step) ** rounds == pytest.approx(0.1)


def test_pruned_runs_store_what_is_left_and_the_dense_accuracy(lottery):
    tiny, store = lottery
    summary = summarize(tiny, store)
    curves = {curve.label: curve for curve in tradeoff_curves(summary, store)}
    assert set(curves) == {"init", "reinit"}
    for curve in curves.values():
        remaining = [point.remaining for point in curve.points]
        assert remaining == pytest.approx([1.0, 0.5, 0.1], abs=0.01)
        assert curve.dense.mean > 0.8 and curve.dense.n == 2 * 3
    runs = store.runs([c.key for c in tiny.configs], with_history=True)
    for run in runs:
        config = RunConfig.from_dict(run["config"])
        history = run["history"]
        assert len(history["round_test_accuracy"]) == config.pruning_schedule[0]  # 1, 1, 3
        assert run["test_accuracy"] == pytest.approx(history["round_test_accuracy"][-1], abs=1e-6)


def test_rewinding_starts_from_the_original_draw_bit_for_bit(monkeypatch):
    """The rewound weights are the run's own initial draw, as a fresh build of the
    same configuration and seed makes it."""
    import actinit.engine as engine
    import actinit.studies.run.pruning as pruning
    from actinit.studies.run.pruning import run_pruned

    config = study('method = "magnitude"\nrewind = "init"').configs[1]
    data = dataset_for(config, 0)
    fresh = model_for(config, data, 0)
    seen = []
    real = engine.rewind

    def spy(model, parameters):
        seen.append({k: v.copy() for k, v in parameters.items()})
        real(model, parameters)
        for layer in model.weighted_layers():
            kept = layer.weight_mask == 1
            original = fresh.parameters()[f"{layer.name}.W"]
            assert np.array_equal(layer.W[kept], original[kept])

    monkeypatch.setattr(pruning, "rewind", spy)
    run_pruned(config, data, model_for(config, data, 0), 0)
    assert seen and all(
        np.array_equal(seen[0][name], value) for name, value in fresh.parameters().items()
    )


def test_the_pictures_draw_every_curve_and_the_dense_line(lottery, tmp_path):

    from actinit.viz.pruning import plot_lottery, plot_tradeoff

    tiny, store = lottery
    summary = summarize(tiny, store)
    figure = plot_tradeoff(summary, store)
    axis = figure.axes[0]
    labels = [text.get_text() for text in axis.get_legend().get_texts()]
    assert {"init", "reinit", "dense"} <= set(labels) and axis.get_xscale() == "log"
    flops = plot_tradeoff(summary, store, "flops")
    assert "FLOPs" in flops.axes[0].get_xlabel()
    both = plot_lottery(summary, store)
    assert "epochs to the dense accuracy" in both.axes[1].get_ylabel()
    with pytest.raises(ValueError, match="does not prune"):
        tradeoff_curves(summarize(load_study("moons"), store), store)


def test_the_builtin_pruning_studies():
    prune = load_study("prune")
    assert {c.prune_method for c in prune.configs} == {
        "magnitude",
        "global",
        "units-norm",
        "units-activation",
        "units-scaled",
        "redundant",
    }
    assert {c.data["name"] for c in prune.configs} == {"moons", "mnist"}
    lottery = load_study("lottery")
    assert {c.rewind for c in lottery.configs} == {"init", "epoch:1", "reinit"}
    assert lottery.configs[0].hidden == (300, 100)
    rounds = {c.prune_amount: c.pruning_schedule[0] for c in lottery.configs}
    assert rounds == {0.0: 1, 0.36: 2, 0.67: 5, 0.83: 8}
    assert math.isclose(load_study("lottery-full").configs[-1].prune_amount, 0.986)


def test_the_report_of_a_pruning_study_shows_the_tradeoff(lottery):
    from actinit.viz.report import build_report

    tiny, store = lottery
    page = build_report(tiny, store, recorded=0)
    assert "Pruning: what it keeps" in page and "winning tickets" in page


def test_unit_pruning_counts_what_is_left_of_the_dense_network(tmp_path):
    """A network cut to fewer units has fewer weights, all of them non-zero: what is
    left is measured against the dense network's weights."""
    tiny = study(grid='prune_methods = ["units-scaled"]')
    with Store(tmp_path / "u.sqlite") as store:
        run_study(tiny, store, backend="sequential")
        (curve,) = tradeoff_curves(summarize(tiny, store), store)
    dense_weights = 2 * 32 + 32 * 32 + 32 * 1
    kept = {0.0: 32, 0.5: 16, 0.9: 4}  # units per hidden layer
    for point in curve.points:
        units = kept[point.amount]
        assert point.remaining == pytest.approx((2 * units + units * units + units) / dense_weights)


def test_the_output_layer_is_pruned_at_half_the_rate_of_a_ticket():
    """Frankle & Carbin prune LeNet's output layer at half the hidden layers' rate: a
    study that rewinds does so by default; fine-tuning keeps one rate; the file can
    say otherwise."""
    ticket = study('method = "magnitude"\nrewind = "init"').configs[1]
    tuned = study('method = "magnitude"').configs[1]
    given = study('method = "magnitude"\nrewind = "init"\noutput_rate = 1').configs[1]
    assert (ticket.prune_output_rate, tuned.prune_output_rate) == (0.5, 1.0)
    assert given.prune_output_rate == 1.0
    assert (
        "prune_output_rate" not in tuned.to_dict()
        or tuned.key == study('method = "magnitude"').configs[1].key
    )
    with pytest.raises(StudyError, match="output_rate"):
        study('method = "magnitude"\noutput_rate = 0')


def test_prune_magnitude_halves_the_output_layer_by_hand():
    from actinit.engine import prune_magnitude

    config = study().configs[0]
    data = dataset_for(config, 0)
    model = model_for(config, data, 0)
    before = {layer.name: np.abs(layer.W).copy() for layer in model.weighted_layers()}
    prune_magnitude(model, 0.5, output_rate=0.5)
    for layer in model.weighted_layers():
        share = 0.25 if layer is model.weighted_layers()[-1] else 0.5
        count = round(share * layer.W.size)
        expected = np.ones(layer.W.size)
        expected[np.argsort(before[layer.name].ravel(), kind="stable")[:count]] = 0
        assert np.array_equal(layer.weight_mask.ravel(), expected)


def test_reinit_trains_the_winning_ticket_s_mask_from_fresh_draws():
    """The paper's control re-initializes the ticket: the same mask as the run that
    rewinds to init (same seed), other values."""
    from actinit.studies.run.pruning import run_pruned

    configs = study('method = "magnitude"\nper_round = 0.5', 'rewinds = ["init", "reinit"]')
    ticket_config, control_config = [c for c in configs.configs if c.prune_amount == 0.9]
    assert (ticket_config.rewind, control_config.rewind) == ("init", "reinit")
    models = []
    for config in (ticket_config, control_config):
        data = dataset_for(config, 0)
        model, _, numbers = run_pruned(config, data, model_for(config, data, 0), 0)
        models.append(model)
        assert len(numbers["round_test_accuracy"]) == config.pruning_schedule[0]
    ticket, control = models
    for a, b in zip(ticket.weighted_layers(), control.weighted_layers()):
        assert np.array_equal(a.weight_mask, b.weight_mask)
        assert not np.allclose(a.W, b.W)
