"""The summary read as columns agrees, figure for figure, with the record-by-record
definition it replaced (tests/reference_summary.py), on stored studies with failed
and diverged runs, targets reached and missed, regression, uneven seeds and replays."""

import math

import numpy as np
import pytest

from actinit.studies import Store, load_study, summarize
from actinit.studies.plan.metrics import METRICS
from reference_summary import reference_summary
from synthetic_study import store_results, synthetic_study

SPREAD = ("mean", "std", "min", "max", "n", "low", "high", "censored")


def same(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, float) and (math.isinf(a) or math.isnan(a)):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == pytest.approx(b, rel=1e-12, abs=1e-12)


def assert_same(new, old):
    assert [r.config.key for r in new.rows] == [r.config.key for r in old.rows]
    for ours, theirs in zip(new.rows, old.rows):
        for metric in METRICS:
            for stat in SPREAD:
                a, b = getattr(ours.metric(metric), stat), getattr(theirs.metric(metric), stat)
                assert same(a, b), (ours.config.label, metric, stat, a, b)
            assert dict(ours.by_seed[metric]) == theirs.by_seed[metric], (metric,)
        for name in (
            "seeds",
            "learned_share",
            "learned_low",
            "learned_high",
            "reached_target",
            "diverged",
            "failed",
            "stored_seeds",
            "failed_seeds",
        ):
            assert same(getattr(ours, name), getattr(theirs, name)) or getattr(
                ours, name
            ) == getattr(theirs, name), name
        assert ours.seconds == pytest.approx(theirs.seconds)
        if theirs.learned_accuracy is not None:
            for stat in SPREAD:
                a, b = getattr(ours.learned_accuracy, stat), getattr(theirs.learned_accuracy, stat)
                assert same(a, b), (ours.config.label, "learned_accuracy", stat, a, b)
    assert new.missing_runs == old.missing_runs
    assert [(f.config.key, f.seed, f.reason) for f in new.failures] == [
        (f.config.key, f.seed, f.reason) for f in old.failures
    ]
    assert len(new.runs) == len(old.runs)


def test_columns_agree_with_the_record_by_record_summary(tmp_path):
    study = synthetic_study(seeds=7, activations=["relu", "tanh", "elu"])

    def accuracy(config, seed):
        own = np.random.default_rng([seed, int(config.key[:8], 16)]).normal()
        return 0.85 + 0.05 * own if config.activation != "elu" else 0.5  # elu: at chance

    with Store(tmp_path / "c.sqlite") as store:
        store_results(store, study, accuracy)
        keys = [c.key for c in study.configs]
        # a failed run, a diverged one, a missing one, one equal accuracy
        store.connection.execute(
            "UPDATE runs SET status = 'failed', error = 'boom\nmore' WHERE config_key = ? AND seed = 1",
            (keys[0],),
        )
        store.connection.execute(
            "UPDATE runs SET status = 'diverged', test_loss = NULL, test_accuracy = NULL "
            "WHERE config_key = ? AND seed = 2",
            (keys[1],),
        )
        store.connection.execute("DELETE FROM runs WHERE config_key = ? AND seed = 6", (keys[2],))
        store.connection.execute(
            "UPDATE runs SET test_accuracy = 0.8 WHERE config_key = ?", (keys[3],)
        )
        store.connection.commit()
        for seeds in (None, 4):
            assert_same(summarize(study, store, seeds), reference_summary(study, store, seeds))


def test_columns_agree_on_a_real_study_with_replays(tmp_path):
    from actinit.studies import run_study

    study = load_study("circles", {"epochs": 30})
    with Store(tmp_path / "r.sqlite") as store:
        run_study(study, store, seeds=2, backend="sequential")
        new, old = summarize(study, store), reference_summary(study, store)
        assert_same(new, old)
        assert {r["config_key"] for r in new.runs} == {r["config_key"] for r in old.runs}
        frame = new.to_frame()
        assert len(frame) == len(old.runs) and frame["replay"].any()


def test_varying_dimensions_read_from_fields_agree_with_reading_every_label(tmp_path):
    """`varying` compares each dimension's fields before its label; it names the same
    dimensions as comparing every configuration's label, on the whole grid and on
    parts where a dimension is constant."""
    from actinit.studies.answer.selection import GRID, select, varying

    study = synthetic_study(
        seeds=2,
        activations=["relu", "tanh", "leaky_relu(0.1)"],
        extra="learning_rates = [0.1, 0.01]\nhidden = [[8], [8, 8]]",
    )
    with Store(tmp_path / "v.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.8)
        summary = summarize(study, store)
    for where in ({}, {"activation": "relu"}, {"hidden": "8"}, {"optimizer": "sgd(0.1)"}):
        rows = select(summary.rows, where)
        naive = [n for n, read in GRID.items() if len({read(r.config) for r in rows}) > 1]
        assert varying(rows) == naive, where
        assert rows


def test_interaction_contrasts_are_those_of_the_four_cells_one_by_one():
    """Every contrast built at once equals (y(a, at) - y(other, at)) - (y(a, else) -
    y(other, else)) computed for its own four cells, with a missing cell and a
    non-finite seed left out as before."""
    from actinit.studies.answer.effects import _contrasts

    rng = np.random.default_rng(3)
    values, levels = ["p", "q", "r"], ["x", "y", "z", "w"]
    cells = {(v, l): rng.normal(size=6) for v in values for l in levels}
    del cells[("r", "w")]
    cells[("q", "y")][2] = -np.inf
    made = _contrasts("initializer", "activation", cells, values, levels)
    expected = []
    for a, other in [("p", "q"), ("p", "r"), ("q", "r")]:
        for at, elsewhere in [(s, t) for i, s in enumerate(levels) for t in levels[i + 1 :]]:
            keys = [(a, at), (other, at), (a, elsewhere), (other, elsewhere)]
            if not all(k in cells for k in keys):
                continue
            y = [cells[k] for k in keys]
            with np.errstate(invalid="ignore"):
                raw = (y[0] - y[1]) - (y[2] - y[3])
            ok = np.isfinite(raw)
            expected.append((a, other, at, elsewhere, raw[ok], np.mean((y[0] - y[1])[ok])))
    assert len(made) == len(expected) == 12  # 18 less the 6 with the missing cell
    for (contrast, raw), (a, other, at, elsewhere, raw_, gap) in zip(made, expected):
        assert (contrast.a, contrast.other, contrast.at, contrast.elsewhere) == (
            a, other, at, elsewhere,
        )  # fmt: skip
        np.testing.assert_array_equal(raw, raw_)
        assert contrast.gap_at == pytest.approx(gap, rel=1e-12)


def _assert_same_ranking(fast, slow):
    assert fast.verdict() == slow.verdict()
    assert len(fast.entries) == len(slow.entries) and len(fast.best_set) == len(slow.best_set)
    assert fast.seeds == slow.seeds and fast.family == slow.family
    for a, b in zip(fast.entries, slow.entries):
        assert (a.label, a.estimate, a.in_best_set, a.learned) == (
            b.label,
            b.estimate,
            b.in_best_set,
            b.learned,
        )
        assert a.row.config.key == b.row.config.key
        assert a.vs_best == b.vs_best  # every field: p-values, Holm's, wins, differences
        assert a.interval == pytest.approx(b.interval, nan_ok=True) and a.p == b.p
        if a.vs_best is not None:
            assert a.vs_best.better() == b.vs_best.better()


@pytest.mark.parametrize(
    "metric, where",
    [
        ("test_accuracy", {}),
        ("test_loss", {}),
        ("epochs_to_target", {}),
        ("train_accuracy", {"activation": "relu"}),
        ("test_accuracy", {"initializer": "he_normal"}),
    ],
)
def test_the_ranking_read_from_columns_is_the_row_by_row_ranking(tmp_path, metric, where):
    """rank reads a summary's columns (a matrix of configurations x seeds, the tests
    as one batch, entries made when read). That matrix is the one made row by row from
    the rows' values seed by seed (the definition the second path used to compute),
    and a selection read as an index view ranks as the whole summary asked with
    --where: with a configuration far ahead (so some are worse than the best), ties,
    one at chance that never learned, and a run that diverged (an infinite loss)."""
    import dataclasses

    from actinit.studies.answer.ranking import (
        RankedEntries,
        _ranked_values,
        learned_somewhere,
        rank,
    )
    from actinit.studies.answer.selection import select, select_rows

    study = synthetic_study(
        seeds=12,
        activations=["relu", "tanh", "elu", "sigmoid"],
        initializers=["he_normal", "zeros"],
    )

    def accuracy(config, seed):
        own = np.random.default_rng([seed, int(config.key[:8], 16)]).normal()
        if config.activation == "sigmoid" and config.init_label == "zeros":
            return 0.3  # never learns
        if config.activation in ("relu", "tanh") and config.init_label == "he_normal":
            return 0.97 + 0.005 * own  # two far ahead
        return 0.85 + 0.02 * own if config.activation != "elu" else 0.85  # elu: all ties

    with Store(tmp_path / "r.sqlite") as store:
        store_results(store, study, accuracy)
        store.connection.execute(
            "UPDATE runs SET status = 'diverged', test_loss = NULL WHERE config_key = ? AND seed = 3",
            (study.configs[2].key,),
        )
        store.connection.commit()
        summary = summarize(study, store)
    configs, _, matrix, learned = _ranked_values(summary, metric, where)
    rows = [r for r in select(list(summary.rows), where) if r.by_seed.get(metric)]
    seeds = sorted({seed for r in rows for seed in r.by_seed[metric]})
    by_row = [[r.by_seed[metric].get(seed, np.nan) for seed in seeds] for r in rows]
    assert [c.key for c in configs] == [r.config.key for r in rows]
    np.testing.assert_array_equal(matrix, np.array(by_row, dtype=float).reshape(len(rows), -1))
    assert learned.tolist() == [learned_somewhere(r) for r in rows]
    fast = rank(summary, metric, where)
    viewed = rank(dataclasses.replace(summary, rows=select_rows(summary.rows, where)), metric)
    assert isinstance(fast.entries, RankedEntries) and isinstance(viewed.entries, RankedEntries)
    _assert_same_ranking(fast, viewed)
    if metric == "test_accuracy" and not where:
        assert 1 < len(fast.best_set) < len(fast.entries)  # some shown worse, some not


def test_configurations_with_different_seeds_are_compared_on_the_seeds_they_share(tmp_path):
    """Where configurations do not share all their seeds each pair is compared on the
    seeds both have (the same one path: the matrix holds a gap)."""
    from actinit.studies.answer.ranking import rank

    study = synthetic_study(seeds=8)
    with Store(tmp_path / "u.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.8 + 0.01 * seed)
        store.connection.execute(
            "DELETE FROM runs WHERE config_key = ? AND seed = 5", (study.configs[1].key,)
        )
        store.connection.commit()
        ranking = rank(summarize(study, store))
    assert {entry.estimate.n for entry in ranking.entries} == {7, 8}
    short = next(e for e in ranking.entries if e.estimate.n == 7)
    if short.vs_best is not None:
        assert len(short.vs_best.differences) == 7


def test_rows_made_when_read_behave_as_a_list(tmp_path):
    """A summary's rows (and a ranking's entries) are made when read; as a sequence
    they answer as the list of them would: length, negative indices, slices, the same
    object read twice, IndexError past the end."""
    from actinit.studies.answer.ranking import rank

    study = synthetic_study(seeds=4, activations=["relu", "tanh", "elu"])
    with Store(tmp_path / "l.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.8 + 0.01 * seed)
        summary = summarize(study, store)
    rows, whole = summary.rows, list(summary.rows)
    entries = rank(summary).entries
    for lazy, plain in ((rows, whole), (entries, list(entries))):
        assert len(lazy) == len(plain) == 6
        assert lazy[-1] is plain[-1] and lazy[0] is plain[0]
        assert lazy[1:4] == plain[1:4] and lazy[::-2] == plain[::-2]
        with pytest.raises(IndexError):
            lazy[6]
        with pytest.raises(IndexError):
            lazy[-7]
    assert [row.config.key for row in whole] == [c.key for c in study.configs]
