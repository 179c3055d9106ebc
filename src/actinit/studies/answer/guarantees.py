"""What a ranking promises, and how it keeps the promise: three guarantees over the
paired mean differences of every pair of configurations.

A ranking sorts configurations by their mean over seeds and marks a *best set*. Which
configurations leave the set depends on the claim the ranking makes:

- ``best-set`` (the default): "the best configuration is in this set", with 95%
  (multiple comparisons with the best: Hsu 1984; Edwards & Hsu 1983 for unequal
  variances). A configuration i leaves the set when some j beats it by more than the
  one-sided critical value allows: mean(y_j - y_i) > c · se_ij with c the
  t quantile at 1 - alpha / (k - 1) (Bonferroni over the k - 1 others: whichever
  configuration is truly best, it is wrongly dropped only if one of its k - 1 one-sided
  tests errs). Each configuration gets the interval of mu_i - max_{j != i} mu_j that
  the same tests give (Hsu's constrained intervals): in the set exactly when the upper
  end is above 0.
- ``every-pair``: "each configuration called worse than the best is worse than it",
  and the same of every pair: two-sided tests of every pair, Holm-corrected over all
  k (k - 1) / 2 of them (Bonferroni beyond :data:`ALL_PAIRS_UP_TO`), and the set is
  those not shown worse than the highest mean. On a big grid this needs far more seeds
  (``benchmarks/bench_ranking_power.py`` measures how many).
- ``screening``: "of the configurations called worse than the best, at most 5% on
  average are not": each configuration's evidence that it is not best (its
  ``best-set`` p-value, Bonferroni over the k - 1 others) and Benjamini-Hochberg over
  the k configurations.

Every figure comes from one pass over the pairs (:class:`PairStats`, in blocks of rows,
so that 5,000 configurations need no 5,000 x 5,000 x seeds array); configurations that
do not share all their seeds are compared on the seeds each pair shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .intervals import ALPHA

GUARANTEES = ("best-set", "every-pair", "screening")

#: Up to this many configurations, every-pair is Holm over all pairs; beyond, Bonferroni.
ALL_PAIRS_UP_TO = 300

#: Rows of the pair matrices computed at once.
BLOCK = 256


@dataclass
class PairStats:
    """The paired mean difference of every pair, in the metric's good direction:
    ``mean[i, j]`` = mean over the seeds both have of y_i - y_j (higher is better),
    ``se[i, j]`` its standard error (spread floored at ``unit``) and ``n[i, j]`` the
    seeds used. ``values``: configurations x seeds, NaN where a seed is missing or
    its value is not finite."""

    mean: np.ndarray
    se: np.ndarray
    n: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, unit: float = 0.0) -> PairStats:
        values = np.asarray(values, dtype=float)
        k = len(values)
        mask = np.isfinite(values).astype(float)
        x = np.where(mask > 0, values, 0.0)
        squares = x * x
        mean = np.empty((k, k))
        se = np.empty((k, k))
        n = np.empty((k, k))
        for start in range(0, k, BLOCK):
            rows = slice(start, min(k, start + BLOCK))
            count = mask[rows] @ mask.T
            total = x[rows] @ mask.T - mask[rows] @ x.T
            sum_squares = squares[rows] @ mask.T + mask[rows] @ squares.T - 2 * (x[rows] @ x.T)
            with np.errstate(invalid="ignore", divide="ignore"):
                m = total / count
                scale = np.maximum(np.abs(x[rows]).max(axis=1, initial=0)[:, None], 1.0)
                m = np.where(np.abs(m) < 1e-12 * scale, 0.0, m)  # identical runs: 0
                variance = (sum_squares - count * m * m) / np.maximum(count - 1, 1)
                sd = np.maximum(np.sqrt(np.maximum(variance, 0.0)), unit)
                se[rows] = np.where(count > 1, sd / np.sqrt(count), np.inf)
            mean[rows] = np.where(count > 0, m, 0.0)
            n[rows] = count
        np.fill_diagonal(se, np.inf)
        np.fill_diagonal(mean, 0.0)
        return cls(mean, se, n)

    def t(self) -> np.ndarray:
        """mean / se per pair: 0 where nothing differs or nothing is known, ±inf where
        every seed differs by the same amount and there is no lattice to floor it."""
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(self.se > 0, self.mean / self.se, np.sign(self.mean) * np.inf)
        return np.where(np.isfinite(self.se) & (self.mean != 0), t, 0.0)

    def one_sided_p(self) -> np.ndarray:
        """p[i, j]: the one-sided p-value of "j is better than i" (large mean[j, i])."""
        df = np.maximum(self.n - 1, 1)
        p = stats.t.sf(self.t().T, df)
        return np.where(np.isfinite(self.se), p, 1.0)

    def two_sided_p(self) -> np.ndarray:
        df = np.maximum(self.n - 1, 1)
        p = 2 * stats.t.sf(np.abs(self.t()), df)
        return np.where(np.isfinite(self.se), np.minimum(p, 1.0), 1.0)


@dataclass
class Decision:
    """A guarantee applied: who is in the best set, each configuration's interval
    (``low``, ``high``: of mu_i - max_{j != i} mu_j for best-set; of mu_i - mu_best
    otherwise), the p-value its place rests on, and the per-comparison level the
    intervals were drawn at (two-sided)."""

    guarantee: str
    in_best_set: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p: np.ndarray
    level: float
    family: int
    what: str


def decide(
    pairs: PairStats, order_best: int, guarantee: str = "best-set", alpha: float = ALPHA
) -> Decision:
    """Apply ``guarantee`` to the pairs; ``order_best``: the configuration with the
    highest mean (the one the others are shown against)."""
    if guarantee not in GUARANTEES:
        raise ValueError(f"unknown guarantee {guarantee!r}; choose one of: {', '.join(GUARANTEES)}")
    k = len(pairs.mean)
    if k == 1:
        one = np.ones(1, bool)
        return Decision(guarantee, one, np.full(1, np.nan), np.full(1, np.nan), np.ones(1), alpha, 0, "")
    if guarantee == "every-pair":
        return _every_pair(pairs, order_best, alpha)
    return _best_set(pairs, alpha, screening=guarantee == "screening")


def _critical(pairs: PairStats, level: float) -> np.ndarray:
    """The one-sided t quantile 1 - ``level`` for every pair's seeds."""
    return stats.t.ppf(1 - level, np.maximum(pairs.n - 1, 1))


def _best_set(pairs: PairStats, alpha: float, screening: bool) -> Decision:
    k = len(pairs.mean)
    level = alpha / (k - 1)
    c = _critical(pairs, level)
    with np.errstate(invalid="ignore"):
        upper_terms = np.where(np.isfinite(pairs.se), pairs.mean + c * pairs.se, np.inf)
    np.fill_diagonal(upper_terms, np.inf)
    upper = upper_terms.min(axis=1)
    # evidence that i is not best: its k - 1 one-sided tests, Bonferroni
    p_one = pairs.one_sided_p()
    np.fill_diagonal(p_one, 1.0)
    p = np.minimum(1.0, (k - 1) * p_one.min(axis=1))
    if screening:
        kept = ~_benjamini_hochberg(p, alpha)
        what = (
            f"screening: Benjamini-Hochberg over {k} configurations at {_pct(alpha)} (each "
            f"configuration's paired t tests against the {k - 1} others, Bonferroni): of those "
            f"called worse than the best, at most {_pct(alpha)} on average are not"
        )
    else:
        kept = upper >= 0  # dropped only where a test rejects: some j is shown better
        what = (
            f"best set: contains the best configuration with {_pct(1 - alpha)} (multiple "
            f"comparisons with the best: one-sided paired t tests, Bonferroni over the {k - 1} "
            "others)"
        )
    with np.errstate(invalid="ignore"):
        lower_terms = np.where(np.isfinite(pairs.se), pairs.mean - c * pairs.se, -np.inf)
    lower_terms = np.where(kept[None, :], lower_terms, np.inf)
    np.fill_diagonal(lower_terms, np.inf)
    lower = np.minimum(0.0, lower_terms.min(axis=1))
    if kept.sum() == 1:
        lower = np.where(kept, 0.0, lower)
    high = np.maximum(upper, 0.0)
    return Decision(
        "screening" if screening else "best-set", kept, lower, high, p, 2 * level, k - 1, what
    )


def _every_pair(pairs: PairStats, best: int, alpha: float) -> Decision:
    from .intervals import holm

    k = len(pairs.mean)
    family = k * (k - 1) // 2
    p_two = pairs.two_sided_p()
    i, j = np.triu_indices(k, 1)
    if k <= ALL_PAIRS_UP_TO:
        adjusted = np.ones((k, k))
        adjusted[i, j] = adjusted[j, i] = holm(p_two[i, j])
        how = "Holm"
    else:
        adjusted = np.minimum(1.0, family * p_two)
        how = "Bonferroni"
    p = adjusted[:, best].copy()
    p[best] = 1.0
    worse = (p < alpha) & (pairs.mean[:, best] < 0)
    level = alpha / family  # the strictest step: the interval of a Holm family's first test
    q = stats.t.ppf(1 - level / 2, np.maximum(pairs.n[:, best] - 1, 1))
    with np.errstate(invalid="ignore"):
        half = np.where(np.isfinite(pairs.se[:, best]), q * pairs.se[:, best], np.inf)
    d = pairs.mean[:, best]
    low, high = d - half, d + half
    low[best] = high[best] = np.nan
    what = (
        f"every pair: paired t tests, {how}-corrected over all {family} pairs at {_pct(alpha)} "
        "(each configuration called worse than another is worse than it)"
    )
    return Decision("every-pair", ~worse, low, high, p, level, family, what)


def _benjamini_hochberg(p: np.ndarray, alpha: float) -> np.ndarray:
    """Benjamini & Hochberg's (1995) step-up: which of ``p`` are rejected."""
    m = len(p)
    order = np.argsort(p, kind="stable")
    passed = np.nonzero(p[order] <= alpha * np.arange(1, m + 1) / m)[0]
    rejected = np.zeros(m, bool)
    if len(passed):
        rejected[order[: passed[-1] + 1]] = True
    return rejected


def seeds_for_gap(
    gap: float, sd: float, configurations: int, guarantee: str, alpha: float = ALPHA,
    power: float = 0.8,
) -> int | None:  # fmt: skip
    """About how many seeds ``guarantee`` needs to drop, with probability ``power``, a
    configuration ``gap`` below the best, when paired differences spread by ``sd``:
    the n with (c_n + z_power) sd / sqrt(n) <= gap, c_n the guarantee's critical value
    at n - 1 degrees of freedom (screening needs at most what best-set needs)."""
    if gap <= 0 or not np.isfinite(sd) or sd <= 0 or configurations < 2:
        return None
    k = configurations
    if guarantee == "every-pair":
        level, two_sided = alpha / (k * (k - 1) // 2), True
    else:
        level, two_sided = alpha / (k - 1), False
    z = stats.norm.ppf(power)
    tail = level / 2 if two_sided else level
    guess = int(((stats.norm.ppf(1 - tail) + z) * sd / gap) ** 2)
    n = max(2, guess)
    while n <= 1_000_000:
        if (stats.t.ppf(1 - tail, n - 1) + z) * sd / np.sqrt(n) <= gap:
            return n
        n += max(1, n // 50)
    return None


def _pct(value: float) -> str:
    return f"{100 * value:.3g}%"
