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


class PairStats:
    """The paired mean difference of every pair, in the metric's good direction, made
    a block of rows at a time (:meth:`block`): ``mean[i, j]`` is the mean over the
    seeds both have of y_i - y_j (higher is better), ``se[i, j]`` its standard error
    (the spread floored at ``unit``) and ``n[i, j]`` the seeds used. ``values``:
    configurations x seeds, NaN where a seed is missing or its value is not finite.
    No k x k array is kept: 5,000 configurations would need 600 MB."""

    def __init__(self, values: np.ndarray, unit: float = 0.0) -> None:
        values = np.asarray(values, dtype=float)
        self.size = len(values)
        self.unit = unit
        self.mask = np.isfinite(values).astype(float)
        self.x = np.where(self.mask > 0, values, 0.0)
        self.squares = self.x * self.x
        self.scale = np.maximum(np.abs(self.x).max(axis=1, initial=0), 1.0)
        counts = self.mask.sum(axis=1)
        #: Every configuration has the same seeds: one degrees of freedom for all pairs.
        self.shared = bool((self.mask == self.mask[:1]).all()) if self.size else True
        self.seeds = int(counts[0]) if self.size else 0
        #: Every value there (no missing seed, nothing diverged): sums need no masks.
        self.complete = bool(self.mask.all())
        self.sums = self.x.sum(axis=1)
        self.square_sums = self.squares.sum(axis=1)

    @classmethod
    def of(cls, values: np.ndarray, unit: float = 0.0) -> PairStats:
        return cls(values, unit)

    def block(
        self, rows: slice | np.ndarray, columns: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, se, n) of the pairs (i, j), i in ``rows``, j in ``columns`` (default:
        every configuration); se is infinite for i == j and where fewer than two seeds
        are shared."""
        mask, x, squares = self.mask, self.x, self.squares
        wanted = np.arange(self.size) if columns is None else np.asarray(columns)
        if self.complete and self.seeds > 1:
            return self._complete_block(rows, wanted)
        if self.complete:
            count = np.full((len(np.arange(self.size)[rows]), len(wanted)), float(self.seeds))
            total = self.sums[rows][:, None] - self.sums[wanted][None, :]
            sum_squares = self.square_sums[rows][:, None] + self.square_sums[wanted][None, :]
            sum_squares -= 2 * (x[rows] @ x[wanted].T)
        else:
            other, other_x, other_squares = mask[wanted], x[wanted], squares[wanted]
            count = mask[rows] @ other.T
            total = x[rows] @ other.T - mask[rows] @ other_x.T
            sum_squares = (
                squares[rows] @ other.T + mask[rows] @ other_squares.T - 2 * (x[rows] @ other_x.T)
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            m = total / count
            m = np.where(np.abs(m) < 1e-12 * self.scale[rows][:, None], 0.0, m)  # identical: 0
            variance = (sum_squares - count * m * m) / np.maximum(count - 1, 1)
            sd = np.maximum(np.sqrt(np.maximum(variance, 0.0)), self.unit)
            se = np.where(count > 1, sd / np.sqrt(count), np.inf)
        m = np.where(count > 0, m, 0.0)
        same = np.arange(self.size)[rows][:, None] == wanted[None, :]
        return np.where(same, 0.0, m), np.where(same, np.inf, se), count

    def _complete_block(self, rows, wanted: np.ndarray):
        """:meth:`block` where every configuration has every seed: the sums of each row
        and one matrix product, worked in place (a ranking of 5,000 configurations
        makes 25 million of these)."""
        n = float(self.seeds)
        mean = self.sums[rows][:, None] - self.sums[wanted][None, :]  # identical rows: 0
        mean /= n
        spread = self.x[rows] @ self.x[wanted].T
        spread *= -2.0
        spread += self.square_sums[rows][:, None]
        spread += self.square_sums[wanted][None, :]
        spread -= n * (mean * mean)
        spread /= n - 1.0
        np.maximum(spread, self.unit * self.unit, out=spread)  # the floor; no negative noise
        np.sqrt(spread, out=spread)
        spread /= np.sqrt(n)
        index = np.arange(self.size)[rows]
        diagonal = (
            np.nonzero(index[:, None] == wanted[None, :])
            if len(wanted) < self.size
            else (np.arange(len(index)), index)
        )
        mean[diagonal] = 0.0
        spread[diagonal] = np.inf
        return mean, spread, np.full(mean.shape, n)

    def blocks(self):
        """Every block of :data:`BLOCK` rows: (rows, mean, se, n)."""
        for start in range(0, self.size, BLOCK):
            rows = slice(start, min(self.size, start + BLOCK))
            yield (rows, *self.block(rows))

    def full(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, se, n) of every pair as k x k arrays (for small families)."""
        return self.block(slice(0, self.size))

    def two_sided_p(self) -> np.ndarray:
        """Every pair's two-sided paired t p-value, k x k (for small families)."""
        mean, se, n = self.full()
        return 2 * np.minimum(_one_sided(_t(mean, se), n), 0.5)


def _t(mean: np.ndarray, se: np.ndarray) -> np.ndarray:
    """mean / se: 0 where nothing differs or nothing is known, ±inf where every seed
    differs by the same amount and there is no lattice to floor the spread."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(se > 0, mean / se, np.sign(mean) * np.inf)
    return np.where(np.isfinite(se) & (mean != 0), t, 0.0)


def _one_sided(t: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The upper-tail p-value of |t|'s sign-free size: P(T >= |t|), 1/2 at t = 0."""
    return stats.t.sf(np.abs(t), np.maximum(n - 1, 1))


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
    k = pairs.size
    if k == 1:
        one = np.ones(1, bool)
        return Decision(
            guarantee, one, np.full(1, np.nan), np.full(1, np.nan), np.ones(1), alpha, 0, ""
        )
    if guarantee == "every-pair":
        return _every_pair(pairs, order_best, alpha)
    return _best_set(pairs, alpha, screening=guarantee == "screening")


def _critical(n: np.ndarray, level: float, pairs: PairStats) -> np.ndarray | float:
    """The one-sided t quantile 1 - ``level`` at each pair's seeds (one number when
    every configuration has the same seeds)."""
    if pairs.shared:
        return float(stats.t.ppf(1 - level, max(pairs.seeds - 1, 1)))
    return stats.t.ppf(1 - level, np.maximum(n - 1, 1))


def _best_set(pairs: PairStats, alpha: float, screening: bool) -> Decision:
    k = pairs.size
    level = alpha / (k - 1)
    upper, p = np.empty(k), np.empty(k)
    for rows, mean, se, n in pairs.blocks():
        c = _critical(n, level, pairs)
        with np.errstate(invalid="ignore"):
            upper[rows] = (mean + c * se).min(axis=1)  # an infinite se: +inf, never the min
        # evidence that i is not best: its k - 1 one-sided tests (j better), Bonferroni
        against = -_t(mean, se)  # large where j beats i
        if pairs.shared:
            strongest = against.max(axis=1)
            one = stats.t.sf(strongest, max(pairs.seeds - 1, 1))
        else:
            one = np.where(np.isfinite(se), stats.t.sf(against, np.maximum(n - 1, 1)), 1.0)
            one = one.min(axis=1)
        p[rows] = np.minimum(1.0, (k - 1) * one)
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
    lower = np.zeros(k)
    members = np.flatnonzero(kept)
    if len(members) > 1:  # each against the best set's members only
        for start in range(0, k, BLOCK):
            rows = slice(start, min(k, start + BLOCK))
            mean, se, n = pairs.block(rows, members)
            c = _critical(n, level, pairs)
            with np.errstate(invalid="ignore"):
                terms = np.where(np.isfinite(se), mean - c * se, np.inf)
            lower[rows] = np.minimum(0.0, terms.min(axis=1))
    high = np.maximum(upper, 0.0)
    return Decision(
        "screening" if screening else "best-set", kept, lower, high, p, 2 * level, k - 1, what
    )


def _every_pair(pairs: PairStats, best: int, alpha: float) -> Decision:
    from .intervals import holm

    k = pairs.size
    family = k * (k - 1) // 2
    mean, se, n = pairs.block(slice(best, best + 1))  # the best against each
    d, se, n = -mean[0], se[0], n[0]  # each minus the best
    p_two = 2 * np.minimum(_one_sided(_t(d, se), n), 0.5)
    if k <= ALL_PAIRS_UP_TO:
        every = pairs.two_sided_p()
        i, j = np.triu_indices(k, 1)
        adjusted = np.ones((k, k))
        adjusted[i, j] = adjusted[j, i] = holm(every[i, j])
        p = adjusted[:, best].copy()
        how = "Holm"
    else:
        p = np.minimum(1.0, family * p_two)
        how = "Bonferroni"
    p[best] = 1.0
    worse = (p < alpha) & (d < 0)
    level = alpha / family  # the strictest step: the interval of a Holm family's first test
    q = stats.t.ppf(1 - level / 2, np.maximum(n - 1, 1))
    with np.errstate(invalid="ignore"):
        half = np.where(np.isfinite(se), q * se, np.inf)
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
