"""The five figures a run is judged by, stated once: each metric's name, how tables
label it, its scale in tables, which way is better, and the short names the command
line accepts. Summaries, comparisons, tables and the report all read them here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """A figure every run records (test accuracy, train loss, epochs to target ...):
    its name, how tables head it, the scale they show it at and whether higher is
    better."""

    name: str
    #: How a narrow table heads it ("test acc").
    label: str
    #: How the report's table heads it, with its unit ("test acc %").
    heading: str
    #: What a value is multiplied by in that table (100 for a share shown in %).
    scale: float
    higher_is_better: bool
    #: Other names the command line accepts for it.
    aliases: tuple[str, ...] = ()


CATALOGUE = (
    Metric("test_accuracy", "test acc", "test acc %", 100.0, True, ("test_acc",)),
    Metric("train_accuracy", "train acc", "train acc %", 100.0, True, ("train_acc",)),
    Metric("test_loss", "test loss", "test loss", 1.0, False),
    Metric("train_loss", "train loss", "train loss", 1.0, False),
    Metric("epochs_to_target", "epochs", "epochs to target", 1.0, False, ("epochs",)),
)
BY_NAME = {metric.name: metric for metric in CATALOGUE}
#: The metrics' names, in the order tables show them.
METRICS = tuple(BY_NAME)
#: Metrics where a smaller figure is the better one.
LOWER_IS_BETTER = frozenset(m.name for m in CATALOGUE if not m.higher_is_better)
METRIC_LABELS = {m.name: m.label for m in CATALOGUE}
ALIASES = {alias: m.name for m in CATALOGUE for alias in m.aliases}


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of ``metric`` is the better one (accuracies; not losses or
    epochs to target)."""
    return metric not in LOWER_IS_BETTER


def canonical_metric(text: str) -> str | None:
    """A metric as a user may write it (``test_acc``, ``test-accuracy`` ...) -> its
    name, or None when it names none."""
    name = text.strip().replace("-", "_").replace("acc_", "accuracy_")
    name = ALIASES.get(name, name)
    return name if name in BY_NAME else None


def formatter(metric: str, unit: str = "%"):
    """A metric's value for people: an accuracy in % to a tenth (followed by ``unit``),
    epochs whole, a loss to four decimals."""
    if metric.endswith("accuracy"):
        return lambda v: f"{100 * v:.1f}{unit}"
    if metric == "epochs_to_target":
        return lambda v: f"{v:.0f}"
    return lambda v: f"{v:.4f}"
