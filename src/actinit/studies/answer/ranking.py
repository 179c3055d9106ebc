"""Rankings and paired comparisons: configurations compared seed by seed (runs with
the same seed share their data, mini-batch order and dropout noise, so a difference
is measured on the same draws). A *ranking* sorts configurations by their mean and
marks the *best set*: the best and every configuration not shown worse than it, the
tests corrected over every pair (see :mod:`.statistics`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..plan.metrics import higher_is_better
from ..plan.run_config import RunConfig
from .intervals import ALPHA, Estimate, holm, holm_levels
from .lazy import LazySequence
from .run_table import seed_arrays
from .selection import check_metric, labeller, labeller_of, select, select_configs
from .signed_rank import paired_differences, signed_rank_ps
from .statistics import (
    ComparisonBatch,
    PairedComparison,
    correct,
    decision_p,
    floor_note,
    paired_comparison,
    paired_comparisons,
)
from .summary import ConfigSummary, StudySummary, SummaryRows

# --------------------------------------------------------------------------
# Picking configurations
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Comparisons and rankings
# --------------------------------------------------------------------------


def compare_rows(
    a: ConfigSummary, b: ConfigSummary, metric: str, names: tuple[str, str] = ("A", "B")
) -> PairedComparison:
    """A against B, seed by seed, on ``metric``."""
    return paired_comparison(
        a.by_seed.get(metric, {}),
        b.by_seed.get(metric, {}),
        metric,
        higher_is_better(metric),
        names,
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
    comparisons = _versus(
        baseline.by_seed.get(metric, {}),
        [row.by_seed.get(metric, {}) for row in others],
        metric,
        [(label(row.config), label(baseline.config)) for row in others],
    )
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


#: Up to this many candidates, the best set's family is every pair of them, corrected
#: by Holm; beyond, by Bonferroni over every pair (only the comparisons with the best
#: are then computed).
ALL_PAIRS_UP_TO = 300


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
    itself), corrected as one family with every other pair.

    The best is picked by the data (the highest mean), so testing the others against
    it alone is biased: among identical configurations the one that drew highest is
    compared with the rest, and "worse than the best" turns up far more often than
    alpha. Any claim "X is worse than the best" is one of the claims "X is worse than
    Y" over all pairs, so Holm's correction over every pair keeps the chance of any
    false one at most ``alpha``, whoever is picked as the best."""
    family = _BestFamily(series, best, metric, names)
    correct_families([family], alpha)
    return family.result()


class _BestFamily:
    """The comparisons with the best of one set of series, and the p-values of their
    other pairs (None beyond :data:`ALL_PAIRS_UP_TO`: not computed)."""

    def __init__(self, series, best: int, metric: str, names: Sequence[str]) -> None:
        self.size = len(series)
        self.others = [i for i in range(len(series)) if i != best]
        self.comparisons = _versus(
            series[best],
            [series[i] for i in self.others],
            metric,
            [(names[i], names[best]) for i in self.others],
        )
        self.rest = (
            _pair_ps([series[i] for i in self.others]) if self.size <= ALL_PAIRS_UP_TO else None
        )

    def result(self) -> list[PairedComparison | None]:
        found: list[PairedComparison | None] = [None] * self.size
        for index, comparison in zip(self.others, self.comparisons):
            found[index] = comparison
        return found


def correct_families(families: Sequence, alpha: float = ALPHA) -> None:
    """One correction over every pair of every family: Holm's, or Bonferroni's when a
    family is too large for its pairs to be computed. A family's ``comparisons`` are
    :class:`PairedComparison` objects or a :class:`ComparisonBatch`."""
    p_lists = [_p_values(family.comparisons) for family in families]
    p_values = [p for found in p_lists for p in found]
    total = sum(pair_count(family.size) for family in families)
    if any(family.rest is None for family in families):
        adjusted = [min(1.0, total * p) for p in p_values]
        levels = [alpha / max(1, total)] * len(p_values)
    else:
        every = p_values + [p for family in families for p in family.rest]
        adjusted, levels = holm(every), holm_levels(every, alpha)
    offset = 0
    for family, found in zip(families, p_lists):
        part = slice(offset, offset + len(found))
        offset += len(found)
        if isinstance(family.comparisons, ComparisonBatch):
            family.comparisons.adjust(np.array(adjusted[part]), np.array(levels[part]))
            continue
        for comparison, p, level in zip(family.comparisons, adjusted[part], levels[part]):
            comparison.p_adjusted = p
            comparison.level = level


def _p_values(comparisons) -> list[float]:
    if isinstance(comparisons, ComparisonBatch):
        return comparisons.p_values.tolist()
    return [comparison.p_value for comparison in comparisons]


def _pair_ps(series: Sequence[Mapping[int, float]]) -> list[float]:
    """The signed-rank p-value of every pair of ``series`` on the seeds both have."""
    if len(series) < 2:
        return []
    seed_sets = {tuple(sorted(values)) for values in series}
    if len(seed_sets) == 1:
        seeds = next(iter(seed_sets))
        return _matrix_pair_ps(
            np.array([[values[s] for s in seeds] for values in series], dtype=float)
        )
    i, j = np.triu_indices(len(series), 1)
    return [
        decision_p(
            paired_differences(series[a], series[b], sorted(set(series[a]) & set(series[b])))
        )
        for a, b in zip(i, j)
    ]


def _matrix_pair_ps(matrix: np.ndarray) -> list[float]:
    """The signed-rank p-value of every pair of rows of ``matrix`` (series x seeds)."""
    i, j = np.triu_indices(len(matrix), 1)
    found = [np.zeros(0)]
    for start in range(0, len(i), 20000):
        x, y = matrix[i[start : start + 20000]], matrix[j[start : start + 20000]]
        with np.errstate(invalid="ignore"):
            found.append(signed_rank_ps(np.where(x == y, 0.0, x - y)))
    return np.concatenate(found).tolist()


class _MatrixFamily:
    """:class:`_BestFamily` of series that share their seeds, given as one matrix
    (series x seeds): the comparisons with the best as one :class:`ComparisonBatch`.
    ``names(i)`` names series i."""

    def __init__(
        self, values: np.ndarray, best: int, metric: str, names: Callable[[int], str]
    ) -> None:
        self.size = len(values)
        self.others = np.delete(np.arange(self.size), best)
        others = self.others.tolist()
        self.comparisons = ComparisonBatch.against(
            values[self.others],
            values[best],
            metric,
            higher_is_better(metric),
            lambda k: (names(others[k]), names(best)),
        )
        self.rest = _matrix_pair_ps(values[self.others]) if self.size <= ALL_PAIRS_UP_TO else None


@dataclass
class Ranked:
    """One configuration in a ranking: its estimate, its comparison with the best
    (None for the best itself) and whether it belongs to the best set. A
    configuration that learned on no seed is never in the best set."""

    row: ConfigSummary
    label: str
    estimate: Estimate
    vs_best: PairedComparison | None
    in_best_set: bool
    learned: bool = True


@dataclass
class Ranking:
    metric: str
    entries: list[Ranked]
    alpha: float = ALPHA
    where: dict[str, str] = field(default_factory=dict)
    #: Why there is nothing to rank, when there is not.
    reason: str = ""

    @property
    def best(self) -> Ranked | None:
        """The configuration the others are compared with: the highest mean among
        those that learned on some seed."""
        return next((e for e in self.entries if e.vs_best is None and e.learned), None)

    @property
    def best_set(self) -> list[Ranked]:
        return [self.entries[i] for i, kept in enumerate(self._column("in_best_set")) if kept]

    def _column(self, name: str) -> list:
        """Every entry's ``in_best_set``, ``learned`` or ``n`` (its estimate's seeds):
        read from the arrays of :class:`RankedEntries`, without making the entries."""
        if isinstance(self.entries, RankedEntries):
            return self.entries.columns[name]
        if name == "n":
            return [entry.estimate.n for entry in self.entries]
        return [getattr(entry, name) for entry in self.entries]

    @property
    def family(self) -> int:
        """How many paired tests the best set is corrected for: every pair."""
        return pair_count(len(self.entries))

    @property
    def seeds(self) -> tuple[int, int]:
        counts = self._column("n") or [0]
        return min(counts), max(counts)

    def seeds_text(self) -> str:
        low, high = self.seeds
        return f"{low} seeds" if low == high else f"{low}-{high} seeds"

    def correction_text(self) -> str:
        how = "Holm" if len(self.entries) <= ALL_PAIRS_UP_TO else "Bonferroni"
        return (
            f"paired Wilcoxon, {how}-corrected over all {self.family} pairs at "
            f"{100 * self.alpha:.2g}%"
        )

    def verdict(self) -> str:
        """The ranking in one sentence: a winner, or no winner and why."""
        if not self.entries:
            return f"nothing to rank: {self.reason or 'no stored runs'}"
        best = self.best
        if best is None:
            return (
                "no configuration learned on any of its seeds (test accuracy never above "
                "the study's learned threshold): nothing to call best"
            )
        tied = len(self.best_set) - 1
        if len(self.entries) == 1:
            return f"only {best.label} was run"
        never = sum(not learned for learned in self._column("learned"))
        never_text = (
            f"; {never} configuration{'s' if never > 1 else ''} that learned on no seed "
            f"{'are' if never > 1 else 'is'} left out of the best set"
            if never
            else ""
        )
        note = floor_note(min(self.seeds), self.family, self.alpha)
        if tied == 0:
            return (
                f"{best.label} is best at {self.seeds_text()}: every other configuration is "
                f"worse ({self.correction_text()}){never_text}"
            )
        return (
            f"no winner at {self.seeds_text()}: {tied} other configuration"
            f"{'s' if tied > 1 else ''} cannot be told apart from {best.label} "
            f"({self.correction_text()}); "
            + (note if note else "more seeds may separate them")
            + never_text
        )


def _sort_key(metric: str):
    higher = higher_is_better(metric)

    def key(row: ConfigSummary) -> float:
        mean = row.metric(metric).mean
        if mean is None:
            return np.inf
        return -mean if higher else mean

    return key


def learned_somewhere(row: ConfigSummary) -> bool:
    """Did the configuration learn on at least one seed (always true of regression,
    where nothing is "learned")?"""
    return row.learned_share is None or row.learned_share > 0


def rank(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float = ALPHA,
) -> Ranking:
    """The configurations (those ``where`` picks) sorted by their mean ``metric``,
    each compared seed by seed with the best (the highest mean among those that
    learned somewhere); the comparisons are corrected over every pair
    (:func:`with_the_best`), and the best set is the best and every configuration
    not shown worse than it."""
    check_metric(summary.study, metric)
    if isinstance(summary.rows, SummaryRows):
        ranking = _rank_columns(summary.rows, metric, where or {}, alpha)
        if ranking is not None:
            return ranking
    rows = [r for r in select(summary.rows, where or {}) if r.by_seed.get(metric)]
    rows.sort(key=_sort_key(metric))
    if not any(np.isfinite(seed_arrays(r.by_seed[metric])[1]).any() for r in rows):
        reason = (
            f"every run of these configurations diverged or failed: no finite "
            f"{metric.replace('_', ' ')}"
            if rows or any(r.diverged for r in summary.rows)
            else "no stored runs"
        )
        return Ranking(metric, [], alpha, dict(where or {}), reason)
    label = labeller(rows)
    names = [label(row.config) for row in rows]
    learned = [learned_somewhere(row) for row in rows]
    best = next((i for i, ok in enumerate(learned) if ok), 0)
    comparisons = with_the_best([r.by_seed[metric] for r in rows], best, metric, names, alpha)
    entries = []
    for row, name, comparison, ok in zip(rows, names, comparisons, learned):
        worse = comparison is not None and comparison.better(alpha) == "b"
        entries.append(Ranked(row, name, _estimate(row, metric), comparison, ok and not worse, ok))
    return Ranking(metric, entries, alpha, dict(where or {}))


def _rank_columns(
    rows: SummaryRows, metric: str, where: Mapping[str, str], alpha: float
) -> Ranking | None:
    """:func:`rank` read from the summary's columns, with the same figures: the
    configurations' values as one matrix (configurations x seeds), the comparisons
    with the best as one :class:`ComparisonBatch`, the entries made when read. None
    where the configurations do not share their seeds, or none has a finite value:
    the row-by-row ranking handles (and explains) those."""
    columns = rows.columns
    configs, table, column = columns.configs, columns.table, columns.metrics[metric]
    chosen = rows.indices
    if where:
        chosen = chosen[select_configs([configs[i] for i in chosen.tolist()], where)]
    runs = np.flatnonzero(column.included)  # by configuration, then seed
    per_config = np.bincount(table.code[runs], minlength=len(configs))
    chosen = chosen[per_config[chosen] > 0]
    stats = columns.stats[metric]
    if not (stats.n[chosen] > 0).any():
        return None
    mean = stats.mean[chosen] if not higher_is_better(metric) else -stats.mean[chosen]
    order = chosen[np.argsort(np.where(stats.n[chosen] > 0, mean, np.inf), kind="stable")]
    seeds_each = per_config[order]
    if (seeds_each != seeds_each[0]).any():
        return None
    at = runs[np.searchsorted(table.code[runs], order)[:, None] + np.arange(seeds_each[0])]
    if (table.seed[at] != table.seed[at[0]]).any():
        return None
    share = columns.learned[0][order]
    learned = np.isnan(share) | (share > 0)  # regression (no share) always "learned"
    best = int(np.argmax(learned))  # the first that learned, else the first
    label = labeller_of([configs[i] for i in order.tolist()])
    family = _MatrixFamily(column.value[at], best, metric, lambda i: label(configs[order[i]]))
    correct_families([family], alpha)
    worse = np.insert(family.comparisons.better(alpha) == -1, best, False)
    entries = RankedEntries(
        rows, order, label, metric, family.comparisons, best,
        {"learned": learned.tolist(), "in_best_set": (learned & ~worse).tolist(),
         "n": stats.n[order].tolist()},
    )  # fmt: skip
    return Ranking(metric, entries, alpha, dict(where))


class RankedEntries(LazySequence[Ranked]):
    """A ranking's entries, each made when read (:class:`Ranked`: its row, label,
    estimate and comparison with the best) from what the ranking computed at once:
    ``order`` (the configurations' indices, best first), ``comparisons`` (with the
    best, in that order without the best) and ``columns`` (per entry: learned, in
    the best set, seeds)."""

    def __init__(
        self,
        rows: SummaryRows,
        order: np.ndarray,
        label: Callable[[RunConfig], str],
        metric: str,
        comparisons: ComparisonBatch,
        best: int,
        columns: dict[str, list],
    ) -> None:
        self.rows, self.order, self.label, self.metric = rows, order.tolist(), label, metric
        self.comparisons, self.best, self.columns = comparisons, best, columns
        super().__init__(len(self.order))

    def _make(self, index: int) -> Ranked:
        row = self.rows.of_config(self.order[index])
        versus = None
        if index != self.best:
            versus = self.comparisons[index if index < self.best else index - 1]
        return Ranked(
            row,
            self.label(row.config),
            _estimate(row, self.metric),
            versus,
            self.columns["in_best_set"][index],
            self.columns["learned"][index],
        )


def _estimate(row: ConfigSummary, metric: str) -> Estimate:
    spread = row.metric(metric)
    return Estimate(spread.mean, spread.low, spread.high, spread.n)


# --------------------------------------------------------------------------
# Effects of each grid dimension
# --------------------------------------------------------------------------
