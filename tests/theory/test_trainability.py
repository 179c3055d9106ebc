"""The trainability plane: a study over (sigma_w^2, depth) read beside the theory."""

import math

import numpy as np
import pytest
from tests.synthetic_study import store_results

from actinit import theory
from actinit.studies import Store, load_study, parse_study
from actinit.studies.answer.summary import summarize
from actinit.studies.answer.trainability import PlaneError, trainability_planes

PLANE = """
name = "plane"
seeds = 2

[data]
name = "moons"
n_train = 200
n_test = 100

[model]
output_activation = "sigmoid"
bias_init = "random_normal(std=0.223606797749979)"

[training]
epochs = {epochs}
optimizer = "momentum"
learning_rate = 0.01

[grid]
hidden = {hidden}
activations = {activations}
initializers = [{initializers}]

[summary]
learned_threshold = 0.7
"""

VARIANCES = (1.0, 1.5, 1.76, 2.5, 4.0)
DEPTHS = (4, 8, 16, 32, 64)


def plane_study(variances=VARIANCES, depths=DEPTHS, activations=("tanh",), width=16, epochs=5):
    hidden = "[" + ", ".join(str([width] * d) for d in depths) + "]"
    initializers = ", ".join(
        f'{{ label = "sw^2={v:g}", weights = "variance_scaling(scale={v:g}, mode=fan_in, '
        'distribution=normal)" }'
        for v in variances
    )
    names = "[" + ", ".join(f'"{a}"' for a in activations) + "]"
    text = PLANE.format(hidden=hidden, activations=names, initializers=initializers, epochs=epochs)
    return parse_study(text, source="plane.toml")


def theory_depth(activation, variance):
    return theory.propagation(activation, math.sqrt(variance), math.sqrt(0.05)).trainable_depth


@pytest.fixture
def stored(tmp_path):
    """A plane whose accuracy follows the theory exactly, but for three cells."""
    study = plane_study()
    flipped = {(1.0, 4), (4.0, 64), (2.5, 16)}

    def accuracy(config, seed):
        variance = round(theory.weight_scales(config.init, config.bias_init, 16).sigma_w ** 2, 6)
        depth = len(config.hidden)
        trains = depth <= theory_depth("tanh", variance)
        if (variance, depth) in flipped:
            trains = not trains
        return 0.95 if trains else 0.5

    store = Store(tmp_path / "plane.sqlite")
    store_results(store, study, accuracy)
    yield study, store, flipped
    store.close()


def test_agreement_is_counted_cell_by_cell(stored):
    study, store, flipped = stored
    (plane,) = trainability_planes(summarize(study, store))
    np.testing.assert_allclose(plane.sigma_w2, VARIANCES, rtol=1e-12)
    assert list(plane.depths) == list(DEPTHS)
    assert plane.sigma_b**2 == pytest.approx(0.05, rel=1e-12)
    cells = len(VARIANCES) * len(DEPTHS)
    assert plane.agreement == pytest.approx((cells - len(flipped)) / cells)
    # by hand, for each column: does 6 xi lie between the deepest success and the
    # shallowest failure?
    expected = []
    for j, variance in enumerate(VARIANCES):
        limit = theory_depth("tanh", variance)
        trains = [(d <= limit) != ((variance, d) in flipped) for d in DEPTHS]
        deepest = max([d for d, t in zip(DEPTHS, trains) if t], default=0)
        failures = [d for d, t in zip(DEPTHS, trains) if not t]
        expected.append(deepest <= limit < min(failures, default=math.inf))
        assert plane.trainable[j] == pytest.approx(limit)
    assert plane.boundary_agreement == pytest.approx(np.mean(expected))
    line = plane.summary_line()
    assert f"{cells - len(flipped)} of {cells} cells" in line and "70%" in line


def test_the_picture_has_the_curve_and_the_agreement(stored):
    from actinit.viz.theory import plot_trainability

    study, store, _ = stored
    figure = plot_trainability(summarize(study, store))
    axis = figure.axes[0]
    assert "88% of cells agree" in axis.get_title()
    curve = [line for line in axis.lines if line.get_color() == "white" and line.get_lw() > 2]
    assert curve and len(curve[0].get_xdata()) > 10
    dashed = [line for line in axis.lines if line.get_linestyle() == "--"]
    assert dashed and dashed[0].get_xdata()[0] == pytest.approx(
        theory.edge_of_chaos("tanh", math.sqrt(0.05)) ** 2
    )


def test_a_study_that_is_no_plane_is_refused(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        one_depth = plane_study(depths=(4,))
        store_results(store, one_depth, lambda config, seed: 0.9)
        with pytest.raises(PlaneError, match="several depths"):
            trainability_planes(summarize(one_depth, store))
    estimated = parse_study(
        PLANE.format(
            hidden="[[8, 8], [8, 8, 8]]",
            activations='["tanh"]',
            initializers='"lsuv", "he_normal"',
            epochs=1,
        ),
        source="p.toml",
    )
    with Store(tmp_path / "t.sqlite") as store:
        store_results(store, estimated, lambda config, seed: 0.9)
        with pytest.raises(PlaneError, match="lsuv: its variance is not fixed"):
            trainability_planes(summarize(estimated, store))


def test_the_builtin_study_spans_the_plane():
    study = load_study("trainability")
    assert len(study.configs) == 7 * 3 * 9
    # deep enough that 6 xi falls inside the plane: the theory can be wrong where it predicts
    assert sorted({len(c.hidden) for c in study.configs}) == [10, 20, 30, 45, 65, 100, 150]
    variances = set()
    for config in study.configs:
        scales = theory.weight_scales(config.init, config.bias_init, config.hidden[0])
        assert not scales.estimated and scales.sigma_b**2 == pytest.approx(0.05)
        variances.add(round(scales.sigma_w**2, 9))
    assert variances == {1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4}
    full = load_study("trainability-full")
    assert max(len(c.hidden) for c in full.configs) == 300 and full.configs[0].hidden[0] == 300


def test_a_small_plane_trains_and_is_read_end_to_end(tmp_path):
    """Real training: tanh on moons at 2 and 24 layers, sigma_w^2 of 0.5 (deep in
    the ordered phase: 6 xi of about 6 layers) and 1.76 (the edge)."""
    from click.testing import CliRunner

    from actinit.cli import main
    from actinit.studies import run_study

    study = plane_study(variances=(0.5, 1.76), depths=(2, 24), width=24, epochs=30)
    (tmp_path / "plane.toml").write_text(
        PLANE.format(
            hidden="[" + ", ".join(str([24] * d) for d in (2, 24)) + "]",
            activations='["tanh"]',
            initializers=", ".join(
                f'{{ label = "sw^2={v:g}", weights = "variance_scaling(scale={v:g}, '
                'mode=fan_in, distribution=normal)" }'
                for v in (0.5, 1.76)
            ),
            epochs=30,
        )
    )
    db = tmp_path / "plane.sqlite"
    with Store(db) as store:
        run_study(study, store, backend="sequential")
        (plane,) = trainability_planes(summarize(study, store))
    assert plane.trainable[0] < 24 < plane.trainable[1]
    assert plane.trained[1, 1] and not plane.trained[1, 0]  # 24 layers: edge only
    assert plane.trained[0].all()  # 2 layers: both
    result = CliRunner().invoke(
        main,
        [
            "plot",
            str(tmp_path / "plane.toml"),
            "--kind",
            "trainability",
            "--db",
            str(db),
            "-o",
            str(tmp_path / "plane.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "4 of 4 cells (100%) agree" in " ".join(result.output.split())


def test_each_column_says_where_its_boundary_lies(stored):
    study, store, flipped = stored
    (plane,) = trainability_planes(summarize(study, store))
    lines = dict(zip(VARIANCES, plane.boundary_lines()))
    # sigma_w^2 = 4: 6 xi is 41.9; cells follow it but for (4, 64), flipped to "trains"
    assert lines[4.0].startswith("sigma_w^2 = 4: trains to 64")
    assert "(trains deeper than 6 xi allows)" in lines[4.0]
    # the edge (1.76): trains everywhere, and 6 xi lies far beyond 64 layers
    assert lines[1.76].endswith("(6 xi beyond the deepest tried: nothing to disagree with)")


def test_agreement_is_set_against_chance_and_the_best_depth_cutoff(stored):
    """The audit: "41/45 agree" means little when "everything trains" scores 76%.
    Kappa is checked against scikit-learn, the best cutoff by hand over every rule
    "trains up to depth c", McNemar against statsmodels' exact test."""
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.contingency_tables import mcnemar

    study, store, _ = stored
    (plane,) = trainability_planes(summarize(study, store))
    trained, predicted = plane.trained.ravel(), plane.predicted.ravel()
    assert plane.kappa == pytest.approx(cohen_kappa_score(trained, predicted))
    shares = {
        c: np.mean(np.repeat(np.array(DEPTHS)[:, None] <= c, len(VARIANCES), 1).ravel() == trained)
        for c in (0, *DEPTHS, math.inf)
    }
    cutoff, share = plane.cutoff_agreement()
    assert share == pytest.approx(max(shares.values())) and shares[cutoff] == share
    rule = np.repeat(np.array(DEPTHS)[:, None] <= cutoff, len(VARIANCES), 1).ravel()
    theory_right, rule_right = predicted == trained, rule == trained
    table = [
        [np.sum(theory_right & rule_right), np.sum(theory_right & ~rule_right)],
        [np.sum(~theory_right & rule_right), np.sum(~theory_right & ~rule_right)],
    ]
    assert plane.mcnemar_p() == pytest.approx(mcnemar(table, exact=True).pvalue)
    # columns where 6 xi is beyond 64 layers cannot disagree on depth
    beyond = [v for v in VARIANCES if theory_depth("tanh", v) >= max(DEPTHS)]
    assert plane.uninformative == len(beyond) * len(DEPTHS)
    line = plane.summary_line()
    assert "Cohen's kappa" in line and "McNemar p" in line and "0 cells split" in line


def test_cells_whose_seeds_disagree_are_counted(tmp_path):
    study = plane_study(variances=(1.0, 4.0), depths=(4, 64))

    def accuracy(config, seed):
        return 0.95 if (len(config.hidden) == 4 or seed == 0) else 0.5

    with Store(tmp_path / "split.sqlite") as store:
        store_results(store, study, accuracy)
        (plane,) = trainability_planes(summarize(study, store))
    assert plane.uncertain == 2  # both 64-layer cells: one seed of two trained
    assert np.nanmax(plane.seed_share) == 1.0 and np.nanmin(plane.seed_share) == 0.5
