"""The size of a paired difference: the Hodges-Lehmann shift and the interval the
signed-rank test gives when inverted (every shift t the test of d - t keeps), of one
comparison (:func:`signed_rank_interval`) or of many with the same seeds at once
(:func:`signed_rank_intervals`)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .intervals import ALPHA
from .signed_rank import (
    EXACT_UP_TO,
    RESOLUTION,
    _ranked_differences,
    _signed_rank_p,
    raw_signed_rank_ps,
    resolved,
    signed_rank_ps,
)


@dataclass(frozen=True)
class Shift:
    """The Hodges-Lehmann estimate of the shift between paired values (the median of
    the Walsh averages (d_i + d_j) / 2, i <= j) with the interval the signed-rank test
    gives when inverted: every shift t that the test of d - t does not reject at
    ``level``. ``low``/``high`` are infinite when no seed count can exclude a shift
    that far (too few seeds for the level)."""

    estimate: float
    low: float
    high: float
    level: float
    n: int
    #: An end the test itself does not keep (the kept shifts come arbitrarily close).
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        above = self.low < value if self.low_open else self.low <= value
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def text(self, fmt) -> str:
        """``estimate [low, high]``, an end the test does not keep written ``(`` or
        ``)``, an infinite end as such."""

        def show(v: float) -> str:
            return fmt(v) if math.isfinite(v) else ("-inf" if v < 0 else "+inf")

        if math.isnan(self.estimate):
            return "unknown"
        left = "(" if self.low_open or not math.isfinite(self.low) else "["
        right = ")" if self.high_open or not math.isfinite(self.high) else "]"
        return f"{show(self.estimate)} {left}{show(self.low)}, {show(self.high)}{right}"


def decision_p(differences: np.ndarray) -> float:
    """The p-value a verdict rests on: Wilcoxon's signed-rank test of the paired
    ``differences`` (zeros dropped, ties at their mid-rank; see
    :func:`signed_rank_ps`)."""
    return float(signed_rank_ps(np.asarray(differences, dtype=float)[None, :])[0])


@functools.lru_cache(maxsize=256)
def _walsh_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n)


def hodges_lehmann(differences: np.ndarray) -> float:
    """The median of the Walsh averages (d_i + d_j) / 2, i <= j, of paired
    differences (Hodges & Lehmann 1963): the shift the signed-rank test estimates;
    infinite when a diverged run's difference decides it, nan without differences."""
    raw = np.asarray(differences, dtype=float)
    if len(raw) == 0:
        return math.nan
    d = _ranked_differences(raw)  # float noise moves a median by float noise only
    i, j = _walsh_pairs(len(d))
    estimate = float(np.median((d[i] + d[j]) / 2))
    finite = np.abs(raw[np.isfinite(raw)])
    if len(finite) < len(raw):
        top = (finite.max() if len(finite) else 0.0) * (1 + 1e-6) + 1e-12
        if abs(estimate) > top:
            return math.copysign(math.inf, estimate)
    return estimate


def signed_rank_interval(differences: np.ndarray, level: float = ALPHA) -> Shift:
    """The :class:`Shift` of paired ``differences`` at ``level`` (0.05: a 95%
    interval). An infinite difference (a diverged run) is larger than every finite
    one; an end that reaches it is infinite.

    The signed-rank p-value of d - t is constant between consecutive Walsh averages,
    so the interval's ends are Walsh averages: the pieces (the averages and the open
    gaps between them) are searched from the estimate outwards. When 0 is in doubt
    (the search's answer and the test at 0 disagree, which a tie can cause) every
    piece is tested."""
    raw = np.asarray(differences, dtype=float)
    if len(raw) == 0:
        return Shift(math.nan, -math.inf, math.inf, level, 0)
    pieces = _Pieces(raw, level)
    steps = _interval_steps(pieces, raw, decision_p(raw) <= level)
    try:
        wanted = next(steps)
        while True:
            wanted = steps.send([pieces.accepted(piece) for piece in wanted])
    except StopIteration as finished:
        return finished.value


def signed_rank_intervals(differences: np.ndarray, levels: np.ndarray) -> list[Shift]:
    """:func:`signed_rank_interval` of every row of ``differences`` (comparisons x
    seeds) at its level: the same shifts, the searches run side by side so that the
    tests each step needs are counted together (a ranking of 800 configurations
    prints its intervals in a tenth of the time)."""
    raws = np.asarray(differences, dtype=float)
    levels = np.broadcast_to(np.asarray(levels, dtype=float), (len(raws),))
    if raws.ndim != 2 or raws.shape[1] == 0 or raws.shape[1] > EXACT_UP_TO:
        return [signed_rank_interval(raw, level) for raw, level in zip(raws, levels)]
    rejected_at_zero = signed_rank_ps(raws) <= levels  # decision_p of each row
    pieces = [_Pieces(raw, level) for raw, level in zip(raws, levels.tolist())]
    searches = {
        i: _interval_steps(pieces[i], raws[i], rejected_at_zero[i]) for i in range(len(raws))
    }
    wanted = {i: next(search) for i, search in searches.items()}
    found: list[Shift | None] = [None] * len(raws)
    while wanted:
        _test_together([(pieces[i], piece) for i, asked in wanted.items() for piece in asked])
        for i in list(wanted):
            try:
                wanted[i] = searches[i].send([pieces[i].accepted(p) for p in wanted[i]])
            except StopIteration as finished:
                found[i] = finished.value
                del wanted[i]
    return found  # type: ignore[return-value]


def _test_together(asked: list[tuple[_Pieces, int]]) -> None:
    """Whether the test keeps each asked piece, every test not yet known counted in
    one call (each row's answer is the one :meth:`_Pieces.accepted` gives)."""
    new = list(
        {
            (id(pieces), piece): (pieces, piece)
            for pieces, piece in asked
            if piece not in pieces._kept
        }.values()
    )
    if not new:
        return
    moved = np.array([pieces.d - pieces.shift(piece) for pieces, piece in new])
    at_average = np.array([piece % 2 == 1 for _, piece in new])
    if at_average.any():  # at a Walsh average, differences that meet there tie
        tolerances = np.array([pieces.tolerance for pieces, _ in new])[at_average]
        moved[at_average] = resolved(moved[at_average], tolerances)
    kept = raw_signed_rank_ps(moved) > np.array([pieces.level for pieces, _ in new])
    for (pieces, piece), keep in zip(new, kept.tolist()):
        pieces._kept[piece] = keep


def _interval_steps(pieces: _Pieces, raw: np.ndarray, rejected_at_zero: bool):
    """The search of :func:`signed_rank_interval` as a generator: it yields the pieces
    whose test it needs next (a list) and is sent whether the test keeps each; it
    returns the :class:`Shift`. The pieces are searched from the estimate outwards;
    when 0 is in doubt (the search's answer and the test at 0 disagree, which a tie
    can cause) every piece is tested."""
    centre = pieces.of(hodges_lehmann(raw))
    zero = pieces.of(0.0)
    low, high = yield from _search(centre, pieces.count)
    zero_kept, centre_kept = yield [zero, centre]
    inside = low <= zero <= high and not (zero in (low, high) and not zero_kept)
    if rejected_at_zero == inside or not centre_kept:
        kept = yield list(range(pieces.count))
        low, high = _component(kept, centre, zero, rejected_at_zero)
    return Shift(
        hodges_lehmann(raw),
        pieces.end(low, -1),
        pieces.end(high, 1),
        pieces.level,
        len(raw),
        low % 2 == 0,
        high % 2 == 0,
    )


class _Pieces:
    """The shifts t a signed-rank interval is made of: the distinct Walsh averages
    (piece 2k + 1 is the k-th) and the open gaps below, between and above them (piece
    2k is the gap below the k-th); whether the test of d - t keeps each (cached)."""

    def __init__(self, raw: np.ndarray, level: float) -> None:
        self.d = resolved(_ranked_differences(raw))
        self.scale = float(np.abs(self.d).max())
        self.tolerance = RESOLUTION * self.scale
        self.level = level
        finite = np.abs(raw[np.isfinite(raw)])
        # a Walsh average with a diverged run's stand-in lies beyond every finite one
        self.top = (
            math.inf
            if len(finite) == len(raw)
            else (finite.max() if len(finite) else 0.0) * (1 + 1e-6) + 1e-12
        )
        i, j = _walsh_pairs(len(self.d))
        self.points = _distinct(np.sort((self.d[i] + self.d[j]) / 2), self.tolerance)
        self.count = 2 * len(self.points) + 1
        self._kept: dict[int, bool] = {}

    def of(self, value: float) -> int:
        return _piece_of(value, self.points, self.tolerance)

    def shift(self, piece: int) -> float:
        points, k = self.points, piece // 2
        if piece % 2:
            return float(points[k])
        if k == 0:
            return float(points[0]) - 1.0 - self.scale
        if k == len(points):
            return float(points[-1]) + 1.0 + self.scale
        return float(points[k - 1] + points[k]) / 2

    def accepted(self, piece: int) -> bool:
        if piece not in self._kept:
            moved = self.d - self.shift(piece)
            if piece % 2:  # at a Walsh average, differences that meet there tie
                moved = resolved(moved, self.tolerance)
            self._kept[piece] = _signed_rank_p(moved) > self.level
        return self._kept[piece]

    def end(self, piece: int, side: int) -> float:
        """The interval's end at ``piece`` on ``side`` (-1 low, +1 high): a gap ends at
        the average beside it, or at infinity past the last."""
        if piece % 2:
            value = float(self.points[piece // 2])
        else:
            k = piece // 2 + (-1 if side < 0 else 0)
            if k < 0 or k >= len(self.points):
                return -math.inf if side < 0 else math.inf
            value = float(self.points[k])
        return value if abs(value) <= self.top else math.copysign(math.inf, value)


def _distinct(values: np.ndarray, tolerance: float) -> np.ndarray:
    """Sorted ``values`` with runs closer than ``tolerance`` kept once."""
    if len(values) == 0:
        return values
    keep = np.concatenate([[True], np.diff(values) > tolerance])
    return values[keep]


def _piece_of(value: float, points: np.ndarray, tolerance: float) -> int:
    """The piece ``value`` lies on: 2k + 1 for the k-th point, 2k for the gap below it."""
    k = int(np.searchsorted(points, value - tolerance))
    if k < len(points) and abs(points[k] - value) <= tolerance:
        return 2 * k + 1
    return 2 * k


def _search(centre: int, pieces: int):
    """The first and last kept pieces outwards from ``centre``, by bisection on each
    side (the test's p-value rises towards the estimate), the two sides side by side:
    a generator that yields the pieces it needs tested and returns (first, last)."""
    ends = yield [0, pieces - 1]
    # each side: (low, high) still to bisect, or None once its end is known
    below = None if ends[0] else (0, centre)
    above = None if ends[1] else (centre, pieces - 1)
    first, last = 0, pieces - 1
    while True:
        if below is not None and below[1] - below[0] <= 1:
            first, below = below[1], None
        if above is not None and above[1] - above[0] <= 1:
            last, above = above[0], None
        if below is None and above is None:
            return first, last
        asked = []
        if below is not None:
            asked.append((below[0] + below[1]) // 2)
        if above is not None:
            asked.append((above[0] + above[1]) // 2)
        kept = iter((yield asked))
        if below is not None:
            middle = (below[0] + below[1]) // 2
            below = (below[0], middle) if next(kept) else (middle, below[1])
        if above is not None:
            middle = (above[0] + above[1]) // 2
            above = (middle, above[1]) if next(kept) else (above[0], middle)


def _component(kept: list[bool], centre: int, zero: int, rejected_at_zero: bool) -> tuple[int, int]:
    """With every piece tested (``kept``): the run of kept pieces around the
    estimate, widened to 0 when the test at 0 does not reject (its interval must then
    contain 0)."""
    pieces = len(kept)
    if not kept[centre]:
        centre = min(
            (p for p in range(pieces) if kept[p]), key=lambda p: abs(p - centre), default=centre
        )
    first = last = centre
    while first > 0 and kept[first - 1]:
        first -= 1
    while last < pieces - 1 and kept[last + 1]:
        last += 1
    if not rejected_at_zero:
        first, last = min(first, zero), max(last, zero)
    return first, last
