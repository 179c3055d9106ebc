"""Rankings and paired comparisons: configurations compared seed by seed (runs with
the same seed share their data, mini-batch order and dropout noise, so a difference
is measured on the same draws). A *ranking* sorts configurations by their mean and
marks the *best set* its guarantee promises (:mod:`.guarantees`), every comparison a
paired t test of the mean difference (see :mod:`.statistics`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..plan.metrics import higher_is_better
from ..plan.run_config import RunConfig
from .differences import lattice_unit
from .guarantees import GUARANTEES, Decision, PairStats, decide, seeds_for_gap
from .intervals import ALPHA, Estimate, holm, holm_levels
from .lazy import LazySequence
from .rows import ConfigSummary
from .run_table import seed_arrays
from .selection import SelectionError, check_metric, labeller_of, select_rows
from .statistics import (
    ComparisonBatch,
    PairedComparison,
    correct,
    floor_note,
    paired_comparison,
    paired_comparisons,
)
from .summary import StudySummary, SummaryRows

# --------------------------------------------------------------------------
# Comparisons and rankings
# --------------------------------------------------------------------------


def failed_by_seed(row: ConfigSummary) -> dict[int, bool]:
    """Seed -> did the run fail (diverge, or never rise above the study's learned
    threshold)."""
    failed = set(row.failed_seeds)
    return {seed: seed in failed for seed in row.stored_seeds}


def compare_rows(
    a: ConfigSummary,
    b: ConfigSummary,
    metric: str,
    names: tuple[str, str] = ("A", "B"),
    alpha: float = ALPHA,
) -> PairedComparison:
    """A against B, seed by seed, on ``metric``: the mean difference (its interval
    and verdict at ``alpha``), and how often each failed with the difference where
    both learned."""
    return paired_comparison(
        a.by_seed.get(metric, {}),
        b.by_seed.get(metric, {}),
        metric,
        higher_is_better(metric),
        names,
        confidence=1 - alpha,
        failed=(failed_by_seed(a), failed_by_seed(b)),
    )


def against(
    baseline: ConfigSummary,
    others: Sequence[ConfigSummary],
    metric: str,
    label: Callable[[RunConfig], str],
    alpha: float = ALPHA,
) -> list[PairedComparison]:
    """Every configuration of ``others`` (as A) against ``baseline`` (as B), with
    Holm's correction over all of them: the baseline is the user's choice, not the
    data's, so the family is these comparisons."""
    others = [row for row in others if row is not baseline]
    comparisons = [
        compare_rows(row, baseline, metric, (label(row.config), label(baseline.config)), alpha)
        for row in others
    ]
    correct(comparisons, alpha)
    return comparisons


def _versus(
    base: Mapping[int, float],
    series: Sequence[Mapping[int, float]],
    metric: str,
    names: Sequence[tuple[str, str]],
) -> list[PairedComparison]:
    """Each of ``series`` (seed -> value) against ``base`` on the seeds both have;
    the tests of series sharing the same seeds run at once."""
    base_seeds, base_values = seed_arrays(base)
    arrays = [seed_arrays(values) for values in series]
    groups: dict[bytes, list[int]] = {}  # series with the same seeds are tested together
    for index, (seeds, _) in enumerate(arrays):
        groups.setdefault(seeds.tobytes(), []).append(index)
    found: dict[int, PairedComparison] = {}
    for members in groups.values():
        own = arrays[members[0]][0]
        seeds, mine, theirs = np.intersect1d(own, base_seeds, return_indices=True)
        matrix = np.array([arrays[i][1][mine] for i in members], dtype=float)
        results = paired_comparisons(
            matrix.reshape(len(members), len(seeds)),
            base_values[theirs],
            metric,
            higher_is_better(metric),
            [names[i] for i in members],
            seeds.tolist(),
        )
        found.update(zip(members, results))
    return [found[index] for index in range(len(series))]


def pair_count(candidates: int) -> int:
    """How many tests a best set of ``candidates`` is corrected for: every pair."""
    return candidates * (candidates - 1) // 2


def with_the_best(
    series: Sequence[Mapping[int, float]],
    best: int,
    metric: str,
    names: Sequence[str],
    alpha: float = ALPHA,
) -> list[PairedComparison | None]:
    """Each of ``series`` (seed -> value) against ``series[best]`` (None for the best
    itself), corrected as one family with every other pair (Holm): "X is worse than
    the best" is one of the claims "X is worse than Y", so the chance of any false one
    stays at most ``alpha`` whoever is picked as the best."""
    family = _BestFamily(series, best, metric, names)
    correct_families([family], alpha)
    return family.result()


class _BestFamily:
    """The comparisons with the best of one set of series, and the p-values of their
    other pairs."""

    def __init__(self, series, best: int, metric: str, names: Sequence[str]) -> None:
        self.size = len(series)
        self.others = [i for i in range(len(series)) if i != best]
        self.comparisons = _versus(
            series[best],
            [series[i] for i in self.others],
            metric,
            [(names[i], names[best]) for i in self.others],
        )
        self.rest = _pair_ps([series[i] for i in self.others], metric)

    def result(self) -> list[PairedComparison | None]:
        found: list[PairedComparison | None] = [None] * self.size
        for index, comparison in zip(self.others, self.comparisons):
            found[index] = comparison
        return found


def correct_families(families: Sequence, alpha: float = ALPHA) -> None:
    """One Holm correction over every pair of every family (the comparisons with each
    family's best, and the family's other pairs)."""
    p_lists = [[c.p_value for c in family.comparisons] for family in families]
    p_values = [p for found in p_lists for p in found]
    every = p_values + [p for family in families for p in family.rest]
    adjusted, levels = holm(every), holm_levels(every, alpha)
    offset = 0
    for family, found in zip(families, p_lists):
        part = slice(offset, offset + len(found))
        offset += len(found)
        for comparison, p, level in zip(family.comparisons, adjusted[part], levels[part]):
            comparison.p_adjusted = p
            comparison.level = level


def _pair_ps(series: Sequence[Mapping[int, float]], metric: str) -> list[float]:
    """The paired t p-value of every pair of ``series`` on the seeds both have."""
    if len(series) < 2:
        return []
    _, matrix = _matrix(series)
    pairs = PairStats(matrix, lattice_unit(matrix, metric))
    i, j = np.triu_indices(len(series), 1)
    return pairs.two_sided_p()[i, j].tolist()


def _matrix(series: Sequence[Mapping[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    """(seeds, series x seeds values) with NaN where a series lacks a seed."""
    arrays = [seed_arrays(values) for values in series]
    seeds = np.unique(np.concatenate([s for s, _ in arrays])) if arrays else np.zeros(0, int)
    matrix = np.full((len(series), len(seeds)), np.nan)
    for row, (own, values) in enumerate(arrays):
        matrix[row, np.searchsorted(seeds, own)] = values
    return seeds, matrix


@dataclass
class Ranked:
    """One configuration in a ranking: its estimate, its comparison with the best
    (None for the best itself), the guarantee's interval for it and whether it
    belongs to the best set. ``learned``: it learned on some seed (a description:
    the best set is decided by the tests alone)."""

    row: ConfigSummary
    label: str
    estimate: Estimate
    vs_best: PairedComparison | None
    in_best_set: bool
    learned: bool = True
    #: The guarantee's interval (best-set: of mu_i - max of the others; otherwise of
    #: mu_i - mu_best) and the p-value the place rests on.
    interval: tuple[float, float] = (float("nan"), float("nan"))
    p: float = 1.0


@dataclass
class Ranking:
    """Configurations ranked on ``metric``: the entries (:class:`Ranked`) best first,
    the level ``alpha`` and the selection ``where`` they were made at, the ``guarantee``
    their best set keeps (and ``what`` it promises in words), the spread of the paired
    differences with the best (what the power line reads), or the ``reason`` there is
    nothing to rank."""

    metric: str
    entries: Sequence[Ranked]
    alpha: float = ALPHA
    where: dict[str, str] = field(default_factory=dict)
    #: Why there is nothing to rank, when there is not.
    reason: str = ""
    guarantee: str = "best-set"
    #: The guarantee in words, and the spread of the paired differences with the best
    #: (what the power line reads).
    what: str = ""
    spread: float = float("nan")

    @property
    def best(self) -> Ranked | None:
        """The configuration with the highest mean (the others are shown against it)."""
        return self.entries[0] if self.entries else None

    @property
    def best_set(self) -> list[Ranked]:
        return [self.entries[i] for i, kept in enumerate(self._column("in_best_set")) if kept]

    def _column(self, name: str) -> list:
        """Every entry's ``in_best_set``, ``learned`` or ``n`` (its estimate's seeds):
        read from the arrays of :class:`RankedEntries`, without making the entries."""
        return self.entries.columns[name] if self.entries else []

    @property
    def family(self) -> int:
        """How many tests the guarantee is corrected for."""
        k = len(self.entries)
        return pair_count(k) if self.guarantee == "every-pair" else max(0, k - 1)

    @property
    def seeds(self) -> tuple[int, int]:
        counts = self._column("n") or [0]
        return min(counts), max(counts)

    def seeds_text(self) -> str:
        low, high = self.seeds
        return f"{low} seeds" if low == high else f"{low}-{high} seeds"

    def correction_text(self) -> str:
        return self.what

    def seeds_for(self, gap: float, power: float = 0.8) -> int | None:
        """About how many seeds this ranking's guarantee needs to drop a configuration
        ``gap`` below the best with probability ``power`` (at the paired differences'
        spread seen here)."""
        return seeds_for_gap(gap, self.spread, len(self.entries), self.guarantee, self.alpha, power)

    def power_line(self, gap: float, fmt) -> str:
        """The seeds the guarantee needs to separate ``gap`` from the best, in words."""
        needed = self.seeds_for(gap)
        if needed is None:
            return ""
        return (
            f"to drop a configuration {fmt(gap)} below the best with 80% power, this "
            f"guarantee needs about {needed} seeds (paired differences with the best spread "
            f"by {fmt(self.spread)} here; every-pair: about "
            f"{seeds_for_gap(gap, self.spread, len(self.entries), 'every-pair', self.alpha)})"
            if self.guarantee != "every-pair"
            else f"to drop a configuration {fmt(gap)} below the best with 80% power, every-pair "
            f"needs about {needed} seeds (paired differences spread by {fmt(self.spread)} here)"
        )

    def verdict(self) -> str:
        """The ranking in one sentence: a winner, or no winner and why."""
        if not self.entries:
            return f"nothing to rank: {self.reason or 'no stored runs'}"
        best = self.best
        if len(self.entries) == 1:
            return f"only {best.label} was run"
        never = sum(not learned for learned in self._column("learned"))
        never_text = (
            f"; {never} configuration{'s' if never > 1 else ''} learned on no seed" if never else ""
        )
        note = floor_note(min(self.seeds), self.family, self.alpha)
        if len(self.best_set) == 1:
            only = self.best_set[0]
            return (
                f"{only.label} is best at {self.seeds_text()}: every other configuration is "
                f"worse ({self.correction_text()}){never_text}"
            )
        return (
            f"no winner at {self.seeds_text()}: {len(self.best_set)} configurations could be "
            f"best ({self.correction_text()}); "
            + (note if note else "more seeds may separate them")
            + never_text
        )


def learned_somewhere(row: ConfigSummary) -> bool:
    """Did the configuration learn on at least one seed (always true of regression,
    where nothing is "learned")?"""
    return row.learned_share is None or row.learned_share > 0


def _nothing_to_rank(summary: StudySummary, metric: str, configs, matrix) -> str:
    """Why the chosen configurations cannot be ranked on ``metric`` ("" when they
    can): no stored runs, every run diverged or failed, or (for epochs to target) no
    run reached the target, so every one is "never" and none is faster."""
    finite = np.isfinite(matrix).any(axis=1) if len(matrix) else np.zeros(0, bool)
    if not finite.any():
        if len(configs) or any(r.diverged for r in summary.rows):
            return (
                "every run of these configurations diverged or failed: no finite "
                f"{metric.replace('_', ' ')}"
            )
        return "no stored runs"
    keys = {config.key for config in configs}
    if metric == "epochs_to_target" and not any(
        row.reached_target for row in summary.rows if row.config.key in keys
    ):
        target = 100 * summary.study.target_accuracy
        return (
            f"no run of these configurations reached the target accuracy ({target:g}%): "
            'every one is "never", so none is faster; rank by test_accuracy, or lower '
            "[summary] target_accuracy in the study file"
        )
    return ""


def rank(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float | None = None,
    guarantee: str = "best-set",
) -> Ranking:
    """The configurations (those ``where`` picks) sorted by their mean ``metric``
    (the highest first, or the lowest for a loss), every pair compared seed by seed
    on its mean difference (paired t), and the best set that ``guarantee`` promises
    (:mod:`.guarantees`: ``best-set``, ``every-pair`` or ``screening``). ``alpha``:
    by default 5%, spent over the looks of any adaptive rounds that added seeds
    (:attr:`~.summary.StudySummary.alpha`)."""
    check_metric(summary.study, metric)
    alpha = summary.alpha if alpha is None else alpha
    if guarantee not in GUARANTEES:
        raise SelectionError(
            f"unknown guarantee {guarantee!r}; choose one of: {', '.join(GUARANTEES)}"
        )
    configs, row_of, matrix, learned = _ranked_values(summary, metric, where or {})
    reason = _nothing_to_rank(summary, metric, configs, matrix)
    if reason:
        return Ranking(metric, [], alpha, dict(where or {}), reason, guarantee)
    higher = higher_is_better(metric)
    with np.errstate(invalid="ignore"):
        means = np.nanmean(np.where(np.isfinite(matrix), matrix, np.nan), axis=1)
    good = means if higher else -means
    order = np.argsort(np.where(np.isnan(good), np.inf, -good), kind="stable")
    matrix = matrix[order]
    configs = [configs[i] for i in order.tolist()]
    unit = lattice_unit(matrix, metric)
    pairs = PairStats(matrix if higher else -matrix, unit)
    decision = decide(pairs, 0, guarantee, alpha)
    sign = 1.0 if higher else -1.0
    label = labeller_of(configs)
    names = [label(c) for c in configs]
    comparisons = ComparisonBatch.against(
        matrix[1:], matrix[0], metric, higher, lambda k: (names[k + 1], names[0]),
        1 - decision.level, unit,
    )  # fmt: skip
    if decision.guarantee == "every-pair":
        comparisons.adjust(decision.p[1:], np.full(len(configs) - 1, decision.level))
    spread = _spread(pairs)
    learned = np.asarray(learned)[order].tolist()
    entries = RankedEntries(
        lambda k: row_of(int(order[k])), names, metric, comparisons, decision, sign,
        {"learned": learned, "in_best_set": decision.in_best_set.tolist(),
         "n": [int(v) for v in np.isfinite(matrix).sum(axis=1)]},
    )  # fmt: skip
    what = decision.what
    if summary.looks > 1 and alpha == summary.alpha:
        what += f"; 5% spent over the {summary.looks} looks of the adaptive rounds that added seeds"
    return Ranking(metric, entries, alpha, dict(where or {}), "", decision.guarantee, what, spread)


def _spread(pairs: PairStats) -> float:
    """The median standard deviation of the paired differences with the best."""
    _, se, n = pairs.block(slice(0, 1))
    se, n = se[0, 1:], n[0, 1:]
    usable = np.isfinite(se) & (n > 1)
    if not usable.any():
        return float("nan")
    return float(np.median(se[usable] * np.sqrt(n[usable])))


def _ranked_values(summary: StudySummary, metric: str, where: Mapping[str, str]):
    """(the chosen configurations, a function giving the row of the i-th of them,
    their values as configurations x seeds with NaN where a seed is missing (unequal
    seeds are a mask, not another path), and whether each learned on some seed), read
    from the summary's columns (:class:`~.summary.SummaryRows`, or a view of them)."""
    rows = summary.rows
    if not isinstance(rows, SummaryRows):
        raise TypeError("rank reads the columns of a summary made by summarize()")
    columns = rows.columns
    chosen = select_rows(rows, where).indices if where else rows.indices
    column, table = columns.metrics[metric], columns.table
    runs = np.flatnonzero(column.included)
    runs = runs[np.isin(table.code[runs], chosen)]
    seeds = np.unique(table.seed[runs])
    position = np.full(len(columns.configs), -1)
    position[chosen] = np.arange(len(chosen))
    matrix = np.full((len(chosen), len(seeds)), np.nan)
    place = (position[table.code[runs]], np.searchsorted(seeds, table.seed[runs]))
    matrix[place] = column.value[runs]
    has = (~np.isnan(matrix)).any(axis=1)
    chosen, matrix = chosen[has], matrix[has]
    configs = [columns.configs[i] for i in chosen.tolist()]
    share = columns.learned[0][chosen]
    learned = np.isnan(share) | (share > 0)  # regression (no share) always "learned"
    return configs, lambda i: rows.of_config(int(chosen[i])), matrix, learned


class RankedEntries(LazySequence[Ranked]):
    """A ranking's entries, each made when read (:class:`Ranked`) from what the
    ranking computed at once: ``row_of(k)``, the k-th ranked row, their names, the comparisons
    with the best (in that order without the best), the guarantee's decision, and
    ``columns`` (per entry: learned, in the best set, seeds)."""

    def __init__(
        self,
        row_of: Callable[[int], ConfigSummary],
        names: list[str],
        metric: str,
        comparisons: ComparisonBatch,
        decision: Decision,
        sign: float,
        columns: dict[str, list],
    ) -> None:
        self.row_of, self.names, self.metric = row_of, names, metric
        self.comparisons, self.decision, self.sign, self.columns = (
            comparisons, decision, sign, columns,
        )  # fmt: skip
        super().__init__(len(names))

    def _make(self, index: int) -> Ranked:
        row = self.row_of(index)
        versus = None if index == 0 else self.comparisons[index - 1]
        d = self.decision
        low, high = float(d.low[index]), float(d.high[index])
        if self.sign < 0:  # in the metric's own units: a loss lower than the best is < 0
            low, high = -high, -low
        return Ranked(
            row,
            self.names[index],
            _estimate(row, self.metric),
            versus,
            self.columns["in_best_set"][index],
            self.columns["learned"][index],
            (low, high),
            float(d.p[index]),
        )


def _estimate(row: ConfigSummary, metric: str) -> Estimate:
    spread = row.metric(metric)
    return Estimate(spread.mean, spread.low, spread.high, spread.n)
