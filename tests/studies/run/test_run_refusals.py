"""Bad input of every kind, refused before any work starts with one line that names the
file, line or key and the fix; a refused study stores nothing, and a failed run is not
a result (issue "Every bad input refused at the door").

Each table row is one bad input tried as an adversarial user would."""

import gzip
import json
import re
import sqlite3
import struct

import numpy as np
import pytest
from click.testing import CliRunner

import actinit as ai
from actinit.cli import main
from actinit.engine.model_file import ModelFileError
from actinit.studies import Store, load_study, run_study
from actinit.studies.run import runner as runner_module
from actinit.studies.run.store import APPLICATION_ID, StoreError
from playground_messages import receive

# --------------------------------------------------------------------------
# Data files: every one stops the study before its first run, exit 2, nothing stored
# --------------------------------------------------------------------------

CSV_STUDY = """
name = "bad-data"
seeds = 2

[data]
name = "{name}"
path = "{path}"
{extra}

[model]
hidden = [3]
activation = "relu"
init = "he_normal"

[training]
epochs = 2
"""

GOOD_ROWS = "x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(20))


def idx(array: np.ndarray, type_byte: int = 0x08) -> bytes:
    header = bytes([0, 0, type_byte, array.ndim]) + b"".join(
        struct.pack(">I", n) for n in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def mnist_folder(folder, **replace: bytes) -> None:
    """Four IDX files of a tiny MNIST, with some replaced by bad bytes (None: absent)."""
    rng = np.random.default_rng(0)
    files = {
        "train-images-idx3-ubyte": idx(rng.integers(0, 255, (30, 4, 4))),
        "train-labels-idx1-ubyte": idx(np.arange(30) % 10),
        "t10k-images-idx3-ubyte": idx(rng.integers(0, 255, (10, 4, 4))),
        "t10k-labels-idx1-ubyte": idx(np.arange(10) % 10),
    }
    files.update(replace)
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        if content is not None:
            (folder / name).write_bytes(content)


TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
GOOD_IMAGES = idx(np.zeros((30, 4, 4)))

CSV_FILES = [
    ("missing file", None, "", "CSV file not found"),
    ("empty file", b"", "", "is empty"),
    ("blank lines only", b"\n\n  \n", "", "is empty"),
    ("header only", b"x1,x2,label\n", "", "only 0 data rows"),
    ("one row", b"x1,x2,label\n1,2,0\n", "", "only 1 data rows"),
    ("three rows", b"1,2,0\n2,3,1\n3,4,0\n", "", "only 3 data rows"),
    ("NaN cell", (GOOD_ROWS + "nan,1,0\n").encode(), "", "NaN or infinite"),
    ("inf cell", (GOOD_ROWS + "1,inf,0\n").encode(), "", "NaN or infinite"),
    ("ragged row", (GOOD_ROWS + "1,2\n").encode(), "", r"line 22: 2 cells, expected 3"),
    ("string cell", (GOOD_ROWS + "1,abc,0\n").encode(), "", r"line 22, x2: 'abc' is not a number"),
    ("binary bytes", bytes(range(256)) * 3, "", "not UTF-8 text"),
    ("NUL bytes", b"1,2,0\n\x00\x00,1,1\n" * 5, "", r"line 2, column 1: .* is not a number"),
    ("Latin-1 bytes", (GOOD_ROWS + "caf\xe9,1,0\n").encode("latin-1"), "", "not UTF-8 text"),
    ("one class only", "".join(f"{i},{i},1\n" for i in range(20)).encode(), "", "every label is"),
    ("label column 99", GOOD_ROWS.encode(), "label = 99", "label column 99 does not exist"),
    ("label column -9", GOOD_ROWS.encode(), "label = -9", "label column -9 does not exist"),
    ("label name absent", GOOD_ROWS.encode(), 'label = "y"', "no column named 'y'"),
]

IDX_FOLDERS = [
    ("missing folder", None, "does not exist"),
    ("empty folder", dict.fromkeys([TRAIN_IMAGES, TRAIN_LABELS], None), "no train images file"),
    ("wrong magic", {TRAIN_IMAGES: b"\x12\x34\x08\x03" + GOOD_IMAGES[4:]}, "wrong magic number"),
    ("empty IDX file", {TRAIN_IMAGES: b""}, r"wrong magic number \(empty file\)"),
    ("unknown type byte", {TRAIN_IMAGES: b"\x00\x00\x07\x03" + GOOD_IMAGES[4:]}, "wrong magic"),
    ("truncated header", {TRAIN_IMAGES: GOOD_IMAGES[:9]}, "promises 3 dimensions"),
    ("truncated data", {TRAIN_IMAGES: GOOD_IMAGES[:-7]}, "truncated or padded"),
    ("padded data", {TRAIN_IMAGES: GOOD_IMAGES + b"\x00" * 5}, "truncated or padded"),
    ("count mismatch", {TRAIN_LABELS: idx(np.arange(29) % 10)}, "do not match"),
    ("2-D images", {TRAIN_IMAGES: idx(np.zeros((30, 16)))}, "do not match"),
    ("label 11", {TRAIN_LABELS: idx(np.full(30, 11))}, "digits 0 to 9"),
    (
        "no labels",
        {TRAIN_LABELS: idx(np.zeros(0)), TRAIN_IMAGES: idx(np.zeros((0, 4, 4)))},
        "0 to 9",
    ),
]
GZIP_FILES = [
    ("bad gzip", b"this is not gzip at all", "cannot read"),
    ("truncated gzip", gzip.compress(GOOD_IMAGES)[:-12], "cannot read"),
]

DATA_PARAMETERS = [
    ("n_train absurd", "moons", "n_train = 100000000000", r"key 'data.n_train': .*1 to 10,000,000"),
    ("noise negative", "moons", "noise = -1.0", "'noise' parameter of make_moons"),
    ("noise NaN", "moons", "noise = nan", r"key 'data.noise': .*finite number"),
    ("unknown key", "moons", "colour = 3", r"key 'data.colour': .*unexpected keyword"),
    ("noise a string", "moons", 'noise = "high"', "'noise' parameter"),
]


def run_cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def refused_before_any_run(tmp_path, study_text, expected):
    study = tmp_path / "study.toml"
    study.write_text(study_text)
    db = tmp_path / "results.sqlite"
    result = run_cli("run", study, "--db", db, "--backend", "sequential")
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) <= 4  # one message, not a traceback
    text = " ".join(result.output.split())
    assert "error:" in text
    assert re.search(expected, text), text
    if db.exists():
        with Store(db) as store:
            assert store.count() == 0
    return text


@pytest.mark.parametrize(
    "label, content, extra, expected", CSV_FILES, ids=[r[0] for r in CSV_FILES]
)
def test_bad_csv_files(tmp_path, label, content, extra, expected):
    path = tmp_path / "points.csv"
    if content is not None:
        path.write_bytes(content)
    text = refused_before_any_run(
        tmp_path, CSV_STUDY.format(name="csv", path=path, extra=extra), expected
    )
    assert "points.csv" in text or "label" in text


@pytest.mark.parametrize("label, replace, expected", IDX_FOLDERS, ids=[r[0] for r in IDX_FOLDERS])
def test_bad_idx_folders(tmp_path, label, replace, expected):
    folder = tmp_path / "mnist"
    if replace is not None:
        mnist_folder(folder, **replace)
    refused_before_any_run(
        tmp_path, CSV_STUDY.format(name="mnist", path=folder, extra=""), expected
    )


@pytest.mark.parametrize("label, content, expected", GZIP_FILES, ids=[r[0] for r in GZIP_FILES])
def test_bad_gzipped_idx_files(tmp_path, label, content, expected):
    folder = tmp_path / "mnist"
    mnist_folder(folder, **{TRAIN_IMAGES: None})
    (folder / f"{TRAIN_IMAGES}.gz").write_bytes(content)
    refused_before_any_run(
        tmp_path, CSV_STUDY.format(name="mnist", path=folder, extra=""), expected
    )


@pytest.mark.parametrize(
    "label, name, extra, expected", DATA_PARAMETERS, ids=[r[0] for r in DATA_PARAMETERS]
)
def test_bad_data_parameters(tmp_path, label, name, extra, expected):
    text = CSV_STUDY.format(name=name, path="unused", extra=extra).replace('path = "unused"\n', "")
    refused_before_any_run(tmp_path, text, expected)


def test_a_good_idx_folder_and_csv_file_run(tmp_path):
    """The builders above make good data when nothing is replaced."""
    mnist_folder(tmp_path / "mnist")
    data = ai.studies.datasets.load("mnist", path=str(tmp_path / "mnist"))
    assert data.X_train.shape == (30, 16) and data.n_classes == 10
    (tmp_path / "points.csv").write_text(GOOD_ROWS)
    assert ai.studies.datasets.load("csv", path=str(tmp_path / "points.csv")).n_classes == 2


# --------------------------------------------------------------------------
# Study files and command-line options
# --------------------------------------------------------------------------

MOONS = CSV_STUDY.format(name="moons", path="x", extra="").replace('path = "x"\n', "")

STUDY_FILES = [
    (
        "activation a number",
        ('activation = "relu"', "activation = [42]"),
        r"line 11, key 'model.activation'",
    ),
    ("seeds negative", ("seeds = 2", "seeds = -2"), r"line 3, key 'seeds'"),
    ("seeds a billion", ("seeds = 2", "seeds = 1000000000"), r"key 'seeds': .*10,000"),
    ("epochs a trillion", ("epochs = 2", "epochs = 1000000000000"), r"key 'training.epochs'"),
    (
        "deeply nested",
        ("hidden = [3]", "hidden = " + "[" * 40 + "3" + "]" * 40),
        r"key 'model.hidden'",
    ),
    (
        "elu(alpha=abc)",
        ('activation = "relu"', 'activation = "elu(alpha=abc)"'),
        r"alpha must be float",
    ),
    (
        "learning rate inf",
        ("epochs = 2", "epochs = 2\nlearning_rate = inf"),
        r"key 'training.learning_rate'",
    ),
    (
        "constant(value=nan)",
        ('init = "he_normal"', 'init = "constant(value=nan)"'),
        "finite number",
    ),
    (
        "layers too big",
        ("hidden = [3]", "hidden = [100000, 100000, 100000]"),
        r"GiB .*smaller layers",
    ),
    (
        "days of work",
        ("epochs = 2", "epochs = 10000000\nbatch_size = 1", "seeds = 2", "seeds = 20"),
        r"would take about [\d,.]+ days .*--no-time-limit",
    ),
]


@pytest.mark.parametrize("label, change, expected", STUDY_FILES, ids=[r[0] for r in STUDY_FILES])
def test_bad_study_files(tmp_path, label, change, expected):
    text = MOONS
    for old, new in zip(change[::2], change[1::2]):
        text = text.replace(old, new)
    refused_before_any_run(tmp_path, text, expected)


def test_random_bytes_are_not_a_study_file(tmp_path):
    garbage = tmp_path / "study.toml"
    garbage.write_bytes(np.random.default_rng(1).bytes(300))
    result = run_cli("run", garbage, "--db", tmp_path / "r.sqlite")
    assert result.exit_code == 2 and "not a UTF-8 TOML file" in result.output


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--seeds", "99999999999999999999"], "'--seeds'"),
        (["--seeds", "0"], "'--seeds'"),
        (["--jobs", "100000"], "'--jobs'"),
        (["--epochs", "0"], "'--epochs'"),
        (["--backend", "mpi"], "'--backend'"),
    ],
)
def test_bad_command_line_options(tmp_path, args, expected):
    result = run_cli("run", "moons", "--db", tmp_path / "r.sqlite", *args)
    assert result.exit_code == 2 and expected in result.output
    assert not (tmp_path / "r.sqlite").exists()


# --------------------------------------------------------------------------
# Databases: only actinit's own, anything else left untouched
# --------------------------------------------------------------------------


def foreign_runs_table(path):
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE runs (a, b)")


def unrelated_database(path):
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE people (name, age)")
        connection.execute("INSERT INTO people VALUES ('ada', 36)")


def newer_actinit(path):
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()


DATABASES = [
    ("another runs table", foreign_runs_table, "not actinit's (it holds tables: runs)"),
    ("an unrelated database", unrelated_database, "not actinit's (it holds tables: people)"),
    ("a newer actinit's", newer_actinit, "newer actinit"),
    ("a text file", lambda p: p.write_text("hello, world\n" * 100), "not an actinit results"),
]


@pytest.mark.parametrize("label, make, expected", DATABASES, ids=[r[0] for r in DATABASES])
def test_bad_databases_are_refused_and_left_untouched(tmp_path, label, make, expected):
    db = tmp_path / "other.sqlite"
    make(db)
    before = db.read_bytes()
    for command in (["run", "moons", "--seeds", "1", "--epochs", "1"], ["show", "moons"]):
        result = run_cli(*command, "--db", db)
        assert result.exit_code == 2 and expected in " ".join(result.output.split())
        assert "--db" in result.output
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]  # no -wal, no -shm


def test_actinit_databases_carry_their_mark(tmp_path):
    Store(tmp_path / "r.sqlite").close()
    with sqlite3.connect(tmp_path / "r.sqlite") as connection:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_database_written_before_the_mark_is_still_read(tmp_path):
    from actinit.studies.run.store import SCHEMA

    with sqlite3.connect(tmp_path / "old.sqlite") as connection:
        connection.executescript(SCHEMA)  # as actinit wrote it before the mark existed
    with Store(tmp_path / "old.sqlite") as store:
        assert store.count() == 0
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path)


# --------------------------------------------------------------------------
# Failed runs are not results
# --------------------------------------------------------------------------


def test_a_failed_run_is_tried_again_and_a_result_is_never_replaced(tmp_path):
    study = load_study("moons", {"seeds": 1, "epochs": 2})
    config = study.configs[0]
    with Store(tmp_path / "r.sqlite") as store:
        failed = {"config_key": config.key, "seed": 0, "study": "moons", "config": config.to_dict()}
        assert store.add({**failed, "status": "failed", "error": "MemoryError"})
        assert (config.key, 0) not in store.done([config.key])
        report = run_study(study, store, backend="sequential")
        assert report.ran == len(study.configs)  # the failed run ran again
        (row,) = [r for r in store.runs([config.key])]
        assert row["status"] == "ok" and row["error"] is None
        assert not store.add({**failed, "status": "failed", "error": "late"})
        assert store.runs([config.key])[0]["status"] == "ok"


def test_runs_that_fail_while_training_exit_1_with_their_reason(tmp_path, monkeypatch):
    original = runner_module.model_for

    def fails_for_seed_1(config, data, seed):
        if seed == 1:
            raise MemoryError("cannot allocate 14 GiB")
        return original(config, data, seed)

    monkeypatch.setattr(runner_module, "model_for", fails_for_seed_1)
    study = tmp_path / "study.toml"
    study.write_text(MOONS)
    db = tmp_path / "r.sqlite"
    result = run_cli("run", study, "--db", db, "--backend", "sequential")
    assert result.exit_code == 1
    assert "(seed 1): MemoryError: cannot allocate 14 GiB" in result.output
    assert "tried again" in result.output
    monkeypatch.setattr(runner_module, "model_for", original)
    again = run_cli("run", study, "--db", db, "--backend", "sequential")
    assert (
        again.exit_code == 0 and "1 runs in" in again.output and "1 already stored" in again.output
    )


# --------------------------------------------------------------------------
# Model files: checked before anything is allocated
# --------------------------------------------------------------------------


def saved_model(tmp_path):
    model = ai.Sequential([ai.Dense(3, "relu"), ai.Dense(1, "sigmoid")], seed=0).build(2)
    return dict(np.load(model.save(tmp_path / "good.npz"), allow_pickle=False))


def with_config(change):
    def apply(arrays):
        config = json.loads(str(arrays["config"]))
        arrays["config"] = np.array(json.dumps(change(config)) if callable(change) else change)

    return apply


def layer_value(key, value):
    def change(config):
        config["layers"][0]["config"][key] = value
        return config

    return with_config(change)


def poisoned(arrays):
    weights = arrays["parameter/dense0.W"].copy()
    weights[0, 0] = np.nan
    arrays["parameter/dense0.W"] = weights


MODEL_FILES = [
    ("unknown layer key", layer_value("colour", 3), "unexpected keyword argument 'colour'"),
    ("units 10**12", layer_value("units", 10**12), "more than 500,000,000 parameters"),
    ("units a string", layer_value("units", "ten"), "units and pieces must be positive"),
    (
        "layers a string",
        with_config(lambda c: {**c, "layers": "x"}),
        "'layers' must be a non-empty list",
    ),
    ("config a JSON list", with_config(lambda c: [1, 2]), "must be a JSON object, got list"),
    ("invalid JSON", with_config("{not json"), "not valid JSON"),
    ("no format version", with_config(lambda c: {"layers": c["layers"]}), "no format_version"),
    ("NaN parameters", poisoned, "NaN or infinite"),
    ("shape mismatch", layer_value("units", 4), "has shape"),
    (
        "unknown layer kind",
        with_config(lambda c: {**c, "layers": [{"kind": "conv", "config": {}}]}),
        "unknown kind",
    ),
]


@pytest.mark.parametrize("label, damage, expected", MODEL_FILES, ids=[r[0] for r in MODEL_FILES])
def test_bad_model_files(tmp_path, label, damage, expected):
    arrays = saved_model(tmp_path)
    damage(arrays)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match=expected):
        ai.load(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    "content, expected",
    [(b"hello", "not a zip archive|is not one"), (b"", "is not one"), (None, "no model file")],
)
def test_files_that_are_not_models(tmp_path, content, expected):
    if content is not None:
        (tmp_path / "m.npz").write_bytes(content)
    with pytest.raises(ModelFileError, match=expected):
        ai.load(tmp_path / "m.npz")


def test_from_config_of_nothing_says_what_is_missing():
    with pytest.raises(ModelFileError, match="no format_version"):
        ai.Sequential.from_config({})


# --------------------------------------------------------------------------
# The playground's messages: one line each, the connection stays open
# --------------------------------------------------------------------------

SMALL = {"dataset": "moons", "samples": 60, "hidden": "3", "batch_size": 0}

PAGE_MESSAGES = [
    ("nested thousands deep", "[" * 5000 + "]" * 5000, "nested too deeply"),
    ("a 5,000-digit number", '{"type": "step", "epochs": ' + "9" * 5000 + "}", "too many digits"),
    (
        "NaN in a spec",
        {"type": "configure", "settings": {**SMALL, "init": "constant(value=nan)"}},
        "finite number",
    ),
    (
        "inf in a spec",
        {"type": "configure", "settings": {**SMALL, "init": "orthogonal(gain=inf)"}},
        "finite number",
    ),
    ("empty layer", {"type": "configure", "settings": {**SMALL, "hidden": "4,,4"}}, "empty layer"),
    ("no layers", {"type": "configure", "settings": {**SMALL, "hidden": ""}}, "no layers given"),
    (
        "huge integer setting",
        {"type": "configure", "settings": {**SMALL, "samples": 10**40}},
        "samples",
    ),
]


@pytest.mark.parametrize(
    "label, message, expected", PAGE_MESSAGES, ids=[r[0] for r in PAGE_MESSAGES]
)
async def test_bad_page_messages(client, label, message, expected):
    async with client.ws_connect("/ws") as socket:
        await socket.send_str(message if isinstance(message, str) else json.dumps(message))
        error = await receive(socket, "error")
        assert expected in error["message"] and "\n" not in error["message"]
        await socket.send_json({"type": "configure", "settings": SMALL})  # still open
        assert (await receive(socket, "ready"))["epoch"] == 0


@pytest.mark.parametrize(
    "settings", [{"activation": "elu(alpha=1e308)"}, {"init": "random_normal(std=1e308)"}]
)
async def test_a_parameter_no_network_can_use_is_refused(client, settings):
    """1e308 is refused at the door (it overflowed into tracebacks in theory and plot);
    a run that diverges from sane settings is the next test's."""
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "configure", "settings": {**SMALL, **settings}})
        error = await receive(socket, "error")
        assert "beyond any setting a network can use" in error["message"]


@pytest.mark.parametrize(
    "settings",
    [
        {"learning_rate": 10, "init": "random_normal(std=10)", "batch_size": 1},
        {"learning_rate": 10, "init": "random_normal(std=1000)", "batch_size": 1},
    ],
)
async def test_a_run_that_diverges_says_so(client, settings):
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "configure", "settings": {**SMALL, **settings}})
        await receive(socket, "ready")
        await socket.send_json({"type": "play"})
        while True:  # every update is valid JSON (no NaN) until the run ends
            update = await receive(socket, "update")
            if update["diverged"] or update["epoch"] >= 300:
                break
        if settings.get("learning_rate") != 10 or update["diverged"]:
            assert update["diverged"] and update["finished"]
            assert any("diverge" in line["message"] for line in update["diagnosis"])
            assert (await receive(socket, "state"))["playing"] is False
        await socket.send_json({"type": "pause"})


async def test_training_that_fails_says_why(client, monkeypatch):
    from actinit.playground.session import Session

    def broken(self, epochs, *args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(Session, "train", broken)
    async with client.ws_connect("/ws") as socket:
        await socket.send_json({"type": "configure", "settings": SMALL})
        await receive(socket, "ready")
        await socket.send_json({"type": "play"})
        error = await receive(socket, "error")
        assert error["message"] == "training stopped: MemoryError: out of memory"
        assert (await receive(socket, "state"))["playing"] is False


def test_none_is_how_the_page_asks_for_no_hidden_layers():
    from urllib.parse import parse_qs

    from actinit.playground.settings import parse_settings

    settings = parse_settings({"hidden": "none"})
    assert settings.hidden == ()
    assert parse_qs(settings.query())["hidden"] == ["none"]
    assert parse_settings({k: v[0] for k, v in parse_qs(settings.query()).items()}) == settings


@pytest.mark.parametrize(
    "kind, metric, expected",
    [
        ("heatmap", "val_loss", "--kind heatmap shows one of test_accuracy"),
        ("heatmap", "foo", "got --metric 'foo'"),
        ("curves", "test_accuracy", "--kind curves shows one of val_accuracy"),
    ],
)
def test_a_metric_a_picture_cannot_show_is_refused(tmp_path, kind, metric, expected):
    db = tmp_path / "r.sqlite"
    run_cli("run", "blobs", "--seeds", "1", "--epochs", "2", "--db", db, "--backend", "sequential")
    args = ["plot", "blobs", "--kind", kind, "--metric", metric, "--db", db]
    result = run_cli(*args, "-o", tmp_path / "x.png")
    assert result.exit_code == 2 and expected in result.output
