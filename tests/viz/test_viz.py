"""Every picture, the animation and the report are produced, with the expected elements."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import actinit as ai
from actinit import viz
from actinit.cli import main
from actinit.studies import Store, parse_study, run_study, summarize
from actinit.studies.plan.datasets import load
from actinit.viz.animation import _panels, animate
from actinit.viz.report import build_report

STUDY = """
name = "pictures"
title = "pictures test study"
seeds = 2

[data]
name = "parabola"
n_points = 100

[model]
hidden = [2]
output_activation = "sigmoid"

[training]
epochs = 12
batch_size = 16
optimizer = "sgd"
learning_rate = 0.1

[grid]
activations = ["tanh", "relu"]
initializers = ["xavier_normal", "zeros"]
"""


@pytest.fixture(scope="module")
def trained():
    data = load("parabola", n_points=100)
    model = ai.Sequential(
        [ai.Dense(2, "tanh", init="xavier_normal"), ai.Dense(1, "sigmoid")],
        optimizer="sgd(lr=0.5)",
        seed=0,
    )
    recorder = ai.Recorder(data.X_train, data.y_train, snapshot_every=2)
    model.fit(data.X_train, data.y_train, epochs=10, batch_size=16, callbacks=[recorder])
    return model, recorder.recording, data


@pytest.fixture(scope="module")
def study_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("viz") / "pictures.sqlite"
    study = parse_study(STUDY)
    with Store(path) as store:
        run_study(study, store, jobs=1)
    return study, path


def test_activation_panels(tmp_path):
    figure = viz.plot_activations(["relu", "tanh", "gelu", "leaky_relu(0.1)", "softmax"], columns=3)
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert len(visible) == 5
    assert visible[0].get_title().startswith("relu") and "gain 1.41" in visible[0].get_title()
    assert [line.get_label() for line in visible[1].get_lines()][:2] == ["f(x)", "f'(x)"]
    path = viz.save(figure, tmp_path / "act.svg")
    assert path.read_text().lstrip().startswith("<?xml")


def test_run_pictures(trained, tmp_path):
    model, recording, data = trained
    X, y = data.X_train, data.y_train
    pictures = {
        "boundary": (viz.plot_boundary(model, X, y), 1),
        "misclassified": (viz.plot_misclassified(model, X, y), 1),
        "feature": (viz.plot_feature_space(model, X, y), 2),
        "probabilities": (viz.plot_probability_histograms(model, X, y), 1),
        "losses": (viz.plot_loss_histogram(model, X, y), 1),
        "curves": (viz.plot_curves(recording), 2),
        "updates": (viz.plot_updates(recording), 9),
        "gradients": (viz.plot_layer_heatmap(recording, "grad_norm"), 2),
        "histograms": (viz.plot_activation_histograms(model, X), 2),
    }
    for name, (figure, panels) in pictures.items():
        axes = [axis for axis in figure.axes if axis.get_visible()]
        assert len(axes) == panels, name
        path = viz.save(figure, tmp_path / f"{name}.png")
        with Image.open(path) as image:
            assert image.size[0] > 200 and image.size[1] > 100
    feature_axis = pictures["feature"][0].axes[1]
    assert (
        feature_axis.get_title() == "hidden feature space" and feature_axis.get_xlabel() == "$h_1$"
    )
    assert pictures["updates"][0].axes[0].get_title() == "dense0.W[0, 0]"
    assert pictures["boundary"][0].axes[0].get_title().startswith("decision boundary (accuracy")


def test_feature_space_needs_a_two_unit_layer(trained):
    _, _, data = trained
    model = ai.Sequential([ai.Dense(5, "relu"), ai.Dense(1, "sigmoid")]).build(2)
    with pytest.raises(ValueError, match="exactly 2 units"):
        viz.plot_feature_space(model, data.X_train, data.y_train)
    with pytest.raises(ValueError, match=".png or .svg"):
        viz.save(viz.plot_activations(["relu"]), "picture.jpg")


def test_animation_gif_has_a_frame_per_snapshot(trained, tmp_path):
    _, recording, data = trained
    path = animate(recording, data.X_train, data.y_train, tmp_path / "film.gif", max_frames=6)
    with Image.open(path) as image:
        assert image.n_frames == 6
    with pytest.raises(ValueError, match=".gif or .mp4"):
        animate(recording, data.X_train, data.y_train, tmp_path / "film.avi")


def test_study_heatmap_and_curves(study_db):
    study, path = study_db
    with Store(path) as store:
        summary = summarize(study, store)
        heatmap = viz.plot_study_heatmap(summary)
        curves = viz.plot_study_curves(summary, store)
    axis = heatmap.axes[0]
    assert [t.get_text() for t in axis.get_xticklabels()] == ["xavier_normal", "zeros"]
    assert len(axis.texts) == 4
    assert len(curves.axes[0].get_lines()) == 4
    colours = [line.get_color() for line in curves.axes[0].get_lines()]
    assert len(set(colours)) == 4  # distinct within the panel
    legend = curves.axes[0].get_legend()
    assert legend.get_bbox_to_anchor().x0 > curves.axes[0].get_window_extent().x1 - 1  # outside


def test_no_grid_dimension_is_averaged_away(tmp_path):
    """Every value of hidden (and data) gets its own labelled panel, each configuration
    its own cell and curve (issue "Pictures and diagnoses that tell the truth", 1-2)."""
    from actinit.studies import parse_study, run_study

    study = parse_study(
        """
name = "faceted"
seeds = 1
[data]
name = "moons"
n_train = 60
n_test = 30
[model]
output_activation = "sigmoid"
[training]
epochs = 2
[grid]
hidden = [[4], [4, 4, 4]]
datasets = ["moons", "circles"]
activations = ["relu", "tanh", "sigmoid", "elu", "gelu", "swish", "softplus"]
initializers = ["he_normal", "xavier_normal"]
"""
    )
    with Store(tmp_path / "f.sqlite") as store:
        run_study(study, store, backend="sequential")
        summary = summarize(study, store)
        heatmap = viz.plot_study_heatmap(summary)
        curves = viz.plot_study_curves(summary, store)
    panels = [axis for axis in heatmap.axes if axis.get_title()]
    titles = sorted(axis.get_title() for axis in panels)
    assert len(panels) == 4 and all("hidden" in t and "data" in t for t in titles)
    assert all(len(axis.texts) == 14 for axis in panels)  # 7 activations x 2 initializers
    assert "\n±" not in str([t.get_text() for t in panels[0].texts])  # one seed: no "± 0.0"
    curve_panels = [axis for axis in curves.axes if axis.get_lines()]
    assert len(curve_panels) == 4
    for axis in curve_panels:
        lines = axis.get_lines()
        assert len(lines) == 14 and len({(l.get_color(), l.get_linestyle()) for l in lines}) == 14


def test_report_is_self_contained(study_db):
    study, path = study_db
    with Store(path) as store:
        text = build_report(study, store, recorded=2)
    assert text.count("<table>") >= 1 and "data:image/png;base64," in text
    assert "http://" not in text and "https://" not in text
    assert text.count("class='run'") == 2 and "finding" in text


def test_cli_plot_animate_report_diagnose(study_db, tmp_path):
    study, path = study_db
    study_file = tmp_path / "pictures.toml"
    study_file.write_text(STUDY)
    runner = CliRunner()
    db = ["--db", str(path)]
    commands = [
        ["plot", "activations", "relu,tanh,gelu", "--derivatives", "-o", str(tmp_path / "a.png")],
        ["plot", str(study_file), "--kind", "heatmap", "-o", str(tmp_path / "h.png"), *db],
        [
            "plot",
            str(study_file),
            "--kind",
            "feature-space",
            "--activation",
            "tanh",
            "-o",
            str(tmp_path / "f.png"),
            *db,
        ],
        [
            "plot",
            str(study_file),
            "--kind",
            "updates",
            "--init",
            "zeros",
            "-o",
            str(tmp_path / "u.png"),
            *db,
        ],
        [
            "animate",
            str(study_file),
            "--activation",
            "relu",
            "--frames",
            "3",
            "-o",
            str(tmp_path / "r.gif"),
            *db,
        ],
        ["report", str(study_file), "--recorded", "1", "-o", str(tmp_path / "report.html"), *db],
        ["diagnose", str(study_file), "--activation", "tanh", "--init", "zeros", *db],
    ]
    for command in commands:
        result = runner.invoke(main, command)
        assert result.exit_code == 0, (command, result.output)
    assert "symmetry was never broken" in result.output
    for name in ("a.png", "h.png", "f.png", "u.png", "r.gif", "report.html"):
        assert (tmp_path / name).stat().st_size > 1000
    bad = runner.invoke(main, ["plot", "activations", "relu,tanhh", "-o", str(tmp_path / "x.png")])
    assert bad.exit_code == 2 and "unknown activation 'tanhh'" in bad.output
    missing = runner.invoke(
        main,
        [
            "plot",
            str(study_file),
            "--kind",
            "boundary",
            "--activation",
            "selu",
            "-o",
            str(tmp_path / "x.png"),
            *db,
        ],
    )
    assert missing.exit_code == 2 and "choose among" in missing.output


def test_mp4_needs_ffmpeg(trained, tmp_path):
    from matplotlib import animation as matplotlib_animation

    _, recording, data = trained
    target = tmp_path / "film.mp4"
    if matplotlib_animation.writers.is_available("ffmpeg"):
        animate(recording, data.X_train, data.y_train, target, max_frames=3)
        assert target.stat().st_size > 1000
    else:
        with pytest.raises(RuntimeError, match="needs ffmpeg"):
            animate(recording, data.X_train, data.y_train, target, max_frames=3)


def test_runs_are_picked_by_any_grid_dimension_and_titles_name_them(tmp_path):
    """`diagnose depth --activation relu --init xavier` cannot reach the 50-layer net
    without --hidden; `plot zoo --activation gelu` is not always moons (issue item 3)."""
    from click.testing import CliRunner

    from actinit.cli import main
    from actinit.studies import load_study
    from actinit.studies.answer.recorded import select

    depth = load_study("depth")
    (deep,) = select(depth, "relu", "xavier", {"hidden": "50"})
    assert len(deep.hidden) == 50
    assert select(depth, "relu", "xavier", {"hidden": "50x32"}) == [deep]
    (spiral,) = select(load_study("zoo"), "gelu", None, {"data": "spiral"})
    assert spiral.data["name"] == "spiral"

    study = tmp_path / "two-depths.toml"
    study.write_text(
        """
name = "two-depths"
seeds = 1
[data]
name = "moons"
n_train = 60
n_test = 30
[model]
activation = "relu"
init = "xavier_normal"
[training]
epochs = 2
[grid]
hidden = [[4], [4, 4, 4, 4, 4, 4]]
datasets = ["moons", "circles"]
"""
    )
    db = str(tmp_path / "r.sqlite")
    assert CliRunner().invoke(main, ["run", str(study), "--db", db]).exit_code == 0
    result = CliRunner().invoke(main, ["diagnose", str(study), "--db", db])
    said = " ".join(result.output.split())
    assert "4 configurations match; showing relu / xavier_normal, hidden 4, data moons" in said
    assert "--hidden (4 | 6x4)" in said and "--data (circles | moons)" in said
    picked = CliRunner().invoke(
        main, ["diagnose", str(study), "--db", db, "--hidden", "6", "--data", "circles"]
    )
    assert picked.exit_code == 0 and "hidden 6x4, circles (seed 0)" in picked.output
    assert "match" not in picked.output  # one configuration: nothing to say


def test_picking_by_activation_alone_says_which_initializer_it_shows(tmp_path):
    """Only --activation given in a grid of initializers: it used to pick silently."""
    study = tmp_path / "inits.toml"
    study.write_text(
        """
name = "inits"
seeds = 1
[data]
name = "moons"
n_train = 60
n_test = 30
[model]
hidden = [4]
[training]
epochs = 2
[grid]
activations = ["tanh", "relu"]
initializers = ["zeros", "xavier_normal", "he_normal"]
"""
    )
    db = str(tmp_path / "i.sqlite")
    assert CliRunner().invoke(main, ["run", str(study), "--db", db]).exit_code == 0
    out = tmp_path / "u.png"
    result = CliRunner().invoke(
        main,
        [
            "plot",
            str(study),
            "--kind",
            "updates",
            "--activation",
            "tanh",
            "--db",
            db,
            "-o",
            str(out),
        ],
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "3 configurations match; showing tanh / zeros" in said
    assert "--init (he_normal | xavier_normal | zeros)" in said


def test_many_layers_with_dead_units_are_said_once():
    from actinit.studies.answer.diagnosis import Finding, _grouped

    findings = [
        Finding("dead_units", f"layer {i}", numbers={"layer": i, "share": 0.3 + 0.01 * i})
        for i in range(1, 11)
    ]
    (one,) = _grouped(findings, "dead units", 12)
    assert one.message == "10 of 12 layers have 31-40% dead units (worst: layer 10, 40%)"


# Details that misled (issue "Pictures and diagnoses that tell the truth", item 6)


def test_each_class_misclassified_has_its_own_colour(trained):
    from matplotlib.colors import to_hex

    model, _, data = trained
    figure = viz.plot_probability_histograms(model, data.X_train, data.y_train)
    handles, labels = figure.axes[0].get_legend_handles_labels()
    wrong = [h for h, label in zip(handles, labels) if "misclassified" in label]
    assert len(wrong) == 2
    assert len({to_hex(h.get_facecolor()) for h in wrong}) == 2


def test_misclassified_points_say_what_large_means(trained):
    model, _, data = trained
    figure = viz.plot_misclassified(model, data.X_train, data.y_train)
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert any("misclassified" in t and "large" in t for t in labels)
    assert any(t.startswith("right") for t in labels)


def test_updates_are_never_clipped_and_say_epoch(trained):
    _, recording, _ = trained
    figure = viz.plot_updates(recording)
    largest = np.abs(np.diff(recording.parameter_trace, axis=0)).max()
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert all(axis.get_ylim()[1] >= largest for axis in visible)
    assert any(axis.get_xlabel() == "epoch" for axis in visible)


def test_activation_histograms_have_counts_and_the_epoch(trained):
    model, _, data = trained
    figure = viz.plot_activation_histograms(model, data.X_train, when="epoch 10")
    assert figure.axes[0].get_ylabel().startswith("count") and figure.axes[0].get_yticks().size
    assert "epoch 10" in figure.get_suptitle()


def test_animation_frames_share_their_axes(trained, tmp_path, monkeypatch):
    from matplotlib import animation as mpl_animation

    from actinit.viz import animation as module

    captured = {}
    original = mpl_animation.FuncAnimation

    def capture(figure, function, frames, **kwargs):
        captured["draw"], captured["frames"] = function, frames
        return original(figure, function, frames=frames, **kwargs)

    monkeypatch.setattr(module.animation, "FuncAnimation", capture)
    _, recording, data = trained
    module.animate(recording, data.X_train, data.y_train, tmp_path / "f.gif", max_frames=4)
    limits = [captured["draw"](frame) for frame in captured["frames"]]
    assert all(frame_limits == limits[0] for frame_limits in limits)


# Small things a new user met (issue "Pictures and diagnoses that tell the truth", item 7)


def test_list_shows_whole_sentences_parameters_and_no_empty_column(monkeypatch):
    from click.testing import CliRunner

    from actinit.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    data = " ".join(CliRunner().invoke(main, ["list", "datasets"]).output.split())
    assert "Parameters: n_train=400, n_test=100, noise=0.2." in data
    assert "non-linear binary problem." in data  # blobs' sentence is whole
    lost = " ".join(CliRunner().invoke(main, ["list", "losses"]).output.split())
    assert "()" not in lost and "L = -[y log p + (1 - y) log(1 - p)]" in lost
    assert "Fused with a softmax output" in lost


def test_show_suggests_the_seeds_that_are_there_and_explains_learned(tmp_path):
    from click.testing import CliRunner

    from actinit.cli import main

    study = tmp_path / "s.toml"
    study.write_text(STUDY.replace("seeds = 2", "seeds = 3"))
    db = str(tmp_path / "r.sqlite")
    CliRunner().invoke(main, ["run", str(study), "--seeds", "1", "--db", db])
    shown = " ".join(CliRunner().invoke(main, ["show", str(study), "--db", db]).output.split())
    assert "every configuration has 1 of its 3 seeds" in shown and "--first-seeds 1" in shown
    assert "learned: the share of seeds whose test accuracy is above" in shown
    one = " ".join(
        CliRunner()
        .invoke(main, ["show", str(study), "--db", db, "--first-seeds", "1"])
        .output.split()
    )
    assert "± 0.0" not in one


def test_report_says_how_far_it_is(study_db):
    study, path = study_db
    calls = []
    with Store(path) as store:
        build_report(study, store, recorded=2, progress=lambda *a: calls.append(a))
    assert [(done, total) for done, total, _ in calls] == [(0, 2), (1, 2)]


def test_heatmap_colours_span_the_values_and_say_percent(study_db):
    study, path = study_db
    with Store(path) as store:
        summary = summarize(study, store)
        figure = viz.plot_study_heatmap(summary)
        curves = viz.plot_study_curves(summary, store)
    means = [100 * row.test_accuracy.mean for row in summary.rows]
    image = figure.axes[0].get_images()[0]
    assert image.get_clim() == pytest.approx((min(means), max(means)))
    assert "(%)" in figure.get_suptitle() and "(%)" in figure.axes[-1].get_ylabel()
    for collection in curves.axes[0].collections:  # std bands stay within [0, 1]
        for path_ in collection.get_paths():
            assert path_.vertices[:, 1].max() <= 1.0 + 1e-9


REGRESSION_STUDY = """
name = "surface"
seeds = 1

[data]
name = "plane"
n_samples = 200

[model]
hidden = [2]
activation = "tanh"
init = "xavier_normal"
output_activation = "linear"
loss = "mse"

[training]
epochs = 15
optimizer = "adam(lr=0.05)"
"""


@pytest.fixture(scope="module")
def regression_trained():
    data = load("plane", n_samples=200)
    model = ai.Sequential(
        [ai.Dense(2, "tanh"), ai.Dense(1, "linear")], loss="mse", optimizer="adam(lr=0.05)", seed=0
    )
    recorder = ai.Recorder(data.X_train, data.y_train, snapshot_every=5)
    model.fit(data.X_train, data.y_train, epochs=15, callbacks=[recorder])
    return model, recorder.recording, data


def test_a_regression_s_output_is_drawn_on_its_targets_colour_scale(regression_trained):
    model, _, data = regression_trained
    figure = viz.plot_boundary(model, data.X_train, data.y_train)
    plane_axis, colour_bar = figure.axes
    assert "mean squared error" in plane_axis.get_title()
    assert colour_bar.get_ylabel() == "output (points: their targets)"
    (points,) = plane_axis.collections[-1:]
    np.testing.assert_array_equal(points.get_array(), data.y_train)  # coloured by target
    low, high = points.get_clim()
    output = model.predict_output(data.X_train)[:, 0]
    assert low <= min(data.y_train.min(), output.min()) and high >= data.y_train.max()
    # The hidden 2-unit layer's feature space paints the same way.
    feature_axis = viz.plot_feature_space(model, data.X_train, data.y_train).axes[1]
    np.testing.assert_array_equal(feature_axis.collections[-1].get_array(), data.y_train)


def test_class_pictures_of_a_regression_say_what_to_draw_instead(regression_trained):
    model, _, data = regression_trained
    for plot in (viz.plot_misclassified, viz.plot_probability_histograms):
        with pytest.raises(ValueError, match=r"needs classes; this network predicts numbers"):
            plot(model, data.X_train, data.y_train)
    assert len(viz.plot_loss_histogram(model, data.X_train, data.y_train).axes) == 1


def test_curves_of_a_run_without_accuracy_are_the_loss_alone(regression_trained, trained):
    (loss_axis,) = viz.plot_curves(regression_trained[1]).axes
    assert loss_axis.get_title() == "loss" and len(loss_axis.lines) == 1
    assert [axis.get_title() for axis in viz.plot_curves(trained[1]).axes] == ["loss", "accuracy"]


def test_a_regression_film_has_no_probability_panel(regression_trained, tmp_path):
    _, recording, data = regression_trained
    assert _panels(recording.model_at(0)) == ["features", "boundary", "loss"]
    path = animate(recording, data.X_train, data.y_train, tmp_path / "film.gif", max_frames=3)
    with Image.open(path) as image:
        assert image.n_frames == 3


def test_a_regression_study_s_report_shows_the_loss_and_the_output(tmp_path, recwarn):
    study = parse_study(REGRESSION_STUDY)
    with Store(tmp_path / "surface.sqlite") as store:
        run_study(study, store, jobs=1)
        text = build_report(study, store, recorded=1)
    # the heatmap and the curves (whose history metric val_loss is the test loss)
    assert text.count('alt="surface: test loss') == 2 and "val_loss" not in text
    assert 'alt="the output over the plane"' in text and "decision boundary" not in text
    assert not [w for w in recwarn if "No artists with labels" in str(w.message)]


def test_a_heatmap_of_equal_accuracies_never_scales_past_100_percent(tmp_path):
    """The parabola study (every seed 100%) had a colour scale up to 110%."""
    from synthetic_study import store_results, synthetic_study

    study = synthetic_study(seeds=3)
    with Store(tmp_path / "h.sqlite") as store:
        store_results(store, study, lambda config, seed: 1.0)
        figure = viz.plot_study_heatmap(summarize(study, store))
    image = figure.axes[0].images[0]
    low, high = image.get_clim()
    assert high == 100.0 and 99.0 <= low < 100.0


def test_an_inline_animation_fetches_nothing():
    from actinit.viz.animation import offline

    html = offline(
        '<link rel="stylesheet"\nhref="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/'
        'font-awesome.min.css"><button><i class="fa fa-play"></i></button>'
    )
    assert "http" not in html and "\u25b6" in html
