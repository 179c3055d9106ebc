"""Plain-language findings from a :class:`~actinit.engine.recording.Recording`.

Each finding has a ``kind``, a sentence with the numbers behind it, and the numbers
themselves, e.g. "vanishing gradients: layer 1's gradient norm is 3e-06 of layer 5's".
:func:`diagnose` runs every rule of :data:`RULES` in turn; a rule is a function from a
recording to a list of findings, and its thresholds are stated next to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import losses
from ..engine.recording import Recording

#: Gradient norm of the first layer below this share of the last layer's: vanishing.
VANISHING_RATIO = 1e-2
#: ... above this multiple: exploding.
EXPLODING_RATIO = 1e2
#: Any gradient norm above this: exploding.
EXPLODING_NORM = 1e6
#: A layer with at least this share of dead units (at the end) is reported.
DEAD_SHARE = 0.25
#: ... or of saturated activations.
SATURATED_SHARE = 0.5
#: Units count as identical when their weights differ by less than this (relative).
IDENTICAL_SPREAD = 1e-6
#: A final accuracy within this of chance (the majority class's share) is "not learned".
CHANCE_MARGIN = 0.05


@dataclass
class Finding:
    kind: str
    message: str
    severity: str = "warning"  # "warning" or "info"
    numbers: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


Rule = Callable[[Recording], list[Finding]]


def _since(values: np.ndarray, epochs: np.ndarray, condition) -> int | None:
    """The first epoch from which ``condition`` holds until the end."""
    holds = condition(values)
    if not holds[-1]:
        return None
    start = len(holds) - 1
    while start > 0 and holds[start - 1]:
        start -= 1
    return int(epochs[start])


def _training_loss(recording: Recording) -> np.ndarray:
    return recording.metrics.get("loss", np.array([]))


def divergence(recording: Recording) -> list[Finding]:
    """The training loss became NaN or infinite."""
    loss = _training_loss(recording)
    bad = ~np.isfinite(loss[1:])
    if not bad.any():
        return []
    epoch = int(recording.epochs[1:][bad][0])
    value = loss[1:][bad][0]
    return [
        Finding(
            "divergence",
            f"loss diverged at epoch {epoch} (it became {value})",
            numbers={"epoch": epoch},
        )
    ]


def _symmetric(recording: Recording, index: int, at: int = -1) -> bool:
    spread = recording.stats["unit_spread"][at, index]
    return bool(np.isfinite(spread) and spread < IDENTICAL_SPREAD)


def symmetry(recording: Recording) -> list[Finding]:
    """Every unit of a layer has the same weights: they all compute the same thing."""
    findings = []
    for index in range(recording.n_layers):
        if not _symmetric(recording, index):
            continue
        spread = recording.stats["unit_spread"][:, index]
        units = recording.snapshots[f"{recording.layer_names[index]}.W"].shape[-1]
        never = bool(np.all(spread[np.isfinite(spread)] < IDENTICAL_SPREAD))
        findings.append(
            Finding(
                "symmetry",
                f"all {units} units of layer {index + 1} are identical: symmetry was "
                + ("never broken" if never else "lost during training")
                + " (zero or constant initialization gives every unit the same gradient)",
                numbers={"layer": index + 1, "units": units, "spread": float(spread[-1])},
            )
        )
    return findings


def gradient_flow(recording: Recording) -> list[Finding]:
    """Layer 1's gradient far smaller (vanishing) or larger (exploding) than the last
    layer's at the start, or any gradient norm beyond :data:`EXPLODING_NORM`. A layer
    whose units start identical is left to :func:`symmetry`: its gradients are small
    because of the symmetry, not because of depth."""
    grad, layers = recording.stats["grad_norm"], recording.n_layers
    findings = []
    start = grad[0]
    symmetric_start = any(_symmetric(recording, i, at=0) for i in range(layers))
    if layers >= 2 and np.all(np.isfinite(start)) and start[-1] > 0 and not symmetric_start:
        ratio = start[0] / start[-1]
        numbers = {"ratio": float(ratio), "first": float(start[0]), "last": float(start[-1])}
        if ratio < VANISHING_RATIO:
            text = (
                f"vanishing gradients: layer 1's gradient norm is {ratio:.1g} of layer {layers}'s"
            )
            findings.append(Finding("vanishing_gradients", _at_start(text, start), numbers=numbers))
        elif ratio > EXPLODING_RATIO:
            text = f"exploding gradients: layer 1's gradient norm is {ratio:.3g} times layer {layers}'s"
            findings.append(Finding("exploding_gradients", _at_start(text, start), numbers=numbers))
    finite = np.where(np.isfinite(grad), grad, np.inf)
    if np.any(~np.isfinite(grad)) or np.nanmax(grad, initial=0) > EXPLODING_NORM:
        findings.append(
            Finding(
                "exploding_gradients",
                f"gradient norms reached {finite.max():.3g}",
                numbers={"max": float(np.nanmax(grad))},
            )
        )
    return findings


def _at_start(text: str, start: np.ndarray) -> str:
    return f"{text} at the start ({start[0]:.2g} vs {start[-1]:.2g})"


#: More layers than this with the same finding are said in one sentence.
GROUPED_LAYERS = 3


def _grouped(findings: list[Finding], what: str, layers: int) -> list[Finding]:
    """Many layers with the same finding, said once: the count, the range and the worst."""
    if len(findings) <= GROUPED_LAYERS:
        return findings
    shares = [f.numbers["share"] for f in findings]
    worst = findings[int(np.argmax(shares))]
    text = (
        f"{len(findings)} of {layers} layers have {100 * min(shares):.0f}-{100 * max(shares):.0f}% "
        f"{what} (worst: layer {worst.numbers['layer']}, {100 * max(shares):.0f}%)"
    )
    numbers = {"layers": [f.numbers["layer"] for f in findings], "shares": shares}
    return [Finding(findings[0].kind, text, numbers=numbers)]


def dead_units(recording: Recording) -> list[Finding]:
    """Rectifier units whose output is 0 for every probe sample at the end."""
    findings = []
    for index in range(recording.n_layers):
        dead = recording.stats["dead"][:, index]
        if dead[-1] < DEAD_SHARE:
            continue
        since = _since(dead, recording.epochs, lambda v, level=dead[-1]: v >= level)
        findings.append(
            Finding(
                "dead_units",
                f"{100 * dead[-1]:.0f}% of layer {index + 1}'s units are dead (output 0 for "
                f"every sample) since epoch {since}",
                numbers={"layer": index + 1, "share": float(dead[-1]), "since": since},
            )
        )
    return _grouped(findings, "dead units (output 0 for every sample)", recording.n_layers)


def fused_output(recording: Recording) -> bool:
    """True when the output activation is fused with the loss (sigmoid with binary
    cross-entropy, softmax with cross-entropy): its gradient is p - y, so a confident
    output is no saturation problem."""
    spec = recording.model_config.get("loss")
    if not spec or not recording.activations:
        return False
    return losses.get(spec).fused_activation == recording.activations[-1].split("(")[0]


def saturation(recording: Recording) -> list[Finding]:
    """Bounded activations pinned near their bounds, where the derivative is ~0."""
    findings = []
    last = recording.n_layers - 1
    for index in range(recording.n_layers):
        if index == last and fused_output(recording):
            continue
        saturated = recording.stats["saturated"][:, index]
        if saturated[-1] < SATURATED_SHARE:
            continue
        findings.append(
            Finding(
                "saturation",
                f"{100 * saturated[-1]:.0f}% of layer {index + 1}'s activations are saturated "
                f"(within 1% of the bounds of {recording.activations[index]}): their derivative "
                "is nearly zero",
                numbers={"layer": index + 1, "share": float(saturated[-1])},
            )
        )
    return _grouped(findings, "saturated activations (derivative nearly zero)", recording.n_layers)


def learning(recording: Recording) -> list[Finding]:
    """Did the loss fall, and did the accuracy rise above chance?"""
    loss = _training_loss(recording)
    if len(loss) <= 2 or not np.all(np.isfinite(loss[1:])):
        return []
    start, end = float(loss[1]), float(loss[-1])
    numbers = {"start": start, "end": end}
    chance = recording.chance_accuracy
    accuracy, which = _final_accuracy(recording)
    if chance is not None and accuracy is not None and accuracy <= chance + CHANCE_MARGIN:
        numbers.update(accuracy=accuracy, chance=chance)
        return [
            Finding(
                "not_learned",
                f"the network did not learn: final {which} accuracy {100 * accuracy:.1f}% is "
                f"chance level (the most common class is {100 * chance:.1f}%); the loss went "
                f"from {start:.4g} to {end:.4g}",
                numbers=numbers,
            )
        ]
    if end >= 0.99 * start:
        text = f"the loss did not fall: {start:.4g} after the first epoch, {end:.4g} at the end"
        return [Finding("no_learning", text, numbers=numbers)]
    return [Finding("learning", f"the loss fell from {start:.4g} to {end:.4g}", "info", numbers)]


def _final_accuracy(recording: Recording) -> tuple[float | None, str]:
    for key, which in (("val_accuracy", "validation"), ("accuracy", "training")):
        values = recording.metrics.get(key)
        if values is not None and len(values) > 1 and np.isfinite(values[-1]):
            return float(values[-1]), which
    return None, ""


RULES: list[Rule] = [divergence, symmetry, gradient_flow, dead_units, saturation, learning]


class Diagnosis(list):
    """The findings of :func:`diagnose` (a list), shown as a list in a notebook."""

    def _repr_html_(self) -> str:
        from html import escape

        marks = {"warning": "⚠", "info": "✓"}
        items = "".join(f"<li>{marks.get(f.severity, '')} {escape(f.message)}</li>" for f in self)
        return f"<ul>{items}</ul>"


def diagnose(recording: Recording, rules: list[Rule] = RULES) -> Diagnosis:
    """Every finding of every rule; "healthy" when no rule warns."""
    findings = Diagnosis(finding for rule in rules for finding in rule(recording))
    if not any(finding.severity == "warning" for finding in findings):
        findings.append(
            Finding(
                "healthy",
                f"nothing past the thresholds: no vanishing or exploding gradients (layer 1 "
                f"within {1 / VANISHING_RATIO:.0f}x of the last), no layer with "
                f"{DEAD_SHARE:.0%} or more dead units or {SATURATED_SHARE:.0%} or more "
                "saturated activations (an output fused with its loss does not count), no "
                "symmetric layers",
                severity="info",
            )
        )
    return findings
