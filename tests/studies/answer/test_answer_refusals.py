"""Silent answers made loud (issue 39, item 5): each case an adversary found accepted
and never right is refused in one line before any work, or answered correctly."""

import pytest
from click.testing import CliRunner

from actinit.cli import main
from actinit.engine.registry import SpecError, parse_spec
from actinit.studies import Store, write_study
from actinit.studies.answer.selection import SelectionError, parse_where, select
from actinit.studies.plan.datasets import DataError, load
from synthetic_study import store_results, synthetic_study


def stored(tmp_path, study=None, accuracy=lambda config, seed: 0.8 + 0.01 * seed):
    study = study or synthetic_study(seeds=3)
    path = tmp_path / f"{study.name}.toml"
    path.write_text(write_study(study))
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.save_study(study.name, write_study(study))
        store_results(store, study, accuracy)
    return str(path), str(db)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200"})


def test_a_dimension_named_twice_in_where_is_refused():
    with pytest.raises(SelectionError, match="names activation twice"):
        parse_where(["activation=relu", "activation=tanh"])
    assert parse_where(["activation=relu", "activation=relu"]) == {"activation": "relu"}


def test_hidden_3_is_one_layer_of_3_units_where_there_is_one_and_depth_3_is_3_layers(tmp_path):
    study = synthetic_study(seeds=1, extra="hidden = [[3], [8, 8, 8]]")
    with Store(tmp_path / "h.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.8)
        from actinit.studies import summarize

        rows = summarize(study, store).rows
    one_layer = select(rows, parse_where("hidden=3"))
    assert {r.config.hidden for r in one_layer} == {(3,)}
    three_layers = select(rows, parse_where("depth=3"))
    assert {r.config.hidden for r in three_layers} == {(8, 8, 8)}
    only_deep = synthetic_study(seeds=1, extra="hidden = [[8], [8, 8, 8]]")
    with Store(tmp_path / "d.sqlite") as store:
        store_results(store, only_deep, lambda config, seed: 0.8)
        rows = summarize(only_deep, store).rows
    assert {r.config.hidden for r in select(rows, parse_where("hidden=3"))} == {(8, 8, 8)}


def test_a_parameter_given_twice_in_a_spec_is_refused():
    with pytest.raises(SpecError, match="gives alpha more than once"):
        parse_spec("elu(alpha=1, alpha=2)")


def test_an_empty_claim_and_crossed_seed_counts_are_refused():
    refused = run("calibrate", "--claim", "")
    assert refused.exit_code != 0 and "unknown claim ''" in refused.output
    crossed = run("reproduce", "blobs", "--seeds", "4", "--max-seeds", "2")
    assert crossed.exit_code != 0 and "--max-seeds 2 is below --seeds 4" in crossed.output


def test_a_seed_count_beyond_any_study_is_refused(tmp_path):
    study, db = stored(tmp_path)
    for command in ("show", "rank"):
        result = run(command, study, "--db", db, "--first-seeds", "9223372036854775807")
        assert result.exit_code != 0 and "-18 runs" not in result.output
        assert "10000" in result.output.replace(",", "")


def test_export_of_a_study_with_no_runs_says_so(tmp_path):
    study, db = stored(tmp_path)
    other = synthetic_study(name="other", seeds=2, activations=["elu"])
    path = tmp_path / "other.toml"
    path.write_text(write_study(other))
    result = run("export", path, "--db", db)
    assert result.exit_code != 0 and "no results for" in result.output


def test_an_accuracy_outside_0_to_1_in_the_database_is_refused(tmp_path):
    study, db = stored(tmp_path)
    with Store(db) as store:
        store.connection.execute("UPDATE runs SET test_accuracy = 7.5 WHERE seed = 1")
        store.connection.commit()
    result = run("show", study, "--db", db)
    assert result.exit_code != 0 and "test accuracy is 7.5" in result.output
    assert "187.7" not in result.output


@pytest.mark.parametrize("cell", ["", "nan", "NaN"])
def test_an_empty_or_nan_label_is_not_a_class(tmp_path, cell):
    path = tmp_path / "d.csv"
    rows = ["x,label"] + [f"{i},{i % 2}" for i in range(8)] + [f"9,{cell}"]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError, match="line 10: the label is"):
        load("csv", path=str(path))


def test_two_configurations_the_tables_name_alike_are_said_so(tmp_path):
    text = write_study(synthetic_study(seeds=2, activations=["relu"])).replace(
        'initializers = ["he_normal", "xavier_normal"]',
        'initializers = [{ label = "mine", weights = "he_normal" }, '
        '{ label = "mine", weights = "xavier_normal" }]',
    )
    from actinit.studies import parse_study

    twins = parse_study(text, source="twins.toml")
    assert len(twins.configs) == 2
    path, db = stored(tmp_path, twins)
    result = run("compare", path, "--a", "relu/mine", "--b", "relu/mine", "--db", db)
    assert result.exit_code != 0 and "name alike" in result.output
    assert not result.output.rstrip().endswith("add")


def test_effects_of_an_all_diverged_loss_name_no_best(tmp_path):
    study, db = stored(tmp_path)
    with Store(db) as store:
        store.connection.execute("UPDATE runs SET status = 'diverged', test_loss = NULL")
        store.connection.commit()
    result = run("effects", study, "--db", db, "--metric", "test_loss")
    assert result.exit_code != 0 and "every run of these configurations diverged" in result.output


def test_a_heatmap_of_epochs_to_target_without_a_target_is_refused(tmp_path):
    study = synthetic_study(seeds=2)
    text = write_study(study).replace("target_accuracy = 0.9", "")
    from actinit.studies import parse_study

    untargeted = parse_study(text, source="u.toml")
    assert untargeted.target_accuracy is None
    path, db = stored(tmp_path, untargeted)
    output = tmp_path / "h.png"
    result = run(
        "plot", path, "--kind", "heatmap", "--metric", "epochs_to_target", "--db", db, "-o", output
    )
    assert result.exit_code != 0 and "no target accuracy" in result.output
    assert not output.exists()


def test_an_empty_database_is_said_to_be_empty(tmp_path):
    """A 0-byte --db gave a traceback (`no such table: runs`)."""
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    result = run("show", "moons", "--db", empty)
    assert result.exit_code != 0 and "holds no results" in result.output
    assert "Traceback" not in result.output and empty.stat().st_size == 0


@pytest.mark.parametrize(
    "output, loss, words",
    [
        ("tanh", "binary_crossentropy", "a tanh output cannot be one"),
        ("relu", "binary_crossentropy", "a relu output cannot be one"),
        ("linear", "binary_crossentropy", "a linear output cannot be one"),
        ("softmax", "binary_crossentropy", "one softmax unit is always 1"),
        ("sigmoid", "categorical_crossentropy", "a sigmoid output cannot be one"),
    ],
)
def test_an_output_its_loss_cannot_read_is_refused(output, loss, words):
    from actinit.studies import parse_study
    from actinit.studies.plan.settings import StudyError

    text = write_study(synthetic_study(seeds=1)).replace(
        "hidden = [8]", f'hidden = [8]\noutput_activation = "{output}"\nloss = "{loss}"'
    )
    with pytest.raises(StudyError, match=words):
        parse_study(text, source="o.toml")


def test_a_figure_or_conclusion_naming_no_configuration_is_refused():
    from actinit.studies import parse_study
    from actinit.studies.plan.settings import StudyError

    base = write_study(synthetic_study(seeds=1))
    figure = base + '\n[[published]]\nactivation = "gelu"\ninitializer = "he_normal"\nvalue = 0.9\n'
    with pytest.raises(StudyError, match="names no configuration of the grid"):
        parse_study(figure, source="f.toml")
    claim = base + (
        '\n[[conclusion]]\ntext = "x"\na = { activation = "relu", initializer = "he_normal" }\n'
        'b = { activation = "relu", initializer = "orthogonal" }\n'
    )
    with pytest.raises(StudyError, match="initializer: he_normal, xavier_normal"):
        parse_study(claim, source="c.toml")


def test_theory_of_an_output_activation_is_refused():
    result = run("theory", "softmax")
    assert result.exit_code != 0 and "normalises over a layer's units" in result.output


def test_workers_are_bounded_by_the_cores_and_the_runs_and_said_so():
    """`-j 256` on 4 tiny runs started some 250 processes (load 38)."""
    import os

    from actinit.studies.run.runner import local_jobs

    cores = os.cpu_count() or 1
    jobs, note = local_jobs(256, 4)
    assert jobs == min(4, cores) and "-j 256" in note
    assert local_jobs(None, 100) == (min(cores, 100), "")
    if cores >= 2:
        assert local_jobs(2, 1) == (1, "-j 2: 1 workers, as 1 run is waiting")
    assert local_jobs(8, 3, "dask") == (8, "")


def test_tracebacks_of_the_adversary_are_one_line_refusals(tmp_path):
    """A parameter that overflows (leaky_relu(1e308) in theory and plot), a seed past
    what the store and the generators take, one training sample."""
    for args in (
        ["theory", "leaky_relu(1e308)"],
        ["plot", "activations", "leaky_relu(1e308)", "-o", tmp_path / "a.png"],
        ["calibrate", "--seed", str(2**70), "--claim", "compare", "--sims", "20"],
    ):
        result = run(*args)
        assert result.exit_code != 0 and not isinstance(result.exception, OverflowError), args
        assert "Traceback" not in result.output
    assert "beyond any setting" in run("theory", "leaky_relu(1e308)").output
    from actinit.studies.plan.datasets import check_description

    with pytest.raises(DataError, match="single sample"):
        check_description({"name": "moons", "n_train": 1})


def test_a_study_file_cannot_take_a_built_in_name_or_another_file_s(tmp_path):
    """A file whose study was named like a built-in stored its runs while show and rank
    read the built-in (now kept apart and said: read it by its file); a second file of
    one name silently replaced the first's kept definition (now refused in one line);
    the same file, edited, runs again."""
    text = write_study(synthetic_study(seeds=1)).replace("epochs = 50", "epochs = 2")
    db = tmp_path / "r.sqlite"
    builtin = tmp_path / "mine.toml"
    builtin.write_text(text.replace('name = "synthetic"', 'name = "moons"'))
    result = run("run", builtin, "--db", db, "-j", "1")
    assert result.exit_code == 0 and "as a built-in study is named" in result.output
    with Store(db) as store:  # kept apart: not kept under the built-in's name
        assert store.study_document("moons") is None
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "s.toml").write_text(text)
    (second / "s.toml").write_text(text.replace("epochs = 2", "epochs = 3"))
    assert run("run", first / "s.toml", "--db", db, "-j", "1").exit_code == 0
    clash = run("run", second / "s.toml", "--db", db, "-j", "1")
    assert clash.exit_code != 0 and "already keeps another study named 'synthetic'" in clash.output
    (first / "s.toml").write_text(text.replace("epochs = 2", "epochs = 3"))  # edited
    assert run("run", first / "s.toml", "--db", db, "-j", "1").exit_code == 0


@pytest.mark.parametrize(
    "address, words",
    [
        ("tls://x:1", "connects to tcp:// or ws:// schedulers"),
        ("ucx://x:1", "connects to tcp:// or ws:// schedulers"),
        ("wss://x:1", "connects to tcp:// or ws:// schedulers"),
        ("inproc://x", "reached from that process only"),
        ("inproc://h/1/1", "reached from that process only"),
    ],
)
def test_a_scheduler_scheme_actinit_cannot_use_is_one_line(tmp_path, address, words):
    """tls://, inproc:// and ucx:// addresses ended in TypeError or ValueError tracebacks."""
    result = run("run", "moons", "--db", tmp_path / "r.sqlite", "--scheduler", address)
    assert result.exit_code != 0 and words in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_scheduler_with_no_workers_is_said_so(monkeypatch):
    """Runs sent to a scheduler without workers waited for ever."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from actinit.studies.run import runner
    from actinit.studies.run.runner import PlanError

    monkeypatch.setattr(runner, "SCHEDULER_TIMEOUT", 1)
    with LocalCluster(
        n_workers=0, processes=False, protocol="tcp://", dashboard_address=None
    ) as cluster:
        with pytest.raises(PlanError, match="has no workers"):
            runner._dask_client(Client, cluster.scheduler_address)


def test_a_tampered_status_or_history_is_a_one_line_refusal(tmp_path):
    """A status none of ok/diverged/failed was counted as learned; a history that is not
    what actinit packs ended in a zlib traceback (or IndexError when truncated)."""
    from actinit.studies.run.store import StoreError

    study, db = stored(tmp_path)
    with Store(db) as store:
        store.connection.execute("UPDATE runs SET status = 'weird' WHERE seed = 1")
        store.connection.commit()
    result = run("show", study, "--db", db)
    assert result.exit_code != 0 and "status is none of ok, diverged, failed" in result.output
    with Store(db) as store:
        key, good = store.connection.execute(
            "SELECT config_key, history FROM runs WHERE seed = 1 LIMIT 1"
        ).fetchone()
        assert good
        for blob in (b"\x01\x02", good[: len(good) // 2]):
            store.connection.execute("UPDATE runs SET history = ? WHERE seed = 1", (blob,))
            with pytest.raises(StoreError, match="a stored history or recording cannot be read"):
                list(store.histories([key]))


def test_export_and_report_say_when_seeds_come_from_another_study(tmp_path):
    """export and report counted seeds other studies ran of the same configurations
    without a word, and had no --seeds."""
    _, db = stored(tmp_path, synthetic_study(name="bigger", seeds=5))
    own = tmp_path / "small.toml"
    own.write_text(write_study(synthetic_study(name="small", seeds=3)))
    result = CliRunner().invoke(main, ["export", str(own), "--db", db])
    assert result.exit_code == 0 and "more seeds than the study's 3 (up to 5)" in result.stderr
    header, first = (line.split(",") for line in result.stdout.splitlines()[:2])
    assert first[header.index("seeds")] == "5"
    narrowed = CliRunner().invoke(main, ["export", str(own), "--db", db, "--first-seeds", "3"])
    assert narrowed.exit_code == 0 and not narrowed.stderr
    page = tmp_path / "r.html"
    assert run("report", own, "--db", db, "--recorded", "0", "-o", page).exit_code == 0
    assert "more seeds than the study&#x27;s 3" in page.read_text()
    assert (
        run(
            "report", own, "--db", db, "--recorded", "0", "--first-seeds", "3", "-o", page
        ).exit_code
        == 0
    )
    assert "more seeds than the study" not in page.read_text()


def test_the_commands_say_runs_of_an_edited_data_file_are_of_other_data(tmp_path):
    """Editing a CSV made new runs; the old ones stayed stored without a word."""
    data = tmp_path / "mut.csv"
    rows = ["x1,x2,label"] + [f"{i % 7 - 3},{i % 5 - 2},{'AB'[i % 2]}" for i in range(40)]
    data.write_text("\n".join(rows) + "\n")
    text = write_study(synthetic_study(seeds=1)).replace("epochs = 50", "epochs = 2")
    text = text.replace('name = "moons"\nvary_with_seed = true', f'name = "csv"\npath = "{data}"')
    study, db = tmp_path / "s.toml", tmp_path / "r.sqlite"
    study.write_text(text)
    assert run("run", study, "--db", db, "-j", "1").exit_code == 0
    data.write_text("\n".join(rows[:-1] + ["1,1,A"]) + "\n")  # one label edited
    again = run("run", study, "--db", db, "-j", "1")
    assert "4 runs in" in again.output and "4 stored runs of synthetic read earlier" in again.output
    for command in ("show", "rank", "compare --baseline relu/he_normal", "effects"):
        said = run(*command.split(), study, "--db", db).output
        assert "read earlier contents of" in said and "not counted here" in said, command
    exported = CliRunner().invoke(main, ["export", str(study), "--db", str(db)])
    assert "read earlier contents of" in exported.stderr


def test_a_long_calibration_says_how_long_before_it_starts(monkeypatch):
    """calibrate --sims 10^20 ran with no bound; now --sims stops at 1,000,000 and a run
    above the default says first how long it will take (from a timed pilot)."""
    from actinit.studies.answer import calibration

    assert run("calibrate", "--sims", str(10**20)).exit_code != 0
    seconds = calibration.estimate_seconds(100_000, claims=["compare-40"], with_coverage=False)
    assert 0 < seconds < 10**5
    monkeypatch.setattr(calibration, "calibrate", lambda *args, **kwargs: [])
    said = run("calibrate", "--sims", "100000", "--claim", "compare-40").output
    assert "--sims 100,000: about" in said and "on this machine" in said


def test_a_full_disk_at_open_is_said_so_not_called_another_kind_of_file(tmp_path, monkeypatch):
    """The first full-disk message said the database "is not an actinit results
    database"."""
    import sqlite3

    from actinit.studies.run.store import StoreError

    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "_open", full)
    with pytest.raises(StoreError, match="no space left on the disk") as refused:
        Store(tmp_path / "r.sqlite")
    assert "not an actinit results database" not in str(refused.value)


def test_reproduce_markdown_prints_the_tables_alone_and_replays_are_no_stale_runs(tmp_path):
    """docs/studies.md carried "0 runs in 0.0s, 656 already stored" lines inside its
    tables (the run report went to standard output); a study's replays were said to be
    runs of configurations its file no longer describes."""
    db = tmp_path / "r.sqlite"
    result = CliRunner().invoke(
        main, ["reproduce", "circles", "--seeds", "1", "--markdown", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("| study | figure |") and "runs in" not in result.stdout
    assert "runs in" in result.stderr and "no longer describes" not in result.stderr
    verbose = run("reproduce", "circles", "--seeds", "1", "--verbose", "--db", db).output
    assert "source: MoinDalvs" in verbose and "github.com/MoinDalvs" in verbose


def test_rank_on_epochs_to_a_target_no_run_reached_names_no_best(tmp_path):
    """Every configuration was "never", and rank still named a best and asked for
    more seeds."""
    study, db = stored(tmp_path, accuracy=lambda config, seed: 0.5)
    result = run("rank", study, "--db", db, "--metric", "epochs_to_target")
    assert result.exit_code != 0
    assert "no run of these configurations reached the target accuracy (90%)" in result.output
    assert "best" not in result.output.lower() and "seeds would" not in result.output
