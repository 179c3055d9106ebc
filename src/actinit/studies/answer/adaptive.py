"""Enough seeds, and no more: run a study's seeds in rounds, only where undecided.

The first round runs every configuration's ``study.seeds`` seeds. After each round,
a configuration is *decided* when

- with a ``precision``: its mean's 95% interval is no wider than ± ``precision`` (from
  :data:`MIN_SEEDS_FOR_PRECISION` seeds on), or it is already shown worse than the best (out of the best set: more seeds would not
  change that it lost);
- without one: it is out of the best set, or the best set is down to one (a winner).

Undecided configurations get more seeds, doubling their count each round (10, 20,
40 ...) up to ``max_seeds``. Every decision is read from the store, so a study
stopped half-way (a kill, a crash) resumes where it was and never reruns a stored run:
seeds are added in order, and a configuration's next target is the next step of the
doubling above what it has.

Looking at the data after every round and stopping when a difference shows is
optional stopping: tested at 5% each time, two identical configurations are called
different 11.5% of the time by 40 seeds and 17% by 160. So the error rate is spent
across the planned looks (Bonferroni over looks): with ``k`` = log2(max_seeds /
first) + 1 looks, every look decides at alpha / k, and a claim made at any look keeps
the family-wise error at most alpha however the rounds went
(:func:`looks`, measured by ``actinit calibrate``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..plan.run_config import RunConfig
from ..plan.study import Study
from ..run.runner import RunReport, run_study
from ..run.store import Store
from .intervals import seeds_for_rank_test
from .published import judge
from .ranking import rank
from .selection import check_metric, metric_name
from .summary import StudySummary, summarize


@dataclass
class Round:
    """One round: how many configurations were undecided and the runs it made."""

    number: int
    undecided: int
    runs: int
    report: RunReport | None = None


@dataclass
class AdaptiveResult:
    """What seeds added in rounds gave: the summary of the final runs, each round
    (:class:`Round`), why the rounds stopped, the seeds each configuration has now, and
    the level every look decided at (5% spent over the planned ``looks``)."""

    summary: StudySummary
    rounds: list[Round] = field(default_factory=list)
    #: Why it stopped, in words.
    reason: str = ""
    #: Configuration key -> seeds it has now.
    seeds: dict[str, int] = field(default_factory=dict)
    #: The level every look decided at: alpha spent over the planned looks.
    alpha: float = 0.05
    looks: int = 1


def seed_counts(summary: StudySummary, metric: str) -> dict[str, int]:
    """How many seeds each configuration has stored, in a row from seed 0."""
    counts = {}
    for row in summary.rows:
        seeds = set(row.stored_seeds)
        count = 0
        while count in seeds:
            count += 1
        counts[row.config.key] = count
    return counts


def looks(first: int, max_seeds: int) -> int:
    """How many times the rounds can look at the data: first, 2 first, 4 first ...
    up to ``max_seeds`` (10 to 40: 3 looks)."""
    count, seeds = 1, first
    while seeds < max_seeds:
        seeds = min(2 * seeds, max_seeds)
        count += 1
    return count


def next_target(have: int, first: int, max_seeds: int) -> int:
    """The next step of the doubling first, 2 first, 4 first ... above ``have``,
    capped at ``max_seeds``."""
    target = first
    while target <= have:
        target *= 2
    return min(target, max_seeds)


#: An interval counts as narrow only from this many seeds: a few seeds that happen to
#: agree (a coarse test set) give an interval of width 0 that says nothing.
MIN_SEEDS_FOR_PRECISION = 5


def undecided(
    summary: StudySummary, metric: str, precision: float | None, alpha: float
) -> tuple[list[RunConfig], str]:
    """The configurations that need more seeds, and the state in words."""
    ranking = rank(summary, metric, alpha=alpha)
    out = {entry.row.config.key for entry in ranking.entries if not entry.in_best_set}
    if precision is not None:
        width = f"{100 * precision:g} points" if metric.endswith("accuracy") else f"{precision:g}"
        wide = [
            entry.row.config
            for entry in ranking.entries
            if entry.row.config.key not in out
            and (
                entry.estimate.n < MIN_SEEDS_FOR_PRECISION
                or entry.estimate.half_width is None
                or entry.estimate.half_width > precision
            )
        ]
        state = (
            f"{len(wide)} intervals wider than ± {width} (or from fewer than "
            f"{MIN_SEEDS_FOR_PRECISION} seeds)"
            if wide
            else f"every interval is within ± {width} (or its configuration is worse than the best)"
        )
        return wide, state
    if len(ranking.best_set) <= 1:
        return [], ranking.verdict()
    return [entry.row.config for entry in ranking.best_set], ranking.verdict()


def undecided_figures(
    summary: StudySummary, max_seeds: int, alpha: float = 0.05
) -> tuple[list[RunConfig], str]:
    """The configurations behind published figures that sit in the seeds' outer 5%
    (verdict "too few seeds") but have too few seeds for a rank test to call them "not
    reproduced" after Holm's correction over the study's figures: they need more
    seeds, up to what the test needs or ``max_seeds``."""
    judge(summary.comparisons, alpha)
    tested = [c for c in summary.comparisons if c.p_adjusted is not None]
    needed = min(max_seeds, seeds_for_rank_test(alpha / max(1, len(tested))))
    waiting = {}
    for comparison in tested:
        if comparison.verdict == "too few seeds":
            if comparison.summary.seeds < needed:
                waiting[comparison.summary.config.key] = comparison.summary.config
    state = (
        f"{len(waiting)} configurations behind figures in the seeds' outer 5% "
        f"({needed} seeds decide them)"
        if waiting
        else "every published figure is decided"
    )
    return list(waiting.values()), state


def run_adaptive(
    study: Study,
    store: Store,
    max_seeds: int,
    precision: float | None = None,
    metric: str = "test_accuracy",
    alpha: float = 0.05,
    run: Callable[..., RunReport] = run_study,
    on_round: Callable[[Round, str], None] | None = None,
    figures: bool = False,
    **run_options,
) -> AdaptiveResult:
    """Run ``study`` in rounds until every configuration is decided (see the module's
    docstring) or has ``max_seeds`` seeds. ``precision``: the largest half-width of
    the 95% interval asked for, in the metric's units (an accuracy's fraction: 0.01
    for one point). ``figures``: decide the published figures instead
    (:func:`undecided_figures`). ``alpha`` is spent over the planned looks
    (:func:`looks`). ``run_options`` go to :func:`run_study` (jobs,
    backend, progress ...); ``on_round(round, state)`` is told of each round before
    it runs."""
    metric = check_metric(study, metric_name(metric))
    if max_seeds < study.seeds:
        raise ValueError(
            f"--max-seeds {max_seeds} is below the study's own {study.seeds} seeds: "
            "give at least that many"
        )
    planned = looks(study.seeds, max_seeds)
    total, alpha = alpha, alpha / planned
    if planned > 1 and hasattr(store, "record_looks"):  # later answers spend alpha alike
        store.record_looks([config.key for config in study.configs], planned)
    first = run(study, store, seeds=study.seeds, **run_options)
    rounds = [Round(1, len(study.configs), first.ran, first)]
    by_key = {config.key: config for config in study.configs}
    while True:
        summary = summarize(study, store, seeds=None)
        counts = seed_counts(summary, metric)
        if figures:
            waiting, state = undecided_figures(summary, max_seeds, alpha)
        else:
            waiting, state = undecided(summary, metric, precision, alpha)
        open_ = [c for c in waiting if counts.get(c.key, 0) < max_seeds]
        reason = _stop_reason(waiting, open_, state, max_seeds, rounds[-1])
        if reason:
            reason += _spent(alpha, total, planned)
            return AdaptiveResult(summary, rounds, reason, counts, alpha, planned)
        plan = [
            (by_key[config.key], seed)
            for config in open_
            for seed in range(
                counts.get(config.key, 0),
                next_target(counts.get(config.key, 0), study.seeds, max_seeds),
            )
        ]
        this_round = Round(len(rounds) + 1, len(open_), len(plan))
        if on_round:
            on_round(this_round, state)
        this_round.report = run(study, store, plan=plan, **run_options)
        rounds.append(this_round)


def _spent(alpha: float, total: float, planned: int) -> str:
    if planned == 1:
        return ""
    return (
        f" (every look at {100 * alpha:.2g}%: {100 * total:.2g}% spent over {planned} "
        "planned looks)"
    )


def _stop_reason(waiting, open_, state: str, max_seeds: int, last: Round) -> str:
    """Why the rounds end now, or an empty string while they go on."""
    if not waiting:
        return f"decided: {state}"
    if last.number > 1 and last.report is not None and last.report.ran == last.report.failed:
        return "stopped: every run of the last round failed (reasons below)"
    if not open_:
        return (
            f"budget reached: {len(waiting)} configurations still undecided at "
            f"--max-seeds {max_seeds} ({state})"
        )
    return ""
