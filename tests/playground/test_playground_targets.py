"""An uploaded file whose labels are numbers to predict: the playground's regression on
the user's own data (``classes = 0``)."""

from urllib.parse import parse_qsl

import numpy as np
import pytest

from actinit.playground.session import Session
from actinit.playground.settings import SettingsError, parse_settings
from actinit.studies import parse_study
from actinit.studies.plan.study_file import write_study
from playground_messages import receive


def targets_csv(target, count=160, seed=3):
    points = np.random.default_rng(seed).uniform(-2, 2, (count, 2))
    values = [target(x, y) for x, y in points]
    text = "x1,x2,height\n" + "\n".join(f"{x:.3f},{y:.3f},{v}" for (x, y), v in zip(points, values))
    return text, values


SLOPE, SLOPE_TARGETS = targets_csv(lambda x, y: round(0.5 * x - 0.25 * y + 1, 3))
SLOPE_TARGETS = np.array(SLOPE_TARGETS)


async def test_a_file_of_numbers_to_predict_trains_as_regression_and_must_say_so(client):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "upload", "name": "slope.csv", "text": SLOPE})
        uploaded = await receive(socket, "uploaded")
        assert uploaded["classes"] == 0 and uploaded["regression"] and uploaded["rows"] == 160
        settings = {"dataset": "csv", "data_file": "slope.csv", "hidden": "8", "activation": "tanh",
                    "optimizer": "adam", "learning_rate": 0.03, "batch_size": 0}  # fmt: skip
        await socket.send_json({"type": "configure", "settings": settings, "id": 1})
        error = await receive(socket, "error")
        assert "slope.csv has numbers to predict (regression); set classes = 0" in error["message"]
        await socket.send_json(
            {"type": "configure", "settings": {**settings, "classes": 0}, "id": 2}
        )
        ready = await receive(socket, "ready")
        assert ready["regression"] and ready["classes"] == 0 and ready["class_names"] == []
        assert ready["target_range"] == [SLOPE_TARGETS.min(), SLOPE_TARGETS.max()]
        assert ready["layer_labels"][-1]["activation"] == "linear"
        assert ready["metrics"]["train_accuracy"] is None
        await socket.send_json({"type": "step", "epochs": 300})
        update = await receive(socket, "update")
        assert update["metrics"]["train_loss"] < 0.05 * SLOPE_TARGETS.var()


@pytest.mark.parametrize(
    "labels, classes",
    [
        (lambda x, y: int(10 * (x + 2)), 0),  # 40 whole numbers: too many to be classes
        (lambda x, y: round(x, 2), 0),  # fractions
        (lambda x, y: int(x > 0) + int(y > 0), 3),  # a few whole numbers: classes
        (lambda x, y: "north" if y > 0 else "south", 2),  # words: classes
    ],
)
async def test_what_an_upload_holds_is_read_from_its_labels(client, labels, classes):
    text, _ = targets_csv(labels)
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "upload", "name": "mine.csv", "text": text})
        assert (await receive(socket, "uploaded"))["classes"] == classes


async def test_a_number_column_with_a_gap_is_refused_at_the_gap(client):
    text, _ = targets_csv(lambda x, y: f"{x:.3f}", count=60)
    lines = text.splitlines()
    lines[7] = lines[7].rsplit(",", 1)[0] + ","  # row 7 (line 8) lost its target
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "upload", "name": "gap.csv", "text": "\n".join(lines)})
        error = await receive(socket, "error")
        assert "line 8: the target '' is not a finite number" in error["message"]


async def test_a_target_that_is_not_a_finite_number_is_refused_with_its_line(client):
    text = "x1,x2,height\n0,0,1.5\n1,0,2.5\n0,1,nan\n1,1,3.5\n2,2,0.5\n"
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "upload", "name": "holes.csv", "text": text})
        error = await receive(socket, "error")
        assert "upload refused" in error["message"]
        assert "line 4: the target 'nan' is not a finite number" in error["message"]


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"dataset": "moons", "classes": 0}, "classes = 0 stands for numbers to predict"),
        ({"dataset": "blobs", "classes": 0}, "blobs is not one (set classes = 2)"),
        ({"dataset": "csv", "data_file": "x.csv", "classes": 1}, "classes = 1"),
    ],
)
def test_zero_classes_only_for_an_uploaded_file(settings, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_settings(settings)


def test_the_export_of_an_uploaded_regression_trains_the_same_network(tmp_path):
    path = tmp_path / "slope.csv"
    path.write_text(SLOPE)
    settings = parse_settings(
        {"dataset": "csv", "data_file": "slope.csv", "classes": 0, "hidden": "5"}
    )
    assert settings.regression and settings.output_units == 1
    assert parse_settings(dict(parse_qsl(settings.query()))) == settings  # the URL keeps it
    (config,) = parse_study(write_study(settings.study(epochs=40))).configs
    assert config.data["regression"] is True and config.data["path"] == "slope.csv"
    assert (config.output_activation, config.loss) == ("linear", "mean_squared_error")
    session = Session(settings, csv_path=str(path))
    assert session.data.n_classes == 0
    # The page's run is the export's, but for where the file lies and the epochs trained.
    page_run = {**session.config.to_dict(), "epochs": 40, "data": config.data}
    assert page_run == config.to_dict()
