"""Summaries across seeds, the comparison with published numbers, and exports."""

from __future__ import annotations

import csv
import io
import json
import math
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
        if self.mean is None:
            return "-"
        if percent:
            return f"{100 * self.mean:.1f} ± {100 * self.std:.1f}%"
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}"


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

    def metric(self, name: str) -> Spread:
        return getattr(self, name)

    def to_row(self) -> dict[str, Any]:
        row = {
            "activation": self.config.activation,
            "initializer": self.config.init_label,
            "optimizer": self.config.optimizer,
            "hidden": hidden_label(self.config.hidden),
            "batch_size": self.config.batch_size or "full",
            "data": self.config.data.get("name"),
            "seeds": self.seeds,
        }
        for name in (
            "test_accuracy",
            "train_accuracy",
            "test_loss",
            "train_loss",
            "epochs_to_target",
        ):
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


@dataclass
class Comparison:
    published: Published
    summary: ConfigSummary | None
    verdict: str
    inside: bool | None = None

    def to_row(self) -> dict[str, Any]:
        spread = self.summary.metric(self.published.metric) if self.summary else None
        return {
            "configuration": ", ".join(f"{k}={v}" for k, v in self.published.match.items()),
            "metric": self.published.metric,
            "published": self.published.value,
            "actinit_mean": spread.mean if spread else None,
            "actinit_std": spread.std if spread else None,
            "actinit_min": spread.min if spread else None,
            "actinit_max": spread.max if spread else None,
            "seeds": spread.n if spread else 0,
            "inside_spread": self.inside,
            "verdict": self.verdict,
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


def summarize(study: Study, store: Store, seeds: int | None = None) -> StudySummary:
    """Per configuration across its stored seeds (the first ``seeds`` seeds when given)."""
    records_by_key: dict[str, list[dict[str, Any]]] = {}
    for record in store.runs(config.key for config in study.configs):
        if seeds is None or record["seed"] < seeds:
            records_by_key.setdefault(record["config_key"], []).append(record)
    rows = []
    missing = 0
    failures = []
    expected = study.seeds if seeds is None else seeds
    for config in study.configs:
        records = records_by_key.get(config.key, [])
        missing += max(0, expected - len(records))
        failures += [
            Failure(config, r["seed"], (r.get("error") or "unknown error").splitlines()[0])
            for r in records
            if r["status"] == "failed"
        ]
        if not records:
            continue
        ok = [r for r in records if r["status"] != "failed"]
        test_accuracy = [r["test_accuracy"] for r in ok]
        learned = [a for a in test_accuracy if a is not None]
        rows.append(
            ConfigSummary(
                config=config,
                seeds=len(records),
                test_accuracy=Spread.of(test_accuracy),
                train_accuracy=Spread.of([r["train_accuracy"] for r in ok]),
                test_loss=Spread.of([r["test_loss"] for r in ok]),
                train_loss=Spread.of([r["train_loss"] for r in ok]),
                epochs_to_target=Spread.of([r["epochs_to_target"] for r in ok]),
                learned_share=(sum(a > study.learned_threshold for a in learned) / len(ok))
                if ok
                else None,
                reached_target=sum(r["epochs_to_target"] is not None for r in ok),
                diverged=sum(r["status"] == "diverged" for r in records),
                failed=sum(r["status"] == "failed" for r in records),
                seconds=float(sum(r["seconds"] or 0 for r in records)),
            )
        )
    summary = StudySummary(study, rows, missing_runs=missing, failures=failures)
    summary.comparisons = [compare(p, rows) for p in study.published]
    return summary


def compare(published: Published, rows: list[ConfigSummary]) -> Comparison:
    """Is the published figure inside the spread (min..max over seeds) actinit measured?"""
    matching = [row for row in rows if published.matches(row.config)]
    if not matching:
        return Comparison(published, None, "no runs of this configuration yet")
    row = matching[0]
    spread = row.metric(published.metric)
    if spread.mean is None:
        if published.metric == "epochs_to_target":
            return Comparison(
                published,
                row,
                f"not reproduced: no seed reached the target within {row.config.epochs} epochs",
                False,
            )
        return Comparison(published, row, "no finite result (every seed diverged or failed)", False)
    value, fmt = published.value, _formatter(published.metric)
    low, high = spread.min, spread.max
    slack = published.tolerance + 1e-12
    if low - slack <= value <= high + slack:
        return Comparison(
            published,
            row,
            f"reproduced: inside actinit's range {fmt(low)}..{fmt(high)} over {spread.n} seeds",
            True,
        )
    side = "above" if value > high + slack else "below"
    distance = abs(value - spread.mean) / spread.std if spread.std else math.inf
    return Comparison(
        published,
        row,
        f"not reproduced: {fmt(value)} is {side} every one of "
        f"{spread.n} seeds ({fmt(low)}..{fmt(high)}; {distance:.1f} std from the mean)",
        False,
    )


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


def table_rows(summary: StudySummary) -> tuple[list[str], list[list[str]]]:
    """The summary as a header and text rows, shared by the terminal and Markdown.
    Settings shared by every configuration are left out (they are in the title)."""
    header = [
        "data",
        "activation",
        "initializer",
        "optimizer",
        "hidden",
        "batch",
        "seeds",
        "test acc",
        "train acc",
        "test loss",
        "min..max test acc",
        "learned",
        "epochs to target",
        "diverged",
    ]
    body = []
    for row in summary.rows:
        acc = row.test_accuracy
        body.append(
            [
                row.config.data.get("name", ""),
                compact_spec(row.config.activation),
                row.config.init_label,
                compact_spec(row.config.optimizer),
                hidden_label(row.config.hidden),
                str(row.config.batch_size or "full"),
                str(row.seeds),
                acc.text(percent=True),
                row.train_accuracy.text(percent=True),
                row.test_loss.text(),
                f"{100 * acc.min:.1f}..{100 * acc.max:.1f}%" if acc.min is not None else "-",
                f"{100 * row.learned_share:.0f}%" if row.learned_share is not None else "-",
                (
                    f"{row.epochs_to_target.mean:.0f} ({row.reached_target}/{row.seeds})"
                    if row.epochs_to_target.mean is not None
                    else ("-" if row.config.target_accuracy is None else f"never (0/{row.seeds})")
                ),
                str(row.diverged),
            ]
        )
    varying = [
        i
        for i in range(len(header))
        if i >= 6 or i in (1, 2) or len({line[i] for line in body}) > 1
    ]
    return [header[i] for i in varying], [[line[i] for i in varying] for line in body]


def comparison_rows(summary: StudySummary) -> tuple[list[str], list[list[str]]]:
    header = ["configuration", "metric", "published", "actinit mean ± std", "verdict"]
    body = []
    for comparison in summary.comparisons:
        fmt = _formatter(comparison.published.metric)
        spread = (
            comparison.summary.metric(comparison.published.metric) if comparison.summary else None
        )
        measured = (
            "-" if not spread or spread.mean is None else f"{fmt(spread.mean)} ± {fmt(spread.std)}"
        )
        body.append(
            [
                ", ".join(f"{v}" for v in comparison.published.match.values()) or "all",
                comparison.published.metric,
                fmt(comparison.published.value),
                measured,
                comparison.verdict,
            ]
        )
    return header, body


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
