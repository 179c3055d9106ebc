"""Pictures of pruning: accuracy against what is left, and how fast a ticket learns."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from ..studies.store import Store
from ..studies.summary import StudySummary
from ..studies.tradeoff import TradeoffCurve, tradeoff_curves

#: Curves drawn in one panel before the legend stops naming them all.
MAX_CURVES = 12
AXES = {
    "remaining": ("weights remaining (share, log scale)", lambda p: p.remaining),
    "flops": ("FLOPs per sample (log scale)", lambda p: p.flops),
}


def plot_tradeoff(summary: StudySummary, store: Store, against: str = "remaining") -> Figure:
    """Test accuracy (mean and 95% interval over seeds) against the share of weights
    remaining or the FLOPs per sample, on a log axis, one line per method,
    initializer or rewind choice; the dense networks' accuracy as a dashed line."""
    if against not in AXES:
        raise ValueError(f"against is one of {', '.join(AXES)}; got {against!r}")
    curves = tradeoff_curves(summary, store)
    xlabel, position = AXES[against]
    figure = Figure(figsize=(7.0, 4.4), layout="constrained")
    axis = figure.subplots()
    for curve in curves[:MAX_CURVES]:
        _draw(axis, curve, position)
    dense = [c.dense.mean for c in curves if c.dense and c.dense.mean is not None]
    if dense:
        axis.axhline(100 * float(np.mean(dense)), color="black", ls="--", lw=1, label="dense")
    axis.set_xscale("log")
    if against == "remaining":
        axis.invert_xaxis()  # pruning proceeds to the right
    left_out = len(curves) - MAX_CURVES
    axis.set(
        xlabel=xlabel,
        ylabel="test accuracy (%)",
        title=f"{summary.study.name}: what pruning keeps"
        + (f" ({left_out} more curves not drawn)" if left_out > 0 else ""),
    )
    axis.legend(fontsize=7, loc="lower left")
    axis.grid(alpha=0.3, which="both")
    return figure


def _draw(axis, curve: TradeoffCurve, position) -> None:
    points = [p for p in curve.points if p.accuracy.mean is not None and p.remaining > 0]
    xs = np.array([position(p) for p in points])
    ys = np.array([100 * p.accuracy.mean for p in points])
    (line,) = axis.plot(xs, ys, "o-", ms=4, label=curve.label)
    low = [
        100 * (p.accuracy.low if p.accuracy.low is not None else p.accuracy.mean) for p in points
    ]
    high = [
        100 * (p.accuracy.high if p.accuracy.high is not None else p.accuracy.mean) for p in points
    ]
    axis.fill_between(xs, low, high, color=line.get_color(), alpha=0.15, lw=0)


def plot_lottery(summary: StudySummary, store: Store) -> Figure:
    """Two panels for a lottery-ticket study: test accuracy against the weights
    remaining, and the epochs the last training took to reach the dense network's
    accuracy (never reaching it drawn at the top, counted in the legend)."""
    curves = tradeoff_curves(summary, store)
    figure = Figure(figsize=(11.0, 4.2), layout="constrained")
    accuracy_axis, speed_axis = figure.subplots(1, 2)
    for curve in curves[:MAX_CURVES]:
        _draw(accuracy_axis, curve, AXES["remaining"][1])
        points = [p for p in curve.points if p.remaining > 0]
        xs = [p.remaining for p in points]
        ys = [
            p.epochs_to_dense.mean if p.epochs_to_dense.mean is not None else math.nan
            for p in points
        ]
        never = sum(p.never_reached for p in points)
        speed_axis.plot(
            xs, ys, "o-", ms=4, label=curve.label + (f" (never: {never} runs)" if never else "")
        )
    dense = [c.dense.mean for c in curves if c.dense and c.dense.mean is not None]
    if dense:
        accuracy_axis.axhline(
            100 * float(np.mean(dense)), color="black", ls="--", lw=1, label="dense"
        )
    for axis in (accuracy_axis, speed_axis):
        axis.set_xscale("log")
        axis.invert_xaxis()
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=7)
    accuracy_axis.set(
        xlabel="weights remaining (share, log scale)",
        ylabel="test accuracy (%)",
        title="accuracy as pruning proceeds",
    )
    speed_axis.set(
        xlabel="weights remaining (share, log scale)",
        ylabel="epochs to the dense accuracy (mean)",
        title="how fast the pruned network learns",
    )
    figure.suptitle(f"{summary.study.name}: winning tickets", fontsize=10)
    return figure
