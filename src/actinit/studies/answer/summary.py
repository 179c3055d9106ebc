"""Summaries across seeds, the comparison with published numbers, and exports."""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...engine.registry import compact_spec
from ..plan.metrics import LOWER_IS_BETTER, METRIC_LABELS, METRICS
from ..plan.study import Published, RunConfig, Study
from ..run.store import Store
from .run_table import (
    DIVERGED,
    FAILED,
    RunTable,
    SeedValues,
    group_stats,
    metric_columns,
)
from .statistics import (
    ALPHA,
    holm,
    mean_interval,
    rank_p_value,
    seeds_for_rank_test,
    wilson_interval,
)


@dataclass
class Spread:
    """One metric of one configuration over its seeds: mean, standard deviation,
    range, and the mean's 95% confidence interval [``low``, ``high``] (Student t).
    ``censored`` counts the seeds whose value is not a finite number: a loss that
    diverged (left out of these figures and said beside them), or a target never
    reached (for epochs to target the caller counts those at the budget + 1, so the
    mean is a restricted mean: a lower bound)."""

    mean: float | None
    std: float | None
    min: float | None
    max: float | None
    n: int
    low: float | None = None
    high: float | None = None
    censored: int = 0

    @classmethod
    def of(
        cls,
        values: list[float | None],
        censored: int | None = None,
        bounds: tuple[float, float] | None = None,
    ) -> Spread:
        """The spread of ``values``; ``bounds``: the range the metric lives in (an
        accuracy's [0, 1]), to which the interval is clipped."""
        finite = [float(v) for v in values if v is not None and math.isfinite(v)]
        left_out = len(values) - len(finite) if censored is None else censored
        if not finite:
            return cls(None, None, None, None, 0, censored=left_out)
        estimate = mean_interval(finite)
        std = 0.0
        if len(finite) > 1:
            std = math.sqrt(math.fsum((v - estimate.mean) ** 2 for v in finite) / (len(finite) - 1))
        low, high = estimate.low, estimate.high
        if bounds is not None and low is not None:
            low, high = max(low, bounds[0]), min(high, bounds[1])
        return cls(estimate.mean, std, min(finite), max(finite), len(finite), low, high, left_out)

    def text(self, percent: bool = False, digits: int = 3) -> str:
        """ "mean ± std", or the mean alone for one seed (a spread of one says nothing)."""
        if self.mean is None:
            return "-"
        if percent:
            mean = f"{100 * self.mean:.1f}"
            return f"{mean}%" if self.n == 1 else f"{mean} ± {100 * self.std:.1f}%"
        mean = f"{self.mean:.{digits}f}"
        return mean if self.n == 1 else f"{mean} ± {self.std:.{digits}f}"

    def interval_text(self, percent: bool = False, digits: int = 3) -> str:
        """ "low..high", the 95% interval of the mean ("-" when unknown)."""
        if self.low is None or self.high is None:
            return "-"
        if percent:
            return f"{100 * self.low:.1f}..{100 * self.high:.1f}"
        return f"{self.low:.{digits}f}..{self.high:.{digits}f}"


@dataclass
class ConfigSummary:
    config: RunConfig
    seeds: int
    test_accuracy: Spread
    train_accuracy: Spread
    test_loss: Spread
    train_loss: Spread
    epochs_to_target: Spread
    learned_share: float | None
    reached_target: int
    diverged: int
    failed: int
    seconds: float
    #: Each metric per seed, metric -> {seed: value}, as comparisons read them: a
    #: target never reached counts as the budget + 1 epochs, and a value a diverged
    #: run lacks as the worst possible (+inf for a loss, -inf for an accuracy).
    by_seed: dict[str, dict[int, float]] = field(default_factory=dict)
    #: The Wilson interval of ``learned_share``.
    learned_low: float | None = None
    learned_high: float | None = None
    #: The seeds of the runs that did not fail, in order.
    stored_seeds: list[int] = field(default_factory=list)

    def metric(self, name: str) -> Spread:
        return getattr(self, name)

    @property
    def values(self) -> dict[str, list[float]]:
        """Each metric's per-seed values (see :attr:`by_seed`), in seed order."""
        return {
            metric: [v for _, v in sorted(seeds.items())] for metric, seeds in self.by_seed.items()
        }

    def to_row(self) -> dict[str, Any]:
        row = {
            "activation": self.config.activation_label,
            "initializer": self.config.initializer_label,
            "optimizer": self.config.optimizer,
            "hidden": hidden_label(self.config.hidden),
            "batch_size": self.config.batch_size or "full",
            "data": self.config.data.get("name"),
            "seeds": self.seeds,
        }
        for name in METRICS:
            spread = self.metric(name)
            for stat in ("mean", "low", "high", "std", "min", "max"):
                row[f"{name}_{stat}"] = getattr(spread, stat)
        row.update(
            learned_share=self.learned_share,
            learned_share_low=self.learned_low,
            learned_share_high=self.learned_high,
            reached_target=self.reached_target,
            diverged=self.diverged,
            failed=self.failed,
            seconds=round(self.seconds, 3),
            config_key=self.config.key,
        )
        return row


#: The verdicts a comparison can end in, for people. Each names what the rank test
#: (or its absence) can say; where the figure falls among the seeds is in the detail.
VERDICTS = {
    "replayed exactly": "the original program's own initial draw, replayed, gives the figure",
    "consistent": "the figure could be one more of actinit's seeds: the rank test, "
    "Holm-corrected over the study's figures, does not reject that",
    "too few seeds": "the figure lies in the seeds' outer 5%, and at this many seeds the rank "
    "test cannot reach 5% after Holm's correction: more seeds decide it",
    "not reproduced": "the figure is too far out to be one more of actinit's seeds: its rank "
    "p-value, Holm-corrected over the study's figures, is below 5%",
    "not comparable": "the figure was measured in another setup (other data, another training "
    "or test set): it is shown, not tested",
}


@dataclass
class Comparison:
    """A published figure beside actinit's seeds and, when the original run can be
    replayed, beside that replay. ``verdict`` is one of :data:`VERDICTS` (or says why
    there is nothing to compare); ``detail`` says it in a sentence.

    ``percentile`` is where the figure falls among the seeds (0-100, ties half) and
    ``better_than`` the same oriented so that 100 means better than every seed.
    ``p_value`` is the figure's two-sided rank p-value among the seeds
    (:func:`~actinit.studies.answer.statistics.rank_p_value`: is it one more draw of the
    same distribution?) and ``p_adjusted`` Holm's over the study's figures."""

    published: Published
    summary: ConfigSummary | None
    verdict: str
    inside: bool | None = None
    replayed: float | None = None
    percentile: float | None = None
    detail: str = ""
    better_than: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None

    @property
    def spread(self) -> Spread | None:
        return self.summary.metric(self.published.metric) if self.summary else None

    def to_row(self) -> dict[str, Any]:
        spread = self.spread
        return {
            "configuration": ", ".join(f"{k}={v}" for k, v in self.published.match.items()),
            "metric": self.published.metric,
            "published": self.published.value,
            "replayed": self.replayed,
            "actinit_mean": spread.mean if spread else None,
            "actinit_low": spread.low if spread else None,
            "actinit_high": spread.high if spread else None,
            "actinit_std": spread.std if spread else None,
            "actinit_min": spread.min if spread else None,
            "actinit_max": spread.max if spread else None,
            "seeds": self.summary.seeds if self.summary else 0,
            "percentile": self.percentile,
            "better_than_percent": self.better_than,
            "p_value": self.p_value,
            "p_holm": self.p_adjusted,
            "inside_spread": self.inside,
            "verdict": self.verdict,
            "detail": self.detail,
            "note": self.published.note,
        }


@dataclass
class Failure:
    """A run that failed, and why (the first line of its error)."""

    config: RunConfig
    seed: int
    reason: str


@dataclass
class StudySummary:
    study: Study
    rows: list[ConfigSummary]
    comparisons: list[Comparison] = field(default_factory=list)
    missing_runs: int = 0
    failures: list[Failure] = field(default_factory=list)

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
    configs, replays = study.configs, study.replays  # each a whole grid: build once
    table = RunTable.load(store, [config.key for config in configs], seeds)
    classifies = np.array([c.loss_function.is_classification for c in configs], dtype=bool)
    budget = np.array([c.epochs for c in configs], dtype=float)
    targeted = np.array([c.target_accuracy is not None for c in configs], dtype=bool)
    columns = metric_columns(table, classifies, budget, targeted)
    groups = len(configs)
    counts = _counts(table, columns, study.learned_threshold, groups)
    spreads = _spreads(table, columns, counts, groups)
    learned = _learned(counts, classifies)
    totals = np.diff(table.starts)
    expected = study.seeds if seeds is None else seeds
    missing = int(np.maximum(0, expected - totals).sum())
    failures = [
        Failure(configs[c], s, (error or "unknown error").splitlines()[0])
        for c, s, error in table.failures
    ]
    rows = []
    count_lists = {name: values.tolist() for name, values in counts.items()}
    for index in np.flatnonzero(totals).tolist():
        runs = table.of(index)
        seeds_of = table.seed[runs]
        rows.append(
            ConfigSummary(
                configs[index],
                runs.stop - runs.start,
                *(spreads[metric][index] for metric in METRICS),
                learned_share=learned[0][index],
                reached_target=count_lists["reached"][index],
                diverged=count_lists["diverged"][index],
                failed=count_lists["failed"][index],
                seconds=count_lists["seconds"][index],
                by_seed=SeedValues(seeds_of, columns, runs),
                learned_low=learned[1][index],
                learned_high=learned[2][index],
                stored_seeds=seeds_of[table.status[runs] != FAILED].tolist(),
            )
        )
    replay_records = [
        r
        for r in store.runs([c.key for c in replays], decode_config=False)
        if seeds is None or r["seed"] < seeds
    ]
    for replay in replays:  # a failed replay says why too (it was counted, not shown)
        failures += [
            Failure(replay, r["seed"], (r.get("error") or "unknown error").splitlines()[0])
            for r in replay_records
            if r["config_key"] == replay.key and r["status"] == "failed"
        ]
    summary = StudySummary(study, rows, missing_runs=missing, failures=failures)
    summary._run_rows = (table, configs, replay_records)
    replayed = {
        record["config_key"]: {**record, "config": _config_of(record)}
        for record in replay_records
        if record["status"] != "failed"
    }
    summary.comparisons = judge([place(p, rows, replayed) for p in study.published])
    return summary


def _counts(table: RunTable, columns, threshold: float, groups: int) -> dict[str, np.ndarray]:
    """Per configuration: runs that did not fail, failed, diverged, reached the target,
    learned (test accuracy above ``threshold``), and their seconds."""
    ok = table.ok
    accuracy = table.values["test_accuracy"]
    with np.errstate(invalid="ignore"):
        learned = ok & (accuracy > threshold)

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


def _spreads(table: RunTable, columns, counts, groups: int) -> dict[str, list[Spread]]:
    """Every configuration's :class:`Spread` of each metric (failed runs count only as
    failed; an accuracy's interval is kept within [0, 1]; epochs to target, where a
    configuration has no target, is empty)."""
    spreads = {}
    for metric in METRICS:
        stats = group_stats(table, columns[metric], groups)
        low, high = stats.low, stats.high
        if "accuracy" in metric:
            low, high = np.maximum(low, 0.0), np.minimum(high, 1.0)
        censored = stats.censored
        if metric == "epochs_to_target":
            censored = counts["targeted"] - counts["reached"]
        spreads[metric] = [
            Spread(
                mean if n else None,
                std if n else None,
                minimum if n else None,
                maximum if n else None,
                n,
                lo if n > 1 else None,
                hi if n > 1 else None,
                cut,
            )
            for n, mean, std, minimum, maximum, lo, hi, cut in zip(
                stats.n.tolist(),
                stats.mean.tolist(),
                stats.std.tolist(),
                stats.minimum.tolist(),
                stats.maximum.tolist(),
                low.tolist(),
                high.tolist(),
                censored.tolist(),
            )
        ]
        if metric == "epochs_to_target":
            for index in np.flatnonzero(counts["targeted"] == 0).tolist():
                spreads[metric][index] = Spread(None, None, None, None, 0, censored=0)
    return spreads


def _learned(counts, classifies: np.ndarray) -> tuple[list, list, list]:
    """Per configuration: the share of runs that learned and its Wilson interval
    (None where no run finished, or for regression, where nothing is "learned")."""
    ok, learned = counts["ok"], counts["learned"]
    share, low, high = [None] * len(ok), [None] * len(ok), [None] * len(ok)
    for index in np.flatnonzero((ok > 0) & classifies).tolist():
        share[index] = int(learned[index]) / int(ok[index])
        low[index], high[index] = wilson_interval(int(learned[index]), int(ok[index]))
    return share, low, high


def percentile_of(value: float, values: list[float], tolerance: float = 0.0) -> float:
    """Where ``value`` falls among ``values``, 0-100: the share below it, ties (within
    ``tolerance``, the rounding of a printed figure) counting half."""
    below = sum(v < value - tolerance for v in values)
    ties = sum(abs(v - value) <= tolerance for v in values)
    return 100.0 * (below + 0.5 * ties) / len(values)


def compare(
    published: Published,
    rows: list[ConfigSummary],
    replays: dict[str, dict[str, Any]] | None = None,
) -> Comparison:
    """Place one published figure (a family of one: :func:`judge` corrects several at
    once): replayed exactly (``replays``: stored replay runs by the key of their
    configuration), consistent with actinit's seeds, too few seeds to tell, not
    reproduced, or not comparable (another setup)."""
    return judge([place(published, rows, replays)])[0]


def place(
    published: Published,
    rows: list[ConfigSummary],
    replays: dict[str, dict[str, Any]] | None = None,
) -> Comparison:
    """A published figure beside its configuration's seeds and replay, with its rank
    p-value; the verdict is left to :func:`judge`."""
    matching = [row for row in rows if published.matches(row.config)]
    if not matching:
        return Comparison(published, None, "no runs yet", detail="no runs of this configuration")
    row = matching[0]
    replayed = _replayed_value(published, replays or {})
    spread = row.metric(published.metric)
    values = row.values.get(published.metric, [])
    comparison = Comparison(published, row, "", replayed=replayed)
    if values:
        comparison.percentile = percentile_of(published.value, values, published.tolerance)
        lower_better = published.metric in LOWER_IS_BETTER
        comparison.better_than = (
            100 - comparison.percentile if lower_better else comparison.percentile
        )
        comparison.p_value = rank_p_value(published.value, values, published.tolerance)
    if spread.mean is not None:
        slack = published.tolerance + 1e-12
        comparison.inside = spread.min - slack <= published.value <= spread.max + slack
    return comparison


def comparable(comparison: Comparison) -> bool:
    """Was the figure measured in actinit's setup (its data set, and no difference the
    study file states with ``differs``)?"""
    published, row = comparison.published, comparison.summary
    if row is None or published.differs:
        return False
    return not (published.data and published.data != row.config.data.get("name"))


def judge(comparisons: list[Comparison], alpha: float = ALPHA) -> list[Comparison]:
    """Give each placed figure its verdict. The rank p-values of the figures that are
    comparable and not replayed exactly are Holm-corrected together: a study's figures
    are one family, so that "not reproduced" anywhere in it is wrong with a chance of
    at most ``alpha``."""
    slack = {id(c): c.published.tolerance + 1e-12 for c in comparisons}
    tested = [
        c
        for c in comparisons
        if comparable(c)
        and c.p_value is not None
        and not (c.replayed is not None and abs(c.replayed - c.published.value) <= slack[id(c)])
    ]
    for comparison, adjusted in zip(tested, holm([c.p_value for c in tested])):
        comparison.p_adjusted = adjusted
    family = max(1, len(tested))
    for comparison in comparisons:
        if comparison.summary is not None:
            _verdict(comparison, family, alpha)
    return comparisons


def _verdict(comparison: Comparison, family: int, alpha: float) -> None:
    published, row = comparison.published, comparison.summary
    fmt = formatter(published.metric)
    spread = comparison.spread
    replayed = comparison.replayed
    replay_text = f"the replay gives {fmt(replayed)}; " if replayed is not None else ""
    data = row.config.data.get("name")
    values = row.values.get(published.metric, [])
    if not comparable(comparison):
        comparison.verdict = "not comparable"
        comparison.detail = (
            published.differs or f"published on {published.data}, actinit ran {data}"
        )
    elif replayed is not None and abs(replayed - published.value) <= published.tolerance + 1e-12:
        comparison.verdict = "replayed exactly"
        comparison.detail = "the original program's own initial draw gives the printed figure"
    elif not values:
        comparison.verdict = "not reproduced"
        comparison.detail = replay_text + "every seed diverged or failed"
    else:
        n = len(values)
        needed = seeds_for_rank_test(alpha / family)
        better = comparison.better_than
        where = (
            f"better than {better:.0f}% of {n} seeds"
            if spread.mean is not None
            else f"among {n} seeds"
        )
        test = (
            f"rank p = {comparison.p_value:.2g}, Holm over {family} figure"
            f"{'s' if family > 1 else ''}: {comparison.p_adjusted:.2g}"
        )
        outer = better >= 95 or better <= 5
        if comparison.p_adjusted is not None and comparison.p_adjusted <= alpha:
            comparison.verdict = "not reproduced"
            outside = (
                f"{'above' if published.value > spread.max else 'below'} every one of {n} seeds "
                f"({fmt(spread.min)}..{fmt(spread.max)})"
                if spread.mean is not None and not comparison.inside
                else where
            )
            comparison.detail = f"{replay_text}{fmt(published.value)} is {outside}; {test}"
        elif outer and n < needed:
            comparison.verdict = "too few seeds"
            comparison.detail = (
                f"{replay_text}{where}, in the seeds' outer 5%; {test}; at {n} seeds the "
                f"rank test cannot reach {alpha:.0%} after Holm: it needs {needed}"
            )
        else:
            comparison.verdict = "consistent"
            comparison.detail = f"{replay_text}{where}; {test}"
        if published.metric == "epochs_to_target" and spread.censored:
            comparison.detail += (
                f"; {spread.censored} seeds never reached the target in "
                f"{row.config.epochs} epochs (counted as slower than every one that did)"
            )
    if published.caveat:
        comparison.detail += f"; {published.caveat}"


def _replayed_value(published: Published, replays: dict[str, dict[str, Any]]) -> float | None:
    for record in replays.values():
        if published.matches(RunConfig.from_dict(record["config"])):
            value = record.get(published.metric)
            return None if value is None else float(value)
    return None


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


def formatter(metric: str, unit: str = "%"):
    """A metric's value for people: an accuracy in % to a tenth (followed by ``unit``),
    epochs whole, a loss to four decimals."""
    if metric.endswith("accuracy"):
        return lambda v: f"{100 * v:.1f}{unit}"
    if metric == "epochs_to_target":
        return lambda v: f"{v:.0f}"
    return lambda v: f"{v:.4f}"


def markdown_table(header: list[str], body: list[list[str]]) -> list[str]:
    """A Markdown table's lines (a "|" inside a cell becomes "/"), then a blank line."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in body]
    return [*lines, ""]


# --------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------


def to_json(summary: StudySummary) -> str:
    return json.dumps(
        {
            "study": summary.study.name,
            "title": summary.study.title,
            "configurations": [row.to_row() for row in summary.rows],
            "published": [c.to_row() for c in summary.comparisons],
            "missing_runs": summary.missing_runs,
        },
        indent=2,
    )


def to_csv(summary: StudySummary) -> str:
    rows = [row.to_row() for row in summary.rows]
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def hidden_label(hidden: tuple[int, ...]) -> str:
    """``(32, 32, 32)`` -> ``"3x32"``; ``(12, 6)`` -> ``"12-6"``; ``()`` -> ``"none"``."""
    if not hidden:
        return "none"
    if len(hidden) > 2 and len(set(hidden)) == 1:
        return f"{len(hidden)}x{hidden[0]}"
    return "-".join(map(str, hidden))


#: The grid dimensions besides activation and initializer, each read off a
#: configuration as pictures label it and as ``--hidden``, ``--data`` ... select it.
DIMENSIONS: dict[str, Callable[[RunConfig], str]] = {
    "data": lambda c: ", ".join(f"{k}={v}" if k != "name" else str(v) for k, v in c.data.items()),
    "hidden": lambda c: hidden_label(c.hidden),
    "optimizer": lambda c: compact_spec(c.optimizer),
    "batch": lambda c: str(c.batch_size or "full"),
    "output": lambda c: c.output_activation,
    "regularizer": lambda c: str(c.regularizer),
    "dropout": lambda c: str(c.dropout),
    "epochs": lambda c: str(c.epochs),
    "pruning": lambda c: c.prune_method or "none",
    "amount": lambda c: f"{c.prune_amount:g}",
    "rewind": lambda c: c.rewind,
}


#: The fields of a configuration each dimension's label is read from (equal fields,
#: equal labels).
DIMENSION_FIELDS: dict[str, tuple[str, ...]] = {
    "activation": ("activation", "layer_activations"),
    "initializer": ("init_label", "layer_inits"),
    "data": ("data",),
    "hidden": ("hidden",),
    "optimizer": ("optimizer",),
    "batch": ("batch_size",),
    "output": ("output_activation",),
    "regularizer": ("regularizer",),
    "dropout": ("dropout",),
    "epochs": ("epochs",),
    "pruning": ("prune_method",),
    "amount": ("prune_amount",),
    "rewind": ("rewind",),
}

#: The summary table's columns that name a configuration (never dropped to fit).
NAME_COLUMNS = (
    "data",
    "activation",
    "initializer",
    "optimizer",
    "hidden",
    "batch",
    "pruning",
    "amount",
    "rewind",
)
#: The figure columns a narrow terminal may leave out, the first to go first.
DROP_ORDER = (
    "range",
    "± std",
    "train loss",
    "learned 95% CI",
    "train acc %",
    "diverged",
    "test loss",
    "epochs to target",
    "seeds",
    "learned",
)


def table_rows(summary: StudySummary) -> tuple[list[str], list[list[str]]]:
    """The summary as a header and text rows, shared by the terminal, Markdown and
    HTML: each figure's mean with its 95% confidence interval over seeds ("95% CI",
    Student t), the learned share with its Wilson interval. Settings shared by every
    configuration are left out (they are in the title); a study that only predicts
    numbers (regression) shows its losses, not accuracy."""
    threshold = f"{100 * summary.study.learned_threshold:.0f}"
    header = [
        *NAME_COLUMNS,
        "seeds",
        "test acc %",
        "95% CI",
        "± std",
        "range",
        "train acc %",
        "test loss",
        "train loss",
        f"learned >{threshold}%",
        "learned 95% CI",
        "epochs to target",
        "diverged",
    ]
    body = [_table_cells(row) for row in summary.rows]
    regression = all(row.test_accuracy.mean is None for row in summary.rows)
    if regression:  # the interval belongs to the loss, after it
        order = list(range(len(header)))
        ci, loss = header.index("95% CI"), header.index("test loss")
        order.remove(ci)
        order.insert(order.index(loss) + 1, ci)
        header = [header[i] for i in order]
        body = [[line[i] for i in order] for line in body]
        for cells, row in zip(body, summary.rows):
            cells[header.index("95% CI")] = row.test_loss.interval_text()
    shown = [
        i for i, name in enumerate(header) if _shows(name, [line[i] for line in body], regression)
    ]
    header = [header[i].replace(f"learned >{threshold}%", "learned") for i in shown]
    return header, [[line[i] for i in shown] for line in body]


def _table_cells(row: ConfigSummary) -> list[str]:
    """One configuration's cells, in :func:`table_rows`'s column order."""
    acc = row.test_accuracy
    learned = "-"
    if row.learned_share is not None:
        learned = f"{100 * row.learned_share:.0f}%"
    learned_ci = "-"
    if row.learned_low is not None:
        learned_ci = f"{100 * row.learned_low:.0f}..{100 * row.learned_high:.0f}"
    return [
        row.config.data.get("name", ""),
        row.config.activation_label,
        row.config.initializer_label,
        compact_spec(row.config.optimizer),
        hidden_label(row.config.hidden),
        str(row.config.batch_size or "full"),
        DIMENSIONS["pruning"](row.config),
        DIMENSIONS["amount"](row.config),
        DIMENSIONS["rewind"](row.config),
        str(row.seeds),
        f"{100 * acc.mean:.1f}" if acc.mean is not None else "-",
        acc.interval_text(percent=True),
        f"{100 * acc.std:.1f}" if acc.std is not None and acc.n > 1 else "-",
        f"{100 * acc.min:.1f}..{100 * acc.max:.1f}" if acc.min is not None else "-",
        f"{100 * row.train_accuracy.mean:.1f}" if row.train_accuracy.mean is not None else "-",
        _loss_text(row.test_loss),
        _loss_text(row.train_loss),
        learned,
        learned_ci,
        _epochs_text(row),
        str(row.diverged),
    ]


def _loss_text(spread: Spread) -> str:
    """The mean loss, and how many seeds' losses were not finite (left out of it)."""
    if spread.mean is None:
        return "inf" if spread.censored else "-"
    text = f"{spread.mean:.4f}" if spread.mean < 100 else f"{spread.mean:.4g}"
    return text + (f" ({spread.censored} inf)" if spread.censored else "")


def _epochs_text(row: ConfigSummary) -> str:
    """Mean epochs to target (a seed that never reached it counts as the budget + 1,
    so the mean is then a lower bound: "≥"), and how many seeds reached it."""
    spread = row.epochs_to_target
    if row.config.target_accuracy is None or spread.mean is None:
        return "-"
    reached = f"({row.reached_target}/{spread.n})"
    if row.reached_target == 0:
        return f"never {reached}"
    return f"{'≥' if spread.censored else ''}{spread.mean:.0f} {reached}"


#: The accuracy columns (left out when nothing has an accuracy), and the values that
#: say nothing in a column shown only when they are not all it holds.
_ACCURACY_COLUMNS = {"test acc %", "95% CI", "± std", "range", "train acc %"}
_SILENT_VALUES = {"epochs to target": {"-"}, "diverged": {"0"}, "± std": {"-"}}


def _shows(name: str, cells: list[str], regression: bool) -> bool:
    """Whether the column ``name`` with these ``cells`` belongs in the table: the
    results always (losses for a regression, else accuracies and the test loss), the
    rest when it tells configurations apart or says something (a target reached, a
    divergence)."""
    results = {"train loss", "95% CI"} if regression else _ACCURACY_COLUMNS
    if name in {"activation", "initializer", "test loss", "seeds"} | results:
        return name not in _SILENT_VALUES or bool(set(cells) - _SILENT_VALUES[name])
    if name in (_ACCURACY_COLUMNS - {"95% CI"} if regression else {"train loss"}):
        return False
    if name.startswith("learned"):
        return any(cell != "-" for cell in cells)
    if name in _SILENT_VALUES:
        return bool(set(cells) - _SILENT_VALUES[name])
    return len(set(cells)) > 1


#: The published-figures table's columns that may go to fit a narrow terminal.
COMPARISON_DROP_ORDER = ("range", "seeds", "better than", "p (Holm)", "replayed")


def comparison_rows(
    summary: StudySummary, verbose: bool = False
) -> tuple[list[str], list[list[str]]]:
    """One row per published figure: which, the figure, the replay, actinit's mean
    with its 95% interval and its range over seeds, the share of seeds the figure is
    better than, its rank p-value after Holm's correction and the verdict
    (``verbose``: and the verdict's sentence)."""
    header = [
        "figure",
        "published",
        "replayed",
        "actinit [95% CI]",
        "range",
        "seeds",
        "better than",
        "p (Holm)",
        "verdict",
    ]
    body = []
    for comparison in summary.comparisons:
        published = comparison.published
        fmt = formatter(published.metric)
        spread = comparison.spread
        measured = spread_range = "-"
        if spread and spread.mean is not None:
            measured = _short(fmt, spread.mean)
            if spread.low is not None:
                measured += f" [{_short(fmt, spread.low)}, {_short(fmt, spread.high)}]"
            spread_range = f"{_short(fmt, spread.min)}..{_short(fmt, spread.max)}"
            if spread.censored and published.metric == "epochs_to_target":
                measured = "≥" + measured
        which = ", ".join(
            compact_spec(str(v)) if k == "activation" else str(v)
            for k, v in published.match.items()
        )
        p = comparison.p_adjusted
        line = [
            f"{which or 'all'}: {METRIC_LABELS[published.metric]}",
            fmt(published.value),
            fmt(comparison.replayed) if comparison.replayed is not None else "-",
            measured,
            spread_range,
            str(comparison.summary.seeds) if comparison.summary else "0",
            f"{comparison.better_than:.0f}%" if comparison.better_than is not None else "-",
            f"{p:.2g}" if p is not None else "-",
            _verdict_cell(comparison),
        ]
        if verbose:
            line.append(comparison.detail)
        body.append(line)
    if verbose:
        header.append("why")
    return header, body


def _verdict_cell(comparison: Comparison) -> str:
    """The verdict with what qualifies it: the setup that differs (up to its
    parenthesis), the seeds the test needs, the study file's caveat."""
    published = comparison.published
    cell = comparison.verdict
    if cell == "not comparable" and published.differs:
        cell += ": " + published.differs.split(" (")[0]
    elif cell == "too few seeds" and "needs " in comparison.detail:
        cell += f" (needs {comparison.detail.rsplit('needs ', 1)[1].split(';')[0]})"
    return cell + (f"; {published.caveat}" if published.caveat else "")


def _short(fmt, value: float) -> str:
    """A figure without its unit sign, to keep ranges compact."""
    return fmt(value).rstrip("%")


def to_markdown(summary: StudySummary) -> str:
    lines = [f"## {summary.study.title}", ""]
    if summary.study.description:
        lines += [summary.study.description, ""]
    for header, body in (table_rows(summary), comparison_rows(summary)):
        if body:
            lines += markdown_table(header, body)
    if summary.missing_runs:
        lines.append(f"{summary.missing_runs} runs are not in the database yet.")
    return "\n".join(lines)
