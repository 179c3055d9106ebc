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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .config import normalize_activation
from .statistics import (
    ALPHA,
    Estimate,
    PairedComparison,
    floor_note,
    holm,
    mean_interval,
    paired_comparison,
    paired_comparisons,
)
from .study import METRICS, RunConfig
from .summary import DIMENSIONS, LOWER_IS_BETTER, ConfigSummary, StudySummary

#: Every grid dimension a configuration can be picked or grouped by, as tables name
#: its values: activation and initializer first, then :data:`~.summary.DIMENSIONS`.
GRID: dict[str, Callable[[RunConfig], str]] = {
    "activation": lambda c: c.activation_label,
    "initializer": lambda c: c.initializer_label,
    **DIMENSIONS,
}
ALIASES = {"init": "initializer", "act": "activation", "depth": "hidden", "dataset": "data"}


class SelectionError(ValueError):
    """A --where, --a or --b that names no dimension or matches nothing."""


def metric_name(metric: str) -> str:
    """A metric as the CLI accepts it (``test_acc``, ``test-accuracy`` ...) -> its name."""
    name = metric.strip().replace("-", "_").replace("acc_", "accuracy_")
    name = {
        "test_acc": "test_accuracy",
        "train_acc": "train_accuracy",
        "epochs": "epochs_to_target",
    }.get(name, name)
    if name not in METRICS:
        raise SelectionError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    return name


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


# --------------------------------------------------------------------------
# Picking configurations
# --------------------------------------------------------------------------


def parse_where(terms: Sequence[str] | str | None) -> dict[str, str]:
    """``["hidden=3x32", "optimizer=adam"]`` or ``"relu/he, hidden=3x32"`` -> a
    dimension -> value dict. ``a/b`` is shorthand for activation a, initializer b."""
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
            else:
                raise SelectionError(
                    f"cannot read {part!r}: write ACTIVATION/INITIALIZER (relu/he) or "
                    f"DIMENSION=VALUE (hidden=3x32); dimensions: {', '.join(GRID)}"
                )
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
        matching = [row for row in chosen if has(row.config, dimension, value)]
        if not matching:
            there = sorted({GRID[dimension](row.config) for row in chosen})
            raise SelectionError(
                f"no configuration has {dimension} = {value!r}; there are: {', '.join(there)}"
            )
        chosen = matching
    return chosen


def varying(rows: Sequence[ConfigSummary]) -> list[str]:
    """The dimensions whose value differs between ``rows``."""
    return [name for name, read in GRID.items() if len({read(r.config) for r in rows}) > 1]


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
) -> list[PairedComparison]:
    """Every configuration of ``others`` (as A) against ``baseline`` (as B), with
    Holm's correction over all of them. The signed-rank tests of configurations that
    share the same seeds with the baseline run at once."""
    others = [row for row in others if row is not baseline]
    base = baseline.by_seed.get(metric, {})
    groups: dict[tuple[int, ...], list[int]] = {}
    for index, row in enumerate(others):
        seeds = tuple(sorted(set(row.by_seed.get(metric, {})) & set(base)))
        groups.setdefault(seeds, []).append(index)
    found: dict[int, PairedComparison] = {}
    for seeds, members in groups.items():
        matrix = np.array(
            [[others[i].by_seed[metric][s] for s in seeds] for i in members], dtype=float
        ).reshape(len(members), len(seeds))
        names = [(label(others[i].config), label(baseline.config)) for i in members]
        results = paired_comparisons(
            matrix,
            np.array([base[s] for s in seeds], dtype=float),
            metric,
            higher_is_better(metric),
            names,
            seeds,
        )
        found.update(zip(members, results))
    comparisons = [found[index] for index in range(len(others))]
    for comparison, adjusted in zip(comparisons, holm([c.p_value for c in comparisons])):
        comparison.p_adjusted = adjusted
    return comparisons


@dataclass
class Ranked:
    """One configuration in a ranking: its estimate, its comparison with the best
    (None for the best itself) and whether it belongs to the best set."""

    row: ConfigSummary
    label: str
    estimate: Estimate
    vs_best: PairedComparison | None
    in_best_set: bool


@dataclass
class Ranking:
    metric: str
    entries: list[Ranked]
    alpha: float = ALPHA
    where: dict[str, str] = field(default_factory=dict)

    @property
    def best_set(self) -> list[Ranked]:
        return [entry for entry in self.entries if entry.in_best_set]

    @property
    def seeds(self) -> tuple[int, int]:
        counts = [entry.estimate.n for entry in self.entries] or [0]
        return min(counts), max(counts)

    def seeds_text(self) -> str:
        low, high = self.seeds
        return f"{low} seeds" if low == high else f"{low}-{high} seeds"

    def verdict(self) -> str:
        """The ranking in one sentence: a winner, or no winner and why."""
        if not self.entries:
            return "nothing to rank"
        best = self.entries[0]
        tied = len(self.best_set) - 1
        if len(self.entries) == 1:
            return f"only {best.label} was run"
        note = floor_note(min(self.seeds), len(self.entries) - 1, self.alpha)
        if tied == 0:
            return (
                f"{best.label} is best at {self.seeds_text()}: every other configuration is "
                f"worse by a paired Wilcoxon test, Holm-corrected at {self.alpha:.0%}"
            )
        return (
            f"no winner at {self.seeds_text()}: {tied} other configuration"
            f"{'s' if tied > 1 else ''} cannot be told apart from {best.label} "
            f"(paired Wilcoxon, Holm-corrected at {self.alpha:.0%}); "
            + (note if note else "more seeds may separate them")
        )


def _sort_key(metric: str):
    higher = higher_is_better(metric)

    def key(row: ConfigSummary) -> float:
        mean = row.metric(metric).mean
        if mean is None:
            return np.inf
        return -mean if higher else mean

    return key


def rank(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float = ALPHA,
) -> Ranking:
    """The configurations (those ``where`` picks) sorted by their mean ``metric``,
    each compared seed by seed with the best; Holm's correction over those
    comparisons decides which cannot be told apart from the best."""
    rows = [r for r in select(summary.rows, where or {}) if r.by_seed.get(metric)]
    rows.sort(key=_sort_key(metric))
    label = labeller(rows)
    if not rows:
        return Ranking(metric, [], alpha, dict(where or {}))
    best = rows[0]
    comparisons = against(best, rows[1:], metric, label)
    entries = [
        Ranked(best, label(best.config), _estimate(best, metric), None, True),
    ]
    for row, comparison in zip(rows[1:], comparisons):
        worse = comparison.better(alpha) == "b"
        entries.append(
            Ranked(row, label(row.config), _estimate(row, metric), comparison, not worse)
        )
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
            note = floor_note(self.seeds, len(self.levels) - 1, self.alpha)
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
    sorted best first; each level compared with the best (Holm-corrected)."""
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
    best = levels[0]
    comparisons = [
        paired_comparison(
            marginals[lv.value], marginals[best.value], metric, higher, (lv.value, best.value)
        )
        for lv in levels[1:]
    ]
    for comparison, adjusted in zip(comparisons, holm([c.p_value for c in comparisons])):
        comparison.p_adjusted = adjusted
    for level, comparison in zip(levels[1:], comparisons):
        level.vs_best = comparison
        level.in_best_set = comparison.better(alpha) != "b"
    return Effect(dimension, metric, levels, len(seeds), alpha)


def effects(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float = ALPHA,
) -> list[Effect]:
    """The main effect of every dimension that varies among the chosen rows."""
    rows = [r for r in select(summary.rows, where or {}) if r.by_seed.get(metric)]
    if not rows or not _common_seeds(rows, metric):
        return []
    return [main_effect(rows, dimension, metric, alpha) for dimension in varying(rows)]


@dataclass
class Interaction:
    """How the effect of ``dimension`` changes across the levels of ``across``."""

    dimension: str
    across: str
    #: Level of ``across`` -> the effect of ``dimension`` there.
    effects: dict[str, Effect]
    sentence: str


def interactions(
    summary: StudySummary,
    metric: str = "test_accuracy",
    where: Mapping[str, str] | None = None,
    alpha: float = ALPHA,
    fmt: Callable[[float], str] = lambda v: f"{v:.3g}",
) -> list[Interaction]:
    """For every ordered pair of varying dimensions (A, B): the effect of A at each
    level of B, said in words where it changes: the best level of A differs
    ("the best initializer depends on activation: he for relu, xavier for tanh"), or A
    matters only at some levels of B ("initializer matters for activation relu only
    from hidden 20x32 on")."""
    rows = [r for r in select(summary.rows, where or {}) if r.by_seed.get(metric)]
    dims = varying(rows)
    found = []
    for dimension in dims:
        for across in dims:
            if across == dimension:
                continue
            order = _levels_in_order(across, rows)
            per_level = {}
            for value in order:
                part = [r for r in rows if GRID[across](r.config) == value]
                if len({GRID[dimension](r.config) for r in part}) > 1 and _common_seeds(
                    part, metric
                ):
                    per_level[value] = main_effect(part, dimension, metric, alpha)
            if len(per_level) < 2:
                continue
            sentence = _interaction_sentence(dimension, across, order, per_level, fmt)
            if sentence:
                found.append(Interaction(dimension, across, per_level, sentence))
    return found


def _interaction_sentence(
    dimension: str, across: str, order: list[str], per_level: dict[str, Effect], fmt
) -> str:
    levels = [value for value in order if value in per_level]
    matters = [value for value in levels if per_level[value].matters]
    if not matters:
        return ""
    if len(matters) < len(levels):
        where = _span(across, levels, matters)
        sizes = ", ".join(f"{fmt(per_level[v].size or 0)} at {v}" for v in matters[:4])
        return f"{dimension} matters {where} (best - worst: {sizes}), not elsewhere"
    best = {value: per_level[value].levels[0].value for value in matters}

    def worse(level: str, where: str) -> bool:
        """Is ``level`` shown worse than the best at ``where``?"""
        return any(lv.value == level and not lv.in_best_set for lv in per_level[where].levels)

    # a change of best level counts only when it crosses: each level's best is shown
    # worse than the other's best where the other wins
    crossing = [
        (m, n)
        for m in matters
        for n in matters
        if best[m] != best[n] and worse(best[n], m) and worse(best[m], n)
    ]
    if crossing:
        shown = list(dict.fromkeys(v for pair in crossing for v in pair))[:6]
        pairs = "; ".join(f"{best[v]} for {across} {v}" for v in shown)
        return f"the best {dimension} depends on {across}: {pairs}"
    return ""


def _span(across: str, levels: list[str], chosen: list[str]) -> str:
    """``for hidden 20x32 on`` when ``chosen`` are the last of the ordered ``levels``,
    ``up to ...`` when the first, else the list."""
    ordered = across in ("hidden", "batch", "epochs", "dropout") or all(
        _number(v) is not None for v in levels
    )
    n = len(chosen)
    if ordered and chosen == levels[-n:]:
        return f"only from {across} {chosen[0]} on"
    if ordered and chosen == levels[:n]:
        return f"only up to {across} {chosen[-1]}"
    return f"only for {across} {', '.join(chosen)}"
