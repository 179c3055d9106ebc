"""Pictures of a whole study: activation x initializer heatmaps and curves across
seeds, one labelled panel per value of every other grid dimension (depth, data set,
optimizer, ...): no dimension is ever averaged away."""

from __future__ import annotations

import warnings

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..studies.answer.rows import ConfigSummary
from ..studies.answer.summary import StudySummary
from ..studies.plan.dimensions import DIMENSIONS
from ..studies.run.store import Store
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


#: A picture no wider than a screen's worth (inches, at the 110 dpi pictures are saved).
MAX_WIDTH = 16.0
MAX_HEIGHT = 22.0
#: Cells this large (inches) or larger keep their text; smaller ones lose it.
ANNOTATED_CELL = (0.62, 0.42)
#: Curves a panel draws one by one; past this, the best and worst few and a band.
MAX_CURVES = 16
SHOWN_AT_EACH_END = 3
#: A panel shades each curve's ± std band only with this many curves or fewer (more
#: overlapping bands hide each other).
MAX_BANDS = 4
#: What a history's metric is, in the words the rest of actinit uses (a study
#: validates on its test set).
CURVE_LABELS = {
    "val_accuracy": "test accuracy",
    "val_loss": "test loss",
    "accuracy": "train accuracy",
    "loss": "train loss",
}


def plot_study_heatmap(summary: StudySummary, metric: str = "test_accuracy") -> Figure:
    """Mean ``metric`` over seeds for every activation x initializer, one panel per
    value of the other grid dimensions; accuracies in %, on a colour scale spanning
    the values measured. Small grids are annotated with mean ± std; large ones fit a
    screen (at most :data:`MAX_WIDTH` inches wide): their cells lose the text, rows and
    columns are ordered by the metric (best first), and the title says so."""
    if not summary.rows:
        raise ValueError("the study has no results in the database yet")
    groups = facets(summary.rows)
    accuracy = metric.endswith("accuracy")
    scale = 100 if accuracy else 1
    values = [r.metric(metric).mean for r in summary.rows if r.metric(metric).mean is not None]
    low, high = _colour_limits(values, scale, accuracy)
    activations = list(dict.fromkeys(row.config.activation_label for row in summary.rows))
    initializers = list(dict.fromkeys(row.config.initializer_label for row in summary.rows))
    rows, columns = grid_shape(len(groups), 2 if len(groups) in (2, 4) else 3)
    label_room = 1.6
    cell_width = min(1.3, (MAX_WIDTH / columns - label_room) / len(initializers))
    cell_height = min(0.5, (MAX_HEIGHT / rows - 1.2) / len(activations))
    annotated = cell_width >= ANNOTATED_CELL[0] and cell_height >= ANNOTATED_CELL[1]
    if not annotated:  # best first, so the eye finds the answer without the text
        activations = _ordered(summary.rows, metric, "activation_label", activations)
        initializers = _ordered(summary.rows, metric, "initializer_label", initializers)
    figure = Figure(
        figsize=(
            columns * (label_room + cell_width * len(initializers)),
            rows * (1.2 + cell_height * len(activations)),
        ),
        layout="constrained",
    )
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False).ravel())
    font = 7 if annotated else 6.5
    for axis, (label, group) in zip(axes, groups):
        image = _heatmap_panel(
            axis, group, metric, scale, activations, initializers, (low, high), annotated, font
        )
        axis.set_title(label or summary.study.name, fontsize=9)
    for axis in axes[len(groups) :]:
        axis.set_visible(False)
    unit = " (%)" if accuracy else ""
    figure.colorbar(image, ax=axes[: len(groups)].tolist(), label=metric.replace("_", " ") + unit)
    seeds = sorted({row.seeds for row in summary.rows})
    seed_text = "/".join(map(str, seeds)) if len(seeds) <= 4 else f"{seeds[0]}-{seeds[-1]}"
    spread = ("mean ± std over " if annotated else "mean over ") if seeds != [1] else ""
    title = f"{summary.study.name}: {metric.replace('_', ' ')}{unit}, {spread}{seed_text} seed(s)"
    if not annotated:
        title += (
            f"\n{len(activations)} x {len(initializers)} cells per panel are too small for their "
            "figures: rows and columns ordered by the metric, best first; `actinit rank` lists "
            "every one with its interval, --where draws a part with figures"
        )
    figure.suptitle(title, fontsize=9)
    return figure


def _colour_limits(values: list[float], scale: float, accuracy: bool) -> tuple[float, float]:
    """The colour scale: the values measured, never past what the metric can be (an
    accuracy's 100%); when every value is the same, a span of 1 below it (matplotlib
    would widen an empty span by 10% either way: a scale up to 110%)."""
    if not values:
        return 0.0, 1.0
    low, high = scale * min(values), scale * max(values)
    if high - low < 1e-9:
        low, high = (high - 1, high) if accuracy and high > 0 else (low, low + 1)
    if accuracy:
        low, high = max(0.0, low), min(100.0, high)
    return low, high


def _ordered(
    rows: list[ConfigSummary], metric: str, attribute: str, labels: list[str]
) -> list[str]:
    """``labels`` (activations or initializers) by their mean ``metric`` over every
    configuration that has them, best first."""
    from ..studies.plan.metrics import LOWER_IS_BETTER

    sums: dict[str, list[float]] = {label: [] for label in labels}
    for row in rows:
        mean = row.metric(metric).mean
        if mean is not None:
            sums[getattr(row.config, attribute)].append(mean)
    sign = 1 if metric in LOWER_IS_BETTER else -1
    return sorted(labels, key=lambda l: sign * np.mean(sums[l]) if sums[l] else np.inf)


def _heatmap_panel(
    axis, group, metric, scale, activations, initializers, limits, annotated=True, font=7
):
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
    for i, j in zip(*np.nonzero(np.isfinite(means)) if annotated else ((), ())):
        single = all(row.seeds == 1 for row in group)
        digits = ".1f" if scale == 100 else ".3g"  # accuracies in % to a tenth
        text = f"{means[i, j]:{digits}}" + ("" if single else f"\n±{stds[i, j]:{digits}}")
        colour = "white" if means[i, j] < middle else "black"
        axis.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
    rotation = 30 if annotated else 60
    axis.set_xticks(
        range(len(initializers)), initializers, rotation=rotation, ha="right", fontsize=font
    )
    axis.set_yticks(range(len(activations)), activations, fontsize=font)
    return image


def plot_study_curves(summary: StudySummary, store: Store, metric: str = "val_accuracy") -> Figure:
    """Curves of ``metric`` over epochs, the mean over seeds with a band of ± one std,
    one panel per value of the other grid dimensions; colours distinct within a panel,
    legends outside the data. A panel of more than :data:`MAX_CURVES` configurations
    draws its best and worst :data:`SHOWN_AT_EACH_END` (by the last value) and the rest
    as one grey band spanning their means, and says so."""
    if not summary.rows:
        raise ValueError("the study has no results in the database yet")
    groups = facets(summary.rows)
    curves = _mean_curves(store, summary.rows, metric)
    figure = Figure(figsize=(11, 3.6 * len(groups)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(len(groups), 1, squeeze=False).ravel())
    long_runs = max(row.config.epochs for row in summary.rows) > 500
    named = CURVE_LABELS.get(metric, metric.replace("_", " "))
    banded = unshaded = 0
    for axis, (label, group) in zip(axes, groups):
        drawn = [row for row in group if row.config.key in curves]
        if len(drawn) > MAX_CURVES:
            drawn, rest = _ends(drawn, curves, metric)
            _band(axis, [curves[row.config.key] for row in rest], metric)
            banded += len(rest)
        palette = colormaps["tab20"] if len(drawn) > 10 else colormaps["tab10"]
        shade = len(drawn) <= MAX_BANDS
        unshaded += 0 if shade else len(drawn)
        for index, row in enumerate(drawn):
            style = {"color": palette(index % palette.N), "linestyle": ("-", "--")[index // 20 % 2]}
            _draw_curve(axis, curves[row.config.key], row.config.label, metric, style, shade)
        axis.set(xlabel="epoch", ylabel=named, title=label or summary.study.name)
        if long_runs:  # long runs: see the start too
            axis.set_xscale("log")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    title = f"{summary.study.name}: {named} (mean ± std over seeds)"
    if unshaded:
        title = (
            f"{summary.study.name}: {named}, mean over seeds\n(± std shaded only in panels of "
            f"{MAX_BANDS} curves or fewer: more would hide each other; --where draws a part)"
        )
    if banded:
        title += (
            f"\n{banded} configurations drawn as grey bands (the range of their means), beside "
            f"each panel's best and worst {SHOWN_AT_EACH_END}; --where draws a part one by one"
        )
    figure.suptitle(title, fontsize=10)
    return figure


def _mean_curves(
    store: Store, rows: list[ConfigSummary], metric: str
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Configuration key -> (epochs, mean, std) of ``metric`` over its seeds, read
    from the store in one pass."""
    histories: dict[str, list[dict]] = {}
    keys = [row.config.key for row in rows]
    for key, history in store.histories(keys, (metric, "val_epoch")):
        histories.setdefault(key, []).append(history)
    curves = {}
    for key, runs in histories.items():
        values = [h.get(metric) for h in runs]
        values = [v for v in values if v is not None and len(v)]
        if not values:
            continue
        length = max(len(v) for v in values)
        stacked = np.full((len(values), length), np.nan)
        for k, v in enumerate(values):
            stacked[k, : len(v)] = v
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, std = np.nanmean(stacked, axis=0), np.nanstd(stacked, axis=0)
        # validation taken every k epochs: its epochs are stored beside it
        measured = next((h.get("val_epoch") for h in runs if metric.startswith("val_")), None)
        epochs = np.arange(1, length + 1)
        if measured is not None and len(measured) == length:
            epochs = np.asarray(measured)
        curves[key] = (epochs, mean, std)
    return curves


def _final(curve) -> float:
    finite = curve[1][np.isfinite(curve[1])]
    return float(finite[-1]) if len(finite) else np.nan


def _ends(rows, curves, metric):
    """(the best and worst few rows by their curve's last value, the others)."""
    sign = -1 if "accuracy" in metric else 1
    ordered = sorted(
        rows, key=lambda r: np.nan_to_num(sign * _final(curves[r.config.key]), nan=np.inf)
    )
    k = SHOWN_AT_EACH_END
    return ordered[:k] + ordered[-k:], ordered[k:-k]


def _band(axis, rest, metric) -> None:
    """The range (min to max, epoch by epoch) of the mean curves of ``rest``."""
    length = max(len(curve[0]) for curve in rest)
    epochs = next(curve[0] for curve in rest if len(curve[0]) == length)
    stacked = np.full((len(rest), length), np.nan)
    for k, curve in enumerate(rest):
        stacked[k, : len(curve[1])] = curve[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(stacked, axis=0), np.nanmax(stacked, axis=0)
    axis.fill_between(
        epochs,
        low,
        high,
        color="0.6",
        alpha=0.35,
        label=f"{len(rest)} others: range of their means",
    )


def _draw_curve(axis, curve, label: str, metric: str, style: dict, shade: bool = True) -> None:
    epochs, mean, std = curve
    axis.plot(epochs, mean, label=label, linewidth=1.4, **style)
    if not shade:
        return
    low, high = mean - std, mean + std
    if metric.endswith("accuracy"):  # a band never leaves what accuracy can be
        low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
    axis.fill_between(epochs, low, high, color=style["color"], alpha=0.15)
