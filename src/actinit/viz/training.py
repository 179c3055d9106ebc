"""Pictures of a recorded training run: curves, per-parameter updates, per-layer
statistics over epochs, and per-layer activation histograms."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ..engine import Recording, Sequential
from .figures import grid_shape

STAT_TITLES = {
    "grad_norm": "gradient norm of W",
    "update_ratio": "update size / weight size",
    "saturated": "share of saturated activations",
    "dead": "share of dead units",
    "act_mean": "mean activation",
    "act_std": "std of activations",
    "pre_mean": "mean pre-activation",
    "pre_std": "std of pre-activations",
    "unit_spread": "spread between units (0: identical)",
}


def plot_curves(recording: Recording, title: str = "") -> Figure:
    """Loss and accuracy per epoch, training and validation (the loss alone for a run
    with no accuracy: a regression)."""
    epochs = recording.epochs[1:]
    curves = {
        key: values[1:]
        for key in ("loss", "val_loss", "accuracy", "val_accuracy")
        if (values := recording.metrics.get(key)) is not None and np.isfinite(values[1:]).any()
    }
    panels = ["loss", "accuracy"] if "accuracy" in curves or "val_accuracy" in curves else ["loss"]
    figure = Figure(figsize=(5 * len(panels), 3.6), layout="constrained")
    for axis, name in zip(np.atleast_1d(figure.subplots(1, len(panels))), panels):
        for key, style in ((name, "-"), (f"val_{name}", "--")):
            if key in curves:
                axis.plot(epochs, curves[key], style, label=key)
        axis.set(xlabel="epoch", ylabel=name, title=name)
        if name == "accuracy":
            axis.set_ylim(0, 1.02)
        axis.grid(alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend()
    if title:
        figure.suptitle(title)
    return figure


def plot_updates(
    recording: Recording,
    max_panels: int = 36,
    ylim: float | None = None,
    columns: int = 6,
    title: str = "",
) -> Figure:
    """How much each parameter moves per epoch: one small plot per parameter (the S0
    study's 18 panels; zero init: flat lines; too large a learning rate: oscillation).
    ``ylim``: symmetric y-limits shared by every panel (None: the largest change, so no
    panel is clipped and flat lines look flat)."""
    if recording.parameter_trace is None:
        raise ValueError(
            "this recording has no per-parameter trace (the network is too large); "
            "record a smaller network or raise Recorder(max_traced=...)"
        )
    changes = np.diff(recording.parameter_trace, axis=0)
    count = min(changes.shape[1], max_panels)
    if ylim is None:
        finite = np.abs(changes[:, :count][np.isfinite(changes[:, :count])])
        ylim = 1.1 * float(finite.max()) if finite.size and finite.max() > 0 else 0.05
    rows, cols = grid_shape(count, columns)
    figure = Figure(figsize=(2.2 * cols, 1.6 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False, sharex=True)
    for index, axis in enumerate(axes.flat):
        if index >= count:
            axis.set_visible(False)
            continue
        axis.plot(recording.epochs[1:], changes[:, index], linewidth=1)
        axis.axhline(0, color="grey", linewidth=0.5)
        axis.set_title(recording.parameter_labels[index], fontsize=7)
        if ylim is not None:
            axis.set_ylim(-ylim, ylim)
        axis.tick_params(labelsize=6)
        if index // cols == rows - 1 or index + cols >= count:
            axis.set_xlabel("epoch", fontsize=7)
    traced = changes.shape[1]
    shown = (
        f"all {traced} traced parameters"
        if count == traced
        else f"the first {count} of {traced} traced parameters "
        f"({recording.parameter_labels[0]} to {recording.parameter_labels[count - 1]})"
    )
    head = f"{title}: " if title else ""
    figure.suptitle(
        f"{head}change of each parameter per epoch, {shown} (y from -{ylim:.2g} to {ylim:.2g})",
        fontsize=9,
    )
    return figure


def plot_layer_heatmap(recording: Recording, stat: str = "grad_norm", title: str = "") -> Figure:
    """A statistic per layer (rows) and epoch (columns): gradients that vanish towards
    the input show as a dark band at layer 1."""
    if stat not in recording.stats:
        raise ValueError(f"unknown statistic {stat!r}; choose one of {', '.join(recording.stats)}")
    values = recording.stats[stat].T
    figure = Figure(figsize=(9, 1.2 + 0.45 * recording.n_layers), layout="constrained")
    axis = figure.subplots()
    positive = values[np.isfinite(values) & (values > 0)]
    norm = None
    if (
        stat in ("grad_norm", "update_ratio")
        and positive.size
        and positive.max() / positive.min() > 100
    ):
        norm = LogNorm(vmin=positive.min(), vmax=positive.max())
    image = axis.imshow(
        np.where(np.isfinite(values), values, np.nan),
        aspect="auto",
        cmap="viridis",
        norm=norm,
        interpolation="nearest",
        extent=(
            recording.epochs[0] - 0.5,
            recording.epochs[-1] + 0.5,
            recording.n_layers + 0.5,
            0.5,
        ),
    )
    axis.set_yticks(range(1, recording.n_layers + 1))
    axis.set_yticklabels([f"{i + 1}: {a}" for i, a in enumerate(recording.activations)], fontsize=8)
    name = STAT_TITLES.get(stat, stat)
    axis.set(xlabel="epoch", ylabel="layer", title=f"{title}: {name}" if title else name)
    figure.colorbar(image, ax=axis)
    return figure


def plot_activation_histograms(
    model: Sequential, X: np.ndarray, bins: int = 40, when: str = "after training"
) -> Figure:
    """The distribution of each weighted layer's activations on ``X``: saturation that
    grows with depth (sigmoid/tanh) and dead rectifiers show at a glance. ``when``
    says which moment of the run the model is (in the title)."""
    trace = [
        (layer, record)
        for layer, record in zip(model.layers, model.forward_trace(X))
        if "pre_activation" in record
    ]
    figure = Figure(figsize=(3 * len(trace), 2.8), layout="constrained")
    axes = figure.subplots(1, len(trace), squeeze=False)[0]
    for index, (axis, (layer, record)) in enumerate(zip(axes, trace)):
        axis.hist(record["output"].ravel(), bins=bins, color="#1f77b4")
        axis.set_title(f"layer {index + 1}: {layer.activation_label}", fontsize=9)
        axis.set_xlabel("activation", fontsize=8)
        axis.tick_params(labelsize=7)
    axes[0].set_ylabel(f"count (of {len(X)} samples x units)", fontsize=8)
    figure.suptitle(f"activations per layer, {when}")
    return figure
