"""Training as a film: boundary, feature space, probability histogram and loss curve
together, one frame per parameter snapshot. GIF through Pillow, MP4 through ffmpeg."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from matplotlib import animation
from matplotlib.figure import Figure

from ..engine import Recording
from ..files import atomic_path
from .boundaries import (
    draw_boundary,
    draw_feature_space,
    draw_probability_histograms,
    predicts_numbers,
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
    installed), never half written. Returns the path written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ValueError(f"animations are written as .gif or .mp4, got {path.name!r}")
    if suffix == ".mp4" and not animation.writers.is_available("ffmpeg"):
        raise RuntimeError("writing .mp4 needs ffmpeg on the PATH; write a .gif instead")
    film = _film(recording, X, y, max_frames, title)
    writer = (
        animation.PillowWriter(fps=fps) if suffix == ".gif" else animation.FFMpegWriter(fps=fps)
    )
    with atomic_path(path) as temporary:  # a failed write leaves the old animation
        film.save(temporary, writer=writer, dpi=70)
    return path


#: matplotlib's player draws its buttons with Font Awesome icons from a CDN; these
#: characters stand in for them, so a notebook plays offline.
BUTTONS = {
    "fa fa-play fa-flip-horizontal": "\u25c0",
    "fa fa-play": "\u25b6",
    "fa fa-pause": "\u275a\u275a",
    "fa fa-step-backward": "\u23ee",
    "fa fa-step-forward": "\u23ed",
    "fa fa-fast-backward": "\u23ea",
    "fa fa-fast-forward": "\u23e9",
    "fa fa-minus": "\u2212",
    "fa fa-plus": "+",
}


class InlineFilm:
    """An animation that plays in a notebook (HTML and JavaScript, no files, nothing
    fetched from the network)."""

    def __init__(self, film: animation.FuncAnimation, fps: int) -> None:
        self.film, self.fps = film, fps

    def _repr_html_(self) -> str:
        return offline(self.film.to_jshtml(fps=self.fps))


def offline(html: str) -> str:
    """matplotlib's HTML player without its Font Awesome stylesheet: each icon becomes
    a character (:data:`BUTTONS`)."""
    html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html)
    for icon, character in BUTTONS.items():
        html = html.replace(f'<i class="{icon}"></i>', character)
    return html


def animate_inline(
    recording: Recording, X: np.ndarray, y: np.ndarray, max_frames: int = 40, fps: int = 4
) -> InlineFilm:
    """The animation of :func:`animate`, to show in a notebook cell."""
    return InlineFilm(_film(recording, X, y, max_frames, ""), fps)


def _film(recording: Recording, X, y, max_frames: int, title: str) -> animation.FuncAnimation:
    """The frames of a recorded run, every panel with the same limits in every frame."""
    if X.shape[1] != 2:
        raise ValueError("animations show 2-D data; this data set has more features")
    count = len(recording.snapshot_epochs)
    frames = np.unique(np.linspace(0, count - 1, min(max_frames, count)).astype(int))
    panels = _panels(recording.model_at(0))
    figure = Figure(figsize=(4.2 * len(panels), 4.2), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(panels)))

    def draw(frame: int, fixed=None):
        epoch = int(recording.snapshot_epochs[frame])
        model = recording.model_at(frame)
        for index, (axis, panel) in enumerate(zip(axes, panels)):
            axis.clear()
            PANELS[panel](axis, model, X, y, recording, epoch)
            if fixed is not None:  # the same axes in every frame: nothing jumps
                axis.set_xlim(*fixed[index][0])
                axis.set_ylim(*fixed[index][1])
        figure.suptitle(f"{title}  epoch {epoch}".strip())
        return [(axis.get_xlim(), axis.get_ylim()) for axis in axes]

    # A first pass over the frames finds the widest limits each panel takes.
    seen = np.array([draw(frame) for frame in frames])  # (frames, panels, 2 axes, 2)
    fixed = [
        (
            (seen[:, i, 0, 0].min(), seen[:, i, 0, 1].max()),
            (seen[:, i, 1, 0].min(), seen[:, i, 1, 1].max()),
        )
        for i in range(len(axes))
    ]
    return animation.FuncAnimation(
        figure, lambda frame: draw(frame, fixed), frames=list(frames), blit=False
    )


def _panels(model) -> list[str]:
    """The panels this network can show: the feature space needs a 2-unit hidden
    layer, the probability histogram a single (binary) output of a classifier."""
    panels = ["features"] if model.feature_layer_index() is not None else []
    panels.append("boundary")
    if model.output_dim == 1 and not predicts_numbers(model):
        panels.append("probabilities")
    return [*panels, "loss"]


def _features(axis, model, X, y, recording, epoch):
    draw_feature_space(axis, model, X, y)
    axis.set_title("hidden feature space")


def _boundary(axis, model, X, y, recording, epoch):
    draw_boundary(axis, model, X, y)
    axis.set_title("input space")


def _probabilities(axis, model, X, y, recording, epoch):
    draw_probability_histograms(axis, model, X, y)
    axis.set_title("predicted probabilities")


def _loss(axis, model, X, y, recording, epoch):
    loss = recording.metrics["loss"]
    shown = recording.epochs <= epoch
    axis.plot(recording.epochs[1:], loss[1:], color="lightgrey")
    axis.plot(recording.epochs[shown][1:], loss[shown][1:], color="#d62728")
    axis.set(xlabel="epoch", ylabel="loss", title="loss")


PANELS = {
    "features": _features,
    "boundary": _boundary,
    "probabilities": _probabilities,
    "loss": _loss,
}
