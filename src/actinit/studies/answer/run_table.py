"""A study's stored runs as columns, and every configuration's statistics from them at
once.

A summary of 100,000 runs was a loop of Python dictionaries: one per run, five per
configuration. Here the runs are read in one query per 500 configurations into NumPy
arrays (no configuration JSON, no history), grouped by configuration with a stable sort,
and each metric's count, mean, standard deviation, range and t interval over seeds
computed for all configurations together (``np.add.reduceat`` over the groups). What a
comparison reads seed by seed (:class:`SeedValues`) is built only for the metric it
asks for.

The figures are those of the record-by-record definition (``tests/reference_summary.py``
keeps it, and a test compares the two on stored studies): a failed run counts only as
failed; a value a diverged run lacks is the worst possible (+inf for a loss, -inf for an
accuracy) and is left out of the mean (``censored``); a target never reached counts as
the budget + 1 epochs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..plan.metrics import LOWER_IS_BETTER, METRICS
from ..run.store import STATUSES
from .intervals import t_quantile

#: The numeric columns a summary reads of each run, beside its configuration, seed and
#: status.
NUMERIC_FIELDS = (*METRICS, "seconds")
OK, DIVERGED, FAILED = range(3)  # codes of STATUSES


@dataclass
class RunTable:
    """The runs of some configurations: ``code[i]`` is run i's configuration (its index
    in the list the table was made for), grouped: runs of one configuration are
    contiguous, in seed order, and ``starts[c]:starts[c + 1]`` are configuration c's.
    ``status[i]`` indexes :data:`STATUSES`; ``failures`` are (configuration, seed,
    error) of the failed runs."""

    code: np.ndarray
    seed: np.ndarray
    status: np.ndarray
    values: dict[str, np.ndarray]  # metric -> float (nan for NULL)
    seconds: np.ndarray
    failures: list[tuple[int, int, str | None]]
    starts: np.ndarray

    @classmethod
    def load(cls, store, keys: Sequence[str], below_seed: int | None = None) -> RunTable:
        """The runs ``store`` holds of configurations ``keys`` (seeds below
        ``below_seed`` when given), read as columns (``store.run_columns``)."""
        array, failures = store.run_columns(keys, NUMERIC_FIELDS, below_seed)
        code = array[:, 0].astype(np.int64)
        return cls(
            code=code,
            seed=array[:, 1].astype(np.int64),
            status=array[:, 2].astype(np.int8),
            values={metric: array[:, 3 + k] for k, metric in enumerate(METRICS)},
            seconds=array[:, 3 + len(METRICS)],
            failures=[(int(c), int(s), e) for c, s, e in failures],
            starts=np.searchsorted(code, np.arange(len(keys) + 1)),
        )

    def of(self, config: int) -> slice:
        return slice(int(self.starts[config]), int(self.starts[config + 1]))

    @property
    def ok(self) -> np.ndarray:
        return self.status != FAILED

    def records(self, keys: Sequence[str]) -> list[dict]:
        """A dictionary per run: its configuration's key, seed, status, metrics,
        seconds and error."""
        errors = {(c, s): e for c, s, e in self.failures}
        columns = [self.values[m].tolist() for m in METRICS]
        metrics = [
            dict(zip(METRICS, (None if v != v else v for v in values))) for values in zip(*columns)
        ]
        return [
            {
                "config_key": keys[c],
                "seed": s,
                "status": STATUSES[k],
                **m,
                "seconds": None if t != t else t,
                "error": errors.get((c, s)),
            }
            for c, s, k, m, t in zip(
                self.code.tolist(),
                self.seed.tolist(),
                self.status.tolist(),
                metrics,
                self.seconds.tolist(),
            )
        ]


def columns_of_records(
    records: Sequence[Mapping], keys: Sequence[str], fields: Sequence[str], below_seed=None
) -> tuple[np.ndarray, list[tuple[int, int, str | None]]]:
    """What ``Store.run_columns`` returns, made from run records (dictionaries): for
    stores kept in memory."""
    index = {key: i for i, key in enumerate(keys)}
    chosen = sorted(
        (index[r["config_key"]], r["seed"], r)
        for r in records
        if r["config_key"] in index and (below_seed is None or r["seed"] < below_seed)
    )
    rows = [(c, s, STATUSES.index(r["status"]), *(r.get(f) for f in fields)) for c, s, r in chosen]
    failed = [(c, s, r.get("error")) for c, s, r in chosen if r["status"] == "failed"]
    return np.array(rows, dtype=float).reshape(len(rows), 3 + len(fields)), failed


@dataclass
class MetricColumn:
    """One metric of every run as comparisons read it (``value``, only where
    ``included``) and what its spread is made of (``finite``)."""

    value: np.ndarray
    included: np.ndarray

    @property
    def finite(self) -> np.ndarray:
        return self.included & np.isfinite(self.value)


def metric_columns(
    table: RunTable, classifies: np.ndarray, budget: np.ndarray, targeted: np.ndarray
) -> dict[str, MetricColumn]:
    """Each metric per run: a failed run is left out; epochs to target only where the
    configuration has a target (``targeted``), a target never reached counting as the
    budget + 1 epochs; a value a diverged run lacks (or a non-finite one) as the worst
    possible, an accuracy of a regression left out."""
    ok = table.ok
    diverged = table.status == DIVERGED
    columns = {}
    for metric in METRICS:
        raw = table.values[metric]
        if metric == "epochs_to_target":
            value = np.where(np.isnan(raw), budget[table.code] + 1.0, raw)
            included = ok & targeted[table.code]
        else:
            bad = ~np.isfinite(raw)
            worst = math.inf if metric in LOWER_IS_BETTER else -math.inf
            value = np.where(bad, worst, raw)
            skip = bad & (~diverged | (metric.endswith("accuracy") & ~classifies[table.code]))
            included = ok & ~skip
        columns[metric] = MetricColumn(value, included)
    return columns


@dataclass
class GroupStats:
    """Per configuration: the count, mean, sample std, min and max of the finite
    values, the 95% t interval of the mean (None where unknown), and how many values
    were left out of them."""

    n: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    low: np.ndarray
    high: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    censored: np.ndarray


def group_stats(
    table: RunTable, column: MetricColumn, groups: int, unit: float = 0.0, runs=None
) -> GroupStats:
    """:class:`GroupStats` of ``column`` for every configuration at once (the same
    figures as :func:`~.intervals.mean_interval`: one value has no interval; the
    interval's spread is never below ``unit``, one step of an accuracy's lattice, so
    equal values have an interval of width 0 only for a metric with no lattice).
    ``runs``: a mask of the runs to count (default: all)."""
    finite = column.finite if runs is None else column.finite & runs
    code, value = table.code[finite], column.value[finite]
    n = np.bincount(code, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(code, weights=value, minlength=groups) / n
        squares = np.bincount(code, weights=(value - mean[code]) ** 2, minlength=groups)
        std = np.where(n > 1, np.sqrt(squares / np.maximum(n - 1, 1)), 0.0)
    minimum, maximum = np.full(groups, np.inf), np.full(groups, -np.inf)
    np.minimum.at(minimum, code, value)
    np.maximum.at(maximum, code, value)
    equal = (n > 1) & (maximum == minimum)
    mean = np.where(equal, minimum, mean)  # as mean_interval: the value itself
    std = np.where(equal, 0.0, std)
    quantile = np.array([t_quantile(int(k) - 1) if k > 1 else np.nan for k in n])
    with np.errstate(invalid="ignore"):
        half = quantile * np.maximum(std, unit) / np.sqrt(n)
        half = np.where(equal & (unit == 0), 0.0, half)
    low = np.where(n > 1, mean - half, np.nan)
    high = np.where(n > 1, mean + half, np.nan)
    counted = column.included if runs is None else column.included & runs
    censored = np.bincount(table.code[counted & ~finite], minlength=groups)
    return GroupStats(n, mean, std, low, high, minimum, maximum, censored)


class SeedValues(Mapping):
    """metric -> {seed: value} of one configuration (runs ``runs`` of the metric
    ``columns``), as comparisons read them: a :class:`SeedSeries` each, made when
    first asked for."""

    def __init__(self, seeds: np.ndarray, columns: Mapping[str, MetricColumn], runs: slice):
        """``seeds``: every run's seed (the whole table's); ``runs``: this
        configuration's."""
        self._seeds = seeds
        self._columns = columns
        self._runs = runs
        self._made: dict[str, SeedSeries] = {}

    def __getitem__(self, metric: str) -> SeedSeries:
        if metric not in self._made:
            column, runs = self._columns[metric], self._runs
            included = column.included[runs]
            self._made[metric] = SeedSeries(
                self._seeds[runs][included], column.value[runs][included]
            )
        return self._made[metric]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return repr(dict(self))


class SeedSeries(Mapping):
    """One metric of one configuration, seed -> value, kept as two arrays in seed
    order (:attr:`seed_array`, :attr:`value_array`) that comparisons read at once; a
    dictionary is made only when it is read key by key."""

    def __init__(self, seeds: np.ndarray, values: np.ndarray):
        self.seed_array = seeds
        self.value_array = values
        self._dict: dict[int, float] | None = None

    def _as_dict(self) -> dict[int, float]:
        if self._dict is None:
            self._dict = dict(zip(self.seed_array.tolist(), self.value_array.tolist()))
        return self._dict

    def __getitem__(self, seed: int) -> float:
        return self._as_dict()[seed]

    def __iter__(self) -> Iterator[int]:
        return iter(self._as_dict())

    def __len__(self) -> int:
        return len(self.seed_array)

    def __repr__(self) -> str:
        return repr(self._as_dict())


def seed_arrays(series: Mapping[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """(seeds, values) of a seed -> value mapping, in seed order."""
    if isinstance(series, SeedSeries):
        return series.seed_array, series.value_array
    seeds = sorted(series)
    return np.array(seeds, dtype=np.int64), np.array([series[s] for s in seeds], dtype=float)
