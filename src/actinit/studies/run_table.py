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

from .statistics import t_quantile

#: The metrics a run stores, in the order of :data:`RUN_FIELDS`.
METRICS = ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "epochs_to_target")
#: The columns a summary reads of each run.
RUN_FIELDS = ("config_key", "seed", "status", *METRICS, "seconds", "error")
#: Metrics where a smaller figure is the better one.
LOWER_IS_BETTER = {"test_loss", "train_loss", "epochs_to_target"}


@dataclass
class RunTable:
    """The runs of some configurations: ``code[i]`` is run i's configuration (its index
    in the list the table was made for), grouped: runs of one configuration are
    contiguous, in seed order, and ``starts[c]:starts[c + 1]`` are configuration c's."""

    code: np.ndarray
    seed: np.ndarray
    status: np.ndarray
    values: dict[str, np.ndarray]  # metric -> float (nan for NULL)
    seconds: np.ndarray
    errors: list[str | None]
    starts: np.ndarray

    @classmethod
    def read(cls, rows: Sequence[tuple], keys: Sequence[str]) -> RunTable:
        """From stored rows of :data:`RUN_FIELDS` of the configurations ``keys``."""
        index = {key: i for i, key in enumerate(keys)}
        rows = [row for row in rows if row[0] in index]
        columns = list(zip(*rows)) if rows else [()] * len(RUN_FIELDS)
        code = np.array([index[key] for key in columns[0]], dtype=np.int64)
        seed = np.array(columns[1], dtype=np.int64)
        order = np.lexsort((seed, code))

        def floats(column) -> np.ndarray:  # NumPy reads None as nan
            return np.array(column, dtype=float)[order]

        code, seed = code[order], seed[order]
        status = np.array(columns[2], dtype=object)[order]
        values = {metric: floats(columns[3 + k]) for k, metric in enumerate(METRICS)}
        seconds = floats(columns[3 + len(METRICS)])
        errors = [columns[4 + len(METRICS)][i] for i in order]
        starts = np.searchsorted(code, np.arange(len(keys) + 1))
        return cls(code, seed, status, values, seconds, errors, starts)

    def of(self, config: int) -> slice:
        return slice(int(self.starts[config]), int(self.starts[config + 1]))


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
    ok = table.status != "failed"
    diverged = table.status == "diverged"
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

    def as_lists(self) -> GroupStats:
        """The same figures as Python lists: a summary reads them one configuration at a
        time, which lists serve many times faster than arrays."""
        return GroupStats(*(getattr(self, f).tolist() for f in self.__dataclass_fields__))


def group_stats(table: RunTable, column: MetricColumn, groups: int) -> GroupStats:
    """:class:`GroupStats` of ``column`` for every configuration at once (the same
    figures as :func:`~.statistics.mean_interval`: one value has no interval, equal
    values an interval of width 0)."""
    finite = column.finite
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
        half = np.where(equal, 0.0, quantile * std / np.sqrt(n))
    low = np.where(n > 1, mean - half, np.nan)
    high = np.where(n > 1, mean + half, np.nan)
    censored = np.bincount(table.code[column.included & ~finite], minlength=groups)
    return GroupStats(n, mean, std, low, high, minimum, maximum, censored)


class SeedValues(Mapping):
    """metric -> {seed: value} of one configuration, as comparisons read them, each
    dictionary made when first asked for."""

    def __init__(self, seeds: np.ndarray, columns: dict[str, tuple[np.ndarray, np.ndarray]]):
        self._seeds = seeds
        self._columns = columns  # metric -> (values of this configuration's runs, included)
        self._made: dict[str, dict[int, float]] = {}

    def __getitem__(self, metric: str) -> dict[int, float]:
        if metric not in self._made:
            if metric not in self._columns:
                raise KeyError(metric)
            values, included = self._columns[metric]
            self._made[metric] = dict(
                zip(self._seeds[included].tolist(), values[included].tolist())
            )
        return self._made[metric]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return repr(dict(self))
