"""Settings that used to give a silently wrong answer are refused before any work, in
the user's terms; each test here would have caught its case."""

import numpy as np
import pytest
from click.testing import CliRunner

import actinit.studies.run.runner as runner
from actinit.cli import main
from actinit.studies import Store, parse_study, summarize, write_study
from actinit.studies.answer.ranking import rank
from actinit.studies.answer.selection import SelectionError
from actinit.studies.plan.settings import StudyError
from repository import ROOT
from synthetic_study import store_results, synthetic_study

PRUNED = """
name = "pruned"
seeds = 1

[data]
name = "moons"

[model]
hidden = [8]

[training]
epochs = 3

[pruning]
method = "magnitude"
{pruning}

[grid]
activations = ["relu"]
initializers = ["he_normal"]
{grid}
"""


def pruned(pruning="", grid=""):
    return parse_study(PRUNED.format(pruning=pruning, grid=grid), source="pruned.toml")


def test_a_rewind_past_the_epochs_trained_is_refused():
    """It used to rewind silently to init and store the run as epoch:999."""
    with pytest.raises(StudyError, match="rewind epoch:999 is past the 3 epochs trained"):
        pruned('rewind = "epoch:999"')
    assert pruned('rewind = "epoch:3"').configs[0].rewind == "epoch:3"


def test_a_schedule_is_rounds_or_per_round_and_a_value_is_listed_once():
    with pytest.raises(StudyError, match="not both"):
        pruned("rounds = 3\nper_round = 0.2")
    with pytest.raises(StudyError, match="per_round.*must be above 0"):
        pruned("per_round = 0.0")
    with pytest.raises(StudyError, match="lists 0.5 twice"):
        pruned(grid="prune_amounts = [0.5, 0.5]")
    with pytest.raises(StudyError, match="lists 'relu' twice"):
        parse_study(
            PRUNED.format(pruning="", grid="").replace('["relu"]', '["relu", "relu"]'),
            source="twice.toml",
        )


def test_a_precision_that_is_not_a_number_is_refused():
    result = CliRunner().invoke(
        main, ["run", "blobs", "--max-seeds", "4", "--precision", "nan", "--db", "x.sqlite"]
    )
    assert result.exit_code == 2 and "nan is not a finite number" in result.output


def test_a_scheduler_is_checked_before_work_and_means_dask(tmp_path, monkeypatch):
    db = str(tmp_path / "s.sqlite")
    malformed = CliRunner().invoke(main, ["run", "blobs", "--scheduler", "http://[::", "--db", db])
    assert malformed.exit_code == 2
    assert "is not an address" in malformed.output and "dask scheduler" in malformed.output
    assert not (tmp_path / "s.sqlite").exists()
    wrong = CliRunner().invoke(main, ["run", "blobs", "--scheduler", "127.0.0.1", "--db", db])
    assert "write tcp://HOST:PORT" in wrong.output
    # without --backend dask the scheduler is used (it used to be ignored): here it cannot
    # be reached, and that is said in one line
    monkeypatch.setattr(runner, "SCHEDULER_TIMEOUT", 1)
    unreachable = CliRunner().invoke(
        main, ["run", "blobs", "--seeds", "1", "--scheduler", "tcp://127.0.0.1:1", "--db", db]
    )
    assert unreachable.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in unreachable.output
    assert "Traceback" not in unreachable.output
    with Store(db) as store:
        assert store.count() == 0


def test_nothing_to_rank_when_every_run_diverged(tmp_path):
    study = synthetic_study(seeds=3)
    with Store(tmp_path / "d.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.5)
        store.connection.execute(
            "UPDATE runs SET status = 'diverged', test_accuracy = NULL, test_loss = NULL"
        )
        store.connection.commit()
        ranking = rank(summarize(study, store))
    assert ranking.entries == [] and ranking.best is None
    assert ranking.verdict().startswith("nothing to rank: every run of these configurations")


@pytest.mark.parametrize(
    "command",
    [
        ["rank", "synthetic"],
        ["effects", "synthetic"],
        ["compare", "synthetic", "--a", "relu/he_normal", "--b", "tanh/he_normal"],
    ],
)
def test_epochs_to_target_without_a_target_is_one_refusal_everywhere(tmp_path, command):
    text = write_study(synthetic_study(seeds=3)).replace("target_accuracy = 0.9", "")
    study = parse_study(text, source="no-target.toml")
    assert study.target_accuracy is None
    db = tmp_path / "t.sqlite"
    with Store(db) as store:
        store_results(store, study, lambda config, seed: 0.8)
        store.save_study(study.name, write_study(study))
    result = CliRunner().invoke(main, [*command, "--metric", "epochs", "--db", str(db)])
    assert result.exit_code == 2
    assert "no epochs to target: set [summary] target_accuracy" in result.output
    with pytest.raises(SelectionError, match=r"\[summary\] target_accuracy"):
        from actinit.studies.answer.adaptive import run_adaptive

        run_adaptive(study, None, 6, metric="epochs_to_target")


def test_baseline_and_a_pair_are_not_mixed(tmp_path):
    result = CliRunner().invoke(
        main, ["compare", "blobs", "--baseline", "relu/he", "--a", "relu/he", "--b", "tanh/he"]
    )
    assert result.exit_code == 2 and "give one or the other" in result.output


def test_a_configuration_is_named_by_its_varying_dimension_alone(tmp_path):
    """`compare mnist --a he_normal --b glorot_normal` failed although only
    initializers vary."""
    study = synthetic_study(seeds=6, activations=["relu"])
    db = tmp_path / "i.sqlite"
    with Store(db) as store:
        store_results(store, study, lambda config, seed: 0.8 + 0.01 * (seed % 3))
        store.save_study(study.name, write_study(study))
    result = CliRunner().invoke(
        main,
        ["compare", "synthetic", "--a", "he_normal", "--b", "xavier_normal", "--db", str(db)],
        env={"COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.output
    assert "identical on every seed" in result.output
    unknown = CliRunner().invoke(
        main, ["compare", "synthetic", "--a", "glorot", "--b", "he_normal", "--db", str(db)]
    )
    assert "no configuration has 'glorot' in any dimension" in unknown.output


@pytest.fixture
def saved_model(tmp_path):
    from sklearn.datasets import make_moons

    import actinit as ai

    X, y = make_moons(200, random_state=0)
    model = ai.Sequential(
        [ai.Dense(16, activation="relu"), ai.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        seed=0,
    )
    model.fit(X, y, epochs=2)
    return model.save(tmp_path / "model.npz")


def test_a_crash_while_saving_over_the_input_keeps_the_original(saved_model, monkeypatch):
    import actinit.engine.saving as saving

    original = saved_model.read_bytes()
    model = saving.load(saved_model)

    def broken(file, **arrays):
        file.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saving.np, "savez", broken)
    with pytest.raises(OSError):
        model.save(saved_model)
    assert saved_model.read_bytes() == original
    assert [p.name for p in saved_model.parent.iterdir()] == [saved_model.name]


def test_prune_refuses_an_unwritable_target_before_any_work(saved_model, tmp_path):
    result = CliRunner().invoke(
        main, ["prune", str(saved_model), "--amount", "0.5", "-o", "/proc/pruned.npz"]
    )
    assert result.exit_code == 2 and "cannot write /proc/pruned.npz" in result.output
    assert "non-zero weights" not in result.output  # no table: nothing was pruned
    same = CliRunner().invoke(
        main, ["prune", str(saved_model), "--amount", "0.5", "-o", str(saved_model)]
    )
    assert same.exit_code == 0, same.output
    assert [p.name for p in tmp_path.iterdir()] == [saved_model.name]


def test_inference_times_are_warm_repeated_and_interleaved(monkeypatch):
    import actinit.studies.run.pruning as pruning

    order = []
    monkeypatch.setattr(pruning, "_infer", lambda model, inputs: order.append(model))
    times = pruning.inference_times(["dense", "pruned"], np.zeros((10, 2)), repeats=3)
    assert order == ["dense", "pruned"] * 4  # one warm-up each, then 3 rounds in turn
    assert len(times) == 2 and all(t >= 0 for t in times)


def test_gated_and_maxout_layers_have_a_gain_so_orthogonal_auto_works_everywhere():
    """orthogonal(gain=auto) passed the study's checks, then failed every run in a
    gated or maxout layer: each now states its gain, 1 / sqrt(E f^2) of its unit,
    checked here by Monte Carlo."""
    from actinit.engine import GatedLinear, Maxout, Sequential

    z = np.random.default_rng(0).standard_normal((400_000, 4))
    for pieces in (2, 3, 4):
        expected = 1 / np.sqrt(np.mean(z[:, :pieces].max(axis=1) ** 2))
        assert Maxout(4, pieces=pieces).gain == pytest.approx(expected, rel=0.01)
    swish = z[:, 0] / (1 + np.exp(-z[:, 0]))
    assert GatedLinear(4, gate="swiglu").gain == pytest.approx(
        1 / np.sqrt(np.mean((swish * z[:, 1]) ** 2)), rel=0.01
    )
    assert GatedLinear(4, gate="bilinear").gain == pytest.approx(1.0)
    model = Sequential(
        [
            GatedLinear(16, gate="swiglu", init="orthogonal(gain=auto)"),
            Maxout(8, pieces=3, init="orthogonal(gain=auto)"),
        ],
        seed=0,
    ).build(32)
    for layer in model.layers:
        W = layer.W
        gram = W @ W.T if W.shape[0] < W.shape[1] else W.T @ W
        assert np.allclose(gram, layer.gain**2 * np.eye(len(gram)), atol=1e-5)


GATED = """
name = "gated"
seeds = 1

[data]
name = "moons"

[model]
hidden = [8]
output_activation = "{output}"

[training]
epochs = 2

[grid]
activations = {activations}
initializers = {initializers}
"""


def gated(
    activations='["swiglu", "maxout(3)"]',
    initializers='["orthogonal(gain=auto)"]',
    output="sigmoid",
):
    text = GATED.format(activations=activations, initializers=initializers, output=output)
    return parse_study(text, source="gated.toml")


def test_orthogonal_auto_trains_in_gated_and_maxout_studies_and_critical_is_refused(tmp_path):
    from actinit.studies import run_study
    from actinit.studies.run.preflight import PlanError

    study = gated()
    with Store(tmp_path / "g.sqlite") as store:
        report = run_study(study, store, backend="sequential")
    assert report.ran == 2 and report.failed == 0
    critical = gated(initializers='["critical"]')
    with Store(tmp_path / "c.sqlite") as store, pytest.raises(PlanError) as refused:
        run_study(critical, store, backend="sequential")
    assert "edge of chaos of an elementwise activation" in str(refused.value)
    assert "critical(activation='tanh')" in str(refused.value)


def test_a_playground_page_hears_an_impossible_layer_in_its_own_terms():
    from actinit.playground.settings import SettingsError, parse_settings

    with pytest.raises(SettingsError) as refused:
        parse_settings({"activation": "swiglu", "init": "critical"})
    assert "init" in refused.value.fields and "Dense" not in str(refused.value)
    assert parse_settings({"activation": "swiglu", "init": "orthogonal(gain=auto)"})


def test_a_dense_layer_of_a_gated_unit_names_the_layer_to_use():
    import actinit as ai

    with pytest.raises(ValueError, match=r"GatedLinear\(8, gate='swiglu'\)"):
        ai.Dense(8, activation="swiglu")
    with pytest.raises(ValueError, match=r"Maxout\(8, pieces=2\)"):
        ai.Dense(8, activation="maxout")


def test_a_classification_set_with_a_regression_output_is_refused(tmp_path):
    from actinit.studies import run_study
    from actinit.studies.run.preflight import PlanError

    for output in ("snake", "rational"):
        with Store(tmp_path / f"{output}.sqlite") as store, pytest.raises(PlanError) as refused:
            run_study(gated(activations='["relu"]', output=output), store, backend="sequential")
        assert "makes every run a regression on the class numbers" in str(refused.value)


def test_the_database_s_side_files_are_ignored_by_git():

    ignored = (ROOT / ".gitignore").read_text().split()
    assert {"*.sqlite", "*.sqlite-wal", "*.sqlite-shm"} <= set(ignored)


def test_seeds_another_study_stored_are_said(tmp_path):
    """A study of 1 seed showed 3 in show, rank and effects, silently, when another
    study had stored the same configurations."""
    db = tmp_path / "shared.sqlite"
    three = synthetic_study(seeds=3)
    one = parse_study(write_study(three).replace("seeds = 3", "seeds = 1"), source="one.toml")
    with Store(db) as store:
        store_results(store, three, lambda config, seed: 0.8 + 0.01 * seed)
        store.save_study(one.name, write_study(one))
    for command in (["show", "synthetic"], ["rank", "synthetic"], ["effects", "synthetic"]):
        result = CliRunner().invoke(main, [*command, "--db", str(db)], env={"COLUMNS": "200"})
        said = " ".join(result.output.split())
        assert "have more seeds than the study's 1 (up to 3)" in said, result.output
        assert "--first-seeds 1 reads the study's own" in said
        own = CliRunner().invoke(
            main, [*command, "--first-seeds", "1", "--db", str(db)], env={"COLUMNS": "200"}
        )
        assert "more seeds than" not in own.output


def test_the_playground_sees_a_network_that_died_while_training():
    """ReLU 6 x 8, N(0, 1) weights, lr 1: after a step every gradient is exactly 0 and
    the test accuracy is at chance; the page used to hear only "dead units" and "the
    loss fell from 1.048 to 0.6932", which reads as learning."""
    from actinit.playground.session import Session
    from actinit.playground.settings import parse_settings

    settings = parse_settings(
        {
            "dataset": "moons",
            "hidden": "8,8,8,8,8,8",
            "activation": "relu",
            "init": "random_normal(std=1)",
            "learning_rate": 1,
            "optimizer": "sgd",
        }
    )
    session = Session(settings)
    for _ in range(6):
        session.train(1)
    found = {f["kind"]: f for f in session.update_message()["diagnosis"]}
    assert found["vanishing_gradients"]["severity"] == "critical"
    assert found["vanishing_gradients"]["message"].startswith("every gradient is exactly 0")
    assert "did not learn" in found["not_learned"]["message"]
    assert "learning" not in found
