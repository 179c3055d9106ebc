"""Training as a film: boundary, feature space, probability histogram and loss curve
together, one frame per parameter snapshot. GIF through Pillow, MP4 through ffmpeg."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import animation
from matplotlib.figure import Figure

from ..engine import Recording
from .boundaries import (
    draw_boundary,
    draw_feature_space,
    draw_probability_histograms,
    feature_layer_index,
)


def animate(
    recording: Recording,
    X: np.ndarray,
    y: np.ndarray,
    path: str | Path,
    max_frames: int = 40,
    fps: int = 4,
    title: str = "",
) -> Path:
    """Write the animation of a recorded run to ``path`` (.gif, or .mp4 when ffmpeg is
    installed). Returns the path written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ValueError(f"animations are written as .gif or .mp4, got {path.name!r}")
    if suffix == ".mp4" and not animation.writers.is_available("ffmpeg"):
        raise RuntimeError("writing .mp4 needs ffmpeg on the PATH; write a .gif instead")
    if X.shape[1] != 2:
        raise ValueError("animations show 2-D data; this data set has more features")
    frames = np.unique(
        np.linspace(
            0, len(recording.snapshot_epochs) - 1, min(max_frames, len(recording.snapshot_epochs))
        ).astype(int)
    )
    first = recording.model_at(0)
    try:
        feature_layer_index(first)
        has_features = True
    except ValueError:
        has_features = False
    binary = first.output_dim == 1
    panels = 2 + has_features + binary
    figure = Figure(figsize=(4.2 * panels, 4.2), layout="constrained")
    axes = figure.subplots(1, panels)
    loss = recording.metrics["loss"]

    def draw(frame: int):
        epoch = int(recording.snapshot_epochs[frame])
        model = recording.model_at(frame)
        for axis in axes:
            axis.clear()
        column = 0
        if has_features:
            draw_feature_space(axes[column], model, X, y)
            axes[column].set_title("hidden feature space")
            column += 1
        draw_boundary(axes[column], model, X, y)
        axes[column].set_title("input space")
        column += 1
        if binary:
            draw_probability_histograms(axes[column], model, X, y)
            axes[column].set_title("predicted probabilities")
            column += 1
        curve = axes[column]
        shown = recording.epochs <= epoch
        curve.plot(recording.epochs[1:], loss[1:], color="lightgrey")
        curve.plot(recording.epochs[shown][1:], loss[shown][1:], color="#d62728")
        curve.set(xlabel="epoch", ylabel="loss", title="loss")
        figure.suptitle(f"{title}  epoch {epoch}".strip())
        return list(axes)

    film = animation.FuncAnimation(figure, draw, frames=list(frames), blit=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = (
        animation.PillowWriter(fps=fps) if suffix == ".gif" else animation.FFMpegWriter(fps=fps)
    )
    film.save(path, writer=writer, dpi=70)
    return path
