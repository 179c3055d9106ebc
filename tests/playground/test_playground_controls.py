"""The playground's second wave, at the server: input features, function and regression
planes, per-layer settings, A/B runs, CSV upload, speed, depth view, graph, limits, and
commands that answer at once under load."""

import asyncio
import dataclasses
import time
from urllib.parse import parse_qsl

import numpy as np
import pytest

from actinit.engine.recording import QUANTILES, layer_quantiles
from actinit.playground.session import MAX_TILES, Session
from actinit.playground.settings import SettingsError, parse_settings
from actinit.studies import datasets, parse_study
from actinit.studies.plan.settings import StudyError
from actinit.studies.plan.study_file import write_study
from actinit.studies.run.fitting import dataset_for, model_for
from playground_messages import receive

SMALL = {"dataset": "moons", "samples": 100, "hidden": "3,2", "learning_rate": 0.3, "batch_size": 0}


# -- data: function planes, regression planes, input features -----------------


@pytest.mark.parametrize(
    "name, side",
    [
        ("sine", lambda X: X[:, 1] > 2.5 * np.sin(X[:, 0])),
        ("cubic", lambda X: X[:, 1] > X[:, 0] ** 3 / 25),
        ("abs", lambda X: X[:, 1] > 1.5 * np.abs(X[:, 0]) - 3),
        ("checkerboard", lambda X: (np.floor(X[:, 0] / 2.5) + np.floor(X[:, 1] / 2.5)) % 2 == 0),
    ],
)
def test_function_planes_label_each_side_of_their_curve(name, side):
    data = datasets.load(name, seed=3, n_samples=400)
    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    assert data.n_classes == 2 and X.shape == (400, 2) and np.abs(X).max() <= 5
    np.testing.assert_array_equal(y, side(X).astype(int))
    assert 0.2 < y.mean() < 0.8  # both sides have points


def test_regression_planes_have_continuous_targets():
    plane = datasets.load("plane", n_samples=300)
    np.testing.assert_allclose(plane.y_train, plane.X_train.sum(axis=1) / 10)
    assert plane.n_classes == 0
    bumps = datasets.load("gaussians", n_samples=300)
    assert bumps.y_train.min() < -0.5 and bumps.y_train.max() > 0.5 and bumps.n_classes == 0


def test_input_features_are_computed_from_x1_x2():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    names = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    expected = np.column_stack(
        [
            X[:, 0],
            X[:, 1],
            X[:, 0] ** 2,
            X[:, 1] ** 2,
            X[:, 0] * X[:, 1],
            np.sin(X[:, 0]),
            np.sin(X[:, 1]),
        ]
    )
    np.testing.assert_allclose(datasets.feature_map(names, X), expected)
    for bad, words in [
        (["x3"], "unknown feature"),
        ([], "a list of inputs"),
        (["x1", "x1"], "twice"),
    ]:
        with pytest.raises(datasets.DataError, match=words):
            datasets.check_features(bad)


STUDY = """
name = "features"
seeds = 1
data = {{name = "{data}", n_samples = 200, features = {features}}}
[model]
hidden = [4, 3]
activation = "tanh"
init = "xavier_normal"
{per_layer}
[training]
epochs = 2
"""


def test_study_files_carry_features_and_per_layer_settings():
    text = STUDY.format(
        data="xor",
        features='["x1", "x1*x2"]',
        per_layer='layer_activations = ["relu", "sine"]\nlayer_inits = ["he_normal", "orthogonal"]',
    )
    config = parse_study(text).configs[0]
    data = dataset_for(config, 0)
    raw = datasets.load("xor", seed=0, n_samples=200)
    assert data.n_features == 2
    np.testing.assert_allclose(data.X_train[:, 1], raw.X_train[:, 0] * raw.X_train[:, 1], rtol=1e-6)
    model = model_for(config, data, 0)
    layers = model.weighted_layers()
    assert [layer.activation_label for layer in layers] == ["relu", "sine", "sigmoid"]
    assert config.label == "relu,sine / he_normal,orthogonal"
    three = 'layer_activations = ["relu", "relu", "relu"]'
    with pytest.raises(StudyError, match="3 value.*2 hidden"):
        parse_study(STUDY.format(data="xor", features='["x1"]', per_layer=three))
    with pytest.raises(StudyError, match="unknown feature"):
        parse_study(STUDY.format(data="xor", features='["x9"]', per_layer=""))
    with pytest.raises(StudyError, match="not one"):
        parse_study(
            STUDY.format(data="digits", features='["x1"]', per_layer="").replace(
                "n_samples = 200, ", ""
            )
        )


# -- settings: limits, per-layer, messages -------------------------------------


def test_depth_50_and_width_256_within_the_work_budget():
    deep = parse_settings({"hidden": ",".join(["256"] * 50), "samples": 400})
    assert len(deep.hidden) == 50 and deep.weights > 3_000_000
    with pytest.raises(SettingsError, match="too much work per epoch.*fewer rows"):
        parse_settings({"hidden": ",".join(["256"] * 50), "samples": 2000})


def test_per_layer_settings_must_fit_the_layers():
    settings = parse_settings({"hidden": "4,3", "layer_activations": "relu; leaky_relu(0.1)"})
    assert settings.layer_activations == ("relu", "leaky_relu(negative_slope=0.1)")
    assert parse_settings(dict(parse_qsl(settings.query()))) == settings
    with pytest.raises(SettingsError, match="1 value.*2 hidden"):
        parse_settings({"hidden": "4,3", "layer_inits": "he_normal"})


def test_a_bad_initializer_gets_initializer_examples_not_activations():
    for raw in ("xavier", "", "relu", "random_normal(sd=10)"):
        with pytest.raises(SettingsError) as caught:
            parse_settings({"init": raw})
        message = str(caught.value)
        assert "he_normal" in message and "random_normal(std=10)" in message
        assert "leaky_relu" not in message and "tanh" not in message, message


# -- the session: what the page draws -------------------------------------------


def test_graph_tiles_and_links_follow_the_network():
    session = Session(parse_settings({**SMALL, "hidden": "3,2", "features": "x1,x2,x1^2"}))
    message = session.ready_message()
    layers = message["graph"]["layers"]
    assert [len(m["map"]) for m in message["input_maps"]] == [16 * 16] * 3
    assert [len(layer.get("maps", [])) for layer in layers] == [3, 2, 0]
    assert [np.array(layer["weights"]).shape for layer in layers] == [(3, 3), (3, 2), (2, 1)]
    np.testing.assert_allclose(
        layers[1]["weights"], np.round(session.model.weighted_layers()[1].W, 3)
    )
    assert message["layer_labels"][0] == {"activation": "tanh", "init": "xavier_normal"}


def test_every_unit_of_6_x_32_gets_a_tile_and_wider_nets_show_the_first_units():
    session = Session(parse_settings({"hidden": ",".join(["32"] * 6)}))
    tiles = [len(layer["maps"]) for layer in session.update_message()["graph"]["layers"][:-1]]
    assert tiles == [32] * 6
    wide = Session(parse_settings({"hidden": ",".join(["64"] * 10), "samples": 100}))
    tiles = [len(layer["maps"]) for layer in wide.update_message()["graph"]["layers"][:-1]]
    assert sum(tiles) <= MAX_TILES and tiles == [25] * 10


def test_depth_view_quantiles_are_measured_and_move_with_training():
    settings = parse_settings(
        {**SMALL, "hidden": "8,8,8", "activation": "relu", "init": "he_normal"}
    )
    session = Session(settings)
    start = session.ready_message()["depth_at_start"]
    assert set(start) == {"pre", "act", "grad"} and np.array(start["pre"]).shape == (4, 5)
    # The quantiles are those of the values themselves.
    model, X, y = session.model, session.data.X_train, session.data.y_train
    z = model.forward_trace(X)[0]["pre_activation"]
    np.testing.assert_allclose(layer_quantiles(model, X, y)["pre"][0], np.quantile(z, QUANTILES))
    assert min(start["act"][0]) == 0.0  # ReLU's activations start at 0
    session.train(20)
    assert session.update_message()["depth"]["grad"] != start["grad"]


def test_regression_trains_with_a_linear_output_and_squared_error():
    session = Session(parse_settings({"dataset": "plane", "hidden": "4", "learning_rate": 0.03}))
    assert (
        session.config.output_activation == "linear" and session.config.loss == "mean_squared_error"
    )
    first = session.history["train_loss"][-1]
    session.train(30)
    assert session.history["train_loss"][-1] < first / 5
    assert session.update_message()["metrics"]["train_accuracy"] is None


def test_features_reach_the_model_and_the_plane_stays_x1_x2():
    session = Session(parse_settings({**SMALL, "features": "x1^2,x2^2,sin(x1)"}))
    assert session.model.weighted_layers()[0].W.shape[0] == 3
    np.testing.assert_allclose(
        session.data.X_train[:, 0], session.plane.X_train[:, 0] ** 2, rtol=1e-6
    )
    assert len(session.ready_message()["train"]["x"][0]) == 2


# -- the server: A/B, upload, speed, commands under load --------------------------


async def test_a_and_b_train_on_the_same_data_from_the_same_draw(client):
    app = client.server.app
    from actinit.playground.server import CONNECTIONS

    async with client.ws_connect("/ws") as socket:
        message = {
            "type": "configure",
            "settings": SMALL,
            "compare": {"learning_rate": 0.05},
            "id": 1,
        }
        await socket.send_json(message)
        a, b = await receive(socket, "ready"), await receive(socket, "ready")
        assert (a["run"], b["run"]) == ("A", "B") and a["session"] != b["session"]
        assert a["train"] == b["train"] and b["settings"]["learning_rate"] == 0.05
        (connection,) = app[CONNECTIONS]
        first, second = connection.runs
        for name, value in first.model.parameters().items():  # the same draw
            np.testing.assert_array_equal(second.model.parameters()[name], value)
        await socket.send_json({"type": "play"})
        updates = {"A": [], "B": []}
        while len(updates["B"]) < 3:
            update = await receive(socket, "update")
            updates[update["run"]].append(update["epoch"])
        await socket.send_json({"type": "pause"})
        await receive(socket, "state")
        assert updates["A"][:3] == updates["B"][:3] and updates["B"][2] > updates["B"][0]
        assert first.epoch == second.epoch  # paused in step
        # B differs from A only where asked: he_normal draws other weights.
        await socket.send_json({**message, "compare": {"init": "he_normal"}, "id": 2})
        await receive(socket, "ready")
        await receive(socket, "ready")
        first, second = connection.runs
        assert second.settings.init == "he_normal" and first.settings.init == "xavier_normal"
        assert not np.array_equal(
            first.model.weighted_layers()[0].W, second.model.weighted_layers()[0].W
        )
        await socket.send_json({**message, "compare": {"init": "nope"}, "id": 3})
        assert "run B: init" in (await receive(socket, "error"))["message"]
        await socket.send_json({**message, "compare": "he_normal", "id": 4})
        assert "compare is an object" in (await receive(socket, "error"))["message"]


async def test_a_compared_run_keeps_run_a_data(client):
    """Run B's data is A's: a compare that changes it is refused, naming what (it was
    silently ignored, and B equalled A where the user expected circles)."""
    async with client.ws_connect("/ws") as socket:
        compare = {"dataset": "circles", "seed": 5, "activation": "relu"}
        await socket.send_json(
            {"type": "configure", "settings": SMALL, "compare": compare, "id": 1}
        )
        error = await receive(socket, "error")
        assert "cannot change dataset, seed" in error["message"]
        await socket.send_json(
            {"type": "configure", "settings": SMALL, "compare": {"activation": "relu"}, "id": 2}
        )
        a, b = await receive(socket, "ready"), await receive(socket, "ready")
        assert b["settings"]["dataset"] == "moons" and b["settings"]["seed"] == 0
        assert b["settings"]["activation"] == "relu" and a["train"] == b["train"]


GOOD_CSV = "x1,x2,label\n" + "\n".join(
    f"{x:.3f},{y:.3f},{'yes' if x * y > 0 else 'no'}"
    for x, y in np.random.default_rng(0).uniform(-1, 1, (80, 2))
)


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "a,b,c,label\n" + "\n".join(f"{i},{i},{i},{i % 2}" for i in range(10)),
            "3 feature columns",
        ),
        # Nine words are nine classes (nine numbers would be numbers to predict).
        ("x1,x2,label\n" + "\n".join(f"{i},{i},c{i % 9}" for i in range(27)), "9 classes"),
        ("x1,x2,label\n1,2,0\n1,oops,1\n3,4,0\n5,6,1\n", "'oops' is not a number"),
        ("", "is empty"),
        ("x1,x2,label\n1,2,0\n", "only 1 data rows"),
        ("x1,x2,label\n1,2\n3,4,5\n", "cells, expected 3"),
        ("x1,x2,label\n" + "\n".join(f"{i},{i},a" for i in range(8)), "every label is 'a'"),
        ("x1,x2,label\n" + "1,2,0\n" * 260_000, "characters; the playground takes files up to"),
    ],
)
async def test_bad_uploads_are_refused_with_the_reason(client, text, words):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "upload", "name": "mine.csv", "text": text})
        error = await receive(socket, "error")
        assert error["message"].startswith("upload refused") and words in error["message"]


async def test_an_uploaded_csv_trains_and_exports(client):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "upload", "name": "../../quadrants.csv", "text": GOOD_CSV})
        uploaded = await receive(socket, "uploaded")
        assert uploaded == {
            "type": "uploaded",
            "name": "quadrants.csv",
            "rows": 80,
            "classes": 2,
            "regression": False,
        }
        settings = {**SMALL, "dataset": "csv", "data_file": "quadrants.csv", "hidden": "6"}
        await socket.send_json({"type": "configure", "settings": settings, "id": 1})
        ready = await receive(socket, "ready")
        assert len(ready["train"]["x"]) + len(ready["test"]["x"]) == 80
        await socket.send_json({"type": "step", "epochs": 50})
        assert (await receive(socket, "update"))["metrics"]["train_accuracy"] > 0.6
        await socket.send_json(
            {"type": "configure", "settings": {**settings, "data_file": "other.csv"}}
        )
        assert "upload it again" in (await receive(socket, "error"))["message"]
    query = {**{k: str(v) for k, v in settings.items()}, "epochs": "50"}
    text = await (await client.get("/api/study", params=query)).text()
    data = parse_study(text).configs[0].data
    assert data["name"] == "csv" and data["path"] == "quadrants.csv"


async def test_an_uploaded_csv_with_features_exports_a_study_that_runs(client, tmp_path):
    (tmp_path / "quadrants.csv").write_text(GOOD_CSV)
    settings = {**SMALL, "dataset": "csv", "data_file": "quadrants.csv", "features": "x1,x1*x2"}
    text = await (await client.get("/api/study", params={**settings, "epochs": "3"})).text()
    config = parse_study(
        text.replace('"quadrants.csv"', repr(str(tmp_path / "quadrants.csv")))
    ).configs[0]
    data = dataset_for(config, 0)
    raw = datasets.load("csv", path=str(tmp_path / "quadrants.csv"), test_size=0.5)
    np.testing.assert_allclose(data.X_train[:, 1], raw.X_train[:, 0] * raw.X_train[:, 1])
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b,c,y\n" + "\n".join(f"{i},{i},{i},{i % 2}" for i in range(8)))
    with pytest.raises(datasets.DataError, match="3 feature columns"):
        dataset_for(dataclasses.replace(config, data={**config.data, "path": str(wide)}), 0)


async def test_speed_paces_training_and_bad_speeds_are_refused(client):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "speed", "epochs_per_second": -1})
        assert "epochs_per_second" in (await receive(socket, "error"))["message"]
        await socket.send_json({"type": "speed", "epochs_per_second": 2})
        await socket.send_json({"type": "configure", "settings": SMALL})
        await receive(socket, "ready")
        await socket.send_json({"type": "play"})
        started = time.perf_counter()
        epochs = [(await receive(socket, "update"))["epoch"] for _ in range(3)]
        elapsed = time.perf_counter() - started
        await socket.send_json({"type": "pause"})
        # One epoch per update at 2 epochs/s: never faster than asked.
        assert epochs == [1, 2, 3] and elapsed >= 0.9


LOADED = {"hidden": ",".join(["32"] * 6), "samples": 2000, "batch_size": 0, "train_ratio": 0.9}


async def playing_under_load(client, socket):
    """The loaded network configured and playing: its connection and first update."""
    from actinit.playground.server import CONNECTIONS

    await socket.send_json({"type": "configure", "settings": LOADED, "id": 1})
    await receive(socket, "ready")
    (connection,) = client.server.app[CONNECTIONS]
    await socket.send_json({"type": "play"})
    return connection, await receive(socket, "update")


async def test_commands_answer_at_once_under_load(client):
    async with client.ws_connect("/ws") as socket:
        connection, first = await playing_under_load(client, socket)
        last = first["epoch"]
        # Step while playing: training stops (its last updates, then "not playing"),
        # then exactly the asked epochs are added.
        await socket.send_json({"type": "step", "epochs": 2})
        while True:
            message = await socket.receive_json()
            if message["type"] == "update":
                last = message["epoch"]
            if message["type"] == "state":
                break
        update = await receive(socket, "update")
        assert update["epoch"] == last + 2
        assert connection.session.epoch == update["epoch"]
        # Reset while playing: a new session at epoch 0, and nothing of the old one after it.
        await socket.send_json({"type": "play"})
        await receive(socket, "update")
        old = connection.session.id
        await socket.send_json({"type": "reset"})
        ready = await receive(socket, "ready")
        assert ready["epoch"] == 0 and ready["session"] != old
        await asyncio.sleep(0.5)
        assert connection.session.epoch == 0 and not connection.playing


async def test_pause_ends_training_within_one_epoch(client):
    async with client.ws_connect("/ws") as socket:
        connection, _ = await playing_under_load(client, socket)
        await socket.send_json({"type": "pause"})
        assert (await receive(socket, "state"))["playing"] is False
        paused_at = connection.session.epoch
        await asyncio.sleep(0.3)
        assert connection.session.epoch == paused_at  # no worker still training


def test_unit_tiles_stretch_each_unit_and_mark_flat_ones():
    from actinit.playground.session import unit_map

    assert unit_map(np.array([0.5, 0.5001, 0.5002])) == [-1.0, 0.0, 1.0]
    assert unit_map(np.zeros(5)) is None  # a dead ReLU
    assert unit_map(np.full(4, 0.73)) is None and unit_map(np.array([0.0, np.nan])) is None
    # A 30-layer sigmoid net of small weights: the signal dies, deep tiles go flat.
    deep = Session(parse_settings({"hidden": ",".join(["4"] * 30), "activation": "sigmoid",
                                   "init": "random_normal(std=0.1)"}))  # fmt: skip
    maps = [layer["maps"] for layer in deep.update_message()["graph"]["layers"][:-1]]
    assert all(m is not None for m in maps[0]) and all(m is None for m in maps[-1])


def test_tables_and_titles_name_per_layer_activations():
    settings = parse_settings({"hidden": "4,3", "layer_activations": "relu; leaky_relu(0.1)"})
    study = settings.study(epochs=2)
    config = study.configs[0]
    assert config.activation_label == "relu,leaky_relu(0.1)"
    assert config.initializer_label == "xavier_normal"
    assert "relu,leaky_relu(0.1)" in study.title


def test_an_exported_regression_study_runs_and_shows_no_accuracy(tmp_path):
    from click.testing import CliRunner

    from actinit.cli import main

    settings = parse_settings({"dataset": "plane", "hidden": "4", "features": "x1,x2,x1^2"})
    (tmp_path / "plane.toml").write_text(write_study(settings.study(epochs=5, seeds=2)))
    db = str(tmp_path / "r.sqlite")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "plane.toml"), "--db", db])
    assert result.exit_code == 0, result.output
    shown = CliRunner().invoke(main, ["show", "playground", "--db", db], env={"COLUMNS": "120"})
    assert shown.exit_code == 0 and "learned" not in shown.output and "test loss" in shown.output
    from actinit.studies import Store, load_study, summarize
    from actinit.viz.catalogue import study_picture

    summary = summarize(load_study(str(tmp_path / "plane.toml")), Store(db))
    axis = study_picture("heatmap", summary, Store(db)).axes[0]
    assert (
        "loss"
        in axis.get_title().lower() + " ".join(t.get_text() for t in axis.figure.texts).lower()
    )


def test_chunks_grow_while_updates_cost_more_than_training_and_share_the_thread():
    from actinit.playground.server import Chunk

    def chunk(seconds, message_cpu):
        return Chunk(seconds, seconds, message_cpu, [])

    assert chunk(0.05, 0.005).next_size(8) == 16  # alone: about 0.2 s of training
    assert chunk(0.25, 0.005).next_size(8) == 8
    assert chunk(0.5, 0.005).next_size(8) == 4
    assert chunk(0.05, 0.005).next_size(8, pages=10) == 4  # ten pages: a tenth each
    assert chunk(0.05, 0.06).next_size(8, pages=10) == 16  # but never mostly drawing
    assert chunk(0.5, 0.005).next_size(1) == 1 and chunk(0.0, 0.0).next_size(2000) == 2000


@pytest.mark.parametrize("epochs", [37, 100])
def test_an_export_trains_the_epochs_watched_even_the_default_number(epochs):
    # A page paused at epoch 100 (the default) once exported a file with no epochs line:
    # the file must still train 100 epochs, and say nothing of empty per-layer lists.
    settings = parse_settings({"dataset": "xor", "hidden": "4", "optimizer": "adam"})
    text = write_study(settings.study(epochs=epochs, seeds=1))
    (config,) = parse_study(text).configs
    assert config.epochs == epochs and config.optimizer.startswith("adam")
    assert "layer_activations" not in text and "layer_inits" not in text


# -- maxout: a layer of pieces, offered like an activation ---------------------


@pytest.mark.parametrize(
    "values, activations",
    [
        ({"activation": "maxout(3)"}, ["maxout(pieces=3)"] * 2),
        ({"activation": "Maxout"}, ["maxout(pieces=2)"] * 2),
        ({"layer_activations": "relu; maxout(pieces=4)"}, ["relu", "maxout(pieces=4)"]),
    ],
)
def test_maxout_layers_are_built_counted_and_exported(values, activations):
    settings = parse_settings({**SMALL, **values})
    session = Session(settings)
    assert [layer.activation_label for layer in session.model.weighted_layers()[:-1]] == activations
    # The work budget counts every piece's weights.
    assert settings.weights == session.model.count_params()
    session.train(5)
    assert session.update_message()["metrics"]["train_loss"] is not None
    config = parse_study(write_study(settings.study(epochs=5))).configs[0]
    assert [activation for _, activation, _ in config.hidden_layers()] == activations


@pytest.mark.parametrize("spec", ["maxout(1)", "maxout(pieces=2, x=3)", "maxout(two)"])
def test_impossible_maxouts_are_refused_saying_what_maxout_takes(spec):
    with pytest.raises(SettingsError, match="maxout takes one parameter, pieces >= 2"):
        parse_settings({"activation": spec})


def test_a_maxout_link_is_drawn_with_its_largest_piece():
    session = Session(parse_settings({**SMALL, "hidden": "3", "activation": "maxout(3)"}))
    layer = session.model.weighted_layers()[0]
    first = session.update_message()["graph"]["layers"][0]
    assert first["pieces"] == 3 and np.shape(first["weights"]) == (2, 3)
    # Unit j's pieces are columns 3j, 3j+1, 3j+2 (how Maxout.forward reads z).
    for i in range(2):
        for j in range(3):
            pieces = layer.W[i, 3 * j : 3 * j + 3]
            assert first["weights"][i][j] == pytest.approx(
                pieces[np.abs(pieces).argmax()], abs=1e-3
            )
    np.testing.assert_allclose(
        layer.forward(session.data.X_train[:5]),
        (session.data.X_train[:5] @ layer.W + layer.b).reshape(5, 3, 3).max(axis=2),
        rtol=1e-6,
    )


def test_one_scale_for_the_network_makes_a_dying_signal_flat():
    """The rule the page applies (session.shared_scale): deep tiles of a sigmoid
    network whose signal dies span almost nothing of the network's scale."""
    from actinit.playground.session import shared_scale

    deep = Session(parse_settings({"hidden": ",".join(["6"] * 10), "activation": "sigmoid",
                                   "init": "random_normal(std=1.0)"}))  # fmt: skip
    layers = deep.update_message()["graph"]["layers"][:-1]
    scales = shared_scale(layers, "network")
    assert all(scale == scales[0] for scale in scales)

    def spread(layer, scale):  # the widest unit of a layer, as a share of the scale
        width = scale[1] - scale[0]
        return max((r[1] - r[0]) / width for r in layer["ranges"] if r is not None)

    assert spread(layers[0], scales[0]) > 0.3
    assert spread(layers[-1], scales[-1]) < 0.05
    per_layer = shared_scale(layers, "layer")
    last = [r for r in layers[-1]["ranges"] if r is not None]
    assert per_layer[-1] == [min(r[0] for r in last), max(r[1] for r in last)]
    assert scales[0][0] <= per_layer[-1][0] <= per_layer[-1][1] <= scales[0][1]


def test_the_diagnosis_and_the_layer_table_do_not_contradict_each_other():
    """The page said "no ... dead or saturated units" beside a table of 17% dead and 81%
    saturated: the healthy finding states its thresholds, and the table marks the
    fused output whose saturation the diagnosis leaves out."""
    session = Session(parse_settings({"dataset": "moons", "hidden": "8", "activation": "relu"}))
    session.train(60)
    message = session.update_message()
    healthy = [d for d in message["diagnosis"] if d["kind"] == "healthy"]
    layers = message["layers"]
    assert layers[-1].get("fused") is True and all("fused" not in row for row in layers[:-1])
    dead_said = [d for d in message["diagnosis"] if d["kind"] == "dead_units"]
    for finding in healthy:
        assert "75% or more dead units" in finding["message"]
        assert "50% or more saturated" in finding["message"]
        hidden = layers[:-1]
        assert all((row["dead"] or 0) < 0.75 and (row["saturated"] or 0) < 0.5 for row in hidden)
        # 25% or more dead in a network that learned is said, as information
        if any((row["dead"] or 0) >= 0.25 for row in hidden):
            assert dead_said and all(d["severity"] == "info" for d in dead_said)


def test_a_downloaded_model_knows_the_inputs_it_was_trained_on(tmp_path):
    """predict on the two raw columns failed with "built for 3 features" and no word
    of which."""
    import base64

    import actinit as ai
    from actinit.engine.model import InputError
    from actinit.studies.plan.datasets import feature_map

    session = Session(parse_settings({"hidden": "4", "features": "x1,x2,x1^2"}))
    session.train(3)
    path = tmp_path / "model.npz"
    path.write_bytes(base64.b64decode(session.model_bytes()))
    model = ai.load(path)
    assert model.feature_names == ("x1", "x2", "x1^2")
    points = session.data.X_test[:, :2]  # the raw plane
    with pytest.raises(InputError, match=r"built for 3 \(x1, x2, x1\^2\): compute those"):
        model.predict(points)
    expected = session.model.predict(session.data.X_test)
    assert np.array_equal(model.predict(feature_map(model.feature_names, points)), expected)
