"""The activation functions themselves, with their derivatives."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..engine import activations
from ..engine.layers import GATES
from ..engine.registry import compact_spec
from .figures import grid_shape


def plot_activations(
    specs: list[str], derivatives: bool = True, x_range: float = 5.0, columns: int = 4
) -> Figure:
    """One panel per activation: f(x) and, if asked, f'(x), with its gain and range. A
    gated unit (swiglu, ...) is drawn along the diagonal where both of its maps see
    the same x: f(x) = gate(x) x."""
    if not specs:
        raise ValueError("name at least one activation, e.g. relu,tanh,gelu")
    chosen = [_curve(spec) for spec in specs]
    rows, cols = grid_shape(len(chosen), columns)
    figure = Figure(figsize=(3.4 * cols, 2.8 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False)
    x = np.linspace(-x_range, x_range, 801)
    for axis, (title, function, derivative) in zip(axes.flat, chosen):
        axis.plot(x, function(x), label="f(x)", color="#1f77b4", linewidth=2)
        if derivatives:
            axis.plot(x, derivative(x), label="f'(x)", color="#d62728", linestyle="--")
        axis.axhline(0, color="grey", linewidth=0.5)
        axis.axvline(0, color="grey", linewidth=0.5)
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("x")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8, loc="upper left")
    for axis in list(axes.flat)[len(chosen) :]:
        axis.set_visible(False)
    return figure


def _curve(spec: str):
    """(title, f, f') of an activation, or of a gated unit along its diagonal."""
    name = spec.split("(")[0].strip()
    if name in GATES:
        gate = activations.get(GATES[name])
        return (
            f"{name}: {gate.name}(x) · x  (both maps = x)",
            lambda x: gate(x) * x,
            lambda x: gate.derivative(x) * x + gate(x),
        )
    activation = activations.get(spec)
    title = f"{compact_spec(activation.spec())}  (gain {activation.gain:.3g})"
    if activation.name == "softmax":

        def first(x):
            return activation(np.column_stack([x, np.zeros_like(x)]))[:, 0]

        return title, first, lambda x: first(x) * (1 - first(x))
    return title, activation, activation.derivative
