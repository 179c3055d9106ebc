"""The trade-off a pruning study measures: accuracy against what is left.

:func:`tradeoff_curves` groups a pruning study's configurations into curves, one per
setting of everything but the pruned amount (method, initializer, rewind, ...), with
each amount's remaining share of weights, FLOPs, size, accuracy (mean and 95% interval
over seeds) and, for rewound networks, the epochs their last training took to reach
the dense network's accuracy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..run.pruning import PRUNING_NUMBERS
from ..run.store import Store
from .intervals import Estimate, mean_interval
from .selection import GRID
from .summary import StudySummary


@dataclass
class TradeoffPoint:
    """One amount pruned on a trade-off curve: the share of weights remaining, the
    FLOPs and compressed bytes left, the test accuracy across seeds and the epochs
    fine-tuning took to reach the dense accuracy (each with its interval)."""

    amount: float
    remaining: float
    flops: float
    compressed_bytes: float
    accuracy: Estimate
    epochs_to_dense: Estimate
    #: seeds whose last training never reached the dense accuracy
    never_reached: int = 0


@dataclass
class TradeoffCurve:
    """One setting's curve of accuracy against the amount pruned (its ``points`` in
    order of amount), beside the dense network's accuracy."""

    label: str
    points: list[TradeoffPoint] = field(default_factory=list)
    #: the dense network's test accuracy, over the curve's runs
    dense: Estimate | None = None


def tradeoff_curves(summary: StudySummary, store: Store) -> list[TradeoffCurve]:
    """One curve per setting of every varying dimension but the amount pruned, its
    points in order of amount. Raises ValueError for a study that does not prune."""
    configs = [row.config for row in summary.rows if row.config.prune_method]
    if not configs:
        raise ValueError("this study does not prune: give it a [pruning] method")
    varying = [
        name
        for name, label in GRID.items()
        if name != "amount" and len({label(c) for c in configs}) > 1
    ]
    runs = store.runs([c.key for c in configs], with_history=True, history_keys=PRUNING_NUMBERS)
    by_key: dict[str, list[dict]] = {}
    for run in runs:
        if run["status"] != "failed":
            by_key.setdefault(run["config_key"], []).append(run["history"])
    curves: dict[str, TradeoffCurve] = {}
    dense: dict[str, list[float]] = {}
    for config in sorted(configs, key=lambda c: c.prune_amount):
        histories = by_key.get(config.key)
        if not histories:
            continue
        label = ", ".join(GRID[name](config) for name in varying) or config.prune_method
        curves.setdefault(label, TradeoffCurve(label)).points.append(
            _point(config.prune_amount, histories)
        )
        dense.setdefault(label, []).extend(
            float(h["dense_test_accuracy"][0]) for h in histories if "dense_test_accuracy" in h
        )
    for label, curve in curves.items():
        curve.dense = mean_interval(dense[label])
    return list(curves.values())


def _point(amount: float, histories: list[dict]) -> TradeoffPoint:
    def first(name: str) -> list[float]:
        return [float(h[name][0]) for h in histories if len(h.get(name, [])) > 0]

    def mean(name: str) -> float:
        values = [v for v in first(name) if math.isfinite(v)]
        return float(np.mean(values)) if values else math.nan

    finals = [
        float(h["round_test_accuracy"][-1])
        for h in histories
        if len(h.get("round_test_accuracy", []))
    ]
    reached = first("epochs_to_dense")
    return TradeoffPoint(
        amount,
        mean("remaining"),
        mean("flops_per_sample"),
        mean("compressed_bytes"),
        mean_interval(finals),
        mean_interval([v for v in reached if math.isfinite(v)]),
        sum(1 for v in reached if not math.isfinite(v)),
    )
