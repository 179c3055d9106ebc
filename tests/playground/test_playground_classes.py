"""More than two classes in the playground: spiral arms, blobs, an uploaded file."""

import math

import numpy as np
import pytest

from actinit.playground.session import Session
from actinit.playground.settings import SettingsError, parse_settings
from actinit.studies import datasets, parse_study
from actinit.studies.plan.study_file import write_study
from playground_messages import receive


def test_spiral_arms_follow_their_curve_each_turned_by_a_share_of_a_circle():
    data = datasets.load("spiral", n_samples=300, n_classes=3, noise=0.0, test_size=0.5)
    X, y = np.concatenate([data.X_train, data.X_test]), np.concatenate([data.y_train, data.y_test])
    assert data.n_classes == 3 and np.bincount(y).tolist() == [100, 100, 100]
    radius = np.hypot(X[:, 0], X[:, 1])
    # Point i of an arm lies at radius 5 i / n and angle 1.75 * 2 pi i / n + 2 pi c / 3.
    index = np.round(radius / 5 * 100)
    angle = 1.75 * index / 100 * 2 * math.pi + 2 * math.pi * y / 3
    expected = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    np.testing.assert_allclose(X, expected, atol=1e-9)
    two = datasets.load("spiral", n_samples=300, noise=0.3, seed=4)
    same = datasets.load("spiral", n_samples=300, noise=0.3, seed=4, n_classes=2)
    np.testing.assert_array_equal(two.X_train, same.X_train)
    with pytest.raises(datasets.DataError, match="fewer than 2 per arm"):
        datasets.load("spiral", n_samples=7, n_classes=4)


@pytest.mark.parametrize(
    "values, words",
    [
        ({"dataset": "moons", "classes": 3}, "moons has two classes; 3 classes come from blobs"),
        ({"dataset": "plane", "classes": 4}, "plane has a regression surface"),
        ({"dataset": "blobs", "classes": 9}, "classes must lie between 0 and 8"),
        ({"dataset": "blobs", "classes": 1}, "classes = 1: data have 2 to 8 classes, or 0"),
    ],
)
def test_impossible_class_counts_are_refused_with_where_they_work(values, words):
    with pytest.raises(SettingsError, match=words):
        parse_settings(values)


@pytest.mark.parametrize("dataset, classes", [("blobs", 4), ("spiral", 3), ("blobs", 2)])
def test_the_network_ends_in_a_unit_per_class_and_the_export_trains_the_same(dataset, classes):
    settings = parse_settings({"dataset": dataset, "classes": classes, "hidden": "6"})
    session = Session(settings)
    output = session.model.weighted_layers()[-1]
    units, activation = (classes, "softmax") if classes > 2 else (1, "sigmoid")
    assert session.data.n_classes == classes and output.output_dim == units
    assert output.activation.name == activation
    assert settings.weights == session.model.count_params()
    config = parse_study(write_study(settings.study(epochs=7))).configs[0]
    assert config.output_activation == activation and config.data == settings.run_config().data


def test_the_page_is_shown_the_likeliest_class_and_each_class_s_probability():
    session = Session(parse_settings({"dataset": "blobs", "classes": 4, "hidden": "8"}))
    session.train(30)
    message = session.ready_message()
    assert message["classes"] == 4 and message["metrics"]["train_accuracy"] > 0.7
    probabilities = session.model.predict_output(session._grid)
    assert message["boundary_class"] == probabilities.argmax(axis=1).tolist()
    np.testing.assert_allclose(message["boundary"], probabilities.max(axis=1), atol=1e-3)
    assert min(message["boundary"]) >= 0.25 - 1e-3
    output = message["graph"]["layers"][-1]
    assert output["units"] == [0, 1, 2, 3] and len(output["probabilities"]) == 4
    np.testing.assert_allclose(np.sum(output["probabilities"], axis=0), 1, atol=0.03)
    assert message["class_names"] == ["0", "1", "2", "3"]
    two = Session(parse_settings({"dataset": "moons"})).ready_message()
    assert two["classes"] == 2 and "boundary_class" not in two
    assert "probabilities" not in two["graph"]["layers"][-1]


THREE_CLASSES = "x1,x2,label\n" + "\n".join(
    f"{x:.3f},{y:.3f},{['left', 'middle', 'right'][int((x + 1) * 1.5)]}"
    for x, y in np.random.default_rng(2).uniform(-1, 0.999, (90, 2))
)


async def test_an_uploaded_file_of_three_classes_trains_and_must_say_so(client):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "upload", "name": "thirds.csv", "text": THREE_CLASSES})
        uploaded = await receive(socket, "uploaded")
        assert uploaded["classes"] == 3 and uploaded["rows"] == 90
        settings = {
            "dataset": "csv",
            "data_file": "thirds.csv",
            "hidden": "6",
            "learning_rate": 0.3,
        }
        await socket.send_json({"type": "configure", "settings": settings, "id": 1})
        error = await receive(socket, "error")
        assert "thirds.csv has 3 classes; set classes = 3" in error["message"]
        await socket.send_json(
            {"type": "configure", "settings": {**settings, "classes": 3}, "id": 2}
        )
        ready = await receive(socket, "ready")
        assert ready["classes"] == 3 and sorted(set(ready["train"]["y"])) == [0, 1, 2]
        assert ready["class_names"] == ["left", "middle", "right"]
        await socket.send_json({"type": "step", "epochs": 60})
        assert (await receive(socket, "update"))["metrics"]["train_accuracy"] > 0.8


def test_a_small_csv_of_many_classes_loads_without_a_stratified_split(tmp_path):
    # 27 rows of 9 classes: 7 test rows cannot hold one of each class, so the split is
    # not stratified (scikit-learn's own error used to reach the user).
    path = tmp_path / "nine.csv"
    path.write_text("x1,x2,label\n" + "\n".join(f"{i},{-i},{i % 9}" for i in range(27)))
    data = datasets.load("csv", path=str(path))
    assert data.n_classes == 9 and len(data.y_test) == 7 and len(data.y_train) == 20


def test_a_csv_file_keeps_what_its_labels_were(tmp_path):
    words, numbers = tmp_path / "words.csv", tmp_path / "numbers.csv"
    words.write_text("x1,x2,kind\n" + "\n".join(f"{i},{i},{'bca'[i % 3]}" for i in range(12)))
    numbers.write_text("x1,x2,y\n" + "\n".join(f"{i},{i},{[10, -1][i % 2]}" for i in range(12)))
    assert datasets.load("csv", path=str(words)).class_names == ("a", "b", "c")
    loaded = datasets.load("csv", path=str(numbers))
    assert loaded.class_names == ("-1", "10") and set(loaded.y_train) == {0, 1}
    featured = datasets.with_features(loaded, ("x1", "x1*x2"))
    assert featured.class_names == ("-1", "10") and featured.n_features == 2
