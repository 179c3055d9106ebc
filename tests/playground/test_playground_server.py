"""The playground server: message protocol, bounds, bad input, several clients at once."""

import asyncio
import base64
import io
import re

import numpy as np
import pytest

from actinit.playground.settings import SettingsError, parse_settings
from actinit.studies import parse_study
from playground_messages import receive

SMALL = {
    "dataset": "moons",
    "samples": 100,
    "hidden": "3,2",
    "activation": "tanh",
    "learning_rate": 0.3,
    "batch_size": 0,
}


async def test_page_and_static_files_are_served_locally(client):
    page = await (await client.get("/")).text()
    assert '<script type="module" src="/static/main.js">' in page
    assert "http" not in page.split("<body>")[1]
    # every module the page imports, and every module they import, is served
    seen, todo = set(), ["main.js"]
    while todo:
        name = todo.pop()
        seen.add(name)
        response = await client.get(f"/static/{name}")
        assert response.status == 200, name
        script = await response.text()
        todo += [m for m in re.findall(r'from "\./([\w]+\.js)"', script) if m not in seen]
    assert len(seen) >= 8
    assert (await client.get("/static/style.css")).status == 200
    assert (await client.get("/static/../server.py")).status == 404
    options = await (await client.get("/api/options")).json()
    assert "moons" in options["datasets"] and "gelu" in options["activations"]


async def test_configure_play_pause_step_reset(client):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "configure", "settings": SMALL})
        ready = await receive(socket, "ready")
        assert ready["layer_sizes"] == [3, 2, 1]
        assert len(ready["boundary"]) == ready["resolution"] ** 2
        maps = [len(layer.get("maps", [])) for layer in ready["graph"]["layers"]]
        assert ready["epoch"] == 0 and "feature_space" in ready and maps == [3, 2, 0]
        first_loss = ready["metrics"]["train_loss"]
        await socket.send_json({"type": "play"})
        assert (await receive(socket, "state"))["playing"] is True
        updates = [await receive(socket, "update") for _ in range(4)]
        epochs = [u["epoch"] for u in updates]
        assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
        await socket.send_json({"type": "pause"})
        assert (await receive(socket, "state"))["playing"] is False
        assert updates[-1]["metrics"]["train_loss"] < first_loss
        await socket.send_json({"type": "step", "epochs": 3})
        stepped = await receive(socket, "update")
        assert stepped["epoch"] >= epochs[-1] + 3
        await socket.send_json({"type": "reset"})
        again = await receive(socket, "ready")
        assert again["epoch"] == 0 and again["boundary"] == ready["boundary"]


async def test_download_gives_a_loadable_model(client, tmp_path):
    import actinit as ai

    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "configure", "settings": SMALL})
        await receive(socket, "ready")
        await socket.send_json({"type": "step", "epochs": 5})
        await receive(socket, "update")
        await socket.send_json({"type": "download"})
        message = await receive(socket, "model")
    path = tmp_path / message["filename"]
    path.write_bytes(base64.b64decode(message["data"]))
    model = ai.Sequential.load(path)
    assert model.predict_proba(np.zeros((3, 2))).shape == (3, 2)


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"dataset": "mnist"}, "dataset must be one of"),
        ({"hidden": ",".join(["4"] * 51)}, "at most 50 hidden layers"),
        ({"hidden": "500"}, "1 to 256 units"),
        ({"hidden": ",".join(["256"] * 50), "samples": 2000}, "too much work per epoch"),
        ({"samples": 10**6}, "samples must lie between"),
        ({"learning_rate": "fast"}, "learning_rate must be a number"),
        ({"learning_rate": -1}, "learning_rate must lie between"),
        ({"activation": "relux"}, "unknown activation"),
        ({"activation": "softmax"}, "output activation"),
        ({"init": "he_normal(scale=3)"}, "bad parameters"),
        ({"optimizer": "lbfgs"}, "optimizer must be one of"),
        ({"colour": "red"}, "unknown setting"),
    ],
)
async def test_bad_settings_are_refused_with_a_message(client, settings, words):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "configure", "settings": settings})
        error = await receive(socket, "error")
        assert words in error["message"]
    response = await client.get("/api/settings", params={k: str(v) for k, v in settings.items()})
    assert response.status == 400 and words in (await response.json())["error"]


async def test_bad_messages_never_break_the_server(client):
    async with client.ws_connect("/ws") as socket:
        await socket.send_str("not json")
        assert "JSON" in (await receive(socket, "error"))["message"]
        await socket.send_json([1, 2, 3])
        assert "objects" in (await receive(socket, "error"))["message"]
        await socket.send_json({"type": "play"})
        assert "configure" in (await receive(socket, "error"))["message"]
        await socket.send_json({"type": "explode"})
        assert "unknown message type" in (await receive(socket, "error"))["message"]
        await socket.send_json({"type": "configure", "settings": "moons"})
        assert "object" in (await receive(socket, "error"))["message"]
        await socket.send_json({"type": "configure", "settings": SMALL})
        await receive(socket, "ready")
        await socket.send_json({"type": "step", "epochs": 10**6})
        assert "1 to 1000" in (await receive(socket, "error"))["message"]
        await socket.send_str("x" * (3 * 1024 * 1024))  # past the message size bound
    async with client.ws_connect("/ws") as socket:  # the server is still there
        await socket.send_json({"type": "configure", "settings": SMALL})
        assert (await receive(socket, "ready"))["epoch"] == 0


async def test_two_clients_train_independently(client):
    async with client.ws_connect("/ws") as first, client.ws_connect("/ws") as second:
        await first.send_json({"type": "configure", "settings": {**SMALL, "activation": "relu"}})
        await second.send_json({"type": "configure", "settings": {**SMALL, "dataset": "circles"}})
        ready_first, ready_second = await receive(first, "ready"), await receive(second, "ready")
        assert ready_first["settings"]["activation"] == "relu"
        assert ready_second["settings"]["dataset"] == "circles"
        await first.send_json({"type": "play"})
        await second.send_json({"type": "step", "epochs": 2})
        stepped = await receive(second, "update")
        assert stepped["epoch"] == 2
        update = await receive(first, "update")
        assert update["epoch"] >= 1
        await first.send_json({"type": "pause"})


async def test_closing_a_page_stops_its_training(client):
    from actinit.playground.server import CONNECTIONS

    app = client.server.app
    socket = await client.ws_connect("/ws")
    await socket.send_json({"type": "configure", "settings": SMALL})
    await receive(socket, "ready")
    await socket.send_json({"type": "play"})
    await receive(socket, "update")
    (connection,) = app[CONNECTIONS]
    task = connection.task
    await socket.close()
    for _ in range(100):
        if not app[CONNECTIONS]:
            break
        await asyncio.sleep(0.05)
    assert not app[CONNECTIONS] and task.done()


async def test_exported_study_file_runs(client):
    params = {**{k: str(v) for k, v in SMALL.items()}, "seed": "3", "l2": "0.05", "dropout": "0.2"}
    response = await client.get("/api/study", params={**params, "epochs": "2559"})
    text = await response.text()
    study = parse_study(text)
    assert study.seeds == 1 and len(study.configs) == 1
    config = study.configs[0]
    assert config.hidden == (3, 2) and config.activation == "tanh" and config.epochs == 2559
    assert config.data["seed"] == 3 and config.batch_size is None and config.seed_offset == 3
    assert config.regularizer == "l2(l2=0.05)" and config.dropout == 0.2
    # The exported study's run 0 trains the same network the page built.
    from actinit.playground.session import Session
    from actinit.studies.run.fitting import dataset_for, model_for

    page = Session(parse_settings(params))
    exported = model_for(config, dataset_for(config, 0), 0)
    np.testing.assert_array_equal(dataset_for(config, 0).X_train, page.data.X_train)
    assert [type(l).__name__ for l in exported.layers] == [
        type(l).__name__ for l in page.model.layers
    ]
    for name, value in page.model.parameters().items():
        np.testing.assert_array_equal(exported.parameters()[name], value)


def test_settings_round_trip_through_the_url():
    settings = parse_settings(
        {
            "dataset": "xor",
            "hidden": "5, 3",
            "activation": "leaky_relu(0.1)",
            "init": "kaiming_normal",
            "learning_rate": "0.01",
            "seed": "9",
        }
    )
    from urllib.parse import parse_qsl

    again = parse_settings(dict(parse_qsl(settings.query())))
    assert again == settings
    with pytest.raises(SettingsError):
        parse_settings({"train_ratio": "0.99"})
    from actinit.studies.run.fitting import dataset_for

    data = dataset_for(settings.run_config(), 0)
    assert data.n_features == 2 and len(data.X_train) == 200


def test_every_dataset_loads_for_the_page():
    from actinit.playground.session import Session
    from actinit.playground.settings import DATASETS, REGRESSION, UPLOADED

    for name in DATASETS:
        if name == UPLOADED:
            continue
        session = Session(parse_settings({"dataset": name, "samples": 60, "hidden": "2"}))
        message = session.ready_message()
        if name in REGRESSION:
            assert message["regression"] and message["metrics"]["train_accuracy"] is None
            assert len(np.unique(message["train"]["y"])) > 10, name
        else:
            assert set(np.unique(message["train"]["y"])) == {0, 1}, name
        assert "feature_space" in message


def test_model_bytes_are_an_npz(tmp_path):
    from actinit.playground.session import Session

    data = base64.b64decode(Session(parse_settings(SMALL)).model_bytes())
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        assert "config" in archive.files
