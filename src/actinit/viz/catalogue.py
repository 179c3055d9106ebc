"""Every picture by name, as the command line and the report ask for them.

A run picture is drawn from a recorded run (its final model, its data, its
recording); a study picture from a study's summary and the stored runs.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from ..studies.answer.effects import effects
from ..studies.answer.ranking import rank
from ..studies.answer.recorded import RecordedRun
from ..studies.answer.summary import StudySummary
from ..studies.run.store import Store
from .answers import plot_effects, plot_ranking
from .boundaries import (
    plot_boundary,
    plot_feature_space,
    plot_loss_histogram,
    plot_misclassified,
    plot_probability_histograms,
)
from .pruning import plot_lottery, plot_tradeoff
from .studies import plot_study_curves, plot_study_heatmap
from .theory import plot_depth_theory, plot_trainability, plot_variance_prediction
from .training import plot_activation_histograms, plot_curves, plot_layer_heatmap, plot_updates


def _data(run: RecordedRun):
    return run.model(), run.data.X_train, run.data.y_train


RUN_PICTURES: dict[str, Callable[[RecordedRun, str], Figure]] = {
    "boundary": lambda run, stat: plot_boundary(*_data(run), title=run.label),
    "feature-space": lambda run, stat: plot_feature_space(*_data(run), title=run.label),
    "misclassified": lambda run, stat: plot_misclassified(*_data(run), title=run.label),
    "updates": lambda run, stat: plot_updates(run.recording, title=run.label),
    "gradients": lambda run, stat: plot_layer_heatmap(run.recording, "grad_norm", run.label),
    "layer-stats": lambda run, stat: plot_layer_heatmap(run.recording, stat, run.label),
    "training": lambda run, stat: plot_curves(run.recording, title=run.label),
    "probabilities": lambda run, stat: plot_probability_histograms(*_data(run), title=run.label),
    "losses": lambda run, stat: plot_loss_histogram(*_data(run), title=run.label),
    "activation-histograms": lambda run, stat: plot_activation_histograms(
        run.model(),
        run.data.X_train,
        when=f"{run.label}, epoch {int(run.recording.snapshot_epochs[-1])}",
    ),
    "variance-theory": lambda run, stat: plot_variance_prediction(run),
}

STUDY_PICTURES: dict[str, Callable[[StudySummary, Store, str | None], Figure]] = {
    "heatmap": lambda summary, store, metric: plot_study_heatmap(
        summary, metric or _default(summary, "test_accuracy", "test_loss")
    ),
    "curves": lambda summary, store, metric: plot_study_curves(
        summary, store, metric or _default(summary, "val_accuracy", "val_loss")
    ),
    "depth-theory": lambda summary, store, metric: plot_depth_theory(summary),
    "trainability": lambda summary, store, metric: plot_trainability(summary),
    "pruning": lambda summary, store, metric: plot_tradeoff(summary, store, "remaining"),
    "pruning-flops": lambda summary, store, metric: plot_tradeoff(summary, store, "flops"),
    "lottery": lambda summary, store, metric: plot_lottery(summary, store),
    "ranking": lambda summary, store, metric: plot_ranking(
        rank(summary, metric or _default(summary, "test_accuracy", "test_loss")),
        title=summary.study.title,
    ),
    "effects": lambda summary, store, metric: plot_effects(
        effects(summary, metric or _default(summary, "test_accuracy", "test_loss")),
        title=summary.study.name,
    ),
}


def run_picture(kind: str, run: RecordedRun, stat: str = "grad_norm") -> Figure:
    """The picture ``kind`` (a key of :data:`RUN_PICTURES`) of one recorded run."""
    return RUN_PICTURES[kind](run, stat)


#: The metrics each study picture can show: summaries across seeds for the heatmap,
#: per-epoch histories for the curves.
STUDY_METRICS = {
    "heatmap": ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "epochs_to_target"),
    "ranking": ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "epochs_to_target"),
    "effects": ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "epochs_to_target"),
    "curves": ("val_accuracy", "val_loss", "accuracy", "loss"),
}


def _default(summary: StudySummary, accuracy: str, loss: str) -> str:
    """Accuracy, unless every configuration is a regression (no accuracy): loss."""
    classifies = any(row.config.loss_function.is_classification for row in summary.rows)
    return accuracy if classifies else loss


def study_picture(
    kind: str, summary: StudySummary, store: Store, metric: str | None = None
) -> Figure:
    """The picture ``kind`` (a key of :data:`STUDY_PICTURES`) of a whole study."""
    check_metric(kind, metric)
    if metric == "epochs_to_target" and summary.study.target_accuracy is None:
        from ..studies.answer.selection import check_metric as study_measures

        study_measures(summary.study, metric)  # a study with no target: said, not drawn empty
    return STUDY_PICTURES[kind](summary, store, metric)


def check_metric(kind: str, metric: str | None) -> None:
    """A ``metric`` the study picture ``kind`` cannot show is a ValueError naming
    those it can."""
    allowed = STUDY_METRICS.get(kind)
    if metric is not None and allowed is not None and metric not in allowed:
        raise ValueError(
            f"--kind {kind} shows one of {', '.join(allowed)}; got --metric {metric!r}"
        )
