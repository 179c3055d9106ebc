"""Rankings, paired comparisons and effects read off a study, on synthetic studies
whose truth is known, and the paired design of real runs."""

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from actinit.cli import main
from actinit.studies import Store, summarize
from actinit.studies.answer.differences import MeanTests
from actinit.studies.answer.effects import effects, interactions
from actinit.studies.answer.ranking import rank
from actinit.studies.answer.selection import SelectionError, parse_where, select
from actinit.studies.run.fitting import dataset_for, model_for
from synthetic_study import store_results, synthetic_study

TRUE_MEANS = {
    ("relu", "he_normal"): 0.90,
    ("relu", "xavier_normal"): 0.895,
    ("tanh", "he_normal"): 0.80,
    ("tanh", "xavier_normal"): 0.70,
}


def noisy(means, noise=0.03, shared=0.05):
    """Accuracy = true mean + a seed effect shared by every configuration (the same
    data draw) + noise of its own."""

    def accuracy(config, seed):
        shared_effect = shared * np.random.default_rng(1000 + seed).normal()
        own = np.random.default_rng([seed, int(config.key[:8], 16)]).normal()
        return means[(config.activation, config.init_label)] + shared_effect + noise * own

    return accuracy


@pytest.fixture
def four(tmp_path):
    study = synthetic_study(seeds=15)
    with Store(tmp_path / "s.sqlite") as store:
        store_results(store, study, noisy(TRUE_MEANS, noise=0.003))
        yield study, store, summarize(study, store)


def test_ranking_marks_the_best_set_and_says_no_winner(four):
    _, _, summary = four
    ranking = rank(summary)
    labels = [entry.label for entry in ranking.entries]
    assert labels[:2] in (
        ["relu/he_normal", "relu/xavier_normal"],
        ["relu/xavier_normal", "relu/he_normal"],
    )
    assert labels[2:] == ["tanh/he_normal", "tanh/xavier_normal"]
    # relu/he and relu/xavier differ by 0.5 points with 0.3 points of own noise: separable
    # at 15 seeds or not, but tanh is 10 and 20 points behind: never in the best set
    assert [entry.in_best_set for entry in ranking.entries][2:] == [False, False]
    for entry in ranking.entries:
        assert entry.estimate.low <= entry.estimate.mean <= entry.estimate.high
    assert ranking.entries[0].vs_best is None


def test_a_clear_winner_is_named(tmp_path):
    study = synthetic_study(seeds=12)
    means = dict(TRUE_MEANS)
    means[("relu", "xavier_normal")] = 0.80
    with Store(tmp_path / "w.sqlite") as store:
        store_results(store, study, noisy(means, noise=0.005))
        ranking = rank(summarize(study, store))
    assert ranking.verdict().startswith("relu/he_normal is best at 12 seeds")
    assert len(ranking.best_set) == 1


def test_no_winner_when_seeds_are_too_few_to_separate(tmp_path):
    study = synthetic_study(seeds=4)
    with Store(tmp_path / "few.sqlite") as store:
        store_results(store, study, noisy(TRUE_MEANS, noise=0.005))
        ranking = rank(summarize(study, store))
    verdict = ranking.verdict()
    assert verdict.startswith("no winner at 4 seeds") and "more seeds may separate" in verdict
    # relu/he and relu/xavier differ by half a point, inside the noise at 4 seeds
    assert {e.label for e in ranking.best_set} >= {"relu/he_normal", "relu/xavier_normal"}


def test_vectorised_t_tests_equal_scipys_paired_t_one_at_a_time(four):
    _, _, summary = four
    best = summary.rows[0].by_seed["test_accuracy"]
    seeds = sorted(best)
    others = [r.by_seed["test_accuracy"] for r in summary.rows[1:]]
    matrix = np.array([[row[s] - best[s] for s in seeds] for row in others])
    single = [stats.ttest_rel([row[s] for s in seeds], [best[s] for s in seeds]) for row in others]
    tests = MeanTests.of(matrix)
    assert tests.p == pytest.approx([t.pvalue for t in single], rel=1e-9)
    low, high = tests.intervals(0.05)
    for k, t in enumerate(single):
        ci = t.confidence_interval(0.95)
        assert (low[k], high[k]) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_where_picks_and_refuses(four):
    _, _, summary = four
    assert parse_where(["relu/he_normal", "hidden=8"]) == {
        "activation": "relu",
        "initializer": "he_normal",
        "hidden": "8",
    }
    assert len(select(summary.rows, parse_where("activation=tanh"))) == 2
    with pytest.raises(SelectionError, match="there are: relu, tanh"):
        select(summary.rows, {"activation": "gelu"})
    with pytest.raises(SelectionError, match="unknown dimension 'colour'"):
        parse_where("colour=red")
    # a value without its dimension is the dimension's that has it
    assert len(select(summary.rows, parse_where("tanh"))) == 2
    assert len(select(summary.rows, parse_where("xavier_normal, relu/"))) == 1
    with pytest.raises(SelectionError, match="ACTIVATION/INITIALIZER"):
        parse_where("relu, tanh")


def test_main_effects_average_the_rest_of_the_grid_seed_by_seed(four):
    _, _, summary = four
    found = {effect.dimension: effect for effect in effects(summary)}
    assert set(found) == {"activation", "initializer"}
    activation = found["activation"]
    assert [level.value for level in activation.levels] == ["relu", "tanh"]
    # relu's mean over initializers, seed by seed, is the mean of its two rows
    relu_rows = [r for r in summary.rows if r.config.activation == "relu"]
    expected = np.mean([r.test_accuracy.mean for r in relu_rows])
    assert activation.levels[0].estimate.mean == pytest.approx(expected)
    assert activation.matters and activation.levels[1].in_best_set is False


def test_interaction_is_said_when_the_best_level_changes(tmp_path):
    """He is best for relu, Xavier for tanh (by 10 points each)."""
    study = synthetic_study(seeds=12)
    means = {
        ("relu", "he_normal"): 0.9,
        ("relu", "xavier_normal"): 0.8,
        ("tanh", "he_normal"): 0.7,
        ("tanh", "xavier_normal"): 0.8,
    }
    with Store(tmp_path / "i.sqlite") as store:
        store_results(store, study, noisy(means, noise=0.005))
        said = [i.sentence for i in interactions(summarize(study, store))]
    assert len(said) == 1 and said[0].startswith("the best initializer depends on activation: ")
    # each level's winner is named where it wins, by about 10 points
    assert "he_normal beats xavier_normal at activation relu (by 0.09" in said[0]
    assert "xavier_normal beats he_normal at activation tanh (by 0.09" in said[0]
    assert "over 1 contrast" in said[0]


def test_interaction_is_said_when_a_dimension_matters_only_at_depth(tmp_path):
    """The initializer matters only from 20 layers on: the interaction contrast says
    the gap is not the same there as shallow (what its test shows, and no more);
    nothing is said of where it does not matter, and the noise at shallow depths is
    not called a change of the best level."""
    study = synthetic_study(
        seeds=10,
        activations=["relu"],
        extra="hidden = [[8], [8, 8, 8, 8, 8], [8] * 20, [8] * 40]".replace(
            "[8] * 20", "[" + ", ".join(["8"] * 20) + "]"
        ).replace("[8] * 40", "[" + ", ".join(["8"] * 40) + "]"),
    )

    def accuracy(config, seed):
        deep = len(config.hidden) >= 20
        gap = 0.3 if deep and config.init_label == "xavier_normal" else 0.0
        return 0.9 - gap + 0.01 * np.random.default_rng([seed, int(config.key[:8], 16)]).normal()

    with Store(tmp_path / "d.sqlite") as store:
        store_results(store, study, accuracy)
        said = [i.sentence for i in interactions(summarize(study, store))]
    assert len(said) == 1, said
    assert said[0].startswith(
        "the gap between initializer he_normal and xavier_normal is not the same at hidden "
        "40x8 and 8"
    ), said
    assert "he_normal - xavier_normal = 0.29" in said[0] and "matters more" not in said[0]


def test_runs_of_one_seed_share_data_and_batch_order():
    """What the paired design rests on: two configurations with the same seed train
    on the same data draw in the same mini-batch order (their weights differ only by
    their initializer); another seed draws other data and another order."""
    study = synthetic_study(seeds=2)
    a, b = study.configs[0], study.configs[3]
    assert (a.activation, a.init_label) != (b.activation, b.init_label)
    for seed in (0, 1):
        data_a, data_b = dataset_for(a, seed), dataset_for(b, seed)
        np.testing.assert_array_equal(data_a.X_train, data_b.X_train)
        np.testing.assert_array_equal(data_a.y_test, data_b.y_test)
        order_a = model_for(a, data_a, seed).shuffle_rng.permutation(100)
        order_b = model_for(b, data_b, seed).shuffle_rng.permutation(100)
        np.testing.assert_array_equal(order_a, order_b)
    assert not np.array_equal(dataset_for(a, 0).X_train, dataset_for(a, 1).X_train)
    other = model_for(a, dataset_for(a, 1), 1).shuffle_rng.permutation(100)
    assert not np.array_equal(
        other, model_for(a, dataset_for(a, 0), 0).shuffle_rng.permutation(100)
    )


def _stored(tmp_path, seeds=12, means=TRUE_MEANS):
    study = synthetic_study(seeds=seeds)
    path = tmp_path / "synthetic.toml"
    from actinit.studies.plan.study_file import write_study

    path.write_text(write_study(study))
    db = tmp_path / "cli.sqlite"
    with Store(db) as store:
        store.save_study(study.name, write_study(study))
        store_results(store, study, noisy(means, noise=0.005))
    return str(path), str(db)


def test_cli_rank_compare_effects(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    study, db = _stored(tmp_path)
    runner = CliRunner()
    ranked = runner.invoke(main, ["rank", study, "--db", db])
    assert ranked.exit_code == 0, ranked.output
    assert (
        "relu/he_normal" in ranked.output
        and "best set" in ranked.output.replace("\n", " ")
        or "best" in ranked.output
    )
    assert (
        max(
            len(line)
            for line in ranked.output.splitlines()
            if not line.startswith(("no winner", "relu/", "tanh/"))
        )
        <= 80
    )
    compared = runner.invoke(
        main, ["compare", study, "--a", "relu/he_normal", "--b", "tanh/xavier_normal", "--db", db]
    )
    assert compared.exit_code == 0, compared.output
    assert "relu/he_normal is better than tanh/xavier_normal" in compared.output
    baseline = runner.invoke(
        main, ["compare", study, "--baseline", "tanh/xavier_normal", "--db", db]
    )
    assert baseline.exit_code == 0 and "Holm" in baseline.output
    assert baseline.output.count("A better") == 3
    found = runner.invoke(main, ["effects", study, "--db", db])
    assert found.exit_code == 0, found.output
    assert "activation matters: relu is best" in found.output
    narrowed = runner.invoke(main, ["rank", study, "--where", "activation=tanh", "--db", db])
    assert "relu" not in narrowed.output.split("ranked by")[1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "{study}", "--a", "relu/he_normal"], "give --a and --b"),
        (
            ["compare", "{study}", "--a", "relu, tanh", "--b", "tanh/he_normal"],
            "ACTIVATION/INITIALIZER",
        ),
        (
            ["compare", "{study}", "--a", "activation=relu", "--b", "tanh/he_normal"],
            "--a matches 2 configurations",
        ),
        (["rank", "{study}", "--metric", "speed"], "unknown metric 'speed'"),
        (
            ["rank", "{study}", "--where", "activation=gelu"],
            "no configuration has activation = 'gelu'",
        ),
        (["effects", "{study}", "--where", "relu/he_normal"], "nothing varies"),
    ],
)
def test_cli_answers_refuse_bad_choices_in_one_line(tmp_path, args, message):
    study, db = _stored(tmp_path, seeds=3)
    result = CliRunner().invoke(main, [a.format(study=study) for a in args] + ["--db", db])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output
