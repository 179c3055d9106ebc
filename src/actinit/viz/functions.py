"""The activation functions themselves, with their derivatives."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..engine import activations
from ..engine.registry import compact_spec
from .figures import grid_shape


def plot_activations(
    specs: list[str], derivatives: bool = True, x_range: float = 5.0, columns: int = 4
) -> Figure:
    """One panel per activation: f(x) and, if asked, f'(x), with its gain and range."""
    if not specs:
        raise ValueError("name at least one activation, e.g. relu,tanh,gelu")
    chosen = [activations.get(spec) for spec in specs]
    rows, cols = grid_shape(len(chosen), columns)
    figure = Figure(figsize=(3.4 * cols, 2.8 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False)
    x = np.linspace(-x_range, x_range, 801)
    for axis, activation in zip(axes.flat, chosen):
        if activation.name == "softmax":
            y = activation(np.column_stack([x, np.zeros_like(x)]))[:, 0]
            d = y * (1 - y)
        else:
            y, d = activation(x), activation.derivative(x)
        axis.plot(x, y, label="f(x)", color="#1f77b4", linewidth=2)
        if derivatives:
            axis.plot(x, d, label="f'(x)", color="#d62728", linestyle="--")
        axis.axhline(0, color="grey", linewidth=0.5)
        axis.axvline(0, color="grey", linewidth=0.5)
        axis.set_title(
            f"{compact_spec(activation.spec())}  (gain {activation.gain:.3g})", fontsize=10
        )
        axis.set_xlabel("x")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8, loc="upper left")
    for axis in list(axes.flat)[len(chosen) :]:
        axis.set_visible(False)
    return figure
