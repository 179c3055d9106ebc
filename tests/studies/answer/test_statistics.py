"""The statistics over seeds, checked by hand, by brute force and against statsmodels
(never against the scipy call the code itself makes)."""

import math

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from actinit.studies.answer.differences import MeanTests, lattice_unit, mcnemar
from actinit.studies.answer.intervals import (
    clopper_pearson,
    holm,
    holm_levels,
    mean_interval,
    rank_p_value,
    seeds_for_rank_test,
    share_upper_bound,
    wilson_interval,
)
from actinit.studies.answer.statistics import paired_comparison


def test_mean_interval_matches_statsmodels_and_the_formula():
    values = [0.81, 0.86, 0.79, 0.90, 0.84, 0.88]
    estimate = mean_interval(values)
    low, high = DescrStatsW(np.array(values)).tconfint_mean(alpha=0.05)
    assert (estimate.low, estimate.high) == pytest.approx((low, high), abs=1e-12)
    # t_{5, 0.975} = 2.570582 (printed tables)
    half = 2.570582 * np.std(values, ddof=1) / math.sqrt(len(values))
    assert estimate.half_width == pytest.approx(half, rel=1e-6)


def test_mean_interval_of_one_seed_is_unknown_and_of_equal_seeds_is_the_mean():
    assert mean_interval([0.7]).low is None and mean_interval([0.7]).mean == 0.7
    same = mean_interval([0.5] * 5)
    assert (same.low, same.mean, same.high) == (0.5, 0.5, 0.5)
    assert mean_interval([None, math.nan]).n == 0


def test_mean_interval_covers_the_true_mean_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    trials, covered = 4000, 0
    for _ in range(trials):
        sample = rng.normal(0.8, 0.05, size=10)
        estimate = mean_interval(sample)
        covered += estimate.low <= 0.8 <= estimate.high
    # 95% expected; 3 standard errors of a share over 4000 trials is 1.0 point
    assert abs(covered / trials - 0.95) < 0.011


@pytest.mark.parametrize("successes, n", [(0, 10), (3, 10), (10, 10), (17, 30), (1, 1)])
def test_wilson_matches_statsmodels_and_the_formula(successes, n):
    low, high = wilson_interval(successes, n)
    expected = proportion_confint(successes, n, alpha=0.05, method="wilson")
    assert (low, high) == pytest.approx(expected, abs=1e-9)
    z, p = 1.959963984540054, successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-9)


def test_wilson_covers_a_share_near_the_edge():
    """The normal approximation fails near 0 and 1; Wilson stays close to 95%."""
    rng = np.random.default_rng(1)
    trials = 4000
    hits = rng.binomial(20, 0.9, size=trials)
    covered = sum(low <= 0.9 <= high for low, high in (wilson_interval(int(k), 20) for k in hits))
    assert 0.92 <= covered / trials <= 0.99


def test_holm_matches_statsmodels():
    rng = np.random.default_rng(2)
    for _ in range(20):
        p = list(rng.uniform(0, 0.2, size=rng.integers(1, 12)))
        expected = multipletests(p, alpha=0.05, method="holm")[1]
        assert holm(p) == pytest.approx(list(expected), abs=1e-12)


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.04: x3, x2, x1 -> 0.03, 0.04, 0.04 (kept non-decreasing)
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])


def test_paired_comparison_counts_wins_and_keeps_diverged_runs_as_losses():
    a = {0: 0.9, 1: 0.8, 2: 0.85, 3: 0.7, 4: 0.95}
    b = {0: 0.6, 1: 0.8, 2: 0.5, 3: 0.55, 5: 0.99}  # seed 5 is not shared
    result = paired_comparison(a, b, "test_accuracy", names=("relu/he", "relu/zeros"))
    assert result.seeds == 4 and (result.wins_a, result.wins_b, result.ties) == (3, 0, 1)
    # the tested quantity is the shown one: the mean of the per-seed differences
    d = [0.3, 0, 0.35, 0.15]
    assert result.mean_difference.mean == pytest.approx(np.mean(d))
    assert result.difference().estimate == pytest.approx(np.mean(d))
    from scipy import stats

    assert result.p_value == pytest.approx(stats.ttest_1samp(d, 0).pvalue, rel=1e-9)
    losses = paired_comparison(
        {0: 0.1, 1: math.inf, 2: 0.2}, {0: 0.3, 1: 0.4, 2: math.inf}, higher_is_better=False
    )
    assert (losses.wins_a, losses.wins_b, losses.unbounded) == (2, 1, 2)
    assert losses.mean_difference.n == 1  # only seed 0 has two finite losses


def test_paired_design_beats_unpaired_when_seeds_share_their_draw():
    """Seed effects shared by both configurations cancel in the paired difference: a
    small consistent gain is detected that the spread across seeds would hide."""
    rng = np.random.default_rng(3)
    seed_effect = rng.normal(0, 0.1, size=12)
    a = dict(enumerate(0.80 + seed_effect + 0.01))
    b = dict(enumerate(0.80 + seed_effect + rng.normal(0, 0.002, size=12)))
    result = paired_comparison(a, b)
    assert result.better() == "a" and result.wins_a == 12
    assert mean_interval(list(a.values())).low < mean_interval(list(b.values())).high


def test_rank_p_value_by_hand():
    seeds = [0.1 * i for i in range(1, 11)]  # 0.1 .. 1.0
    assert rank_p_value(2.0, seeds) == pytest.approx(2 / 11)
    assert rank_p_value(0.55, seeds) == pytest.approx(1.0)
    assert rank_p_value(0.95, seeds) == pytest.approx(2 * 2 / 11)  # one seed at or above
    assert rank_p_value(1.0, seeds, tolerance=0.001) == pytest.approx(4 / 11)
    assert seeds_for_rank_test(0.05) == 39 and seeds_for_rank_test(0.05 / 3) == 119


def test_exports_and_frames_carry_both_ends_of_every_interval(tmp_path):
    import csv
    import io
    import json

    from actinit.studies import Store, summarize
    from actinit.studies.answer.exports import to_csv, to_json
    from synthetic_study import store_results, synthetic_study

    study = synthetic_study(seeds=6)
    with Store(tmp_path / "e.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.7 + 0.02 * seed)
        summary = summarize(study, store)
    rows = list(csv.DictReader(io.StringIO(to_csv(summary))))
    values = [0.7 + 0.02 * s for s in range(6)]
    expected = DescrStatsW(np.array(values)).tconfint_mean()  # spread above the 0.01 floor
    for row in rows:
        assert float(row["test_accuracy_low"]) == pytest.approx(expected[0])
        assert float(row["test_accuracy_high"]) == pytest.approx(expected[1])
        assert float(row["learned_share_low"]) == pytest.approx(
            proportion_confint(6, 6, method="beta")[0]
        )
    exported = json.loads(to_json(summary))["configurations"][0]
    assert (
        exported["test_accuracy_low"]
        < exported["test_accuracy_mean"]
        < exported["test_accuracy_high"]
    )
    frame = summary.to_frame(per="configuration")
    assert {"test_accuracy_low", "test_accuracy_high", "learned_share_high"} <= set(frame.columns)
    assert len(frame) == 4 and len(summary.to_frame()) == 24


def test_paired_t_interval_matches_statsmodels_and_excludes_zero_exactly_when_p_is_below():
    rng = np.random.default_rng(11)
    rows = np.round(rng.normal(0.01, 0.02, size=(400, 10)), 2)  # accuracies: ties, zeros
    tests = MeanTests.of(rows)
    for level in (0.05, 0.05 / 3, 0.01):
        low, high = tests.intervals(level)
        excludes = (low > 0) | (high < 0)
        assert np.array_equal(excludes, tests.p < level)
    low, high = tests.intervals(0.05)
    for k in range(5):
        expected = DescrStatsW(rows[k]).tconfint_mean(alpha=0.05)
        assert (low[k], high[k]) == pytest.approx(expected, abs=1e-12)
    # Holm's levels: a rejected hypothesis's interval excludes 0, a kept one's does not
    levels = np.array(holm_levels(tests.p.tolist()))
    low, high = tests.intervals(levels)
    adjusted = np.array(holm(tests.p.tolist()))
    assert np.array_equal((low > 0) | (high < 0), adjusted < 0.05)


def test_a_spread_is_never_below_one_step_of_the_lattice():
    """Ten perfect runs on 100 test points are not a certainty ("100.0 [100.0, 100.0]"),
    and a gain of one test point on every seed is not one either."""
    perfect = mean_interval([1.0] * 10, unit=0.01)
    half = 2.2621571627 * 0.01 / math.sqrt(10)
    assert (perfect.low, perfect.high) == pytest.approx((1.0 - half, 1.0 + half))
    one_point = MeanTests.of(np.full((1, 10), 0.01), unit=0.01)
    assert one_point.p[0] == pytest.approx(
        2 * (1 - __import__("scipy").stats.t.cdf(math.sqrt(10), 9))
    )
    assert lattice_unit(np.array([0.86, 0.87, 0.85, 0.85])) == pytest.approx(0.01)
    assert lattice_unit(np.array([0.997, 0.998, 1.0])) == pytest.approx(0.001)
    assert lattice_unit(np.array([1.0, 1.0])) == 0.01 and lattice_unit(np.ones(3), "test_loss") == 0


def test_summary_intervals_near_the_ceiling_cover():
    """Near the ceiling the plain t interval covers 65-92% (it shrinks to nothing
    when most seeds are perfect); floored at the lattice step it covers at least 93%."""
    rng = np.random.default_rng(12)
    covered = []
    for _ in range(3000):
        p = np.clip(0.995 + 0.003 * rng.standard_normal(10), 0, 1)
        accuracy = rng.binomial(100, p) / 100
        estimate = mean_interval(accuracy, unit=0.01)
        covered.append(estimate.low <= 0.995 <= estimate.high)
    assert np.mean(covered) >= 0.93


@pytest.mark.parametrize("successes, n", [(0, 10), (3, 10), (10, 10), (17, 30), (1, 1)])
def test_clopper_pearson_matches_statsmodels(successes, n):
    assert clopper_pearson(successes, n) == pytest.approx(
        proportion_confint(successes, n, alpha=0.05, method="beta"), abs=1e-9
    )
    # the one-sided bound of nothing seen in n: 1 - alpha^(1/n)
    assert share_upper_bound(0, n) == pytest.approx(1 - 0.05 ** (1 / n))


def test_mcnemar_is_the_exact_binomial_test_of_the_discordant_seeds():
    from statsmodels.stats.contingency_tables import mcnemar as statsmodels_mcnemar

    a = np.array([1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1], dtype=bool)
    b = np.array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    found = mcnemar(a, b)
    assert (found.a_only, found.b_only, found.both) == (9, 0, 1)
    table = [[found.both, found.a_only], [found.b_only, 12 - found.discordant - found.both]]
    assert found.p == pytest.approx(statsmodels_mcnemar(table, exact=True).pvalue, abs=1e-12)
    assert found.fewer() == "b"
    assert mcnemar(np.zeros(10, bool), np.zeros(10, bool)).p == 1.0


def test_a_comparison_takes_the_mean_apart_into_failures_and_the_runs_that_learned():
    """B fails on two seeds (at chance); where both learned, they are the same."""
    a = {s: 0.9 + 0.01 * (s % 3) for s in range(12)}
    b = dict(a)
    b[3] = b[7] = 0.5
    failed_b = {s: s in (3, 7) for s in range(12)}
    c = paired_comparison(a, b, "test_accuracy", failed=({s: False for s in range(12)}, failed_b))
    assert c.failures.b_only == 2 and c.failures.a_only == 0
    assert c.when_learned().estimate == 0.0 and c.when_learned().n == 10
    assert c.difference().estimate == pytest.approx((0.4 + 0.41) / 12)
    assert "on the 10 seeds where both learned" in c.sentence(lambda v: f"{100 * v:.1f}")


def test_every_pair_s_mean_difference_and_error_by_blocks_equal_a_direct_computation():
    """The ranking's pair statistics (made a block of rows at a time, from sums where
    every seed is there) equal each pair's own mean and standard error, and the
    masked computation where a seed is missing."""
    from actinit.studies.answer.guarantees import PairStats

    rng = np.random.default_rng(13)
    values = np.round(rng.normal(0.8, 0.05, size=(30, 12)), 2)
    fast = PairStats(values, 0.01)
    masked = PairStats(values, 0.01)
    masked.complete = False
    mean, se, n = fast.full()
    assert (
        fast.complete and np.allclose(mean, masked.full()[0]) and np.allclose(se, masked.full()[1])
    )
    for i, j in [(0, 1), (5, 17), (29, 3)]:
        d = values[i] - values[j]
        assert mean[i, j] == pytest.approx(d.mean(), abs=1e-12)
        assert se[i, j] == pytest.approx(max(d.std(ddof=1), 0.01) / np.sqrt(12), rel=1e-9)
    gappy = values.copy()
    gappy[4, 2] = np.nan
    stats_ = PairStats(gappy, 0.01)
    m, s, counts = stats_.full()
    assert not stats_.complete and counts[4, 7] == 11 and counts[5, 7] == 12
    d = np.delete(gappy[4] - gappy[7], 2)
    assert m[4, 7] == pytest.approx(d.mean()) and s[4, 7] == pytest.approx(
        d.std(ddof=1) / np.sqrt(11)
    )
