"""Pictures, animations and reports (matplotlib; headless Agg outside notebooks).

Every function returns a matplotlib Figure, which a notebook shows inline; :func:`save`
writes PNG or SVG by suffix; :func:`animate_inline` plays a run in a notebook.
"""

import sys

import matplotlib

matplotlib.use("Agg")


def _show_figures_inline() -> None:
    """In IPython or Jupyter, a Figure returned by a cell is drawn as PNG (actinit's
    figures are not pyplot's, so no backend registers them)."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is None:
        return
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, lambda figure: print_figure(figure, "png", bbox_inches="tight"))


_show_figures_inline()

from .animation import animate, animate_inline  # noqa: E402
from .boundaries import (  # noqa: E402
    plot_boundary,
    plot_feature_space,
    plot_loss_histogram,
    plot_misclassified,
    plot_probability_histograms,
)
from .figures import save  # noqa: E402
from .functions import plot_activations  # noqa: E402
from .studies import plot_study_curves, plot_study_heatmap  # noqa: E402
from .theory import plot_depth_theory, plot_phase_diagram, plot_variance_prediction  # noqa: E402
from .training import (  # noqa: E402
    plot_activation_histograms,
    plot_curves,
    plot_layer_heatmap,
    plot_updates,
)

__all__ = [
    "animate",
    "animate_inline",
    "plot_depth_theory",
    "plot_phase_diagram",
    "plot_variance_prediction",
    "plot_activation_histograms",
    "plot_activations",
    "plot_boundary",
    "plot_curves",
    "plot_feature_space",
    "plot_layer_heatmap",
    "plot_loss_histogram",
    "plot_misclassified",
    "plot_probability_histograms",
    "plot_study_curves",
    "plot_study_heatmap",
    "plot_updates",
    "save",
]
