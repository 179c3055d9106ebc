"""The statistics over seeds, checked by hand, by brute force and against statsmodels
(never against the scipy call the code itself makes)."""

import itertools
import math

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from actinit.studies.answer.intervals import (
    holm,
    mean_interval,
    rank_p_value,
    seeds_for_rank_test,
    wilson_interval,
)
from actinit.studies.answer.signed_rank import raw_signed_rank_ps, signed_rank_p
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


def exact_signed_rank_p(differences):
    """Brute force: every one of the 2^n sign flips of the mid-ranks of |d| (zeros
    dropped), the two-sided p-value of the observed sum of positive ranks."""
    d = np.array([x for x in differences if x != 0], dtype=float)
    n = len(d)
    order = np.argsort(np.abs(d), kind="stable")
    ranks = np.empty(n)
    magnitudes = np.abs(d)[order]
    i = 0
    while i < n:  # mid-ranks for ties
        j = i
        while j + 1 < n and magnitudes[j + 1] == magnitudes[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    observed = ranks[d > 0].sum()
    centre = ranks.sum() / 2
    extreme = 0
    total = 0
    for signs in itertools.product([0, 1], repeat=n):
        w = ranks[np.array(signs, dtype=bool)].sum()
        extreme += abs(w - centre) >= abs(observed - centre) - 1e-9
        total += 1
    return extreme / total


@pytest.mark.parametrize(
    "differences",
    [
        [0.1, 0.2, -0.05, 0.3, 0.15, 0.12, 0.4],
        [0.01, 0.01, 0.02, -0.01, 0.03, 0.0, 0.02, 0.05],  # ties and a zero
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        [-0.5, 0.4, -0.3, 0.2, -0.1, 0.6, 0.7, -0.8, 0.9],
    ],
)
def test_signed_rank_p_is_the_exact_permutation_p(differences):
    assert signed_rank_p(np.array(differences)) == pytest.approx(
        exact_signed_rank_p(differences), abs=1e-12
    )


def test_signed_rank_p_of_no_difference_is_one():
    assert signed_rank_p(np.zeros(10)) == 1.0


def test_paired_comparison_counts_wins_and_keeps_diverged_runs_as_losses():
    a = {0: 0.9, 1: 0.8, 2: 0.85, 3: 0.7, 4: 0.95}
    b = {0: 0.6, 1: 0.8, 2: 0.5, 3: 0.55, 5: 0.99}  # seed 5 is not shared
    result = paired_comparison(a, b, "test_accuracy", names=("relu/he", "relu/zeros"))
    assert result.seeds == 4 and (result.wins_a, result.wins_b, result.ties) == (3, 0, 1)
    assert result.mean_difference.mean == pytest.approx((0.3 + 0 + 0.35 + 0.15) / 4)
    # the shift the signed-rank test estimates: the median of the Walsh averages
    d = [0.3, 0, 0.35, 0.15]
    walsh = [(d[i] + d[j]) / 2 for i in range(4) for j in range(i, 4)]
    assert result.difference.mean == pytest.approx(np.median(walsh))
    assert result.p_value == pytest.approx(exact_signed_rank_p([0.3, 0.35, 0.15]))
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


def test_signed_rank_p_with_ties_and_14_seeds_is_exact():
    rng = np.random.default_rng(4)
    for _ in range(2):
        differences = np.round(rng.normal(0.01, 0.02, size=14), 2)
        assert signed_rank_p(differences) == pytest.approx(
            exact_signed_rank_p(differences), abs=1e-12
        )


def test_signed_rank_p_without_ties_matches_scipy_s_exact_distribution():
    """An independent exact distribution: scipy's (no ties) for 20 seeds."""
    from scipy import stats

    differences = np.random.default_rng(5).normal(0.01, 0.02, size=20)
    assert signed_rank_p(differences) == pytest.approx(
        stats.wilcoxon(differences, method="exact").pvalue, abs=1e-12
    )


def test_many_seeds_use_the_normal_approximation():
    from statsmodels.stats.descriptivestats import sign_test  # noqa: F401  (statsmodels present)

    differences = np.random.default_rng(6).normal(0.01, 0.02, size=80)
    p = signed_rank_p(differences)
    # the normal approximation of W+ by hand: mean n(n+1)/4, variance n(n+1)(2n+1)/24
    n = 80
    ranks = np.argsort(np.argsort(np.abs(differences))) + 1
    w = ranks[differences > 0].sum()
    z = (w - n * (n + 1) / 4) / math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    from math import erfc

    assert p == pytest.approx(erfc(abs(z) / math.sqrt(2)), abs=1e-9)


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
    expected = DescrStatsW(np.array(values)).tconfint_mean()
    for row in rows:
        assert float(row["test_accuracy_low"]) == pytest.approx(expected[0])
        assert float(row["test_accuracy_high"]) == pytest.approx(expected[1])
        assert float(row["learned_share_low"]) == pytest.approx(
            proportion_confint(6, 6, method="wilson")[0]
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


def test_many_rows_of_different_tie_patterns_at_once_are_each_exact():
    """The rows' null distributions are counted together, one per tie pattern: 60
    discrete rows (ties, zeros, all-zero rows, lengths of 1 to 10 nonzero) in one call
    each equal their own brute-force enumeration."""
    rng = np.random.default_rng(7)
    rows = rng.integers(-3, 4, size=(60, 10)).astype(float)
    rows[5] = 0.0
    rows[6, 1:] = 0.0
    got = raw_signed_rank_ps(rows)
    for row, p in zip(rows, got):
        expected = exact_signed_rank_p(row) if (row != 0).any() else 1.0
        assert p == pytest.approx(expected, abs=1e-12), row


@pytest.mark.parametrize("seeds", [20, 24, 25, 30])
def test_the_null_counted_for_many_patterns_at_once_is_each_rows_own(seeds):
    """At 20 to 30 seeds (the counts of 2^seeds assignments are kept in float32 up to
    24 seeds, in float64 beyond), many tie patterns counted together give each row the
    p-value its own count gives (``exact_signed_rank_p``, one row at a time)."""
    from actinit.studies.answer.signed_rank import exact_signed_rank_p as own_count

    rng = np.random.default_rng(seeds)
    rows = rng.integers(-6, 7, size=(40, seeds)).astype(float)  # ties and zeros
    rows[:10] = rng.normal(size=(10, seeds))  # no ties
    got = raw_signed_rank_ps(rows)
    for row, p in zip(rows, got):
        assert p == own_count(row[row != 0]), row


def test_intervals_searched_side_by_side_are_each_rows_own():
    """signed_rank_intervals runs the interval searches of many comparisons side by
    side (their tests counted together): each Shift is the one signed_rank_interval
    gives its row alone, with ties, zeros, diverged runs (infinite differences), rows
    where 0 is in doubt (every piece tested) and different levels."""
    from actinit.studies.answer import shifts
    from actinit.studies.answer.shifts import signed_rank_interval, signed_rank_intervals

    rng = np.random.default_rng(11)
    rows = []
    for k in range(120):
        kind = k % 6
        if kind == 0:
            row = rng.normal(size=10)
        elif kind == 1:
            row = rng.integers(-3, 4, size=10) / 100  # ties, zeros
        elif kind == 2:
            row = rng.normal(0.8, 1, size=10)
        elif kind == 3:
            row = np.zeros(10)
            row[:3] = [0.1, -0.1, 0.2]  # a positive and a negative tie, zeros
        elif kind == 4:
            row = rng.integers(-2, 3, size=10).astype(float)
            row[0] = np.inf
        else:
            row = rng.normal(size=10)
            row[2], row[5] = -np.inf, 0.0
        rows.append(row)
    levels = [(0.05, 0.01, 0.2, 1e-4)[k % 4] for k in range(len(rows))]
    rows.append(np.array([3.0, -2.0, 4.0, 0.0, -2.0, -1.0, 3.0, 0.0, 4.0, 0.0]))
    levels.append(0.2)  # a row where 0 is in doubt (found by search: one in 3,000)
    every_piece = []
    component = shifts._component
    shifts._component = lambda kept, *rest: every_piece.append(1) or component(kept, *rest)
    try:
        together = signed_rank_intervals(np.array(rows), np.array(levels))
    finally:
        shifts._component = component
    alone = [signed_rank_interval(row, level) for row, level in zip(rows, levels)]
    assert together == alone
    assert every_piece  # the path where 0 is in doubt was taken too
