"""What a new user ran into (issue "One description of a network"), each refused at the
door with a message that names the line, key or setting and the fix."""

import asyncio
import os
import re

import numpy as np
import pytest
from click.testing import CliRunner

import actinit as ai
from actinit.cli import main
from actinit.engine.registry import SpecError
from actinit.studies import Store, load_study, parse_study, write_study
from actinit.studies.plan.settings import StudyError

STUDY = """
name = "csv-study"
seeds = {seeds}

[data]
name = "csv"
path = "{path}"

[model]
hidden = [4]
activation = "relu"
init = "he_normal"

[training]
epochs = 3
"""


def write(tmp_path, seeds=2, path="points.csv"):
    study_file = tmp_path / "study.toml"
    study_file.write_text(STUDY.format(seeds=seeds, path=tmp_path / path))
    return study_file


def points_csv(tmp_path, rows=40):
    rng = np.random.default_rng(0)
    lines = ["x1,x2,label"] + [
        f"{a:.3f},{b:.3f},{int(a + b > 0)}" for a, b in rng.normal(size=(rows, 2))
    ]
    (tmp_path / "points.csv").write_text("\n".join(lines) + "\n")


def test_zero_seeds_names_the_line_and_the_key(tmp_path):
    with pytest.raises(StudyError, match=r"line 3, key 'seeds': .*from 1 to"):
        parse_study(STUDY.format(seeds=0, path="x.csv"), source="study.toml")
    result = CliRunner().invoke(main, ["run", str(write(tmp_path, seeds=0))])
    assert result.exit_code == 2 and "key 'seeds'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("content", [None, "x1,x2,label\n1,2\n", "a,b,c\n1,2,x\n1,nan,0\n"])
def test_bad_csv_stops_the_study_before_any_run(tmp_path, content):
    if content is not None:
        (tmp_path / "points.csv").write_text(content)
    db = tmp_path / "results.sqlite"
    result = CliRunner().invoke(main, ["run", str(write(tmp_path)), "--db", str(db)])
    assert result.exit_code == 2
    assert "the data cannot be used, no run was started" in result.output
    assert "points.csv" in result.output
    with Store(db) as store:
        assert store.count() == 0  # nothing failed was stored


def test_a_failed_run_shows_its_reason_and_show_finds_a_file_study_by_name(tmp_path):
    points_csv(tmp_path)
    db = tmp_path / "results.sqlite"
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(write(tmp_path)), "--db", str(db)]).exit_code == 0
    study = load_study(write(tmp_path))
    with Store(db) as store:  # a run that failed while training (as a worker would record it)
        store.add(
            {
                "config_key": study.configs[0].key,
                "seed": 7,
                "study": study.name,
                "config": study.configs[0].to_dict(),
                "status": "failed",
                "error": "MemoryError: cannot allocate 14 GiB\nTraceback ...",
            }
        )
    shown = runner.invoke(main, ["show", "csv-study", "--db", str(db)])  # by name, not by path
    assert shown.exit_code == 0, shown.output
    assert "failed: relu / he_normal (seed 7): MemoryError: cannot allocate 14 GiB" in shown.output


def test_training_optimizer_defaults_to_plain_sgd():
    study = parse_study(STUDY.format(seeds=1, path="x.csv"))
    assert study.configs[0].optimizer == ai.optimizers.get("sgd").spec()


def test_a_file_of_binary_garbage_is_not_a_utf8_toml_file(tmp_path):
    garbage = tmp_path / "garbage.toml"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(StudyError, match="not a UTF-8 TOML file"):
        load_study(garbage)
    result = CliRunner().invoke(main, ["run", str(garbage)])
    assert result.exit_code == 2 and "not a UTF-8 TOML file" in result.output


def test_loss_histogram_of_a_net_that_learned_nothing(tmp_path):
    from actinit import viz

    X = np.random.default_rng(0).normal(size=(50, 2))
    y = np.arange(50) % 2  # balanced: the output stays at 0.5 for every sample
    model = ai.Sequential([ai.Dense(4, "relu", init="zeros"), ai.Dense(1, "sigmoid", init="zeros")])
    model.fit(X, y, epochs=20, batch_size=None)
    figure = viz.plot_loss_histogram(model, X, y)
    assert "same loss, 0.6931" in figure.axes[0].get_title()
    assert viz.save(figure, tmp_path / "losses.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "spec", ["elu(alpha='x')", "elu(alpha=True)", "leaky_relu(negative_slope=None)"]
)
def test_parameter_types_are_checked(spec):
    with pytest.raises(SpecError, match="must be float"):
        ai.activations.get(spec)


def test_parameter_types_are_checked_in_study_files():
    text = STUDY.format(seeds=1, path="x.csv").replace('"relu"', "\"elu(alpha='x')\"")
    with pytest.raises(
        StudyError, match=r"line \d+, key 'model.activation': .*alpha must be float"
    ):
        parse_study(text, source="study.toml")


def test_study_files_round_trip_through_the_writer():
    for name in ("blobs", "circles", "depth", "zoo"):
        study = load_study(name)
        again = parse_study(write_study(study))
        assert again == study
        assert [c.key for c in again.configs] == [c.key for c in study.configs]


async def test_playground_accepts_the_names_the_form_shows_and_keeps_the_first_error(
    aiohttp_client,
):
    from actinit.playground.server import create_app
    from actinit.playground.settings import parse_settings

    assert parse_settings({"initializer": "he_normal"}).init == "he_normal"
    assert parse_settings({"Learning_Rate": "0.1", "hidden_layers": "3"}).learning_rate == 0.1
    client = await aiohttp_client(create_app())
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "configure", "settings": {"initialiser": "he_normal"}})
        first = await asyncio.wait_for(socket.receive_json(), 10)
        assert first["type"] == "error" and "unknown setting(s) 'initialiser'" in first["message"]
        await socket.send_json({"type": "play"})
        second = await asyncio.wait_for(socket.receive_json(), 10)
        assert "settings were refused: unknown setting(s) 'initialiser'" in second["message"]


@pytest.mark.parametrize("hidden", ["", "4,,4", " , "])
def test_playground_refuses_empty_layers(hidden):
    from actinit.playground.settings import SettingsError, parse_settings

    with pytest.raises(SettingsError, match="empty layer|no layers given"):
        parse_settings({"hidden": hidden})


def test_the_server_loads_no_matplotlib():
    import subprocess
    import sys

    code = "import sys, actinit.playground.server; print('matplotlib' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


REGRESSION_STUDY = """
name = "heights"
seeds = 2

[data]
name = "csv"
path = "{path}"
regression = true

[model]
hidden = [16]
activation = "tanh"
init = "xavier_normal"
{output}
[training]
epochs = 60
optimizer = "adam(lr=0.01)"
"""


def targets_csv(tmp_path):
    rng = np.random.default_rng(0)
    points = rng.uniform(-2, 2, size=(200, 2))
    target = np.sin(points[:, 0]) + 0.5 * points[:, 1]
    lines = ["x1,x2,target"] + [f"{a:.4f},{b:.4f},{t:.4f}" for (a, b), t in zip(points, target)]
    (tmp_path / "targets.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "targets.csv", float(target.var())


def test_a_csv_regression_study_trains_and_a_classifier_s_output_is_refused(tmp_path):
    path, variance = targets_csv(tmp_path)
    study_file, db = tmp_path / "study.toml", tmp_path / "results.sqlite"
    runner = CliRunner()
    study_file.write_text(REGRESSION_STUDY.format(path=path, output=""))
    refused = runner.invoke(main, ["run", str(study_file), "--db", str(db)])
    assert refused.exit_code == 2, refused.output
    assert "numbers to predict (regression)" in refused.output
    assert "output_activation = 'linear' and loss = 'mse'" in refused.output
    output = 'output_activation = "linear"\nloss = "mse"\n'
    study_file.write_text(REGRESSION_STUDY.format(path=path, output=output))
    result = runner.invoke(main, ["run", str(study_file), "--db", str(db)])
    assert result.exit_code == 0, result.output
    # Its table shows losses, not accuracy columns of dashes.
    assert "train loss" in result.output and "test acc" not in result.output
    with Store(db) as store:
        rows = store.runs()
    assert len(rows) == 2
    for row in rows:
        assert row["test_accuracy"] is None
        assert row["test_loss"] < 0.1 * variance  # far below predicting the mean


SPIRAL_THREE = """
name = "three-arms"
seeds = 2

[data]
name = "spiral"
n_classes = 3

[model]
hidden = [8]
activation = "tanh"
init = "xavier_normal"

[training]
epochs = 5
"""


def test_three_classes_with_the_default_sigmoid_output_are_refused_before_any_run(tmp_path):
    """It was a 48-line traceback ending in LabelError, and `show` then sent the user
    back to `run`."""
    study_file = tmp_path / "three.toml"
    study_file.write_text(SPIRAL_THREE)
    db = tmp_path / "three.sqlite"
    result = CliRunner().invoke(main, ["run", str(study_file), "--db", str(db)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    said = " ".join(result.output.split())
    assert "has 3 classes" in said and "set output_activation = 'softmax'" in said
    assert not db.exists() or Store(db).count() == 0
    fixed = SPIRAL_THREE.replace("[model]", '[model]\noutput_activation = "softmax"')
    study_file.write_text(fixed)
    trained = CliRunner().invoke(main, ["run", str(study_file), "--db", str(db)])
    assert trained.exit_code == 0, trained.output


def test_a_csv_of_numbers_without_regression_is_refused_with_the_hint(tmp_path):
    targets_csv(tmp_path)
    path = tmp_path / "targets.csv"
    study_file = tmp_path / "numbers.toml"
    study_file.write_text(
        REGRESSION_STUDY.format(path=path, output="").replace("regression = true\n", "")
    )
    result = CliRunner().invoke(main, ["run", str(study_file), "--db", str(tmp_path / "n.sqlite")])
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "set regression = true in [data]" in said


@pytest.mark.parametrize("command", ["show", "run", "rank", "report"])
def test_a_mistyped_study_name_gets_the_nearest_name(tmp_path, command):
    result = CliRunner().invoke(main, [command, "mons", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "did you mean 'moons'?" in " ".join(result.output.split())


def test_toml_spellings_of_true_and_false_are_read():
    assert ai.optimizers.get("sgd(nesterov=true, momentum=0.9)").nesterov is True
    assert ai.optimizers.get("sgd(nesterov=false)").nesterov is False


@pytest.mark.parametrize(
    "command, text",
    [
        (["animate", "--help"], "Frames per second"),
        (["animate", "--help"], "spread evenly over the recorded epochs"),
        (["theory", "--help"], "biases' standard deviation"),
        (["show", "--help"], "`show` or `export`"),
    ],
)
def test_every_option_has_its_help(command, text):
    result = CliRunner().invoke(main, command, terminal_width=200)
    assert text in " ".join(result.output.split())


def test_list_says_each_activation_s_facts_and_how_presets_differ(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line per entry
    activations = CliRunner().invoke(main, ["list", "activations"], terminal_width=200).output
    said = " ".join(activations.split())
    assert "maxout(k)" in said
    assert "Range (-1, 1), zero-centred, gain 1.667" in said  # tanh
    assert "Range (0, inf), not zero-centred" in said  # relu
    found = CliRunner().invoke(main, ["list", "initializers"], terminal_width=200).output
    said = " ".join(found.split())
    assert "Keras GlorotNormal: truncated normal" in said
    assert "torch xavier_normal_ (Glorot & Bengio 2010), a plain normal" in said


@pytest.mark.parametrize(
    "args, message",
    [
        (["plot", "activations", "relu", "-o", "a.jpg"], "writes .png or .svg files"),
        (["plot", "activations", " ", "-o", "a.png"], "name the activations to draw"),
        (["report", "circles", "-o", "r.pdf"], "writes .html or .htm files"),
        (["theory", "tanh", "--weights-std", "nan"], "--weights-std must be a finite number"),
        (["theory", "tanh", "-o", "x.txt"], "writes .png or .svg files"),
        (["animate", "parabola", "-o", "film.avi"], "writes .gif or .mp4 files"),
    ],
)
def test_output_paths_and_options_are_checked_before_any_work(tmp_path, args, message):
    result = CliRunner().invoke(
        main, args + ["--db", str(tmp_path / "x.sqlite")] * (args[0] in ("report", "animate"))
    )
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output


def test_export_refuses_a_suffix_that_is_not_its_format_and_a_file_it_cannot_write(tmp_path):
    from synthetic_study import store_results, synthetic_study

    study = synthetic_study(seeds=2)
    path, db = tmp_path / "s.toml", tmp_path / "s.sqlite"
    path.write_text(write_study(study))
    with Store(db) as store:
        store_results(store, study, lambda config, seed: 0.8)
    base = ["export", str(path), "--db", str(db)]
    mismatch = CliRunner().invoke(
        main, base + ["--format", "parquet", "-o", str(tmp_path / "o.csv")]
    )
    assert mismatch.exit_code == 2 and "--format parquet writes a .parquet file" in mismatch.output
    folder = CliRunner().invoke(main, base + ["-o", str(tmp_path)])
    assert folder.exit_code == 2 and "Traceback" not in folder.output
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        refused = CliRunner().invoke(main, base + ["-o", str(locked / "x.csv")])
        if os.geteuid() != 0:  # root writes anywhere
            assert refused.exit_code == 2 and "not writable" in refused.output
    finally:
        locked.chmod(0o700)
    written = CliRunner().invoke(main, base + ["-o", str(tmp_path / "deep" / "x.csv")])
    assert written.exit_code == 0 and (tmp_path / "deep" / "x.csv").exists()


def test_a_port_in_use_is_one_line(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["playground", "--port", str(port)])
    assert result.exit_code == 2 and "address already in use" in result.output.lower()
    assert "Traceback" not in result.output


def test_softmax_is_an_output_activation_in_study_files_and_the_playground_alike():
    from actinit.playground.settings import SettingsError, parse_settings

    text = SPIRAL_THREE.replace('activation = "tanh"', 'activation = "softmax"')
    with pytest.raises(StudyError, match="softmax is an output activation"):
        parse_study(text, source="softmax.toml")
    with pytest.raises(SettingsError, match="softmax is an output activation"):
        parse_settings({"activation": "softmax"})
    assert parse_settings({"layer_activations": "relu; tanh", "hidden": "3,3"}).layer_activations


def test_a_failed_replay_says_why_in_run_and_show(tmp_path):
    """run printed "1 failed (reasons below)" and no reason followed."""
    text = write_study(load_study("circles")).replace("seeds = 10", "seeds = 1")
    text = text.replace("epochs = 15000", "epochs = 3")
    text = re.sub(r'replay = "[^"]*"', "replay = \"npz(path='/etc/passwd')\"", text, count=1)
    study = tmp_path / "replay.toml"
    study.write_text(text)
    db = str(tmp_path / "r.sqlite")
    ran = CliRunner().invoke(main, ["run", str(study), "--db", db])
    said = " ".join(ran.output.split())
    assert ran.exit_code == 1 and "1 failed (reasons below)" in said
    assert "(replayed) (seed 0): ValueError: /etc/passwd is not an .npz file" in said
    shown = CliRunner().invoke(main, ["show", str(study), "--db", db])
    assert "/etc/passwd is not an .npz file" in " ".join(shown.output.split())


def test_a_ten_million_run_grid_is_refused_at_once(tmp_path):
    """10,000 seeds x 100 learning rates x 10 activations printed nothing for 500 s
    while its list of runs grew to 1.5 GB."""
    rates = ", ".join(str(0.001 * (i + 1)) for i in range(100))
    activations = '["relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "softplus", "mish", "softsign"]'
    study = tmp_path / "huge.toml"
    study.write_text(
        f"""
name = "huge"
seeds = 10000
[data]
name = "moons"
[model]
hidden = [4]
init = "xavier_normal"
[training]
epochs = 10
[grid]
activations = {activations}
learning_rates = [{rates}]
"""
    )
    result = CliRunner().invoke(main, ["run", str(study), "--db", str(tmp_path / "h.sqlite")])
    assert result.exit_code == 2  # refused before any list of runs is built
    assert "1,000 configurations x 10,000 seeds = 10,000,000 runs" in " ".join(
        result.output.split()
    )
