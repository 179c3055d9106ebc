"""A study's summary across seeds (:func:`summarize`): every configuration's row
(:mod:`.rows`) read from the runs as columns, the published figures placed and judged
(:mod:`.published`), failures and what is missing."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..plan.dimensions import hidden_label
from ..plan.metrics import METRICS
from ..plan.study import RunConfig, Study
from ..run.store import Store
from .differences import lattice_unit
from .exports import comparison_rows, table_rows
from .intervals import ALPHA, clopper_pearson, share_interval
from .lazy import LazySequence
from .published import Comparison, judge, place
from .rows import ConfigSummary, Spread
from .run_table import (
    DIVERGED,
    GroupStats,
    MetricColumn,
    RunTable,
    SeedValues,
    group_stats,
    metric_columns,
)


@dataclass
class Failure:
    """A run that failed, and why (the first line of its error)."""

    config: RunConfig
    seed: int
    reason: str


@dataclass
class StudySummary:
    """What a study's stored runs say: a row per configuration (every metric's mean,
    interval and spread across seeds, the learned share), the published figures judged,
    the failures, what is missing, and the level claims about it are made at."""

    study: Study
    #: A row per configuration with stored runs (:class:`SummaryRows` from
    #: :func:`summarize`; any list of rows will do).
    rows: Sequence[ConfigSummary]
    comparisons: list[Comparison] = field(default_factory=list)
    missing_runs: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: Some configuration failed on some of its seeds and not others: every test
    #: accuracy interval is then built from its decomposition (see
    #: :func:`_decompose_where_failures_vary`).
    decomposed: bool = False
    #: How many looks at the data adaptive rounds planned for these configurations
    #: (1: their seeds were planned): answers spend alpha over as many.
    looks: int = 1

    @property
    def borrowed_seeds(self) -> str:
        """A sentence when configurations have more seeds than the study's own (empty
        otherwise): runs are stored by configuration, so another study (or --seeds,
        --max-seeds) of the same configurations adds to them."""
        own = self.study.seeds
        extra = [row for row in self.rows if row.seeds > own]
        if not extra:
            return ""
        most = max(row.seeds for row in extra)
        return (
            f"{len(extra)} of {len(self.rows)} configurations have more seeds than the "
            f"study's {own} (up to {most}): runs are stored by configuration, so seeds that "
            f"another study, --seeds or --max-seeds ran are counted too; --first-seeds "
            f"{own} reads the study's own"
        )

    @property
    def alpha(self) -> float:
        """The level a claim about these runs is made at: 5%, spent over the looks of
        any adaptive rounds that added seeds (Bonferroni, as the rounds themselves)."""
        return ALPHA / self.looks

    #: (the stored runs as a RunTable, the configurations in its order, replay
    #: records): what :attr:`runs` is made from when asked for.
    _run_rows: tuple = field(default=(None, [], ()), repr=False)

    @functools.cached_property
    def runs(self) -> list[dict[str, Any]]:
        """Every stored run behind the summary (seeds and replays), without
        histories: a record per run with its configuration as a dict."""
        table, configs, replays = self._run_rows
        records = [] if table is None else table.records([c.key for c in configs])
        as_dicts = {c.key: c.to_dict() for c in configs}
        for record in records:
            record["config"] = as_dicts[record["config_key"]]
        return records + [{**r, "config": _config_of(r)} for r in replays]

    def to_frame(self, per: str = "run"):
        """The study as a pandas DataFrame. ``per="run"``: one row per run (seeds and
        replays) with tidy columns: the grid's settings, the seed, the status and every
        metric. ``per="configuration"``: one row per configuration, each metric's mean
        with the ends of its 95% interval (``test_accuracy_low``/``_high``), std and
        range, the learned share with its Wilson interval. pandas is an optional extra:
        ``pip install 'actinit[frames]'``."""
        try:
            import pandas
        except ImportError:
            raise ImportError(
                "to_frame needs pandas: pip install 'actinit[frames]' (or pandas)"
            ) from None
        if per == "configuration":
            return pandas.DataFrame([row.to_row() for row in self.rows])
        if per != "run":
            raise ValueError(f"per must be 'run' or 'configuration', got {per!r}")
        return pandas.DataFrame([_tidy(self.study.name, record) for record in self.runs])

    def _repr_html_(self) -> str:
        """The summary as HTML tables in a notebook."""
        from html import escape

        parts = [f"<h4>{escape(self.study.title)}</h4>"]
        for header, body in (table_rows(self), comparison_rows(self, verbose=True)):
            if body:
                cells = "".join(f"<th>{escape(h)}</th>" for h in header)
                rows = "".join(
                    "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in line) + "</tr>"
                    for line in body
                )
                parts.append(f"<table><tr>{cells}</tr>{rows}</table>")
        return "".join(parts)

    @property
    def complete_seeds(self) -> int:
        """How many seeds every configuration has in the store (0 if one has none)."""
        if len(self.rows) < len(self.study.configs):
            return 0
        return min(row.seeds for row in self.rows)


def summarize(study: Study, store: Store, seeds: int | None = None) -> StudySummary:
    """Per configuration across its stored seeds (the first ``seeds`` seeds when given):
    every metric's spread and interval, the learned share, the per-seed values
    comparisons read, failures and what is missing, and the published figures judged.
    The runs are read as columns and the statistics computed for every configuration
    at once (:mod:`.run_table`)."""
    configs = study.configs  # a whole grid: build once
    table = RunTable.load(store, [config.key for config in configs], seeds)
    _check_ranges(table, configs, getattr(store, "path", "the store"))
    classifies = np.array([c.loss_function.is_classification for c in configs], dtype=bool)
    budget = np.array([c.epochs for c in configs], dtype=float)
    targeted = np.array([c.target_accuracy is not None for c in configs], dtype=bool)
    columns = metric_columns(table, classifies, budget, targeted)
    learned_runs = _learned_runs(table, study.learned_threshold)
    counts = _counts(table, columns, learned_runs, len(configs))
    units = {m: lattice_unit(columns[m].value[columns[m].finite], m) for m in METRICS}
    stats = {m: group_stats(table, columns[m], len(configs), units[m]) for m in METRICS}
    stats["learned_accuracy"] = group_stats(
        table, columns["test_accuracy"], len(configs), units["test_accuracy"], learned_runs
    )
    decomposed = _decompose_where_failures_vary(
        table, columns, stats, counts, classifies, learned_runs, units["test_accuracy"]
    )
    rows = SummaryRows(
        SummaryColumns(
            configs, table, columns, stats, counts, _learned(counts, classifies),
            learned_runs, classifies,
        )
    )  # fmt: skip
    expected = study.seeds if seeds is None else seeds
    missing = int(np.maximum(0, expected - np.diff(table.starts)).sum())
    failures = [Failure(configs[c], s, _reason(error)) for c, s, error in table.failures]
    replays = study.replays  # a grid too: build once
    replay_records = _replay_records(replays, store, seeds)
    for replay in replays:  # a failed replay says why too (it was counted, not shown)
        failures += [
            Failure(replay, r["seed"], _reason(r.get("error")))
            for r in replay_records
            if r["config_key"] == replay.key and r["status"] == "failed"
        ]
    replayed = {
        record["config_key"]: {**record, "config": _config_of(record)}
        for record in replay_records
        if record["status"] != "failed"
    }
    return StudySummary(
        study,
        rows,
        comparisons=judge([place(p, rows, replayed) for p in study.published]),
        missing_runs=missing,
        failures=failures,
        decomposed=decomposed,
        looks=store.looks([config.key for config in configs]) if hasattr(store, "looks") else 1,
        _run_rows=(table, configs, replay_records),
    )


def _check_ranges(table: RunTable, configs, where) -> None:
    """Refuse a stored accuracy outside [0, 1] (a database changed by hand would show
    a mean of 187.7%), naming the run."""
    from ..run.store import StoreError

    for metric in ("test_accuracy", "train_accuracy"):
        values = table.values[metric]
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(np.isfinite(values) & ((values < 0) | (values > 1)))
        if len(bad):
            run = int(bad[0])
            raise StoreError(
                f"{where} holds a run whose {metric.replace('_', ' ')} is {values[run]:g} "
                f"({configs[int(table.code[run])].label}, seed {int(table.seed[run])}): an "
                "accuracy lies in [0, 1]; was the database changed by hand? Run that "
                "configuration again into a fresh database"
            )


def _reason(error: str | None) -> str:
    """A failed run's reason in one line."""
    return (error or "unknown error").splitlines()[0]


def _replay_records(replays, store: Store, seeds: int | None) -> list[dict[str, Any]]:
    """The stored runs of ``replays`` (seeds below ``seeds`` when given)."""
    if not replays:
        return []
    return [
        r
        for r in store.runs([c.key for c in replays], decode_config=False)
        if seeds is None or r["seed"] < seeds
    ]


@dataclass
class SummaryColumns:
    """Every configuration's figures as arrays, indexed by the configuration's place
    in ``configs`` (the study's grid): what :class:`SummaryRows` makes rows of and
    what a ranking reads directly. ``metrics``: each metric per run, as comparisons
    read it; ``stats``: each metric's :class:`~.run_table.GroupStats`; ``counts``: see
    :func:`_counts`; ``learned``: the learned share with its exact interval (NaN
    where none)."""

    configs: list[RunConfig]
    table: RunTable
    metrics: dict[str, MetricColumn]
    stats: dict[str, GroupStats]
    counts: dict[str, np.ndarray]
    learned: tuple[np.ndarray, np.ndarray, np.ndarray]
    #: Per run: did it learn (see :func:`_learned_runs`); per configuration: does it
    #: classify (so that "learned" means something).
    learned_runs: np.ndarray | None = None
    classifies: np.ndarray | None = None


class SummaryRows(LazySequence[ConfigSummary]):
    """A summary's rows: a :class:`ConfigSummary` per configuration with stored runs,
    in the grid's order, each made from the :class:`SummaryColumns` when first read.
    A ranking of 5,000 configurations reads the columns and makes objects only for
    what is shown (25 objects a configuration kept Python's garbage collector busy
    for longer than the statistics took)."""

    def __init__(self, columns: SummaryColumns) -> None:
        self.columns = columns
        #: The configurations (their index in ``columns.configs``) that have rows.
        self.indices = np.flatnonzero(np.diff(columns.table.starts))
        super().__init__(len(self.indices))
        self._lists: dict[str, list] | None = None

    def _make(self, position: int) -> ConfigSummary:
        return self._row(int(self.indices[position]))

    def view(self, indices: np.ndarray) -> SummaryRows:
        """The rows of some configurations (``indices``: their places in the grid, a
        subset of :attr:`indices`), read from the same columns: a selection is an index
        view, never a list of rows that answers would read another way."""
        picked = SummaryRows.__new__(SummaryRows)
        picked.columns, picked.indices = self.columns, np.asarray(indices, dtype=int)
        LazySequence.__init__(picked, len(picked.indices))
        picked._lists = self._lists
        return picked

    def of_config(self, index: int) -> ConfigSummary:
        """The row of configuration ``index`` (its place in the grid)."""
        position = int(np.searchsorted(self.indices, index))
        if position == len(self.indices) or self.indices[position] != index:
            raise KeyError(f"configuration {index} has no stored runs")
        return self[position]

    def _row(self, index: int) -> ConfigSummary:
        lists = self._figure_lists()
        table = self.columns.table
        start, stop = lists["starts"][index], lists["starts"][index + 1]
        ok_start, ok_stop = lists["ok_starts"][index], lists["ok_starts"][index + 1]
        return ConfigSummary(
            self.columns.configs[index],
            stop - start,
            *(Spread(*(values[index] for values in lists[metric])) for metric in METRICS),
            learned_share=lists["share"][index],
            reached_target=lists["reached"][index],
            diverged=lists["diverged"][index],
            failed=lists["failed"][index],
            seconds=lists["seconds"][index],
            by_seed=SeedValues(table.seed, self.columns.metrics, slice(start, stop)),
            learned_low=lists["low"][index],
            learned_high=lists["high"][index],
            stored_seeds=lists["ok_seeds"][ok_start:ok_stop],
            learned_accuracy=(
                Spread(*(values[index] for values in lists["learned_accuracy"]))
                if lists["classifies"][index]
                else None
            ),
            failed_seeds=[
                seed for seed, ok in zip(lists["ok_seeds"][ok_start:ok_stop],
                                         lists["ok_learned"][ok_start:ok_stop]) if not ok
            ],
        )  # fmt: skip

    def _figure_lists(self) -> dict[str, list]:
        """Every figure a row holds, as Python lists made at once (a NumPy scalar
        read per configuration costs more than the rest of the row)."""
        if self._lists is None:
            columns = self.columns
            table, counts = columns.table, columns.counts
            lists: dict[str, list] = {
                name: counts[name].tolist() for name in ("reached", "diverged", "failed")
            }
            lists["seconds"] = counts["seconds"].tolist()
            lists.update(zip(("share", "low", "high"), map(_none_for_nan, columns.learned)))
            lists["starts"] = table.starts.tolist()
            lists["ok_seeds"] = table.seed[table.ok].tolist()
            lists["ok_starts"] = np.concatenate([[0], np.cumsum(counts["ok"])]).tolist()
            learned = columns.learned_runs
            classifies = columns.classifies
            if learned is None:
                learned = np.ones(len(table.code), bool)
            if classifies is None:
                classifies = np.zeros(len(columns.configs), bool)
            diverged = table.status == DIVERGED
            worked = np.where(classifies[table.code], learned, ~diverged)
            lists["ok_learned"] = worked[table.ok].tolist()
            lists["classifies"] = classifies.tolist()
            lists.update(_spread_lists(columns))
            self._lists = lists
        return self._lists


def _none_for_nan(values: np.ndarray) -> list:
    return [None if v != v else v for v in values.tolist()]


def _spread_lists(columns: SummaryColumns) -> dict[str, list[list]]:
    """Per metric, the fields of every configuration's :class:`Spread` as lists
    (mean, std, min, max, n, low, high, censored): failed runs count only as failed;
    an accuracy's interval is kept within [0, 1]; epochs to target, where a
    configuration has no target, is empty."""
    counts = columns.counts
    found = {}
    for metric in (*METRICS, "learned_accuracy"):
        if metric not in columns.stats:
            continue
        stats = columns.stats[metric]
        n = stats.n
        low, high = stats.low, stats.high
        if "accuracy" in metric:
            low, high = np.maximum(low, 0.0), np.minimum(high, 1.0)
        censored = stats.censored
        if metric == "epochs_to_target":
            censored = np.where(counts["targeted"] == 0, 0, counts["targeted"] - counts["reached"])
        some, several = n > 0, n > 1
        found[metric] = [
            _none_for_nan(np.where(some, stats.mean, np.nan)),
            _none_for_nan(np.where(some, stats.std, np.nan)),
            _none_for_nan(np.where(some, stats.minimum, np.nan)),
            _none_for_nan(np.where(some, stats.maximum, np.nan)),
            n.tolist(),
            _none_for_nan(np.where(several, low, np.nan)),
            _none_for_nan(np.where(several, high, np.nan)),
            censored.tolist(),
        ]
    return found


def _decompose_where_failures_vary(
    table: RunTable, columns, stats, counts, classifies, learned_runs, unit: float
) -> bool:
    """Where failure depends on the seed (some configuration learned on some of its
    seeds and not on others), a mean accuracy over a few seeds cannot be trusted to
    have seen its failures: a configuration that fails on 15% of seeds shows none in
    ten seeds a fifth of the time, and its t interval then misses its mean. So every
    test accuracy interval is built from the mean's decomposition

        mean = (1 - f) * (accuracy when it learns) + f * (accuracy when it fails),

    f the share of seeds that fail: the interval holds every value the three parts'
    own 95% intervals allow (f's exact Clopper-Pearson interval, 0 of 10 giving [0,
    31%]; each accuracy's t interval, or where a configuration has fewer than two
    such runs, the range of such runs over the study, and [threshold, 1] for runs
    that learn), and never less than the plain t interval. The intervals change in
    place; True when they did."""
    ok = counts["ok"]
    learned = counts["learned"]
    varying = classifies & (learned > 0) & (learned < ok)
    if not varying.any():
        return False
    accuracy = columns["test_accuracy"]
    failed_runs = table.ok & ~learned_runs & accuracy.finite & classifies[table.code]
    failed = group_stats(table, accuracy, len(ok), unit, failed_runs)
    failed_values = accuracy.value[failed_runs]
    worst, best_failed = float(failed_values.min()), float(failed_values.max())
    learned_stats = stats["learned_accuracy"]
    threshold_low = accuracy.value[table.ok & learned_runs].min(initial=1.0)
    f = np.where(ok > 0, (ok - learned) / np.maximum(ok, 1), np.nan)
    f_low, f_high = np.zeros(len(ok)), np.ones(len(ok))
    for index in np.flatnonzero(classifies & (ok > 0)).tolist():
        f_low[index], f_high[index] = clopper_pearson(
            int(ok[index] - learned[index]), int(ok[index])
        )
    l_low = np.where(learned_stats.n > 1, learned_stats.low, threshold_low)
    l_high = np.where(learned_stats.n > 1, learned_stats.high, 1.0)
    m_low = np.where(failed.n > 1, failed.low, worst)
    m_high = np.where(failed.n > 1, failed.high, best_failed)
    with np.errstate(invalid="ignore"):
        low = np.minimum((1 - f_low) * l_low + f_low * m_low, (1 - f_high) * l_low + f_high * m_low)
        high = np.maximum(
            (1 - f_low) * l_high + f_low * m_high, (1 - f_high) * l_high + f_high * m_high
        )
    own = stats["test_accuracy"]
    use = classifies & (ok > 1) & np.isfinite(f)
    own.low = np.where(use, np.fmin(own.low, low), own.low)
    own.high = np.where(use, np.fmax(own.high, high), own.high)
    return True


def _learned_runs(table: RunTable, threshold: float) -> np.ndarray:
    """Per run: did it learn? It did not fail or diverge, and its test accuracy is
    above ``threshold`` (a diverged run learned nothing, whatever its accuracy)."""
    accuracy = table.values["test_accuracy"]
    with np.errstate(invalid="ignore"):
        return table.ok & (table.status != DIVERGED) & (accuracy > threshold)


def _counts(table: RunTable, columns, learned: np.ndarray, groups: int) -> dict[str, np.ndarray]:
    """Per configuration: runs that did not fail, failed, diverged, reached the target,
    learned (``learned``: per run), and their seconds."""
    ok = table.ok

    def count(mask):
        return np.bincount(table.code[mask], minlength=groups)

    return {
        "ok": count(ok),
        "failed": count(~ok),
        "diverged": count(table.status == DIVERGED),
        "reached": count(ok & ~np.isnan(table.values["epochs_to_target"])),
        "targeted": count(columns["epochs_to_target"].included),
        "learned": count(learned),
        "seconds": np.bincount(table.code, weights=np.nan_to_num(table.seconds), minlength=groups),
    }


def _learned(counts, classifies: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per configuration: the share of runs that learned and its exact interval
    (NaN where no run finished, or for regression, where nothing is "learned")."""
    ok, learned = counts["ok"], counts["learned"]
    share, low, high = (np.full(len(ok), np.nan) for _ in range(3))
    for index in np.flatnonzero((ok > 0) & classifies).tolist():
        share[index] = int(learned[index]) / int(ok[index])
        low[index], high[index] = share_interval(int(learned[index]), int(ok[index]))
    return share, low, high


def _config_of(record: dict[str, Any]) -> dict[str, Any]:
    """A stored run's configuration as a dict (the store may hand it over as JSON)."""
    config = record["config"]
    return json.loads(config) if isinstance(config, str) else config


def _tidy(study: str, record: dict[str, Any]) -> dict[str, Any]:
    """One run as a flat row: settings, seed, status, metrics."""
    config = _config_of(record)
    return {
        "study": study,
        "data": config["data"].get("name"),
        "activation": config["activation"],
        "initializer": config["init_label"],
        "init": config["init"],
        "optimizer": config["optimizer"],
        "hidden": hidden_label(tuple(config["hidden"])),
        "depth": len(config["hidden"]),
        "batch_size": config["batch_size"] or "full",
        "epochs": config["epochs"],
        "replay": bool(config.get("starting_point")),
        "seed": record["seed"],
        "status": record["status"],
        **{metric: record[metric] for metric in METRICS},
        "epochs_run": record.get("epochs_run"),
        "seconds": record.get("seconds"),
        "error": (record.get("error") or "").split("\n")[0] or None,
        "config_key": record["config_key"],
    }


# --------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------
