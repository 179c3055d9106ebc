"""Pictures of the theory of signal propagation beside what networks measure."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from .. import theory
from ..engine.registry import compact_spec
from ..studies.answer.recorded import RecordedRun
from ..studies.answer.summary import StudySummary


def plot_phase_diagram(
    activation: str,
    sigma_w: np.ndarray | None = None,
    sigma_b: np.ndarray | None = None,
    points: dict[str, tuple[float, float]] | None = None,
) -> Figure:
    """The depth scale that bounds training (xi_c; xi_grad where the signal dies out
    or explodes) over (sigma_w, sigma_b) as colour (log scale), the edge of chaos
    (chi1 = 1) as a line; ``points`` marks named settings. By default sigma_w runs
    from 0.25 to past the edge at sigma_b = 0 and every marked point."""
    points = points or {}
    if sigma_w is None:
        top = max([4.0, 1.5 * _edge_reach(activation)] + [1.2 * w for w, _ in points.values()])
        sigma_w = np.linspace(0.25, top, 21)
    sigma_b = np.linspace(0.0, 1.0, 9) if sigma_b is None else np.asarray(sigma_b)
    sigma_w = np.asarray(sigma_w)
    chi, scale = theory.phase_diagram(activation, sigma_w, sigma_b)
    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    axis = figure.subplots()
    shown = np.clip(np.where(np.isfinite(scale), scale, 1e3), 0.1, 1e3)
    mesh = axis.pcolormesh(
        sigma_w, sigma_b, shown, norm=LogNorm(vmin=0.1, vmax=1e3), cmap="magma", shading="auto"
    )
    figure.colorbar(mesh, ax=axis, label="depth scale ξ (layers; top: ≥ 1000 or ∞)")
    if np.nanmin(chi) < 1 < np.nanmax(chi):
        axis.contour(sigma_w, sigma_b, chi, levels=[1.0], colors="white", linewidths=2)
        axis.plot([], [], color="white", lw=2, label="edge of chaos (χ₁ = 1)")
    for label, (w, b) in points.items():
        axis.plot(w, b, "o", color="cyan", markeredgecolor="black")
        axis.annotate(
            label, (w, b), textcoords="offset points", xytext=(5, 5), fontsize=8, color="cyan"
        )
    axis.set(
        xlabel="σ_w (weight std × √fan_in)",
        ylabel="σ_b (bias std)",
        title=f"{compact_spec(activation)}: ordered (left) and chaotic (right) phases\n"
        "colour: ξ_c, or ξ_∇ where the signal dies out or explodes",
    )
    if axis.get_legend_handles_labels()[0]:
        axis.legend(loc="upper left", fontsize=8, facecolor="grey")
    return figure


def _edge_reach(activation: str) -> float:
    """The smallest sigma_w on a coarse scan where chi1 passes 1 at sigma_b = 0 (0 if
    none does below 20): where the diagram has to reach to show the edge."""
    for w in np.geomspace(0.25, 20, 40):
        if theory.chi1(activation, float(w), 0.0) > 1:
            return float(w)
    return 0.0


def predicted_variances(run: RecordedRun) -> tuple[np.ndarray, np.ndarray]:
    """(measured, predicted) second moment of each weighted layer's pre-activations at
    initialization: measured on the recorder's probe batch; predicted by the variance
    map from the measured first layer, with each layer's own sigma_w and sigma_b."""
    model = run.model(0)
    recording = run.recording
    measured = recording.stats["pre_std"][0] ** 2 + recording.stats["pre_mean"][0] ** 2
    layers = model.weighted_layers()
    predicted = [float(measured[0])]
    for previous, layer in zip(layers[:-1], layers[1:]):
        sigma_w = float(layer.W.std() * math.sqrt(layer.W.shape[0]))
        sigma_b = float(np.sqrt((layer.b**2).mean())) if layer.use_bias else 0.0
        act = previous.activation.spec() if previous.activation is not None else "linear"
        predicted.append(theory.variance_map(act, sigma_w, sigma_b, predicted[-1]))
    return np.asarray(measured, dtype=float), np.asarray(predicted)


def plot_variance_prediction(run: RecordedRun) -> Figure:
    """Predicted vs measured pre-activation variance per layer at initialization."""
    measured, predicted = predicted_variances(run)
    layers = np.arange(1, len(measured) + 1)
    figure = Figure(figsize=(6.0, 3.6), layout="constrained")
    axis = figure.subplots()
    axis.semilogy(layers, predicted, "-", color="black", label="theory (wide-network limit)")
    axis.semilogy(layers[:-1], measured[:-1], "o", color="#d62728", label="this network, measured")
    axis.semilogy(
        layers[-1:],
        measured[-1:],
        "o",
        mfc="none",
        color="#d62728",
        label=f"output layer ({run.model(0).layers[-1].output_dim} unit(s): not a wide layer)",
    )
    axis.set(
        xlabel="layer",
        ylabel="E[z²] of the pre-activations",
        title=f"{run.label}: variance through depth at initialization",
    )
    axis.legend(fontsize=8)
    return figure


class DepthPrediction(NamedTuple):
    """The theory's trainable depth for one (activation, initializer) of a study."""

    activation: str
    label: str
    depth: float
    #: "correlation" (6 xi_c) or "gradient" (6 xi_grad, where the signal dies out or
    #: explodes and xi_c is not defined)
    limit: str
    #: the initializer does not fix its variance: sigma_w was read from a draw
    estimated: bool

    @property
    def caption(self) -> str:
        symbol = "6ξ_c" if self.limit == "correlation" else "6ξ_∇"
        value = "∞" if math.isinf(self.depth) else f"{self.depth:.0f}"
        return f"{symbol} = {value}" + (", σ_w estimated" if self.estimated else "")


def depth_predictions(summary: StudySummary) -> list[DepthPrediction]:
    """The theory's trainable depth for every (activation, initializer) pair in a
    study, from each initializer's own variance at the study's hidden width."""
    seen, pairs = set(), []
    for row in summary.rows:
        config = row.config
        key = (config.activation, config.init_label)
        if key in seen or not config.hidden:
            continue
        seen.add(key)
        scales = theory.weight_scales(config.init, config.bias_init, config.hidden[0])
        result = theory.propagation(config.activation, scales.sigma_w, scales.sigma_b)
        pairs.append(
            DepthPrediction(
                config.activation,
                config.init_label,
                result.trainable_depth,
                result.depth_limit,
                scales.estimated,
            )
        )
    return pairs


def plot_depth_theory(summary: StudySummary) -> Figure:
    """Measured test accuracy per (activation, initializer) and depth, with the
    theory's trainable depth (about 6 xi_c) drawn as a line in every row: cells right
    of it are predicted not to train."""
    depths = sorted({len(row.config.hidden) for row in summary.rows})
    predictions = depth_predictions(summary)
    if not predictions or len(depths) < 2:
        raise ValueError("this picture needs a study over several depths (a grid of hidden)")
    means = np.full((len(predictions), len(depths)), np.nan)
    for i, (activation, label, *_) in enumerate(predictions):
        for row in summary.rows:
            config = row.config
            if (config.activation, config.init_label) == (activation, label):
                value = row.test_accuracy.mean
                means[i, depths.index(len(config.hidden))] = np.nan if value is None else value
    figure = Figure(
        figsize=(2.6 + 1.1 * len(depths), 1.2 + 0.5 * len(predictions)), layout="constrained"
    )
    axis = figure.subplots()
    image = axis.imshow(means, cmap="viridis", vmin=0.5, vmax=1.0, aspect="auto")
    for i, (_, _, trainable, *_) in enumerate(predictions):
        for j in range(len(depths)):
            if np.isfinite(means[i, j]):
                axis.text(
                    j,
                    i,
                    f"{100 * means[i, j]:.0f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if means[i, j] < 0.75 else "black",
                )
        # the trainable depth on the depth axis, between the columns it falls between
        positions = [-0.5, *range(len(depths))]  # depth 0 sits at the left edge
        edge = np.interp(trainable, [0, *depths], positions) if trainable < depths[-1] else None
        if edge is not None:
            axis.plot([edge, edge], [i - 0.45, i + 0.45], color="red", lw=2.5)
    axis.plot([], [], color="red", lw=2.5, label="theory: trainable depth ≈ 6 ξ")
    axis.set_xticks(range(len(depths)), [str(d) for d in depths])
    axis.set_yticks(
        range(len(predictions)),
        [f"{compact_spec(p.activation)} / {p.label}\n({p.caption})" for p in predictions],
        fontsize=7,
    )
    axis.set(
        xlabel="hidden layers", title=f"{summary.study.name}: test accuracy (%) and the theory"
    )
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=8, frameon=False)
    figure.colorbar(image, ax=axis, label="test accuracy")
    return figure


def plot_trainability(summary: StudySummary) -> Figure:
    """Schoenholz et al.'s picture, measured: mean test accuracy over (sigma_w^2,
    depth) as colour, one panel per activation, with the theory's trainable depth
    6 xi (white) and the edge of chaos (dashed) on top; each panel's title gives the
    share of cells where "trains" agrees with the curve."""
    from ..studies.answer.trainability import trainability_planes

    planes = trainability_planes(summary)
    figure = Figure(figsize=(1.0 + 3.6 * len(planes), 4.0), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(planes), sharey=True, squeeze=False)[0])
    for axis, plane in zip(axes, planes):
        mesh = axis.pcolormesh(
            plane.sigma_w2,
            plane.depths,
            plane.accuracy,
            cmap="viridis",
            vmin=0.0,
            vmax=1.0,
            shading="nearest",
        )
        values, depths = plane.curve
        top = plane.depths.max() * 1.05
        axis.plot(values, np.minimum(depths, top * 10), color="white", lw=2.2)
        if plane.edge is not None and values.min() <= plane.edge <= values.max():
            axis.axvline(plane.edge, color="white", ls="--", lw=1.2)
        trained = plane.trained & plane.measured
        ys, xs = np.nonzero(trained)
        axis.plot(plane.sigma_w2[xs], plane.depths[ys], "o", ms=2.5, color="black")
        axis.set(
            xlabel="σ_w² (weight variance × fan_in)",
            ylim=(plane.depths.min() - 5, top),
            title=_plane_title(plane),
        )
    axes[0].set_ylabel("hidden layers")
    axes[0].plot([], [], color="white", lw=2.2, label="theory: 6 ξ")
    axes[0].plot([], [], color="white", ls="--", lw=1.2, label="edge of chaos")
    axes[0].plot([], [], "o", ms=2.5, color="black", label="trains (≥ threshold)")
    axes[0].legend(loc="upper right", fontsize=7, facecolor="grey", framealpha=0.6)
    figure.colorbar(mesh, ax=list(axes), label="test accuracy (mean over seeds)")
    figure.suptitle(
        f"{summary.study.name}: where networks train, and where the theory says they do "
        f"(σ_b² = {planes[0].sigma_b ** 2:.3g})",
        fontsize=10,
    )
    return figure


#: Singular values below this are drawn at it (a rank-deficient Jacobian's zeros).
SMALLEST_SINGULAR_VALUE = 1e-12


def _plane_title(plane) -> str:
    """The agreement beside chance (kappa) and the best rule that ignores sigma_w^2."""
    cutoff, baseline = plane.cutoff_agreement()
    rule = "all" if math.isinf(cutoff) else "none" if cutoff == 0 else f"≤ {cutoff}"
    kappa = "" if math.isnan(plane.kappa) else f", κ {plane.kappa:.2f}"
    return (
        f"{compact_spec(plane.activation)}: {100 * plane.agreement:.0f}% of cells agree{kappa}"
        f"\n(depth {rule} alone: {100 * baseline:.0f}%)"
    )


def isometry_spectra(
    activations_: tuple[str, ...] = ("tanh", "relu"),
    depths: tuple[int, ...] = (4, 16, 64),
    width: int = 128,
    samples: int = 8,
    seed: int = 0,
) -> dict[tuple[str, str, int], np.ndarray]:
    """The singular values of the hidden-layer Jacobian at initialization, for each
    activation, Gaussian and orthogonal weights at the activation's edge of chaos
    (sigma_b = 0: tanh sigma_w = 1, ReLU sqrt 2), and depth: {(activation, "gaussian"
    or "orthogonal", depth): (samples * width,) values}, at standard normal inputs
    (where they sit, below 1, is said in :mod:`actinit.engine.jacobian`)."""
    from .. import engine
    from ..engine.jacobian import jacobian_singular_values

    X = np.random.default_rng(seed).standard_normal((samples, width))
    spectra = {}
    for activation in activations_:
        sigma_w = theory.edge_of_chaos(activation, 0.0)
        inits = {
            "gaussian": f"random_normal(std={sigma_w / math.sqrt(width)!r})",
            "orthogonal": f"orthogonal(gain={sigma_w!r})",
        }
        for name, init in inits.items():
            for depth in depths:
                layers = [engine.Dense(width, activation, init=init) for _ in range(depth)]
                model = engine.Sequential([*layers, engine.Dense(1)], seed=seed).build(width)
                spectra[(activation, name, depth)] = jacobian_singular_values(model, X).ravel()
    return spectra


def plot_jacobian_spectra(spectra: dict[tuple[str, str, int], np.ndarray]) -> Figure:
    """The distribution of log10 singular values of the hidden-layer Jacobian, one
    panel per activation, a colour per depth, solid for orthogonal and dashed for
    Gaussian weights; the share of (numerically) zero values is in the legend."""
    activations_ = list(dict.fromkeys(key[0] for key in spectra))
    depths = sorted({key[2] for key in spectra})
    colours = dict(zip(depths, ["#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd"]))
    figure = Figure(figsize=(1.0 + 4.2 * len(activations_), 3.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(activations_), squeeze=False)[0])
    bins = np.linspace(math.log10(SMALLEST_SINGULAR_VALUE), 2, 71)
    for axis, activation in zip(axes, activations_):
        for (name, depth), values in (
            ((key[1], key[2]), v) for key, v in spectra.items() if key[0] == activation
        ):
            logs = np.log10(np.maximum(values, SMALLEST_SINGULAR_VALUE))
            zero = np.mean(values < SMALLEST_SINGULAR_VALUE * 10)
            label = f"{name}, {depth} layers" + (f" ({100 * zero:.0f}% ≈ 0)" if zero else "")
            axis.hist(
                logs,
                bins=bins,
                density=True,
                histtype="step",
                lw=1.6,
                color=colours.get(depth, "black"),
                ls="-" if name == "orthogonal" else "--",
                label=label,
            )
        axis.axvline(0, color="grey", lw=0.8)
        axis.set(
            xlabel="log10 singular value of ∂h_L/∂h_1",
            ylabel="density",
            title=f"{compact_spec(activation)} at the edge of chaos",
        )
        axis.legend(fontsize=7)
    figure.suptitle(
        "Dynamical isometry: orthogonal weights keep the Jacobian's singular values together",
        fontsize=10,
    )
    return figure
