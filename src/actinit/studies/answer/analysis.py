"""What a study says across its grid: rankings, paired comparisons and the effect of
each grid dimension, all with their uncertainty (see :mod:`.statistics`).

Configurations are compared seed by seed: runs with the same seed share their data,
mini-batch order and dropout noise, so a difference between two configurations is
measured on the same draws. A *ranking* sorts configurations by their mean and marks
the *best set*: the best and every configuration a Holm-corrected paired test cannot
tell apart from it. An *effect* of a dimension (activation, initializer, depth, ...)
is each of its levels' mean over the rest of the grid, seed by seed; an *interaction*
is where the best level of one dimension, or whether it matters at all, changes with
another.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from ..plan.metrics import METRICS, canonical_metric, higher_is_better
from ..plan.run_config import RunConfig, normalize_activation
from .run_table import seed_arrays
from .statistics import (
    ALPHA,
    Estimate,
    PairedComparison,
    Shift,
    correct,
    decision_p,
    floor_note,
    holm,
    holm_levels,
    mean_interval,
    paired_comparison,
    paired_comparisons,
    paired_differences,
    signed_rank_ps,
)
from .summary import DIMENSION_FIELDS, DIMENSIONS, ConfigSummary, StudySummary

#: Every grid dimension a configuration can be picked or grouped by, as tables name
#: its values: activation and initializer first, then :data:`~.summary.DIMENSIONS`.
GRID: dict[str, Callable[[RunConfig], str]] = {
    "activation": lambda c: c.activation_label,
    "initializer": lambda c: c.initializer_label,
    **DIMENSIONS,
}
ALIASES = {"init": "initializer", "act": "activation", "depth": "hidden", "dataset": "data"}
#: A value given without its dimension ("he_normal"): the dimension is the one that has it.
ANY = "*"


class SelectionError(ValueError):
    """A --where, --a or --b that names no dimension or matches nothing."""


def metric_name(metric: str) -> str:
    """A metric as the CLI accepts it (``test_acc``, ``test-accuracy`` ...) -> its name."""
    name = canonical_metric(metric)
    if name is None:
        raise SelectionError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    return name


def check_metric(study, metric: str) -> str:
    """``metric`` if ``study`` measures it; epochs to target needs the study's target
    (one refusal, the same for every command)."""
    if metric == "epochs_to_target" and study.target_accuracy is None:
        raise SelectionError(
            f"{study.name} has no target accuracy, so no epochs to target: set "
            "[summary] target_accuracy = 0.9 (say) in its study file, or choose another --metric"
        )
    return metric


# --------------------------------------------------------------------------
# Picking configurations
# --------------------------------------------------------------------------


def parse_where(terms: Sequence[str] | str | None) -> dict[str, str]:
    """``["hidden=3x32", "optimizer=adam"]`` or ``"relu/he, hidden=3x32"`` -> a
    dimension -> value dict. ``a/b`` is shorthand for activation a, initializer b; a
    bare value (``he_normal``) is of whichever varying dimension has it (:data:`ANY`)."""
    if terms is None:
        return {}
    if isinstance(terms, str):
        terms = [terms]
    wanted: dict[str, str] = {}
    for term in terms:
        for part in (p.strip() for p in re.split(r",(?![^()]*\))", term)):
            if not part:
                continue
            if "=" in part.split("(")[0]:
                key, value = (s.strip() for s in part.split("=", 1))
                key = ALIASES.get(key, key)
                if key not in GRID:
                    raise SelectionError(
                        f"unknown dimension {key!r} in {term!r}; dimensions: {', '.join(GRID)}"
                    )
                wanted[key] = value
            elif "/" in part:
                activation, initializer = (s.strip() for s in part.split("/", 1))
                if activation:
                    wanted["activation"] = activation
                if initializer:
                    wanted["initializer"] = initializer
            elif ANY in wanted:
                raise SelectionError(
                    f"cannot read {part!r} beside {wanted[ANY]!r}: name at most one value "
                    f"without its dimension; write DIMENSION=VALUE (hidden=3x32) or "
                    f"ACTIVATION/INITIALIZER (relu/he); dimensions: {', '.join(GRID)}"
                )
            else:
                wanted[ANY] = part  # a value of whichever dimension has it (he_normal)
    return wanted


def has(config: RunConfig, dimension: str, wanted: str) -> bool:
    """Does ``config`` have this value of a dimension (as tables label it; an
    activation also by its spec, an initializer by its spec, hidden layers by their
    count or comma-separated sizes, data by its name)?"""
    wanted = str(wanted).strip()
    if dimension == "activation":
        try:
            return normalize_activation(wanted) == config.activation or wanted == GRID[
                "activation"
            ](config)
        except ValueError:
            return wanted == GRID["activation"](config)
    if dimension == "initializer":
        return wanted in (config.init_label, config.init, config.initializer_label)
    if dimension == "hidden":
        sizes = ",".join(map(str, config.hidden))
        return wanted in (GRID["hidden"](config), sizes, str(len(config.hidden)))
    if dimension == "data":
        return wanted in (config.data.get("name"), GRID["data"](config))
    return wanted == GRID[dimension](config)


def select(rows: Sequence[ConfigSummary], where: Mapping[str, str]) -> list[ConfigSummary]:
    """The rows matching every ``dimension = value`` of ``where``; a value no row has
    is refused with the values there are."""
    chosen = list(rows)
    for dimension, value in where.items():
        if dimension == ANY:
            dimension = _dimension_of(chosen, value)
        matching = [row for row in chosen if has(row.config, dimension, value)]
        if not matching:
            there = sorted({GRID[dimension](row.config) for row in chosen})
            raise SelectionError(
                f"no configuration has {dimension} = {value!r}; there are: {', '.join(there)}"
            )
        chosen = matching
    return chosen


def _dimension_of(rows: Sequence[ConfigSummary], value: str) -> str:
    """The one dimension among those that vary in ``rows`` that has ``value``."""
    dims = varying(rows) or list(GRID)
    found = [d for d in dims if any(has(row.config, d, value) for row in rows)]
    if len(found) == 1:
        return found[0]
    if not found:
        there = "; ".join(
            f"{d}: {', '.join(sorted({GRID[d](r.config) for r in rows}))}" for d in dims
        )
        raise SelectionError(f"no configuration has {value!r} in any dimension; there are {there}")
    raise SelectionError(
        f"{value!r} is a value of {' and '.join(found)}: say which, e.g. {found[0]}={value}"
    )


def varying(rows: Sequence[ConfigSummary]) -> list[str]:
    """The dimensions whose value differs between ``rows``."""
    configs = [row.config for row in rows]
    if not configs:
        return []
    found = []
    for name, read in GRID.items():
        fields = attrgetter(*DIMENSION_FIELDS[name])
        first = fields(configs[0])
        label = read(configs[0])  # only configurations whose fields differ can differ
        if any(read(c) != label for c in configs if fields(c) != first):
            found.append(name)
    return found


def labeller(rows: Sequence[ConfigSummary]) -> Callable[[RunConfig], str]:
    """Names configurations by what tells them apart among ``rows``: ``relu/he`` when
    only activation and initializer vary, ``relu/he, hidden 3x32`` when depth does too."""
    others = [name for name in varying(rows) if name not in ("activation", "initializer")]

    def label(config: RunConfig) -> str:
        head = f"{config.activation_label}/{config.initializer_label}"
        return ", ".join([head] + [f"{name} {GRID[name](config)}" for name in others])

    return label


def the_one(rows: Sequence[ConfigSummary], where: Mapping[str, str], role: str) -> ConfigSummary:
    """The single configuration ``where`` picks among ``rows`` (``role`` names it in
    errors: "--a")."""
    chosen = select(rows, where)
    if len(chosen) > 1:
        options = {name: sorted({GRID[name](r.config) for r in chosen}) for name in varying(chosen)}
        raise SelectionError(
            f"{role} matches {len(chosen)} configurations; add "
            + "; ".join(f"{name}=({' | '.join(v)})" for name, v in options.items())
        )
    return chosen[0]


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


def correct_families(families: Sequence[_BestFamily], alpha: float = ALPHA) -> None:
    """One correction over every pair of every family: Holm's, or Bonferroni's when a
    family is too large for its pairs to be computed."""
    comparisons = [c for family in families for c in family.comparisons]
    total = sum(pair_count(family.size) for family in families)
    if any(family.rest is None for family in families):
        for comparison in comparisons:
            comparison.p_adjusted = min(1.0, total * comparison.p_value)
            comparison.level = alpha / max(1, total)
        return
    p_values = [c.p_value for c in comparisons] + [
        p
        for family in families
        for p in family.rest  # type: ignore[union-attr]
    ]
    for comparison, adjusted, level in zip(
        comparisons, holm(p_values), holm_levels(p_values, alpha)
    ):
        comparison.p_adjusted = adjusted
        comparison.level = level


def _pair_ps(series: Sequence[Mapping[int, float]]) -> list[float]:
    """The signed-rank p-value of every pair of ``series`` on the seeds both have."""
    if len(series) < 2:
        return []
    seed_sets = {tuple(sorted(values)) for values in series}
    i, j = np.triu_indices(len(series), 1)
    if len(seed_sets) == 1:
        seeds = next(iter(seed_sets))
        matrix = np.array([[values[s] for s in seeds] for values in series], dtype=float)
        found = []
        for start in range(0, len(i), 20000):
            x, y = matrix[i[start : start + 20000]], matrix[j[start : start + 20000]]
            with np.errstate(invalid="ignore"):
                found.append(signed_rank_ps(np.where(x == y, 0.0, x - y)))
        return np.concatenate(found).tolist()
    return [
        decision_p(
            paired_differences(series[a], series[b], sorted(set(series[a]) & set(series[b])))
        )
        for a, b in zip(i, j)
    ]


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
        return [entry for entry in self.entries if entry.in_best_set]

    @property
    def family(self) -> int:
        """How many paired tests the best set is corrected for: every pair."""
        return pair_count(len(self.entries))

    @property
    def seeds(self) -> tuple[int, int]:
        counts = [entry.estimate.n for entry in self.entries] or [0]
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
        never = sum(not e.learned for e in self.entries)
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


def _estimate(row: ConfigSummary, metric: str) -> Estimate:
    spread = row.metric(metric)
    return Estimate(spread.mean, spread.low, spread.high, spread.n)


# --------------------------------------------------------------------------
# Effects of each grid dimension
# --------------------------------------------------------------------------


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
    of levels (:func:`with_the_best`)."""
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
    levels = [
        Level(value, mean_interval(list(marginals[value].values())), len(groups[value]))
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
    alpha: float = ALPHA,
) -> list[Effect]:
    """The main effect of every dimension that varies among the chosen rows, their
    comparisons with each dimension's best level corrected as one family with every
    pair of levels of every dimension: "matters" anywhere in the answer is wrong with a
    chance of at most ``alpha``."""
    check_metric(summary.study, metric)
    rows = [r for r in select(summary.rows, where or {}) if r.by_seed.get(metric)]
    if not rows or not _common_seeds(rows, metric):
        return []
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
    comparison: PairedComparison
    #: The per-seed gaps y(a) - y(other) at ``at`` and at ``elsewhere``.
    gaps: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))

    def crossing(self, level: float) -> bool:
        """The better of the two levels changes: each gap is shown by its own paired
        test at ``level``, and they have opposite signs."""
        if self.gap_at * self.gap_elsewhere >= 0:
            return False
        return all(decision_p(gap) <= level for gap in self.gaps)


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
    groups: dict[tuple[str, str], list[ConfigSummary]] = {}
    for row in rows:
        groups.setdefault((GRID[first](row.config), GRID[second](row.config)), []).append(row)
    with np.errstate(invalid="ignore"):
        return {
            cell: np.array(
                [np.mean([row.by_seed[metric][seed] for row in group]) for seed in seeds]
            )
            for cell, group in groups.items()
        }


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
    pairs = [
        (a, other, at, elsewhere)
        for a, other in itertools.combinations(range(len(values)), 2)
        for at, elsewhere in itertools.combinations(range(len(levels)), 2)
    ]
    if not pairs or not cells:
        return []
    seeds = len(next(iter(cells.values())))
    y = np.full((len(values), len(levels), seeds), np.nan)
    present = np.zeros((len(values), len(levels)), dtype=bool)
    for i, value in enumerate(values):
        for j, level in enumerate(levels):
            if (value, level) in cells:
                y[i, j], present[i, j] = cells[(value, level)], True
    a, other, at, elsewhere = np.array(pairs).T
    with np.errstate(invalid="ignore"):
        gap_at, gap_elsewhere = y[a, at] - y[other, at], y[a, elsewhere] - y[other, elsewhere]
        raw = gap_at - gap_elsewhere
    ok = np.isfinite(raw)
    usable = present[a, at] & present[other, at] & present[a, elsewhere]
    usable &= present[other, elsewhere] & ok.any(axis=1)
    made = []
    for k in np.flatnonzero(usable).tolist():
        keep = ok[k]
        gaps = (gap_at[k][keep], gap_elsewhere[k][keep])
        contrast = Contrast(
            dimension,
            across,
            values[a[k]],
            values[other[k]],
            levels[at[k]],
            levels[elsewhere[k]],
            float(np.mean(gaps[0])),
            float(np.mean(gaps[1])),
            None,  # type: ignore[arg-type]
            gaps,
        )
        made.append((contrast, raw[k][keep]))
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
    by_length: dict[int, list[int]] = {}
    for index, raw in enumerate(raws):
        by_length.setdefault(len(raw), []).append(index)
    for length, members in by_length.items():  # every contrast's test at once
        names = [
            (f"{found[i].a} - {found[i].other} at {found[i].at}", f"at {found[i].elsewhere}")
            for i in members
        ]
        matrix = np.array([raws[i] for i in members], dtype=float).reshape(len(members), length)
        tested = paired_comparisons(matrix, np.zeros(length), metric, higher, names, far_from=alpha)
        for i, comparison in zip(members, tested):
            found[i].comparison = comparison
    correct([c.comparison for c in found], alpha)
    return found


def interactions(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float = ALPHA,
    fmt: Callable[[float], str] = lambda v: f"{v:.3g}",
) -> list[Interaction]:
    """For every pair of varying dimensions whose interaction contrasts the test
    finds (:func:`interaction_contrasts`, one Holm-corrected family): the strongest
    contrast in words. When the better of two levels changes, "the best initializer
    depends on activation: he_normal beats xavier_normal at relu (+10.0), xavier_normal
    beats he_normal at tanh (+10.0)"; else "initializer matters more at hidden 20x8
    than at hidden 8: ...". Nothing is said of where a dimension does not matter: a
    test that finds nothing does not show that."""
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
            (c for c in members if c.comparison.better(alpha) is not None),
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
    c = shown[0]
    sign = 1.0 if higher_is_better(metric) else -1.0
    a, other, at, elsewhere = c.a, c.other, c.at, c.elsewhere
    gap_at, gap_elsewhere = sign * c.gap_at, sign * c.gap_elsewhere
    flip = sign
    if abs(gap_elsewhere) > abs(gap_at):  # say first where the gap is largest
        at, elsewhere, gap_at, gap_elsewhere, flip = elsewhere, at, gap_elsewhere, gap_at, -flip
    if gap_at < 0:  # and name first the level that is better there
        a, other, gap_at, gap_elsewhere, flip = other, a, -gap_at, -gap_elsewhere, -flip
    shift = c.comparison.shift()
    if flip < 0:
        shift = Shift(
            -shift.estimate,
            -shift.high,
            -shift.low,
            shift.level,
            shift.n,
            shift.high_open,
            shift.low_open,
        )
    test = (
        f"interaction {shift.text(fmt)}, Holm-adjusted p = "
        f"{c.comparison.p:.2g} over {family} contrast{'s' if family > 1 else ''}"
    )
    more = f"; {len(shown) - 1} more of {tested} contrasts" if len(shown) > 1 else ""
    # naming which level wins where is two more claims per contrast: Bonferroni over
    # two for every contrast of the family
    if c.crossing(alpha / (2 * family)):
        return (
            f"the best {c.dimension} depends on {c.across}: {a} beats {other} at {c.across} "
            f"{at} (by {fmt(gap_at)}), {other} beats {a} at {c.across} {elsewhere} "
            f"(by {fmt(-gap_elsewhere)}) ({test}{more})"
        )
    return (
        f"{c.dimension} matters more at {c.across} {at} than at {c.across} {elsewhere}: "
        f"{a} - {other} = {fmt(gap_at)} there, {fmt(gap_elsewhere)} at {elsewhere} "
        f"({test}{more})"
    )
