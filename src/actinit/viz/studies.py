"""Pictures of a whole study: activation x initializer heatmaps and curves across
seeds, one labelled panel per value of every other grid dimension (depth, data set,
optimizer, ...): no dimension is ever averaged away."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..studies.store import Store
from ..studies.summary import DIMENSIONS, ConfigSummary, StudySummary
from .figures import grid_shape


def facets(rows: list[ConfigSummary]) -> list[tuple[str, list[ConfigSummary]]]:
    """The rows split by every dimension that varies among them, each group with a
    label naming its values ("hidden 50x32"), in the study's order."""
    varying = [name for name, read in DIMENSIONS.items() if len({read(r.config) for r in rows}) > 1]
    groups: dict[str, list[ConfigSummary]] = {}
    for row in rows:
        label = ", ".join(f"{name} {DIMENSIONS[name](row.config)}" for name in varying)
        groups.setdefault(label, []).append(row)
    return list(groups.items())


def plot_study_heatmap(summary: StudySummary, metric: str = "test_accuracy") -> Figure:
    """Mean ``metric`` over seeds for every activation x initializer, one panel per
    value of the other grid dimensions, annotated with mean ± std; accuracies in %, on
    a colour scale spanning the values measured."""
    if not summary.rows:
        raise ValueError("the study has no results in the database yet")
    groups = facets(summary.rows)
    accuracy = metric.endswith("accuracy")
    scale = 100 if accuracy else 1
    values = [r.metric(metric).mean for r in summary.rows if r.metric(metric).mean is not None]
    low, high = (scale * min(values), scale * max(values)) if values else (0, 1)
    activations = list(dict.fromkeys(row.config.activation_label for row in summary.rows))
    initializers = list(dict.fromkeys(row.config.initializer_label for row in summary.rows))
    rows, columns = grid_shape(len(groups), 2 if len(groups) in (2, 4) else 3)
    figure = Figure(
        figsize=(columns * (1.6 + 1.3 * len(initializers)), rows * (1.2 + 0.5 * len(activations))),
        layout="constrained",
    )
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False).ravel())
    for axis, (label, group) in zip(axes, groups):
        image = _heatmap_panel(axis, group, metric, scale, activations, initializers, (low, high))
        axis.set_title(label or summary.study.name, fontsize=9)
    for axis in axes[len(groups) :]:
        axis.set_visible(False)
    unit = " (%)" if accuracy else ""
    figure.colorbar(image, ax=axes[: len(groups)].tolist(), label=metric.replace("_", " ") + unit)
    seeds = sorted({row.seeds for row in summary.rows})
    spread = "mean ± std over " if seeds != [1] else ""
    figure.suptitle(
        f"{summary.study.name}: {metric.replace('_', ' ')}{unit}, {spread}"
        f"{'/'.join(map(str, seeds))} seed(s)",
        fontsize=10,
    )
    return figure


def _heatmap_panel(axis, group, metric, scale, activations, initializers, limits):
    means = np.full((len(activations), len(initializers)), np.nan)
    stds = np.full_like(means, np.nan)
    for row in group:
        spread = row.metric(metric)
        if spread.mean is not None:
            i = activations.index(row.config.activation_label)
            j = initializers.index(row.config.initializer_label)
            means[i, j], stds[i, j] = scale * spread.mean, scale * spread.std
    image = axis.imshow(means, cmap="viridis", vmin=limits[0], vmax=limits[1], aspect="auto")
    middle = (limits[0] + limits[1]) / 2
    for i, j in zip(*np.nonzero(np.isfinite(means))):
        single = all(row.seeds == 1 for row in group)
        digits = ".1f" if scale == 100 else ".3g"  # accuracies in % to a tenth
        text = f"{means[i, j]:{digits}}" + ("" if single else f"\n±{stds[i, j]:{digits}}")
        colour = "white" if means[i, j] < middle else "black"
        axis.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
    axis.set_xticks(range(len(initializers)), initializers, rotation=30, ha="right", fontsize=7)
    axis.set_yticks(range(len(activations)), activations, fontsize=7)
    return image


def plot_study_curves(summary: StudySummary, store: Store, metric: str = "val_accuracy") -> Figure:
    """One curve per configuration (every one of them), the mean over seeds with a band
    of ± one std, one panel per value of the other grid dimensions; colours distinct
    within a panel, legends outside the data."""
    if not summary.rows:
        raise ValueError("the study has no results in the database yet")
    groups = facets(summary.rows)
    figure = Figure(figsize=(11, 3.6 * len(groups)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(len(groups), 1, squeeze=False).ravel())
    long_runs = max(row.config.epochs for row in summary.rows) > 500
    for axis, (label, group) in zip(axes, groups):
        palette = colormaps["tab20"] if len(group) > 10 else colormaps["tab10"]
        for index, row in enumerate(group):
            style = {"color": palette(index % palette.N), "linestyle": ("-", "--")[index // 20 % 2]}
            _curve(axis, store, row, metric, style)
        axis.set(xlabel="epoch", ylabel=metric.replace("_", " "), title=label or summary.study.name)
        if long_runs:  # long runs: see the start too
            axis.set_xscale("log")
        axis.grid(alpha=0.3)
        axis.legend(
            fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=1 + len(group) // 16
        )
    figure.suptitle(f"{summary.study.name}: {metric} (mean ± std over seeds)", fontsize=10)
    return figure


def _curve(axis, store: Store, row: ConfigSummary, metric: str, style: dict) -> None:
    runs = [r["history"] for r in store.runs([row.config.key], with_history=True)]
    histories = [h.get(metric) for h in runs]
    histories = [h for h in histories if h is not None and len(h)]
    if not histories:
        return
    # validation taken every k epochs: its epochs are stored beside it
    measured = next((h.get("val_epoch") for h in runs if metric.startswith("val_")), None)
    length = max(len(h) for h in histories)
    stacked = np.full((len(histories), length), np.nan)
    for k, h in enumerate(histories):
        stacked[k, : len(h)] = h
    with np.errstate(all="ignore"):
        mean, std = np.nanmean(stacked, axis=0), np.nanstd(stacked, axis=0)
    epochs = np.arange(1, length + 1)
    if measured is not None and len(measured) == length:
        epochs = np.asarray(measured)
    label = row.config.label
    axis.plot(epochs, mean, label=label, linewidth=1.4, **style)
    low, high = mean - std, mean + std
    if metric.endswith("accuracy"):  # a band never leaves what accuracy can be
        low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
    axis.fill_between(epochs, low, high, color=style["color"], alpha=0.15)
