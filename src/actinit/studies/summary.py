"""Summaries across seeds, the comparison with published numbers, and exports."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.registry import compact_spec
from .store import Store
from .study import Published, RunConfig, Study


@dataclass
class Spread:
    mean: float | None
    std: float | None
    min: float | None
    max: float | None
    n: int

    @classmethod
    def of(cls, values: list[float | None]) -> Spread:
        finite = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
        if len(finite) == 0:
            return cls(None, None, None, None, 0)
        std = float(finite.std(ddof=1)) if len(finite) > 1 else 0.0
        return cls(float(finite.mean()), std, float(finite.min()), float(finite.max()), len(finite))

    def text(self, percent: bool = False, digits: int = 3) -> str:
        """ "mean ± std", or the mean alone for one seed (a spread of one says nothing)."""
        if self.mean is None:
            return "-"
        if percent:
            mean = f"{100 * self.mean:.1f}"
            return f"{mean}%" if self.n == 1 else f"{mean} ± {100 * self.std:.1f}%"
        mean = f"{self.mean:.{digits}f}"
        return mean if self.n == 1 else f"{mean} ± {self.std:.{digits}f}"


METRIC_COLUMNS = ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "epochs_to_target")


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
    #: The finite per-seed figures behind each spread, metric -> values.
    values: dict[str, list[float]] = field(default_factory=dict)

    def metric(self, name: str) -> Spread:
        return getattr(self, name)

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
        for name in METRIC_COLUMNS:
            spread = self.metric(name)
            for stat in ("mean", "std", "min", "max"):
                row[f"{name}_{stat}"] = getattr(spread, stat)
        row.update(
            learned_share=self.learned_share,
            reached_target=self.reached_target,
            diverged=self.diverged,
            failed=self.failed,
            seconds=round(self.seconds, 3),
            config_key=self.config.key,
        )
        return row


#: The verdicts a comparison can end in, for people.
VERDICTS = {
    "replayed exactly": "the original program's own initial draw, replayed, gives the figure",
    "typical": "the figure lies between the 5th and 95th percentiles of actinit's seeds",
    "a lucky draw": "the figure is better than 95% of actinit's seeds: a favourable seed",
    "an unlucky draw": "the figure is worse than 95% of actinit's seeds",
    "not reproduced": "the figure lies outside every seed, and no replay gives it",
    "other data": "the figure was measured on other data than actinit's runs",
}


@dataclass
class Comparison:
    """A published figure beside actinit's seeds and, when the original run can be
    replayed, beside that replay. ``verdict`` is one of :data:`VERDICTS` (or says why
    there is nothing to compare); ``detail`` says it in a sentence; ``percentile`` is
    where the figure falls among the seeds (0-100)."""

    published: Published
    summary: ConfigSummary | None
    verdict: str
    inside: bool | None = None
    replayed: float | None = None
    percentile: float | None = None
    detail: str = ""

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
            "actinit_std": spread.std if spread else None,
            "actinit_min": spread.min if spread else None,
            "actinit_max": spread.max if spread else None,
            "seeds": spread.n if spread else 0,
            "percentile": self.percentile,
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

    #: Every stored run behind the summary (seeds and replays), without histories.
    runs: list[dict[str, Any]] = field(default_factory=list)

    def to_frame(self):
        """The study's runs as a pandas DataFrame, one row per run (seeds and replays)
        with tidy columns: the grid's settings, the seed, the status and every metric.
        pandas is an optional extra: ``pip install 'actinit[frames]'``."""
        try:
            import pandas
        except ImportError:
            raise ImportError(
                "to_frame needs pandas: pip install 'actinit[frames]' (or pandas)"
            ) from None
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


def _config_summary(
    config: RunConfig, records: list[dict[str, Any]], learned_threshold: float
) -> ConfigSummary:
    """One configuration's row from its stored runs (failed runs count only as failed)."""
    ok = [r for r in records if r["status"] != "failed"]
    test_accuracy = [r["test_accuracy"] for r in ok]
    learned = [a for a in test_accuracy if a is not None]
    return ConfigSummary(
        config=config,
        seeds=len(records),
        test_accuracy=Spread.of(test_accuracy),
        train_accuracy=Spread.of([r["train_accuracy"] for r in ok]),
        test_loss=Spread.of([r["test_loss"] for r in ok]),
        train_loss=Spread.of([r["train_loss"] for r in ok]),
        epochs_to_target=Spread.of([r["epochs_to_target"] for r in ok]),
        # Regression has no accuracy, so nothing "learned" to count.
        learned_share=(sum(a > learned_threshold for a in learned) / len(ok))
        if ok and config.loss_function.is_classification
        else None,
        reached_target=sum(r["epochs_to_target"] is not None for r in ok),
        diverged=sum(r["status"] == "diverged" for r in records),
        failed=sum(r["status"] == "failed" for r in records),
        seconds=float(sum(r["seconds"] or 0 for r in records)),
        values={
            metric: [
                float(r[metric]) for r in ok if r[metric] is not None and math.isfinite(r[metric])
            ]
            for metric in METRIC_COLUMNS
        },
    )


def summarize(study: Study, store: Store, seeds: int | None = None) -> StudySummary:
    """Per configuration across its stored seeds (the first ``seeds`` seeds when given)."""
    configs, replays = study.configs, study.replays  # each a whole grid: build once
    records_by_key: dict[str, list[dict[str, Any]]] = {}
    stored = store.runs([config.key for config in configs + replays])
    for record in stored:
        if seeds is None or record["seed"] < seeds:
            records_by_key.setdefault(record["config_key"], []).append(record)
    rows = []
    missing = 0
    failures = []
    expected = study.seeds if seeds is None else seeds
    for config in configs:
        records = records_by_key.get(config.key, [])
        missing += max(0, expected - len(records))
        failures += [
            Failure(config, r["seed"], (r.get("error") or "unknown error").splitlines()[0])
            for r in records
            if r["status"] == "failed"
        ]
        if not records:
            continue
        rows.append(_config_summary(config, records, study.learned_threshold))
    summary = StudySummary(study, rows, missing_runs=missing, failures=failures)
    summary.runs = [r for records in records_by_key.values() for r in records]
    replay_keys = {config.key for config in replays}
    replayed = {
        record["config_key"]: record
        for record in stored
        if record["config_key"] in replay_keys and record["status"] != "failed"
    }
    summary.comparisons = [compare(p, rows, replayed) for p in study.published]
    return summary


#: Metrics where a smaller figure is the better one.
LOWER_IS_BETTER = {"test_loss", "train_loss", "epochs_to_target"}


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
    """Place a published figure: replayed exactly (``replays``: stored replay runs by
    the key of their configuration), typical, a lucky or unlucky draw among actinit's
    seeds, not reproduced, or measured on other data."""
    matching = [row for row in rows if published.matches(row.config)]
    if not matching:
        return Comparison(published, None, "no runs yet", detail="no runs of this configuration")
    row = matching[0]
    fmt = _formatter(published.metric)
    replayed = _replayed_value(published, replays or {})
    spread = row.metric(published.metric)
    values = row.values.get(published.metric, [])
    percentile = percentile_of(published.value, values, published.tolerance) if values else None
    comparison = Comparison(published, row, "", replayed=replayed, percentile=percentile)
    slack = published.tolerance + 1e-12
    if spread.mean is not None:
        comparison.inside = spread.min - slack <= published.value <= spread.max + slack
    replay_text = f"the replay gives {fmt(replayed)}; " if replayed is not None else ""
    data = row.config.data.get("name")
    if published.data and published.data != data:
        comparison.verdict = "other data"
        comparison.detail = f"published on {published.data}, actinit ran {data}"
    elif replayed is not None and abs(replayed - published.value) <= slack:
        comparison.verdict = "replayed exactly"
        comparison.detail = "the original program's own initial draw gives the printed figure"
    elif spread.mean is None:
        comparison.verdict = "not reproduced"
        comparison.detail = replay_text + (
            f"no seed reached the target within {row.config.epochs} epochs"
            if published.metric == "epochs_to_target"
            else "every seed diverged or failed"
        )
    elif not comparison.inside:
        side = "above" if published.value > spread.max else "below"
        comparison.verdict = "not reproduced"
        comparison.detail = (
            f"{replay_text}{fmt(published.value)} is {side} every one of {spread.n} seeds "
            f"({fmt(spread.min)}..{fmt(spread.max)})"
        )
    else:
        better = percentile if percentile is not None else 50.0
        if published.metric in LOWER_IS_BETTER:
            better = 100 - better
        comparison.verdict = (
            "a lucky draw" if better > 95 else "an unlucky draw" if better < 5 else "typical"
        )
        where = f"at the {percentile:.0f}th percentile of" if percentile is not None else "among"
        comparison.detail = (
            f"{replay_text}{where} {spread.n} seeds ({fmt(spread.min)}..{fmt(spread.max)})"
        )
    if published.caveat:
        comparison.detail += f"; {published.caveat}"
    return comparison


def _replayed_value(published: Published, replays: dict[str, dict[str, Any]]) -> float | None:
    for record in replays.values():
        if published.matches(RunConfig.from_dict(record["config"])):
            value = record.get(published.metric)
            return None if value is None else float(value)
    return None


def _tidy(study: str, record: dict[str, Any]) -> dict[str, Any]:
    """One run as a flat row: settings, seed, status, metrics."""
    config = record["config"]
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
        **{metric: record[metric] for metric in METRIC_COLUMNS},
        "epochs_run": record.get("epochs_run"),
        "seconds": record.get("seconds"),
        "error": (record.get("error") or "").split("\n")[0] or None,
        "config_key": record["config_key"],
    }


def _formatter(metric: str):
    if metric.endswith("accuracy"):
        return lambda v: f"{100 * v:.1f}%"
    if metric == "epochs_to_target":
        return lambda v: f"{v:.0f}"
    return lambda v: f"{v:.4f}"


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
}


def table_rows(summary: StudySummary) -> tuple[list[str], list[list[str]]]:
    """The summary as a header and text rows, shared by the terminal and Markdown.
    Settings shared by every configuration are left out (they are in the title); a
    study that only predicts numbers (regression) shows its losses, not accuracy."""
    header = [
        "data",
        "activation",
        "initializer",
        "optimizer",
        "hidden",
        "batch",
        "seeds",
        "test acc",
        "range",
        "train acc",
        "test loss",
        "train loss",
        f"learned >{100 * summary.study.learned_threshold:.0f}%",
        "epochs to target",
        "diverged",
    ]
    body = [_table_cells(row) for row in summary.rows]
    regression = all(row.test_accuracy.mean is None for row in summary.rows)
    shown = [
        i for i, name in enumerate(header) if _shows(name, [line[i] for line in body], regression)
    ]
    return [header[i] for i in shown], [[line[i] for i in shown] for line in body]


def _table_cells(row: ConfigSummary) -> list[str]:
    """One configuration's cells, in :func:`table_rows`'s column order."""
    acc = row.test_accuracy
    return [
        row.config.data.get("name", ""),
        row.config.activation_label,
        row.config.initializer_label,
        compact_spec(row.config.optimizer),
        hidden_label(row.config.hidden),
        str(row.config.batch_size or "full"),
        str(row.seeds),
        acc.text(percent=True),
        f"{100 * acc.min:.1f}..{100 * acc.max:.1f}" if acc.min is not None else "-",
        row.train_accuracy.text(percent=True),
        row.test_loss.text(),
        row.train_loss.text(),
        f"{100 * row.learned_share:.0f}%" if row.learned_share is not None else "-",
        (
            f"{row.epochs_to_target.mean:.0f} ({row.reached_target}/{row.seeds})"
            if row.epochs_to_target.mean is not None
            else ("-" if row.config.target_accuracy is None else f"never (0/{row.seeds})")
        ),
        str(row.diverged),
    ]


#: The accuracy columns (left out when nothing has an accuracy), and the values that
#: say nothing in a column shown only when they are not all it holds.
_ACCURACY_COLUMNS = {"test acc", "range", "train acc"}
_SILENT_VALUES = {"epochs to target": {"-"}, "diverged": {"0"}}


def _shows(name: str, cells: list[str], regression: bool) -> bool:
    """Whether the column ``name`` with these ``cells`` belongs in the table: the
    results always (losses for a regression, else accuracies and the test loss), the
    rest when it tells configurations apart or says something (a target reached, a
    divergence)."""
    results = {"train loss"} if regression else _ACCURACY_COLUMNS
    if name in {"activation", "initializer", "test loss"} | results:
        return True
    if name in (_ACCURACY_COLUMNS if regression else {"train loss"}):
        return False
    if name in _SILENT_VALUES:
        return bool(set(cells) - _SILENT_VALUES[name])
    return len(set(cells)) > 1


METRIC_LABELS = {
    "test_accuracy": "test acc",
    "train_accuracy": "train acc",
    "test_loss": "test loss",
    "train_loss": "train loss",
    "epochs_to_target": "epochs",
}


def comparison_rows(
    summary: StudySummary, verbose: bool = False
) -> tuple[list[str], list[list[str]]]:
    """One row per published figure: which, the figure, the replay, actinit's seeds
    (mean ± std and range), the figure's percentile among them and the verdict
    (``verbose``: and the verdict's sentence)."""
    header = ["figure", "published", "replayed", "actinit mean ± std (range)", "pct", "verdict"]
    body = []
    for comparison in summary.comparisons:
        published = comparison.published
        fmt = _formatter(published.metric)
        spread = comparison.spread
        measured = "-"
        if spread and spread.mean is not None:
            measured = f"{_short(fmt, spread.mean)} ± {_short(fmt, spread.std)} "
            measured += f"({_short(fmt, spread.min)}..{_short(fmt, spread.max)})"
        which = ", ".join(
            compact_spec(str(v)) if k == "activation" else str(v)
            for k, v in published.match.items()
        )
        line = [
            f"{which or 'all'}: {METRIC_LABELS[published.metric]}",
            fmt(published.value),
            fmt(comparison.replayed) if comparison.replayed is not None else "-",
            measured,
            f"{comparison.percentile:.0f}" if comparison.percentile is not None else "-",
            comparison.verdict + (f"; {published.caveat}" if published.caveat else ""),
        ]
        if verbose:
            line.append(comparison.detail)
        body.append(line)
    if verbose:
        header.append("why")
    return header, body


def _short(fmt, value: float) -> str:
    """A figure without its unit sign, to keep ranges compact."""
    return fmt(value).rstrip("%")


def to_markdown(summary: StudySummary) -> str:
    lines = [f"## {summary.study.title}", ""]
    if summary.study.description:
        lines += [summary.study.description, ""]
    for header, body in (table_rows(summary), comparison_rows(summary)):
        if not body:
            continue
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in body]
        lines.append("")
    if summary.missing_runs:
        lines.append(f"{summary.missing_runs} runs are not in the database yet.")
    return "\n".join(lines)
