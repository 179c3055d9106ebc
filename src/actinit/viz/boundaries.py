"""Pictures of what a trained network does with two-dimensional data: the decision
boundary, the misclassified points, the hidden layer's feature space, and the
histograms of predicted probabilities and per-sample losses."""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from ..engine import Sequential
from ..engine.recording import plane_grid
from .figures import CLASS_COLOURS


def _require_2d(X: np.ndarray) -> None:
    if X.shape[1] != 2:
        raise ValueError(f"this picture needs 2-D inputs; the data has {X.shape[1]} features")


def predicts_numbers(model: Sequential) -> bool:
    """Whether the network is a regression (its loss is not a classifier's)."""
    return model.loss is not None and not model.loss.is_classification


def _needs_classes(model: Sequential, picture: str) -> None:
    if predicts_numbers(model):
        raise ValueError(
            f"the {picture} picture needs classes; this network predicts numbers "
            "(regression): draw its 'boundary' (the output over the plane) or 'losses'"
        )


def _paint_output(
    axis, grid, output, points, y, regression, size, edge, alpha
) -> PathCollection | None:
    """The network's ``output`` (cells, outputs) over ``grid`` (the x and y meshes) and
    the ``points`` (n, 2) labelled ``y``. One probability: blue to red from 0 to 1 with
    its 0.5 contour; several: the most probable class's colour; a ``regression``'s
    output: one colour scale for it and the points' targets. Returns what a colour bar
    needs for a regression, else None."""
    gx, gy = grid
    if regression:
        field = output[:, 0].reshape(gx.shape)
        low = min(float(field.min()), float(np.min(y)))
        high = max(float(field.max()), float(np.max(y)), low + 1e-9)
        axis.contourf(gx, gy, field, levels=np.linspace(low, high, 12), cmap="RdBu_r", alpha=alpha)
        return axis.scatter(
            points[:, 0], points[:, 1], c=y, cmap="RdBu_r", vmin=low, vmax=high, s=size,
            edgecolors="k", linewidths=0.3,
        )  # fmt: skip
    if output.shape[1] == 1:
        field = output[:, 0].reshape(gx.shape)
        axis.contourf(gx, gy, field, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=alpha)
        if field.min() < 0.5 < field.max():
            axis.contour(gx, gy, field, levels=[0.5], colors="k", linewidths=1.5)
    else:
        classes = output.argmax(axis=1).reshape(gx.shape)
        levels = np.arange(output.shape[1] + 1) - 0.5
        colours = CLASS_COLOURS[: output.shape[1]]
        axis.contourf(gx, gy, classes, levels=levels, colors=colours, alpha=alpha)
    colours = np.array(CLASS_COLOURS)[np.asarray(y, dtype=int) % len(CLASS_COLOURS)]
    axis.scatter(points[:, 0], points[:, 1], c=colours, s=size, edgecolors=edge, linewidths=0.3)
    return None


def draw_boundary(
    axis,
    model: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 150,
    marker_sizes: np.ndarray | None = None,
) -> PathCollection | None:
    """The network's output over the input plane with the data (see :func:`_paint_output`);
    for a regression, what a colour bar needs."""
    gx, gy, grid = plane_grid(X, resolution)
    painted = _paint_output(
        axis, (gx, gy), model.predict_output(grid), X, y, predicts_numbers(model),
        size=12 if marker_sizes is None else marker_sizes, edge="k", alpha=0.55,
    )  # fmt: skip
    axis.set(xlabel="$x_1$", ylabel="$x_2$")
    return painted


def plot_boundary(model: Sequential, X: np.ndarray, y: np.ndarray, title: str = "") -> Figure:
    """The decision boundary (probability 0.5 contour) over the data."""
    _require_2d(X)
    figure = Figure(figsize=(5.5, 4.8), layout="constrained")
    axis = figure.subplots()
    painted = draw_boundary(axis, model, X, y)
    if painted is not None:
        figure.colorbar(painted, ax=axis, label="output (points: their targets)")
        error = float(np.mean((model.predict_output(X)[:, 0] - y) ** 2))
        axis.set_title(title or f"the output over the plane (mean squared error {error:.3g})")
        return figure
    accuracy = float(np.mean(model.predict(X) == y))
    axis.set_title(title or f"decision boundary (accuracy {100 * accuracy:.1f}%)")
    return figure


def plot_misclassified(model: Sequential, X: np.ndarray, y: np.ndarray, title: str = "") -> Figure:
    """Points coloured by prediction, drawn large when wrong: size 15 (|error| + 0.1),
    as in the S0 study."""
    _require_2d(X)
    _needs_classes(model, "misclassified")
    predicted = model.predict(X)
    wrong = predicted != y
    figure = Figure(figsize=(5.5, 4.8), layout="constrained")
    axis = figure.subplots()
    colours = np.array(CLASS_COLOURS)[predicted % len(CLASS_COLOURS)]
    for mask, size, edge, label in (
        (~wrong, 15 * 0.1 + 4, "none", f"right ({int((~wrong).sum())}), small"),
        (wrong, 15 * 10.1 + 4, "k", f"misclassified ({int(wrong.sum())}), large"),
    ):
        axis.scatter(X[mask, 0], X[mask, 1], c=colours[mask], s=size, alpha=0.7, edgecolors=edge)
        axis.scatter([], [], c="lightgrey", s=size, edgecolors=edge, label=label)
    for label in np.unique(predicted):
        axis.scatter(
            [], [], c=CLASS_COLOURS[label % len(CLASS_COLOURS)], label=f"predicted {label}"
        )
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axis.set(
        xlabel="$x_1$",
        ylabel="$x_2$",
        title=title or f"predictions: {int(wrong.sum())} of {len(y)} misclassified",
    )
    return figure


def feature_layer_index(model: Sequential) -> int:
    """Index (in model.layers) of the last weighted hidden layer with exactly 2 units."""
    index = model.feature_layer_index()
    if index is None:
        raise ValueError("the feature-space picture needs a hidden layer of exactly 2 units")
    return index


def draw_feature_space(
    axis, model: Sequential, X: np.ndarray, y: np.ndarray, grid_lines: int = 21
) -> None:
    """The last hidden layer's feature space on ``axis``: the input plane's grid bent
    by the layers (``grid_lines`` lines each way) and the points of ``X`` coloured by
    ``y``; two hidden units are drawn as they are, more through their first two
    principal components."""
    index = feature_layer_index(model)
    # The input grid, bent by the layers into the feature space.
    gx, gy, _ = plane_grid(X, grid_lines)
    dense = np.linspace(0, 1, 120)
    for row in range(grid_lines):
        for line in (
            np.column_stack(
                [gx[row, 0] + dense * (gx[row, -1] - gx[row, 0]), np.full(120, gy[row, 0])]
            ),
            np.column_stack(
                [np.full(120, gx[0, row]), gy[0, row] + dense * (gy[-1, row] - gy[0, row])]
            ),
        ):
            bent = model.forward_layers(line, stop=index + 1)
            axis.plot(bent[:, 0], bent[:, 1], color="grey", linewidth=0.4, alpha=0.6)
    features = model.forward_layers(X, stop=index + 1)
    # What the rest of the network makes of the feature space (its boundary: 0.5).
    low, high = features.min(axis=0), features.max(axis=0)
    pad = (high - low) * 0.15 + 1e-6
    fx, fy = np.meshgrid(
        np.linspace(low[0] - pad[0], high[0] + pad[0], 200),
        np.linspace(low[1] - pad[1], high[1] + pad[1], 200),
    )
    output = model.forward_layers(np.column_stack([fx.ravel(), fy.ravel()]), start=index + 1)
    _paint_output(
        axis,
        (fx, fy),
        output,
        features,
        y,
        predicts_numbers(model),
        size=8,
        edge="none",
        alpha=0.35,
    )
    axis.set(xlim=(fx.min(), fx.max()), ylim=(fy.min(), fy.max()), xlabel="$h_1$", ylabel="$h_2$")


def plot_feature_space(model: Sequential, X: np.ndarray, y: np.ndarray, title: str = "") -> Figure:
    """The hidden 2-unit layer's feature space: the input grid twisted and turned by the
    layer, the data in it, and the boundary, which there is a straight line when the
    output layer follows directly. The input space is shown beside it."""
    _require_2d(X)
    figure = Figure(figsize=(11, 4.8), layout="constrained")
    input_axis, feature_axis = figure.subplots(1, 2)
    draw_boundary(input_axis, model, X, y)
    input_axis.set_title("input space")
    draw_feature_space(feature_axis, model, X, y)
    feature_axis.set_title("hidden feature space")
    if title:
        figure.suptitle(title)
    return figure


def draw_probability_histograms(axis, model: Sequential, X: np.ndarray, y: np.ndarray) -> None:
    """Histograms of the predicted probability of class 1 on ``axis``, one per true
    class, with the 0.5 threshold; two classes only."""
    _needs_classes(model, "probabilities")
    probability = model.predict_proba(X)[:, 1]
    predicted = (probability >= 0.5).astype(int)
    bins = np.linspace(0, 1, 21)
    for label, colour in ((0, CLASS_COLOURS[0]), (1, CLASS_COLOURS[1])):
        members = y == label
        right = probability[members & (predicted == y)]
        wrong = probability[members & (predicted != y)]
        axis.hist(
            [right, wrong],
            bins=bins,
            stacked=True,
            color=[colour, colour],
            alpha=0.75,
            label=[f"class {label}", f"class {label}, misclassified (hatched, dark edge)"],
            edgecolor=["white", "black"],
            hatch=[None, "////"],
        )
    axis.axvline(0.5, color="k", linewidth=1)
    axis.set(xlabel="predicted P(class 1)", ylabel="samples")
    axis.legend(fontsize=7, loc="upper center")  # a fixed place: it does not jump in films


def plot_probability_histograms(
    model: Sequential, X: np.ndarray, y: np.ndarray, title: str = ""
) -> Figure:
    """Predicted probabilities by true class, each class's misclassified cases stacked
    on top in its colour, hatched."""
    figure = Figure(figsize=(6, 3.6), layout="constrained")
    axis = figure.subplots()
    draw_probability_histograms(axis, model, X, y)
    axis.set_title(
        f"{title}\npredicted probabilities by class"
        if title
        else "predicted probabilities by class"
    )
    return figure


def plot_loss_histogram(
    model: Sequential, X: np.ndarray, y: np.ndarray, bins: int = 40, title: str = ""
) -> Figure:
    """The distribution of per-sample losses. When every sample has the same loss (a
    network that learned nothing, e.g. from zero initialization) it is one bar."""
    losses = model.per_sample_loss(X, y).astype(np.float64)
    figure = Figure(figsize=(6, 3.6), layout="constrained")
    axis = figure.subplots()
    low, high = float(losses.min()), float(losses.max())
    if high - low <= 1e-6 * max(1.0, abs(high)):  # float32 rounding apart: the same
        width = max(abs(high) * 0.01, 1e-3)
        axis.hist(losses, bins=[low - width, high + width], color="#9467bd")
        said = f"every sample has the same loss, {high:.4f}"
    else:
        axis.hist(losses, bins=bins, color="#9467bd")
        said = f"per-sample loss (mean {losses.mean():.4f}, max {high:.3f})"
    axis.set(
        xlabel="per-sample loss", ylabel="samples", title=f"{title}\n{said}" if title else said
    )
    return figure
