import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from actinit.cli import main
from actinit.studies import Store, builtin_names, load_study, parse_study, run_study, summarize
from actinit.studies.answer.exports import to_csv, to_json, to_markdown
from actinit.studies.plan.settings import StudyError
from actinit.studies.run.runner import run_one
from actinit.studies.run.store import StoreError
from synthetic_study import TINY, wait_for_runs


def tiny(epochs=20):
    return parse_study(TINY.format(epochs=epochs), source="tiny.toml")


def test_every_builtin_study_parses():
    assert set(builtin_names()) == {
        "blobs",
        "mnist",
        "moons",
        "parabola",
        "circles",
        "zoo",
        "depth",
        "fashion",
        "trainability",
        "trainability-full",
        "isometry",
        "prune",
        "lottery",
        "lottery-full",
    }
    for name in builtin_names():
        study = load_study(name)
        assert study.configs and len({c.key for c in study.configs}) == len(study.configs)
    assert len(load_study("blobs").configs) == 16
    assert len(load_study("blobs").published) == 3


def test_grid_expansion_and_keys():
    study = tiny()
    assert len(study.configs) == 4
    labels = {(c.activation, c.init_label) for c in study.configs}
    assert labels == {("tanh", "zeros"), ("tanh", "he"), ("relu", "zeros"), ("relu", "he")}
    assert study.configs[0].optimizer == "sgd(lr=0.5)"
    assert tiny().configs[0].key == study.configs[0].key
    assert tiny(epochs=21).configs[0].key != study.configs[0].key


@pytest.mark.parametrize(
    "change, line, key",
    [
        (
            ('activations = ["tanh", "relu"]', 'activations = ["tanh", "relux"]'),
            23,
            "grid.activations",
        ),
        (("epochs = 20", "epochs = -3"), 17, "training.epochs"),
        (("epochs = 20", "epochs = 20\nlearning_rat = 0.1"), 18, "training.learning_rat"),
        (('batch_size = "full"', 'batch_size = "half"'), 18, "training.batch_size"),
        (('name = "moons"', 'name = "moonz"'), 7, "data.name"),
        (
            ('output_activation = "sigmoid"', 'output_activation = "sigmoidd"'),
            14,
            "model.output_activation",
        ),
        (("learning_rate = 0.5", "learning_rate = -0.5"), 20, "training.learning_rate"),
        (("target_accuracy = 0.8", "target_accuracy = 8"), 27, "summary.target_accuracy"),
    ],
)
def test_bad_study_files_name_the_line_and_key(change, line, key):
    text = TINY.format(epochs=20).replace(*change)
    with pytest.raises(StudyError) as error:
        parse_study(text, source="study.toml")
    message = str(error.value)
    assert f"line {line}" in message and f"'{key}'" in message, message


def test_invalid_toml_and_missing_file():
    with pytest.raises(StudyError, match="not valid TOML.*line"):
        parse_study("name = \n[data", source="broken.toml")
    with pytest.raises(StudyError, match="Built-in studies"):
        load_study("no-such-study")


def test_run_store_resume_and_summary(tmp_path):
    study = tiny()
    with Store(tmp_path / "results.sqlite") as store:
        report = run_study(study, store, jobs=1)
        assert (report.ran, report.skipped) == (8, 0)
        again = run_study(study, store, jobs=1)
        assert (again.ran, again.skipped) == (0, 8)
        more = run_study(study, store, seeds=3, jobs=1)
        assert more.ran == 4 and store.count() == 12
        summary = summarize(study, store, seeds=3)
    assert len(summary.rows) == 4 and all(row.seeds == 3 for row in summary.rows)
    zeros = next(
        r for r in summary.rows if r.config.init_label == "zeros" and r.config.activation == "relu"
    )
    assert zeros.test_accuracy.std == 0 or zeros.test_accuracy.max <= 0.6
    assert summary.comparisons[0].verdict
    assert json.loads(to_json(summary))["configurations"][0]["seeds"] == 3
    assert to_csv(summary).splitlines()[0].startswith("activation,initializer")
    assert "| activation |" in to_markdown(summary)


def test_history_and_timing_are_stored(tmp_path):
    study = tiny(epochs=7)
    with Store(tmp_path / "r.sqlite") as store:
        run_study(study, store, seeds=1, jobs=1)
        runs = store.runs(with_history=True)
    assert len(runs) == 4
    for record in runs:
        assert len(record["history"]["loss"]) == 7 and len(record["history"]["val_accuracy"]) == 7
        assert record["seconds"] > 0 and record["config"]["epochs"] == 7


def test_divergence_is_recorded_and_the_study_goes_on(tmp_path):
    text = (
        TINY.format(epochs=30)
        .replace("learning_rate = 0.5", "learning_rate = 1e6")
        .replace(
            'initializers = ["zeros", { label = "he", weights = "kaiming_normal" }]',
            'initializers = ["random_normal(std=50)"]',
        )
        .replace('output_activation = "sigmoid"', 'output_activation = "linear"\nloss = "mse"')
    )
    text = text.split("[[published]]")[0]  # its figure names an initializer no longer run
    study = parse_study(text)
    with Store(tmp_path / "r.sqlite") as store:
        report = run_study(study, store, seeds=2, jobs=1)
        statuses = [r["status"] for r in store.runs()]
    assert report.ran == 4 and report.diverged >= 1 and "diverged" in statuses


def test_a_failing_run_is_recorded_not_raised():
    study = tiny()
    config = study.configs[0]
    broken = type(config).from_dict(
        {**config.to_dict(), "data": {"name": "csv", "path": "/nonexistent.csv"}}
    )
    record = run_one(broken, seed=0)
    assert record["status"] == "failed" and "not found" in record["error"]


def test_parallel_runs_match_sequential_runs(tmp_path):
    study = tiny(epochs=10)
    with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
        run_study(study, a, jobs=1)
        run_study(study, b, jobs=2, backend="loky")
        first = {(r["config_key"], r["seed"]): r["test_accuracy"] for r in a.runs()}
        second = {(r["config_key"], r["seed"]): r["test_accuracy"] for r in b.runs()}
    assert first == second


def test_concurrent_writers_do_not_corrupt_or_double_count(tmp_path):
    path = tmp_path / "shared.sqlite"
    study = tiny(epochs=5)
    errors = []

    def worker():
        try:
            with Store(path) as store:
                run_study(study, store, seeds=3, jobs=1)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 12


def hold_exclusive_lock(path):
    """Another program holding ``path`` locked (a connection in an exclusive transaction)."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_database_locked_for_a_moment_is_waited_for(tmp_path, monkeypatch):
    # SQLite may refuse at once while another program holds the file (seen with three
    # studies opening one new file): the Store tries again rather than calling it
    # "not an actinit results database".
    from actinit.studies.run import store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.05)
    path = tmp_path / "shared.sqlite"
    holder = hold_exclusive_lock(path)
    threading.Timer(0.6, holder.rollback).start()
    with Store(path) as store:
        assert store.runs() == []
    holder.close()


def test_a_database_locked_for_good_is_reported_as_locked_and_left_alone(tmp_path, monkeypatch):
    from actinit.studies.run import store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.05)
    monkeypatch.setattr(store_module, "OPEN_PATIENCE", 0.3)
    path = tmp_path / "shared.sqlite"
    holder = hold_exclusive_lock(path)
    with pytest.raises(StoreError, match="stayed locked by another program") as refused:
        Store(path)
    assert "not an actinit results database" not in str(refused.value)
    holder.rollback()
    holder.close()
    assert path.stat().st_size == 0  # nothing was written


def test_resume_after_kill_loses_nothing(tmp_path):
    study_file = tmp_path / "slow.toml"
    study_file.write_text(TINY.format(epochs=1500).replace("seeds = 2", "seeds = 4"))
    db = tmp_path / "results.sqlite"
    command = [
        sys.executable,
        "-m",
        "actinit.cli",
        "run",
        str(study_file),
        "--db",
        str(db),
        "--jobs",
        "1",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    stored = wait_for_runs(db, 3)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 3 <= stored < 16, "the study should have been killed part-way"
    with Store(db) as store:
        before = store.count()
        report = run_study(load_study(study_file), store, jobs=1)
        assert report.skipped == before and report.ran == 16 - before
        assert store.count() == 16


def test_dask_backend_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    study = tiny(epochs=5)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        with Store(tmp_path / "dask.sqlite") as store:
            report = run_study(
                study, store, seeds=1, backend="dask", scheduler=cluster.scheduler_address
            )
            assert report.ran == 4 and store.count() == 4


def test_cli_run_show_export_and_list(tmp_path):
    study_file = tmp_path / "tiny.toml"
    study_file.write_text(TINY.format(epochs=10))
    db = str(tmp_path / "cli.sqlite")
    runner = CliRunner()
    result = runner.invoke(
        main, ["run", str(study_file), "--db", db, "--jobs", "1", "--seeds", "2", "--diagnose", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "published vs actinit" in result.output
    assert "tanh / zeros, hidden" in result.output and "(seed 0)" in result.output
    assert "symmetry was never broken" in result.output
    shown = runner.invoke(main, ["show", str(study_file), "--db", db])
    assert shown.exit_code == 0 and "tiny test study" in shown.output
    out = tmp_path / "summary.md"
    exported = runner.invoke(
        main, ["export", str(study_file), "--db", db, "--format", "markdown", "-o", str(out)]
    )
    assert exported.exit_code == 0 and out.read_text().startswith("## tiny test study")
    listed = runner.invoke(main, ["list"])
    assert (
        listed.exit_code == 0 and "kaiming_normal" in listed.output and "parabola" in listed.output
    )
    bad = runner.invoke(main, ["run", "nonexistent-study", "--db", db])
    assert bad.exit_code == 2 and "Built-in studies" in bad.output


def test_cli_reports_bad_study_file_with_line(tmp_path):
    study_file = tmp_path / "bad.toml"
    study_file.write_text(TINY.format(epochs=10).replace('"relu"]', '"relu", "tanhh"]'))
    result = CliRunner().invoke(main, ["run", str(study_file), "--db", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 2 and "line 23" in result.output and "tanhh" in result.output


def test_verdict_allows_the_rounding_of_the_published_figure():
    from actinit.studies.answer.published import compare
    from actinit.studies.answer.rows import ConfigSummary, Spread
    from actinit.studies.plan.study import Published

    config = tiny().configs[0]
    seeds = range(40)
    row = ConfigSummary(
        config,
        40,
        Spread.of([0.5] * 40),
        Spread.of([0.5] * 40),
        Spread.of([0.693147] * 40),
        Spread.of([0.693147] * 40),
        Spread.of([config.epochs + 1] * 40, censored=40),
        0.0,
        0,
        0,
        0,
        1.0,
        by_seed={
            "test_accuracy": dict.fromkeys(seeds, 0.5),
            "test_loss": dict.fromkeys(seeds, 0.693147),
            "epochs_to_target": dict.fromkeys(seeds, config.epochs + 1),
        },
    )
    rounded = compare(Published(0.6931, "test_loss", {}), [row])
    assert rounded.inside and rounded.verdict == "consistent"
    far = compare(Published(0.9, "test_accuracy", {}), [row])
    assert far.inside is False and far.verdict == "not reproduced"
    assert "above every one of 40 seeds" in far.detail
    never = compare(Published(52, "epochs_to_target", {}), [row])
    assert never.verdict == "not reproduced" and "never reached the target" in never.detail


def test_separate_processes_share_one_database(tmp_path):
    db = tmp_path / "shared.sqlite"
    first, second = tmp_path / "first.toml", tmp_path / "second.toml"
    first.write_text(TINY.format(epochs=40).replace("seeds = 2", "seeds = 4"))
    second.write_text(
        TINY.format(epochs=41)
        .replace("seeds = 2", "seeds = 4")
        .replace('name = "tiny"', 'name = "other"')
    )
    command = [sys.executable, "-m", "actinit.cli", "run", "--db", str(db), "--jobs", "1"]
    processes = [
        subprocess.Popen(
            [*command[:4], str(path), *command[4:]],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for path in (first, first, second)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors.decode()
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute("SELECT study, COUNT(*) FROM runs GROUP BY study").fetchall()
    assert dict(rows) == {"tiny": 16, "other": 16}


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    precious = tmp_path / "notes.txt"
    precious.write_text("my results, not a database\n" * 100)
    with pytest.raises(StoreError, match="not an actinit results database"):
        Store(precious)
    assert precious.read_text().startswith("my results, not a database")
    result = subprocess.run(
        [sys.executable, "-m", "actinit.cli", "show", "blobs", "--db", str(precious)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "not an actinit results database" in result.stdout
    with pytest.raises(StoreError, match="is a folder"):
        Store(tmp_path)


def test_a_database_is_read_as_it_is_and_an_unwritable_place_is_one_line(tmp_path):
    """--db in a read-only place gave a raw sqlite3.OperationalError; show and export
    read a database without writing to it."""
    db = tmp_path / "ro.sqlite"
    study_file = tmp_path / "tiny.toml"
    study_file.write_text(TINY.format(epochs=5))
    assert CliRunner().invoke(main, ["run", str(study_file), "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    for command in (["show"], ["export", "--format", "json"], ["rank"]):
        result = CliRunner().invoke(
            main, [command[0], str(study_file), "--db", str(db), *command[1:]]
        )
        assert result.exit_code == 0, result.output
    after = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p.name in before}
    assert after == before  # nothing written
    with Store(db, read_only=True) as store:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.connection.execute("DELETE FROM runs")
    # /proc is read-only even for root: a database cannot be made there
    refused = CliRunner().invoke(main, ["run", str(study_file), "--db", "/proc/results.sqlite"])
    said = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "cannot write the results database" in said
    assert "Traceback" not in refused.output


def test_a_full_disk_is_one_line_and_keeps_what_was_stored(tmp_path, monkeypatch):
    """A full disk printed 144 lines and 5 tracebacks."""
    from actinit.studies.run import store as store_module

    study_file = tmp_path / "tiny.toml"
    study_file.write_text(TINY.format(epochs=3))
    db = tmp_path / "full.sqlite"
    real = store_module.Store._insert
    calls = []

    def filling(self, result):
        calls.append(result["seed"])
        if len(calls) > 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, result)

    monkeypatch.setattr(store_module.Store, "_insert", filling)
    result = CliRunner().invoke(
        main, ["run", str(study_file), "--db", str(db), "--backend", "sequential"]
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "is full: every run finished before is stored" in said
    assert "Traceback" not in result.output
    monkeypatch.setattr(store_module.Store, "_insert", real)
    with Store(db) as store:
        assert store.count() == 2
    again = CliRunner().invoke(
        main, ["run", str(study_file), "--db", str(db), "--backend", "sequential"]
    )
    assert again.exit_code == 0 and "6 runs" in again.output and "2 already stored" in again.output


def test_what_killed_workers_left_in_shared_memory_is_cleaned_and_nothing_else(tmp_path):
    """Every kill -9 left loky semaphores and joblib folders in /dev/shm."""
    from actinit.studies.run.runner import clean_shared_memory

    dead = 2**22 + 12345  # beyond any pid this machine hands out
    live = os.getpid()
    (tmp_path / f"sem.loky-{dead}-abc123").write_text("")
    (tmp_path / f"joblib_memmapping_folder_{dead}_0f1e2d").mkdir()
    (tmp_path / f"sem.loky-{live}-def456").write_text("")
    (tmp_path / "someone-elses-file").write_text("")
    removed = clean_shared_memory(tmp_path)
    assert sorted(removed) == sorted(
        [f"sem.loky-{dead}-abc123", f"joblib_memmapping_folder_{dead}_0f1e2d"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"sem.loky-{live}-def456", "someone-elses-file"]
    )
