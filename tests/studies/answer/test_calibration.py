"""Every claim keeps its error rate and every interval its coverage: the tested
quantity is the shown one (the mean over seeds), intervals agree with their verdicts,
best sets and interactions are corrected for what was selected, alpha is spent over
adaptive looks (also when the store is read again later), and verdicts are named after
what a test can say. Checked against independent computations (scipy, statsmodels)
and by simulating null studies through the real decision code (``actinit
calibrate``), each of the seven faults of issue 38 rebuilt as a case."""

import itertools
import re

import numpy as np
import pytest
from click.testing import CliRunner
from statsmodels.stats.multitest import multipletests

import actinit.studies.answer.adaptive as adaptive
from actinit.cli import main
from actinit.studies import Store, summarize, write_study
from actinit.studies.answer.calibration import (
    CLAIMS,
    COVERAGE_CASES,
    MemoryStore,
    Model,
    calibrate,
    coverage,
    null_study,
    simulated_runs,
)
from actinit.studies.answer.guarantees import seeds_for_gap
from actinit.studies.answer.intervals import holm_levels
from actinit.studies.answer.ranking import compare_rows, rank
from repository import ROOT
from synthetic_study import store_results, synthetic_study


def test_holm_levels_reject_what_statsmodels_rejects():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.uniform(0, 0.08, size=7)
        levels = holm_levels(list(p))
        assert list(p <= np.array(levels)) == list(multipletests(p, method="holm")[0])


def test_every_verdict_sits_beside_its_own_interval(tmp_path):
    """The printed difference and interval are the test's own, of the number the
    table shows (the mean): a verdict never sits beside an interval that holds 0."""
    study = synthetic_study(seeds=10)

    def accuracy(config, seed):
        own = np.random.default_rng([seed, int(config.key[:8], 16)])
        return 0.8 + (0.03 if config.activation == "relu" else 0) + 0.03 * own.normal()

    with Store(tmp_path / "v.sqlite") as store:
        store_results(store, study, accuracy)
        summary = summarize(study, store)
    for a, b in itertools.combinations(summary.rows, 2):
        c = compare_rows(a, b, "test_accuracy")
        assert (c.better() is None) == c.difference().contains(0.0)
        shown = a.test_accuracy.mean - b.test_accuracy.mean
        assert c.difference().estimate == pytest.approx(shown)


def diverging(tmp_path, seeds=10):
    """B beats A by 1 point on the seeds where it learns, and fails (at chance) on
    seeds 2 and 7: B's mean is 7 points lower."""
    study = synthetic_study(seeds=seeds, activations=["relu"])

    def accuracy(config, seed):
        own = 0.002 * np.random.default_rng([seed, int(config.key[:8], 16)]).normal()
        if config.init_label == "xavier_normal":
            return 0.5 if seed in (2, 7) else 0.87 + own
        return 0.86 + own

    store = Store(tmp_path / "d.sqlite")
    store_results(store, study, accuracy)
    return store, summarize(study, store)


def test_the_quantity_tested_is_the_quantity_shown(tmp_path):
    """Fault 1: the tables showed means and the tests a median-type shift, which
    disagreed where runs diverge ("B better" beside a mean 7 points lower). Now the
    comparison tests the mean and takes it apart: B fails more often, and where both
    learned B is better."""
    store, summary = diverging(tmp_path)
    he, xavier = summary.rows
    c = compare_rows(he, xavier, "test_accuracy", ("he", "xavier"))
    assert c.estimate == pytest.approx(he.test_accuracy.mean - xavier.test_accuracy.mean)
    assert c.better() != "b"  # never "xavier better" beside a lower mean
    assert (c.failures.a_only, c.failures.b_only) == (0, 2)
    learned = c.when_learned()
    assert learned.n == 8 and learned.high < 0  # where both learned, xavier is better
    sentence = c.sentence(lambda v: f"{100 * v:.1f}")
    assert "on the 8 seeds where both learned" in sentence and "failed: he 0/10" in sentence
    ranking = rank(summary)
    assert ranking.entries[0].label.endswith("he_normal")
    for entry in ranking.entries[1:]:  # nothing in its own table beats the best
        assert entry.vs_best.better() != "a"
    store.close()


def test_rank_never_names_a_best_its_own_table_shows_worse(tmp_path):
    """Fault 1 in a ranking: 13-38% of such studies named a best that its own table
    showed significantly worse than #2. The best is the highest mean and every
    comparison is of the mean, so no entry is ever shown better than it."""
    model = Model(lambda i: 0.85 + (0.01 if i % 2 else 0.0), fail=lambda i: 0.1 if i % 2 else 0)
    study = null_study(3, 2, 10)
    for simulation in range(40):
        store = MemoryStore()
        simulated_runs(study, model, simulation, 3)(study, store, seeds=10)
        ranking = rank(summarize(study, store), guarantee="every-pair")
        assert all(e.vs_best.better() != "a" for e in ranking.entries[1:])
        means = [e.estimate.mean for e in ranking.entries]
        assert all(first >= second - 1e-12 for first, second in zip(means, means[1:]))


def test_identical_configurations_near_the_threshold_are_not_excluded_by_fiat():
    """Fault 5: "never learned" excluded identical configurations near the threshold
    41% of the time: six identical configurations around the 60% threshold, one of
    them often at or below it on every seed. It is a description now; the tests decide
    the best set, and no configuration is called worse more often than the test's 5%."""
    model = Model(lambda i: 0.57, shared=0.01, own=0.01)
    study = null_study(3, 2, 10)
    called_worse = never_learned = 0
    for simulation in range(200):
        store = MemoryStore()
        simulated_runs(study, model, simulation, 21)(study, store, seeds=10)
        ranking = rank(summarize(study, store), guarantee="every-pair")
        never_learned += any(not e.learned for e in ranking.entries)
        called_worse += len(ranking.best_set) < len(ranking.entries)
    assert never_learned > 40  # the case arises (69 of 200 here)
    assert called_worse <= 20  # 5% of 200 is 10; a rule of fiat would be near 100


def test_too_few_seeds_is_said_where_no_test_can_decide(tmp_path):
    """One seed has no spread: no paired t test can decide anything; "too few seeds
    (needs 2)", never "no difference found"."""
    study = synthetic_study(seeds=1)
    db = tmp_path / "few.sqlite"
    with Store(db) as store:
        store_results(
            store, study, lambda config, seed: 0.95 if config.activation == "relu" else 0.6
        )
        store.save_study(study.name, write_study(study))
        summary = summarize(study, store)
    relu = next(r for r in summary.rows if r.config.activation == "relu")
    tanh = next(r for r in summary.rows if r.config.activation == "tanh")
    c = compare_rows(relu, tanh, "test_accuracy")
    assert c.verdict() == "too few seeds (needs 2)"
    assert c.sentence(str).startswith("too few seeds to decide")


def test_brackets_are_printed_as_the_legend_says(tmp_path):
    """Fault 5: compare printed [ ] at ends its own legend said were ( ). Every
    interval is closed now and printed [ ] everywhere: rank, compare, effects."""
    from test_analysis import _stored

    study, db = _stored(tmp_path)
    runner = CliRunner()
    outputs = [
        runner.invoke(main, args, env={"COLUMNS": "200"}).output
        for args in (
            ["rank", study, "--db", db],
            ["compare", study, "--a", "relu/he_normal", "--b", "tanh/he_normal", "--db", db],
            ["effects", study, "--db", db],
        )
    ]
    for output in outputs:
        assert "[ ] are closed" in output or "[" in output
        assert not re.search(r"\(-?[\d.]+, -?[\d.]+\]|\[-?[\d.]+, -?[\d.]+\)", output), output


def test_rank_after_adaptive_rounds_spends_alpha_as_they_did():
    """Fault 5: `rank` on a store after adaptive rounds read the added seeds as if
    planned (6.6% false). The store keeps the looks; a later read spends alpha alike."""
    study = null_study(1, 2, 10)
    store = MemoryStore()
    model = Model(lambda i: 0.85)
    adaptive.run_adaptive(study, store, 40, run=simulated_runs(study, model, 0, 0))
    summary = summarize(study, store)
    assert summary.looks == 3 and summary.alpha == pytest.approx(0.05 / 3)
    ranking = rank(summary)
    assert ranking.alpha == pytest.approx(0.05 / 3) and "3 looks" in ranking.what


def test_adaptive_rounds_spend_alpha_over_their_looks():
    assert adaptive.looks(10, 10) == 1 and adaptive.looks(10, 40) == 3
    assert adaptive.looks(10, 160) == 5 and adaptive.looks(10, 50) == 4


def test_the_harness_sees_optional_stopping(monkeypatch):
    """Without spending alpha over the looks (every look at 5%), two identical
    configurations are called different far above 5% by 160 seeds: the harness,
    driving the real rounds, measures it."""
    monkeypatch.setattr(adaptive, "looks", lambda first, most: 1)
    claim = next(c for c in CLAIMS if c.name == "adaptive-160")
    hits = sum(claim.trial(simulation, 0) for simulation in range(120))
    assert hits / 120 > 0.08


def test_big_grids_can_answer_with_the_default_guarantee():
    """Fault 6: at 840 configurations the every-pair guarantee needs about 150 seeds
    for 80% power against a 3-point gap; multiple comparisons with the best about 90,
    at most 60% of it (benchmarks/bench_ranking_power.py measures both by simulation)."""
    sd = np.sqrt(2 * (0.02**2 + 0.85 * 0.15 / 100))
    best_set = seeds_for_gap(0.03, sd, 840, "best-set")
    every_pair = seeds_for_gap(0.03, sd, 840, "every-pair")
    assert 130 <= every_pair <= 170 and best_set <= 0.6 * every_pair


def test_a_small_grid_s_power_by_simulation():
    """The same by simulation on 60 configurations (one best, 59 three points worse)
    at 60 seeds: the default guarantee drops more of the worse ones than every-pair."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_ranking_power

    best_set, kept = bench_ranking_power.power("best-set", 60, 60, 0.03, 6, 0)
    every_pair, _ = bench_ranking_power.power("every-pair", 60, 60, 0.03, 6, 0)
    assert best_set > every_pair and kept == 1.0
    assert bench_ranking_power.crossing([10, 20, 30], [0.5, 0.7, 0.9], 0.8) == 25


@pytest.mark.parametrize(
    "name, sims",
    [
        ("compare", 300),
        ("compare-ceiling", 300),
        ("compare-diverging", 300),
        ("compare-one-sided", 300),
        ("when-learned", 300),
        ("equal-diverging", 100),
        ("equal-at-margin", 300),
        ("rank", 300),
        ("rank-every-pair", 300),
        ("rank-screening", 300),
        ("adaptive-then-rank", 300),
        ("effects", 300),
        ("interactions", 300),
        ("interactions-no-crossing", 300),
        ("interactions-opposite", 100),
        ("figures", 200),
        ("conclusions", 300),
    ],
)
def test_every_claim_keeps_its_error_rate(name, sims):
    """A small version of ``actinit calibrate`` (its docs page runs 2,000 and more
    per claim)."""
    (rate,) = calibrate(sims, seed=11, claims=[name])
    assert rate.claim.name == name
    assert rate.kept, rate.line()


def test_every_printed_interval_covers_or_says_why_not():
    """Fault 4: intervals under-covered where runs diverge (81%) and near the ceiling
    (89-92%), and were of width 0 from ten perfect seeds. A quick run of the coverage
    table: each covers 93% within its Monte Carlo error, or states its exception."""
    from actinit.studies.answer.coverage import RANKING_CASES

    found = coverage(200, seed=5)
    assert len(found) == 5 * len(COVERAGE_CASES) + len(RANKING_CASES)
    for row in found:
        assert row.kept, row.line()
    ceiling = [r for r in found if r.case.startswith("near the ceiling") and r.interval == "mean"]
    assert all(r.rate >= 0.93 for r in ceiling)
    excepted = [r for r in found if r.exception]
    assert {r.interval for r in excepted} == {"mean", "A - B"}


def test_calibrate_command_prints_one_line_per_claim(tmp_path):
    page = tmp_path / "rates.md"
    result = CliRunner().invoke(
        main, ["calibrate", "--sims", "40", "--claim", "compare", "--markdown", str(page)]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("compare:")]
    assert len(lines) == 1 and "false-claim rate" in lines[0] and "(40 sims" in lines[0]
    assert "| `compare` |" in page.read_text()
    refused = CliRunner().invoke(main, ["calibrate", "--claim", "nonsense"])
    assert refused.exit_code != 0 and "unknown claim 'nonsense'" in refused.output


def test_the_error_rate_page_is_the_harness_s_own():
    """docs/guide/error-rates.md is generated by `actinit calibrate --markdown`: every
    claim and every coverage case of the harness is on it, and nothing else."""

    page = (ROOT / "docs" / "guide" / "error-rates.md").read_text()
    named = set(re.findall(r"^\| `([\w-]+)` \|", page, flags=re.M))
    assert named == {claim.name for claim in CLAIMS}
    from actinit.studies.answer.coverage import RANKING_CASES

    for case in COVERAGE_CASES + RANKING_CASES:
        assert f"| {case.name} |" in page
    assert "**above**" not in page and "**below**" not in page
