"""Pictures of pruning: accuracy against what is left, and how fast a ticket learns."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from ..studies.answer.summary import StudySummary
from ..studies.answer.tradeoff import TradeoffCurve, TradeoffPoint, tradeoff_curves
from ..studies.run.store import Store

#: Curves drawn in one panel before the rest are left out (and the title says so).
MAX_CURVES = 12
#: Curves beyond this many are drawn without their interval bands, which would hide
#: each other; the title says so.
MAX_BANDS = 4
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")
LINE_STYLES = ("-", "--", ":", "-.")
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
    band = _draw_all(axis, curves, position)
    axis.set_xscale("log")
    if against == "remaining":
        axis.invert_xaxis()  # pruning proceeds to the right
    axis.set(
        xlabel=xlabel,
        ylabel="test accuracy (%)",
        title=f"{summary.study.name}: what pruning keeps" + _left_out(curves, band),
    )
    axis.legend(fontsize=7, loc="lower left")
    axis.grid(alpha=0.3, which="both")
    return figure


def plot_lottery(summary: StudySummary, store: Store) -> Figure:
    """Two panels for a lottery-ticket study: test accuracy against the weights
    remaining, and the epochs the last training took to reach the dense network's
    accuracy (runs that never reached it are counted in the legend)."""
    curves = tradeoff_curves(summary, store)
    figure = Figure(figsize=(11.5, 4.4), layout="constrained")
    accuracy_axis, speed_axis = figure.subplots(1, 2)
    band = _draw_all(accuracy_axis, curves, AXES["remaining"][1])
    styles = _styles(curves)
    for curve in curves[:MAX_CURVES]:
        colour, line_style = styles[curve.label]
        points = [p for p in curve.points if p.remaining > 0]
        never = sum(p.never_reached for p in points)
        speed_axis.plot(
            [p.remaining for p in points],
            [_epochs(p) for p in points],
            "o",
            ls=line_style,
            color=colour,
            ms=4,
            label=curve.label + (f" (never: {never} runs)" if never else ""),
        )
    for axis in (accuracy_axis, speed_axis):
        axis.set_xscale("log")
        axis.invert_xaxis()
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=6.5)
    accuracy_axis.set(
        xlabel="weights remaining (share, log scale)",
        ylabel="test accuracy (%)",
        title="accuracy as pruning proceeds" + _left_out(curves, band),
    )
    speed_axis.set(
        xlabel="weights remaining (share, log scale)",
        ylabel="epochs to the dense accuracy (mean of runs that reach it)",
        title="how fast the pruned network learns",
    )
    figure.suptitle(f"{summary.study.name}: winning tickets", fontsize=10)
    return figure


def _epochs(point: TradeoffPoint) -> float:
    mean = point.epochs_to_dense.mean
    return math.nan if mean is None else mean


def _left_out(curves: list[TradeoffCurve], band: bool) -> str:
    text = (
        f" ({len(curves) - MAX_CURVES} more curves not drawn)" if len(curves) > MAX_CURVES else ""
    )
    return text + ("" if band else "\n(95% intervals: in the table; too many curves to shade)")


def _draw_all(axis, curves: list[TradeoffCurve], position) -> bool:
    """Every curve (up to MAX_CURVES) and the dense line; returns whether the
    interval bands were drawn."""
    styles, band = _styles(curves), len(curves) <= MAX_BANDS
    for curve in curves[:MAX_CURVES]:
        _draw(axis, curve, position, styles[curve.label], band)
    dense = [c.dense.mean for c in curves if c.dense and c.dense.mean is not None]
    if dense:
        axis.axhline(100 * float(np.mean(dense)), color="black", ls="--", lw=1, label="dense")
    return band


def _styles(curves: list[TradeoffCurve]) -> dict[str, tuple[str, str]]:
    """(colour, line style) per curve label "a, ..., z": the colour by its last part
    (e.g. the rewind), the line style by the rest (e.g. the initializer)."""

    def last(curve: TradeoffCurve) -> str:
        return curve.label.split(", ")[-1]

    def rest(curve: TradeoffCurve) -> str:
        return ", ".join(curve.label.split(", ")[:-1])

    lasts = list(dict.fromkeys(last(c) for c in curves))
    rests = list(dict.fromkeys(rest(c) for c in curves))
    return {
        c.label: (
            COLOURS[lasts.index(last(c)) % len(COLOURS)],
            LINE_STYLES[rests.index(rest(c)) % len(LINE_STYLES)],
        )
        for c in curves
    }


def _draw(axis, curve: TradeoffCurve, position, style: tuple[str, str], band: bool) -> None:
    points = [p for p in curve.points if p.accuracy.mean is not None and p.remaining > 0]
    xs = np.array([position(p) for p in points])
    colour, line_style = style
    axis.plot(
        xs,
        [100 * p.accuracy.mean for p in points],
        "o",
        ls=line_style,
        color=colour,
        ms=4,
        label=curve.label,
    )
    if band:
        low = [
            100 * (p.accuracy.low if p.accuracy.low is not None else p.accuracy.mean)
            for p in points
        ]
        high = [
            100 * (p.accuracy.high if p.accuracy.high is not None else p.accuracy.mean)
            for p in points
        ]
        axis.fill_between(xs, low, high, color=colour, alpha=0.15, lw=0)
