"""Pictures, animations and reports (matplotlib, headless Agg).

Every function returns a matplotlib Figure; :func:`save` writes PNG or SVG by suffix.
"""

import matplotlib

matplotlib.use("Agg")

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
from .training import (  # noqa: E402
    plot_activation_histograms,
    plot_curves,
    plot_layer_heatmap,
    plot_updates,
)

__all__ = [
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
