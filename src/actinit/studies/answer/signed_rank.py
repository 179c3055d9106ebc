"""Wilcoxon's signed-rank test on paired differences, seed by seed: differences equal up
to float noise tie (:func:`resolved`), the exact two-sided p-value by counting (up to
:data:`EXACT_UP_TO` seeds, zeros dropped), many rows at once
(:func:`raw_signed_rank_ps`), and the p-value kept consistent with the interval the
test inverts (:func:`signed_rank_ps`)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats


def _ranked_differences(differences: np.ndarray) -> np.ndarray:
    """Differences where an infinite one is replaced by a finite one larger than every
    finite difference: the signed-rank test sees only ranks, which stay the same."""
    differences = np.asarray(differences, dtype=float)
    finite = differences[np.isfinite(differences)]
    top = 4.0 * ((np.abs(finite).max() if len(finite) else 0.0) + 1.0)
    return np.where(np.isfinite(differences), differences, np.sign(differences) * top)


#: Up to this many non-zero differences the signed-rank p-value is exact (as
#: scipy's own exact method, which goes up to 50 but ignores ties); above it, the
#: normal approximation with tie correction.
EXACT_UP_TO = 50


#: Two differences closer than this share of the largest one are the same value
#: written twice in floating point (0.86 - 0.85 and 0.82 - 0.81 differ in their last
#: bits): they tie, and one this close to 0 is 0.
RESOLUTION = 1e-9


def resolved(differences: np.ndarray, tolerance: float | None = None) -> np.ndarray:
    """``differences`` (a vector, or one row per comparison) with float noise removed,
    so that the signed-rank test ranks what the metric measured: magnitudes within
    :data:`RESOLUTION` of the row's largest finite one are set equal (each run of
    such magnitudes, sorted, to its smallest), and those that small to 0. A test set
    of N points makes accuracy differences multiples of 1/N: they tie exactly as the
    counts of test points would. ``tolerance``: an absolute one instead (one, or one
    per row)."""
    d = np.array(differences, dtype=float, copy=True)
    if d.size == 0:
        return d
    rows = d.reshape(-1, d.shape[-1]) if d.ndim else d.reshape(1, 1)
    magnitude = np.where(np.isfinite(rows), np.abs(rows), np.nan)
    scale = np.nanmax(np.where(np.isnan(magnitude), -np.inf, magnitude), axis=1, initial=0.0)
    tolerance = (
        RESOLUTION * scale[:, None]
        if tolerance is None
        else np.broadcast_to(np.asarray(tolerance, dtype=float).reshape(-1, 1), (len(rows), 1))
    )
    order = np.argsort(np.nan_to_num(magnitude, nan=np.inf), axis=1, kind="stable")
    ordered = np.take_along_axis(magnitude, order, axis=1)
    gap = np.diff(ordered, axis=1, prepend=-np.inf)
    starts = ~(gap <= tolerance) | np.isnan(ordered)
    first = np.fmax.accumulate(np.where(starts, ordered, -np.inf), axis=1)
    snapped = np.empty_like(first)
    np.put_along_axis(snapped, order, np.where(first <= tolerance, 0.0, first), axis=1)
    finite = np.isfinite(rows)
    rows[finite] = (np.sign(rows) * snapped)[finite]
    return rows.reshape(d.shape)


def signed_rank_p(differences: np.ndarray) -> float:
    """The two-sided p-value of Wilcoxon's signed-rank test of ``differences``
    (zeros dropped, as Wilcoxon did; magnitudes equal up to float noise tied, see
    :func:`resolved`); 1 when nothing differs. Exact up to :data:`EXACT_UP_TO`
    non-zero differences, ties sharing their mid-rank (:func:`exact_signed_rank_p`);
    beyond, scipy's normal approximation with tie correction."""
    return _signed_rank_p(resolved(np.asarray(differences, dtype=float)))


def _signed_rank_p(nonzero: np.ndarray) -> float:
    """:func:`signed_rank_p` of differences already :func:`resolved`."""
    nonzero = nonzero[nonzero != 0]
    if len(nonzero) == 0:
        return 1.0
    if len(nonzero) <= EXACT_UP_TO:
        return exact_signed_rank_p(nonzero)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return min(1.0, float(stats.wilcoxon(nonzero, method="asymptotic").pvalue))


def exact_signed_rank_p(nonzero: np.ndarray) -> float:
    """The exact two-sided p-value of the signed-rank statistic W+ (the sum of the
    ranks of |d| whose d is positive, tied |d| sharing their mid-rank) under the null
    hypothesis that every one of the 2^n sign assignments is equally likely.

    scipy's exact method ignores ties, and its permutation method enumerates the
    2^n assignments (a second at n = 12, so it cannot serve a ranking of hundreds of
    configurations); the distribution of W+ is instead counted by adding one rank at a
    time (doubled mid-ranks are whole numbers): O(n^3) work."""
    doubled = np.rint(2 * stats.rankdata(np.abs(nonzero))).astype(int)
    total = int(doubled.sum())
    counts = np.zeros(total + 1)
    counts[0] = 1.0
    for rank in doubled:
        counts[rank:] = counts[rank:] + counts[: total + 1 - rank].copy()
    observed = int(doubled[nonzero > 0].sum())
    distance = np.abs(np.arange(total + 1) - total / 2)
    extreme = counts[distance >= abs(observed - total / 2) - 1e-9].sum()
    return min(1.0, float(extreme / counts.sum()))


def paired_differences(
    a: Mapping[int, float], b: Mapping[int, float], seeds: Sequence[int]
) -> np.ndarray:
    """a - b on ``seeds``, as the signed-rank test ranks them (two diverged runs tie;
    an infinite difference is the largest)."""
    x = np.array([a[s] for s in seeds], dtype=float)
    y = np.array([b[s] for s in seeds], dtype=float)
    with np.errstate(invalid="ignore"):
        raw = np.where(x == y, 0.0, x - y)
    return _ranked_differences(raw)


#: With ``far_from``: rows whose normal-approximation p-value is above this are far
#: from any level a family tests at, and keep that approximate p-value.
FAR = 0.2


def signed_rank_ps(differences: np.ndarray, far_from: float | None = None) -> np.ndarray:
    """:func:`decision_p` of every row of a (pairs, seeds) array at once: Wilcoxon's
    p-value of the row (:func:`raw_signed_rank_ps`). Its inverted interval (the
    shifts t the test of d - t keeps, :func:`signed_rank_interval`) must exclude 0
    exactly when the test rejects at 0: where a zero, or a tie between a positive
    and a negative difference, lets the tests just either side of 0 both keep what
    the test at 0 rejects (the kept shifts would surround 0), the smaller of those
    two p-values stands instead when it is larger. In practice that is Wilcoxon's
    own p-value almost always.

    ``far_from`` (a family's alpha): rows whose normal approximation is above
    max(:data:`FAR`, 4 alpha) keep it instead of the exact count. Such a row is never
    rejected at any step of Holm's procedure (every step's level is at most alpha), so
    the family's verdicts are the same; thousands of interaction contrasts need the
    exact count only for the few near a level."""
    d = resolved(_ranked_rows(np.asarray(differences, dtype=float)))
    if d.ndim != 2 or d.size == 0:
        return np.ones(len(d))
    if far_from is not None and d.shape[1] >= 6:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            approximate = stats.wilcoxon(d, axis=1, method="asymptotic").pvalue
        approximate = np.nan_to_num(np.asarray(approximate, dtype=float), nan=1.0)
        far = approximate > max(FAR, 4 * far_from)
        if far.any():
            p = np.minimum(approximate, 1.0)
            near = ~far
            if near.any():
                p[near] = signed_rank_ps(d[near])
            return p
    p = raw_signed_rank_ps(d)
    magnitude = np.abs(d)
    positive = np.where(d > 0, magnitude, np.nan)
    negative = np.where(d < 0, magnitude, np.nan)
    crossed = (
        (positive[:, :, None] == negative[:, None, :]).any(axis=(1, 2))
        if d.shape[1] <= 64
        else np.ones(len(d), dtype=bool)
    )
    doubtful = (d == 0).any(axis=1) | crossed
    doubtful &= (d != 0).any(axis=1)
    if doubtful.any():
        rows = d[doubtful]
        nudge = RESOLUTION * np.abs(rows).max(axis=1, keepdims=True) / 4
        sides = np.minimum(raw_signed_rank_ps(rows - nudge), raw_signed_rank_ps(rows + nudge))
        p[doubtful] = np.maximum(p[doubtful], sides)
    return p


def _ranked_rows(differences: np.ndarray) -> np.ndarray:
    if differences.ndim != 2 or np.isfinite(differences).all():
        return differences
    return np.array([_ranked_differences(row) for row in differences]).reshape(differences.shape)


def _distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct rows of an integer array, each row's index among them): rows
    compared as bytes, twenty times faster than ``np.unique(axis=0)``."""
    rows = np.ascontiguousarray(rows)
    keys = rows.view(np.dtype((np.void, rows.itemsize * rows.shape[1]))).ravel()
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    return rows[first], which.ravel()


def raw_signed_rank_ps(differences: np.ndarray) -> np.ndarray:
    """Wilcoxon's two-sided signed-rank p-value (zeros dropped) of every row of a
    (pairs, seeds) array of :func:`resolved` differences at once: exactly (the count
    of :func:`exact_signed_rank_p`, every row in step, a zero difference adding a rank
    of 0) up to :data:`EXACT_UP_TO` seeds, else scipy's vectorised normal
    approximation (it drops each row's zeros itself)."""
    differences = np.asarray(differences, dtype=float)
    rows, seeds = differences.shape if differences.ndim == 2 else (len(differences), 0)
    p = np.ones(rows)
    nonzero = differences != 0
    if rows == 0 or seeds == 0 or not nonzero.any():
        return p
    if seeds > EXACT_UP_TO:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stats.wilcoxon(differences, axis=1, method="asymptotic")
        p = np.nan_to_num(np.asarray(result.pvalue, dtype=float), nan=1.0)
        p[~nonzero.any(axis=1)] = 1.0
        return np.minimum(p, 1.0)
    magnitudes = np.where(nonzero, np.abs(differences), np.nan)
    ranks = stats.rankdata(magnitudes, axis=1, nan_policy="omit")
    doubled = np.where(nonzero, np.rint(2 * np.nan_to_num(ranks)), 0).astype(int)
    totals = doubled.sum(axis=1)
    # the null distribution depends only on the ranks' pattern (which ties, how many
    # zeros): rows without ties share one, so each pattern is counted once
    patterns, which = _distinct_rows(np.sort(doubled, axis=1))
    width = int(totals.max()) + 1
    counts = _null_counts(patterns, width)
    observed = (doubled * (differences > 0)).sum(axis=1)
    # as extreme as observed: the sums at most T/2 - D or at least T/2 + D (T the
    # row's total, D its distance from T/2), read off the cumulative counts
    distance = np.abs(observed - totals / 2)
    low = np.floor(totals / 2 - distance + 1e-9).astype(int)
    high = np.ceil(totals / 2 + distance - 1e-9).astype(int)
    cumulative = np.cumsum(counts, axis=1, dtype=float)
    everything = cumulative[which, -1]
    below = cumulative[which, np.clip(low, 0, width - 1)] * (low >= 0)
    above = everything - np.where(high >= 1, cumulative[which, np.clip(high - 1, 0, width - 1)], 0)
    p = np.where(low >= high, 1.0, (below + above) / everything)
    p[~nonzero.any(axis=1)] = 1.0
    return np.minimum(p, 1.0)


def _null_counts(patterns: np.ndarray, width: int) -> np.ndarray:
    """For each row of ``patterns`` (doubled ranks, a row per pattern), the number of
    the 2^n sign assignments whose positive ranks sum to w, for w < ``width``: one
    rank r at a time, counts(w) += counts(w - r) (a rank of 0, a zero difference,
    doubles every count). The rows are kept sorted by the rank being added, so each
    rank's rows are one slice; the counts are whole numbers below 2^n, exact in
    float32 up to 24 seeds."""
    exact = np.float32 if patterns.shape[1] <= 24 else np.float64
    counts = np.zeros((len(patterns), width), dtype=exact)
    counts[:, 0] = 1
    where = np.arange(len(patterns))  # the pattern of each row of counts
    for k in range(patterns.shape[1]):
        column = patterns[where, k]
        order = np.argsort(column, kind="stable")
        counts, where, column = counts[order], where[order], column[order]
        bounds = np.flatnonzero(np.diff(column)) + 1
        for start, stop in zip([0, *bounds.tolist()], [*bounds.tolist(), len(column)]):
            rank = int(column[start])
            if rank == 0:
                counts[start:stop] *= 2
            elif rank < width:
                counts[start:stop, rank:] += counts[start:stop, :-rank].copy()
    found = np.empty_like(counts)
    found[where] = counts
    return found
