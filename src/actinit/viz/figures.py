"""Saving figures and shared drawing helpers."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..files import atomic_path

CLASS_COLOURS = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
FORMATS = (".png", ".svg")


def save(figure: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``figure`` as PNG or SVG (by the suffix of ``path``) and close it; never
    half written (:func:`~actinit.files.atomic_path`)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"pictures are written as .png or .svg, got {path.name!r}")
    try:
        with atomic_path(path) as temporary:  # a failed write leaves the old picture
            figure.savefig(temporary, dpi=dpi, bbox_inches="tight", format=path.suffix[1:])
    finally:
        plt.close(figure)
    return path


def to_data_uri(figure: Figure, dpi: int = 90) -> str:
    """The figure as an embedded PNG (``data:image/png;base64,...``), then closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches=_tight(figure))
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _tight(figure: Figure) -> str | None:
    """ "tight" unless the figure lays itself out (constrained layout): the tight box
    costs a second drawing of the whole figure, half a report's time at 840
    configurations."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    return None if isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine) else "tight"


def grid_shape(count: int, columns: int) -> tuple[int, int]:
    """(rows, columns) of a grid holding ``count`` panels at most ``columns`` wide."""
    columns = max(1, min(columns, count))
    return -(-count // columns), columns
