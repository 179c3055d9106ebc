"""Pictures of a whole study: activation x initializer heatmap, curves across seeds."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..engine.registry import compact_spec
from ..studies.store import Store
from ..studies.summary import StudySummary


def plot_study_heatmap(summary: StudySummary, metric: str = "test_accuracy") -> Figure:
    """Mean ``metric`` over seeds for every activation x initializer, annotated with
    mean ± std (other grid dimensions are averaged over)."""
    activations = list(dict.fromkeys(row.config.activation for row in summary.rows))
    initializers = list(dict.fromkeys(row.config.init_label for row in summary.rows))
    if not activations:
        raise ValueError("the study has no results in the database yet")
    means = np.full((len(activations), len(initializers)), np.nan)
    stds = np.full_like(means, np.nan)
    for i, activation in enumerate(activations):
        for j, initializer in enumerate(initializers):
            rows = [
                r
                for r in summary.rows
                if r.config.activation == activation
                and r.config.init_label == initializer
                and r.metric(metric).mean is not None
            ]
            if rows:
                means[i, j] = np.mean([r.metric(metric).mean for r in rows])
                stds[i, j] = np.mean([r.metric(metric).std for r in rows])
    figure = Figure(
        figsize=(1.6 + 1.5 * len(initializers), 1.2 + 0.55 * len(activations)), layout="constrained"
    )
    axis = figure.subplots()
    accuracy = metric.endswith("accuracy")
    image = axis.imshow(
        means,
        cmap="viridis",
        vmin=0 if accuracy else None,
        vmax=1 if accuracy else None,
        aspect="auto",
    )
    for i in range(len(activations)):
        for j in range(len(initializers)):
            if np.isfinite(means[i, j]):
                text = (
                    f"{100 * means[i, j]:.1f}\n±{100 * stds[i, j]:.1f}"
                    if accuracy
                    else f"{means[i, j]:.3g}\n±{stds[i, j]:.2g}"
                )
                axis.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if means[i, j] < np.nanmean(means) else "black",
                )
    axis.set_xticks(range(len(initializers)))
    axis.set_xticklabels(initializers, rotation=30, ha="right", fontsize=8)
    axis.set_yticks(range(len(activations)))
    axis.set_yticklabels([compact_spec(a) for a in activations], fontsize=8)
    axis.set(
        xlabel="initializer",
        ylabel="activation",
        title=f"{summary.study.name}: {metric.replace('_', ' ')} (mean ± std over seeds, %)"
        if accuracy
        else f"{summary.study.name}: {metric}",
    )
    figure.colorbar(image, ax=axis)
    return figure


def plot_study_curves(
    summary: StudySummary, store: Store, metric: str = "val_accuracy", max_configs: int = 12
) -> Figure:
    """One curve per configuration: the mean over seeds with a band of ± one std."""
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    axis = figure.subplots()
    for row in summary.rows[:max_configs]:
        histories = [
            r["history"].get(metric) for r in store.runs([row.config.key], with_history=True)
        ]
        histories = [h for h in histories if h is not None and len(h)]
        if not histories:
            continue
        length = max(len(h) for h in histories)
        stacked = np.full((len(histories), length), np.nan)
        for k, h in enumerate(histories):
            stacked[k, : len(h)] = h
        with np.errstate(all="ignore"):
            mean, std = np.nanmean(stacked, axis=0), np.nanstd(stacked, axis=0)
        epochs = np.arange(1, length + 1)
        (line,) = axis.plot(epochs, mean, label=row.config.label, linewidth=1.5)
        axis.fill_between(epochs, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    axis.set(
        xlabel="epoch",
        ylabel=metric.replace("_", " "),
        title=f"{summary.study.name}: {metric} (mean ± std over seeds)",
    )
    if max(row.config.epochs for row in summary.rows) > 500:  # long runs: see the start too
        axis.set_xscale("log")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, ncol=2)
    return figure
