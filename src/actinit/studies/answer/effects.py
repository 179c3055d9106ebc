"""The effect of each grid dimension (its levels' means over the rest of the grid,
compared seed by seed with the best level) and the interactions between pairs of
dimensions (contrasts tested seed by seed, Holm-corrected as one family, said in
words)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..plan.metrics import higher_is_better
from .differences import lattice_unit, paired_mean_test
from .intervals import ALPHA, Estimate, holm, holm_levels, mean_interval
from .ranking import _BestFamily, correct_families, pair_count
from .rows import ConfigSummary
from .run_table import seed_arrays
from .selection import GRID, check_metric, select, varying
from .statistics import ComparisonBatch, PairedComparison, floor_note
from .summary import StudySummary


@dataclass
class Level:
    """One level of a dimension: its mean over the rest of the grid (seed by seed,
    with its interval over seeds) and its comparison with the best level."""

    value: str
    estimate: Estimate
    configurations: int
    vs_best: PairedComparison | None = None
    in_best_set: bool = True


@dataclass
class Effect:
    """A dimension's main effect: its levels, best first."""

    dimension: str
    metric: str
    levels: list[Level]
    seeds: int
    alpha: float = ALPHA
    #: How many paired tests the comparisons were corrected for (every pair of levels,
    #: of every dimension when found together).
    family: int = 0

    @property
    def matters(self) -> bool:
        """Some level is worse than the best (Holm-corrected paired test)."""
        return any(not level.in_best_set for level in self.levels)

    @property
    def size(self) -> float | None:
        """Best level's mean minus the worst's (in the metric's direction)."""
        means = [lv.estimate.mean for lv in self.levels if lv.estimate.mean is not None]
        return abs(means[0] - means[-1]) if len(means) > 1 else None

    def sentence(self, fmt) -> str:
        best = self.levels[0]
        if not self.matters:
            note = floor_note(self.seeds, self.family or pair_count(len(self.levels)), self.alpha)
            return (
                f"{self.dimension}: no level is worse than {best.value} at {self.seeds} seeds "
                f"(spread of means {fmt(self.size or 0)})" + (f"; {note}" if note else "")
            )
        worse = [lv.value for lv in self.levels if not lv.in_best_set]
        return (
            f"{self.dimension} matters: {best.value} is best, "
            f"{', '.join(worse)} {'is' if len(worse) == 1 else 'are'} worse "
            f"(best - worst = {fmt(self.size or 0)})"
        )


def _marginal(rows: Sequence[ConfigSummary], metric: str, seeds: Sequence[int]) -> dict[int, float]:
    """Seed -> the mean of ``metric`` over ``rows`` for that seed (the rest of the
    grid averaged seed by seed)."""
    return {seed: float(np.mean([row.by_seed[metric][seed] for row in rows])) for seed in seeds}


def _common_seeds(rows: Sequence[ConfigSummary], metric: str) -> list[int]:
    sets = [set(row.by_seed.get(metric, {})) for row in rows]
    return sorted(set.intersection(*sets)) if sets else []


def _levels_in_order(dimension: str, rows: Sequence[ConfigSummary]) -> list[str]:
    """A dimension's values in the study's order; numbers (depth, batch, epochs,
    dropout) in increasing order."""
    values = list(dict.fromkeys(GRID[dimension](r.config) for r in rows))
    if dimension == "hidden":
        by_value = {GRID["hidden"](r.config): r.config.hidden for r in rows}
        return sorted(values, key=lambda v: (len(by_value[v]), sum(by_value[v])))
    if all(_number(v) is not None for v in values):
        return sorted(values, key=_number)
    return values


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def main_effect(
    rows: Sequence[ConfigSummary], dimension: str, metric: str, alpha: float = ALPHA
) -> Effect:
    """``dimension``'s levels, each with its mean over the rest of ``rows`` seed by seed,
    sorted best first; each level compared with the best, corrected over every pair
    of levels (:func:`~.ranking.with_the_best`)."""
    effect, family = _main_effect(rows, dimension, metric, alpha)
    correct_families([family], alpha)
    return _decided(effect, family, alpha)


def _main_effect(
    rows: Sequence[ConfigSummary], dimension: str, metric: str, alpha: float
) -> tuple[Effect, _BestFamily]:
    seeds = _common_seeds(rows, metric)
    groups: dict[str, list[ConfigSummary]] = {}
    for row in rows:
        groups.setdefault(GRID[dimension](row.config), []).append(row)
    marginals = {value: _marginal(group, metric, seeds) for value, group in groups.items()}
    higher = higher_is_better(metric)
    unit = lattice_unit(
        np.array([v for series in marginals.values() for v in series.values()]), metric
    )
    levels = [
        Level(value, mean_interval(list(marginals[value].values()), unit=unit), len(groups[value]))
        for value in groups
    ]
    levels.sort(
        key=lambda lv: -(lv.estimate.mean or -np.inf) if higher else (lv.estimate.mean or np.inf)
    )
    family = _BestFamily(
        [marginals[lv.value] for lv in levels], 0, metric, [lv.value for lv in levels]
    )
    return Effect(dimension, metric, levels, len(seeds), alpha), family


def _decided(effect: Effect, family: _BestFamily, alpha: float) -> Effect:
    for level, comparison in zip(effect.levels[1:], family.result()[1:]):
        level.vs_best = comparison
        level.in_best_set = comparison.better(alpha) != "b"
    return effect


def effects(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float | None = None,
) -> list[Effect]:
    """The main effect of every dimension that varies among the chosen rows, their
    comparisons with each dimension's best level corrected as one family with every
    pair of levels of every dimension: "matters" anywhere in the answer is wrong with a
    chance of at most ``alpha``."""
    check_metric(summary.study, metric)
    alpha = summary.alpha if alpha is None else alpha
    rows = [r for r in select(summary.rows, where or {}) if r.by_seed.get(metric)]
    if not rows or not _common_seeds(rows, metric):
        return []
    if not any(np.isfinite(seed_arrays(r.by_seed[metric])[1]).any() for r in rows):
        from .selection import SelectionError

        raise SelectionError(
            f"every run of these configurations diverged: no finite {metric.replace('_', ' ')} "
            "to compare levels by (choose another --metric, or rerun with a smaller learning "
            "rate)"
        )
    found = [_main_effect(rows, dimension, metric, alpha) for dimension in varying(rows)]
    correct_families([family for _, family in found], alpha)
    for effect, _ in found:
        effect.family = sum(pair_count(len(e.levels)) for e, _ in found)
    return [_decided(effect, family, alpha) for effect, family in found]


@dataclass
class Contrast:
    """An interaction contrast: how much more ``a`` beats ``other`` (levels of
    ``dimension``) at ``across`` = ``at`` than at ``across`` = ``elsewhere``. Per seed,
    (y(a, at) - y(other, at)) - (y(a, elsewhere) - y(other, elsewhere)), each y the
    mean over the rest of the grid; ``comparison`` tests it against 0 seed by seed,
    Holm-corrected over every contrast of the study."""

    dimension: str
    across: str
    a: str
    other: str
    at: str
    elsewhere: str
    #: The mean of y(a) - y(other) over seeds at ``at`` and at ``elsewhere``.
    gap_at: float
    gap_elsewhere: float
    #: Its test: a :class:`PairedComparison`, or (the batch it was tested in, its
    #: row), made into one when :attr:`comparison` is read.
    test: PairedComparison | tuple[ComparisonBatch, int] | None
    #: The per-seed gaps y(a) - y(other) at ``at`` and at ``elsewhere``.
    gaps: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
    #: The floor of a spread (see :func:`~.differences.lattice_unit`).
    unit: float = 0.0

    @property
    def comparison(self) -> PairedComparison:
        """The contrast against 0, seed by seed (Holm-corrected over the family)."""
        if isinstance(self.test, tuple):
            batch, row = self.test
            self.test = batch[row]
        return self.test  # type: ignore[return-value]

    def decided(self, alpha: float = ALPHA) -> bool:
        """Does its test find it (:meth:`PairedComparison.better` is not None)? Read
        off its batch without making the comparison when it was tested in one."""
        if isinstance(self.test, tuple):
            batch, row = self.test
            return bool(batch.better(alpha)[row])
        return self.comparison.better(alpha) is not None

    def crossing(self, level: float) -> bool:
        """The better of the two levels changes: each gap is shown by its own paired
        test at ``level``, and they have opposite signs."""
        if self.gap_at * self.gap_elsewhere >= 0:
            return False
        return all(paired_mean_test(gap, self.unit)[0] < level for gap in self.gaps)


@dataclass
class Interaction:
    """How the effect of ``dimension`` changes across the levels of ``across``: the
    contrasts the test found (strongest first) among ``tested`` of this pair of
    dimensions, and the strongest in words."""

    dimension: str
    across: str
    contrasts: list[Contrast]
    tested: int
    family: int
    sentence: str


def _cells(
    rows: Sequence[ConfigSummary], first: str, second: str, metric: str, seeds: Sequence[int]
) -> dict[tuple[str, str], np.ndarray]:
    """(level of ``first``, level of ``second``) -> the per-seed mean of ``metric`` over
    the rest of the grid."""
    groups: dict[tuple[str, str], list[np.ndarray]] = {}
    wanted = np.asarray(seeds, dtype=np.int64)
    for row in rows:
        own, values = seed_arrays(row.by_seed[metric])
        cell = (GRID[first](row.config), GRID[second](row.config))
        groups.setdefault(cell, []).append(values[np.searchsorted(own, wanted)])
    with np.errstate(invalid="ignore"):  # seeds x rows: each seed's mean as np.mean of its row
        return {cell: np.array(group).T.copy().mean(axis=1) for cell, group in groups.items()}


def _oriented(first: str, second: str) -> tuple[str, str]:
    """Which dimension's effect is said to change across which: the initializer's
    across activations, else the earlier dimension of :data:`GRID` across the later."""
    pair = {first, second}
    if pair == {"activation", "initializer"}:
        return "initializer", "activation"
    order = list(GRID)
    return tuple(sorted(pair, key=order.index))  # type: ignore[return-value]


def _contrasts(dimension, across, cells, values, levels):
    """Every :class:`Contrast` of ``dimension``'s levels ``values`` (each pair) across
    ``levels`` of ``across`` (each pair) whose four cells exist and have a seed with
    all four finite, with its per-seed values. Their tests are set by the caller."""
    # each pair of values (in itertools.combinations' order) with each pair of levels
    first, second = np.triu_indices(len(values), 1)
    here, there = np.triu_indices(len(levels), 1)
    if not len(first) or not len(here) or not cells:
        return []
    seeds = len(next(iter(cells.values())))
    y = np.full((len(values), len(levels), seeds), np.nan)
    present = np.zeros((len(values), len(levels)), dtype=bool)
    for i, value in enumerate(values):
        for j, level in enumerate(levels):
            if (value, level) in cells:
                y[i, j], present[i, j] = cells[(value, level)], True
    a, other = np.repeat(first, len(here)), np.repeat(second, len(here))
    at, elsewhere = np.tile(here, len(first)), np.tile(there, len(first))
    with np.errstate(invalid="ignore"):
        gap_at, gap_elsewhere = y[a, at] - y[other, at], y[a, elsewhere] - y[other, elsewhere]
        raw = gap_at - gap_elsewhere
    ok = np.isfinite(raw)
    usable = present[a, at] & present[other, at] & present[a, elsewhere]
    usable &= present[other, elsewhere] & ok.any(axis=1)
    with np.errstate(invalid="ignore"):  # each row's mean as np.mean of the row
        means_at, means_elsewhere = gap_at.mean(axis=1), gap_elsewhere.mean(axis=1)
    whole = ok.all(axis=1).tolist()
    means_at, means_elsewhere = means_at.tolist(), means_elsewhere.tolist()
    made = []
    for k in np.flatnonzero(usable).tolist():
        keep = ok[k]
        gaps = (
            (gap_at[k], gap_elsewhere[k]) if whole[k] else (gap_at[k][keep], gap_elsewhere[k][keep])
        )
        mean_at, mean_elsewhere = means_at[k], means_elsewhere[k]
        if not whole[k]:  # a seed left out: the mean of the rest
            mean_at, mean_elsewhere = float(np.mean(gaps[0])), float(np.mean(gaps[1]))
        contrast = Contrast(
            dimension,
            across,
            values[a[k]],
            values[other[k]],
            levels[at[k]],
            levels[elsewhere[k]],
            mean_at,
            mean_elsewhere,
            None,
            gaps,
        )
        made.append((contrast, raw[k] if whole[k] else raw[k][keep]))
    return made


def interaction_contrasts(
    rows: Sequence[ConfigSummary], metric: str, alpha: float = ALPHA
) -> list[Contrast]:
    """Every interaction contrast of every pair of varying dimensions (each pair of
    levels of one against each pair of levels of the other, on the seeds every row
    has), tested seed by seed and Holm-corrected as one family. A configuration's
    seeds are shared, so the contrast removes each seed's common draw."""
    seeds = _common_seeds(rows, metric)
    dims = varying(rows)
    found: list[Contrast] = []
    raws: list[np.ndarray] = []
    for index, first in enumerate(dims):
        for second in dims[index + 1 :]:
            dimension, across = _oriented(first, second)
            cells = _cells(rows, dimension, across, metric, seeds)
            values = list(dict.fromkeys(k[0] for k in cells))
            levels = _levels_in_order(across, rows)
            for contrast, raw in _contrasts(dimension, across, cells, values, levels):
                found.append(contrast)
                raws.append(raw)
    higher = higher_is_better(metric)
    unit = lattice_unit(np.concatenate([r for r in raws]) if raws else np.zeros(0), metric)
    for contrast in found:
        contrast.unit = unit
    by_length: dict[int, list[int]] = {}
    for index, raw in enumerate(raws):
        by_length.setdefault(len(raw), []).append(index)
    batches = []
    for length, members in by_length.items():  # every contrast's test at once
        matrix = np.array([raws[i] for i in members], dtype=float).reshape(len(members), length)
        batch = ComparisonBatch.against(
            matrix, np.zeros(length), metric, higher, _contrast_names(found, members),
            unit=unit,
        )  # fmt: skip
        batches.append(batch)
        for row, i in enumerate(members):
            found[i].test = (batch, row)
    p_values = [p for batch in batches for p in batch.p_values.tolist()]
    adjusted, levels = np.array(holm(p_values)), np.array(holm_levels(p_values, alpha))
    start = 0
    for batch in batches:  # Holm over every contrast of the study
        batch.adjust(adjusted[start : start + len(batch)], levels[start : start + len(batch)])
        start += len(batch)
    return found


def _contrast_names(found: list[Contrast], members: list[int]):
    """The names of the contrasts ``members`` of ``found``, by row of their batch."""

    def names(row: int) -> tuple[str, str]:
        c = found[members[row]]
        return f"{c.a} - {c.other} at {c.at}", f"at {c.elsewhere}"

    return names


def interactions(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float | None = None,
    fmt: Callable[[float], str] = lambda v: f"{v:.3g}",
) -> list[Interaction]:
    """For every pair of varying dimensions whose interaction contrasts the test
    finds (:func:`interaction_contrasts`, one Holm-corrected family): the strongest
    contrast in words. When the better of two levels changes, "the best initializer
    depends on activation: he_normal beats xavier_normal at relu (+10.0), xavier_normal
    beats he_normal at tanh (+10.0)"; else "the gap between initializer he_normal and
    xavier_normal is not the same at hidden 8 and 20x8: ...". Nothing is said of where a dimension does not matter: a
    test that finds nothing does not show that."""
    alpha = summary.alpha if alpha is None else alpha
    rows = [r for r in select(summary.rows, where or {}) if r.by_seed.get(metric)]
    if not rows or not _common_seeds(rows, metric):
        return []
    contrasts = interaction_contrasts(rows, metric, alpha)
    by_pair: dict[tuple[str, str], list[Contrast]] = {}
    for contrast in contrasts:
        by_pair.setdefault((contrast.dimension, contrast.across), []).append(contrast)
    found = []
    for (dimension, across), members in by_pair.items():
        shown = sorted(
            (c for c in members if c.decided(alpha)),
            key=lambda c: (c.comparison.p, -abs(c.gap_at - c.gap_elsewhere)),
        )
        if shown:
            sentence = _interaction_sentence(
                shown, len(members), len(contrasts), metric, fmt, alpha
            )
            found.append(
                Interaction(dimension, across, shown, len(members), len(contrasts), sentence)
            )
    return found


def _interaction_sentence(
    shown: list[Contrast], tested: int, family: int, metric: str, fmt, alpha: float = ALPHA
) -> str:
    """The strongest contrast in words. What its test shows is that the gap between
    two levels is not the same at two levels of the other dimension; that is what is
    said. Which level wins where is said only when each gap is shown by its own test
    (Bonferroni over two per contrast of the family). Nothing is said of where a
    dimension "matters more": the contrast of (+2, -2) is as large as that of (+4, 0),
    and the test never compared the sizes of the two gaps."""
    c = shown[0]
    sign = 1.0 if higher_is_better(metric) else -1.0
    a, other, at, elsewhere = c.a, c.other, c.at, c.elsewhere
    gap_at, gap_elsewhere = sign * c.gap_at, sign * c.gap_elsewhere
    flip = sign
    if abs(gap_elsewhere) > abs(gap_at):  # say first where the gap is largest
        at, elsewhere, gap_at, gap_elsewhere, flip = elsewhere, at, gap_elsewhere, gap_at, -flip
    if gap_at < 0:  # and name first the level that is better there
        a, other, gap_at, gap_elsewhere, flip = other, a, -gap_at, -gap_elsewhere, -flip
    difference = c.comparison.difference()
    if flip < 0:
        difference = difference.flipped()
    test = (
        f"interaction {difference.text(fmt)}, Holm-adjusted p = "
        f"{c.comparison.p:.2g} over {family} contrast{'s' if family > 1 else ''}"
    )
    more = f"; {len(shown) - 1} more of {tested} contrasts" if len(shown) > 1 else ""
    if c.crossing(alpha / (2 * family)):
        return (
            f"the best {c.dimension} depends on {c.across}: {a} beats {other} at {c.across} "
            f"{at} (by {fmt(gap_at)}), {other} beats {a} at {c.across} {elsewhere} "
            f"(by {fmt(-gap_elsewhere)}) ({test}{more})"
        )
    return (
        f"the gap between {c.dimension} {a} and {other} is not the same at {c.across} {at} "
        f"and {elsewhere}: {a} - {other} = {fmt(gap_at)} at {at}, {fmt(gap_elsewhere)} at "
        f"{elsewhere} ({test}{more})"
    )
