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

from ...engine import losses
from ...engine.recording import Recording

#: The backward signal (or, in recordings without one, the weight-gradient norm) at
#: layer 1 below this share of the output layer's: vanishing.
VANISHING_RATIO = 1e-2
#: ... above this multiple: exploding.
EXPLODING_RATIO = 1e2
#: Any gradient norm above this: exploding.
EXPLODING_NORM = 1e6
#: Every weight-gradient norm below this at the start: too small for any usual
#: learning rate to move the weights (the loss's own gradient is of order 1).
GRADIENT_FLOOR = 1e-8
#: A layer with at least this share of dead units (at the end) is reported.
DEAD_SHARE = 0.25
#: ... or of saturated activations.
SATURATED_SHARE = 0.5
#: Units count as identical when their weights differ by less than this (relative).
IDENTICAL_SPREAD = 1e-6
#: A final accuracy within this of chance (the majority class's share) is "not learned".
CHANCE_MARGIN = 0.05


#: How much a finding matters, the strongest first.
SEVERITIES = ("critical", "warning", "info")


@dataclass
class Finding:
    """One thing a diagnosis saw in a recorded run: its ``kind`` (vanishing gradients,
    dead units, saturation ...), the sentence that says it, how serious it is
    (critical, warning or info), and the ``numbers`` it was read from."""

    kind: str
    message: str
    severity: str = "warning"  # "critical", "warning" or "info"
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
    """Gradients at the start that cannot train the network: none at all (every
    weight gradient exactly 0, the strongest finding), all below
    :data:`GRADIENT_FLOOR`, or a backward signal at layer 1 far smaller (vanishing)
    or larger (exploding) than at the output; and any gradient norm beyond
    :data:`EXPLODING_NORM`. A layer whose units start identical is left to
    :func:`symmetry`: its gradients are small because of the symmetry, not depth."""
    grad, layers = recording.stats["grad_norm"], recording.n_layers
    start = grad[0]
    symmetric_start = any(_symmetric(recording, i, at=0) for i in range(layers))
    findings = []
    if np.all(np.isfinite(start)) and not symmetric_start:
        findings += _start_gradients(recording, start)
    findings += _gradients_gone(recording, grad, start)
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


def _gradients_gone(recording: Recording, grad: np.ndarray, start: np.ndarray) -> list[Finding]:
    """Every weight gradient exactly 0 now, though not at the start: training killed
    the network (ReLU units all dead, say) and nothing can move its weights again."""
    if len(grad) < 2 or not np.all(np.isfinite(grad[-1])) or grad[-1].max() != 0:
        return []
    if np.all(np.isfinite(start)) and start.max() == 0:
        return []  # said at the start already
    since = _since(grad.max(axis=1), recording.epochs, lambda values: values == 0)
    text = (
        f"every gradient is exactly 0: since epoch {since} no layer's weights get any "
        "gradient, so training cannot change the network any more (its units output "
        "nothing a gradient can pass through)"
    )
    return [Finding("vanishing_gradients", text, "critical", {"max": 0.0, "since": since})]


def _start_gradients(recording: Recording, start: np.ndarray) -> list[Finding]:
    layers = recording.n_layers
    largest = float(start.max())
    if largest == 0:
        text = (
            f"no gradient reaches the weights: every layer's weight gradient is exactly 0 "
            f"at the start (the signal died out on its way through {layers} layers)"
        )
        return [Finding("vanishing_gradients", text, "critical", {"max": 0.0})]
    if largest < GRADIENT_FLOOR:
        text = (
            f"vanishing gradients: every weight gradient is below {GRADIENT_FLOOR:g} at the "
            f"start (largest {largest:.2g}): no usual learning rate moves these weights"
        )
        return [Finding("vanishing_gradients", text, "critical", {"max": largest})]
    if layers < 2:
        return []
    signal = recording.stats.get("backward_rms")
    if _normalized(recording):
        # A layer followed by batch norm computes the same for any scale of its W, so
        # what moves it is the gradient relative to W (and z's scale sets delta's).
        sizes = [np.linalg.norm(recording.snapshots[f"{n}.W"][0]) for n in recording.layer_names]
        relative = start / np.maximum(sizes, 1e-300)
        ratio, what = relative[0] / relative[-1], "gradient relative to its weights"
        first, last = relative[0], relative[-1]
    elif signal is not None and np.all(np.isfinite(signal[0])) and signal[0][-1] > 0:
        ratio, what = signal[0][0] / signal[0][-1], "backward signal (d loss / dz)"
        first, last = signal[0][0], signal[0][-1]
    elif start[-1] > 0:  # recordings from before the backward signal was measured
        ratio, what, first, last = start[0] / start[-1], "gradient norm", start[0], start[-1]
    else:
        return []
    numbers = {"ratio": float(ratio), "first": float(first), "last": float(last)}
    where = f"at the start ({first:.2g} vs {last:.2g})"
    if ratio < VANISHING_RATIO:
        text = f"vanishing gradients: layer 1's {what} is {ratio:.1g} of layer {layers}'s {where}"
        return [Finding("vanishing_gradients", text, numbers=numbers)]
    if ratio > EXPLODING_RATIO:
        text = (
            f"exploding gradients: layer 1's {what} is {ratio:.3g} times layer {layers}'s {where}"
        )
        return [Finding("exploding_gradients", text, numbers=numbers)]
    return []


def _normalized(recording: Recording) -> bool:
    """The network has batch norm."""
    layers = recording.model_config.get("layers", [])
    return any(layer.get("kind") == "batchnorm" for layer in layers)


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
    severity = min((f.severity for f in findings), key=SEVERITIES.index)
    return [Finding(findings[0].kind, text, severity, numbers)]


#: Dead units in at least this share of a layer matter even in a network that learned.
DEAD_SEVERE = 0.75


def dead_units(recording: Recording) -> list[Finding]:
    """Rectifier units whose output is 0 for every probe sample at the end. Said as a
    warning where the network did not learn or a layer lost most of its units; as
    information where it learned regardless (He + ReLU nets often keep 25-45%
    dead units and still fit)."""
    learned = _learned(recording)
    findings = []
    for index in range(recording.n_layers):
        dead = recording.stats["dead"][:, index]
        if dead[-1] < DEAD_SHARE:
            continue
        since = _since(dead, recording.epochs, lambda v, level=dead[-1]: v >= level)
        severity = "info" if learned and dead[-1] < DEAD_SEVERE else "warning"
        findings.append(
            Finding(
                "dead_units",
                f"{100 * dead[-1]:.0f}% of layer {index + 1}'s units are dead (output 0 for "
                f"every sample) since epoch {since}",
                severity,
                numbers={"layer": index + 1, "share": float(dead[-1]), "since": since},
            )
        )
    grouped = _grouped(findings, "dead units (output 0 for every sample)", recording.n_layers)
    if learned and any(f.severity == "info" for f in grouped):
        accuracy, which = _final_accuracy(recording)
        for finding in grouped:
            if finding.severity == "info" and accuracy is not None:
                finding.message += (
                    f"; the network learned regardless ({which} accuracy {100 * accuracy:.1f}%)"
                )
    return grouped


def _learned(recording: Recording) -> bool:
    """The loss fell from initialization and the accuracy (if any) is above chance."""
    start, end = _loss_fall(recording)
    if start is None or not end < 0.99 * start:
        return False
    accuracy, _ = _final_accuracy(recording)
    chance = recording.chance_accuracy
    return chance is None or accuracy is None or accuracy > chance + CHANCE_MARGIN


def _loss_fall(recording: Recording) -> tuple[float | None, float | None]:
    """(loss at initialization, loss at the end), both on the probe batch; from
    recordings without a probe loss, the training loss after the first epoch."""
    probe = recording.metrics.get("probe_loss")
    if probe is not None and len(probe) >= 2 and np.all(np.isfinite(probe[[0, -1]])):
        return float(probe[0]), float(probe[-1])
    loss = _training_loss(recording)
    if len(loss) <= 2 or not np.all(np.isfinite(loss[1:])):
        return None, None
    return float(loss[1]), float(loss[-1])


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
    """Did the loss fall from initialization, and did the accuracy rise above chance?"""
    loss = _training_loss(recording)
    if len(loss) >= 2 and not np.all(np.isfinite(loss[1:])):
        return []  # divergence says it
    start, end = _loss_fall(recording)
    if start is None:
        return []
    initial = "probe_loss" in recording.metrics
    origin = "at initialization" if initial else "after the first epoch"
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
                f"from {start:.4g} {origin} to {end:.4g}",
                numbers=numbers,
            )
        ]
    if end >= 0.99 * start:
        text = f"the loss did not fall: {start:.4g} {origin}, {end:.4g} at the end"
        return [Finding("no_learning", text, numbers=numbers)]
    text = f"the loss fell from {start:.4g} {origin} to {end:.4g}"
    return [Finding("learning", text, "info", numbers)]


def _final_accuracy(recording: Recording) -> tuple[float | None, str]:
    for key, which in (("val_accuracy", "test"), ("accuracy", "training")):
        values = recording.metrics.get(key)
        if values is not None and len(values) > 1 and np.isfinite(values[-1]):
            return float(values[-1]), which
    return None, ""


RULES: list[Rule] = [divergence, symmetry, gradient_flow, dead_units, saturation, learning]


class Diagnosis(list):
    """The findings of :func:`diagnose` (a list), shown as a list in a notebook."""

    def _repr_html_(self) -> str:
        from html import escape

        marks = {"critical": "✖", "warning": "⚠", "info": "✓"}
        items = "".join(f"<li>{marks.get(f.severity, '')} {escape(f.message)}</li>" for f in self)
        return f"<ul>{items}</ul>"


def diagnose(recording: Recording, rules: list[Rule] = RULES) -> Diagnosis:
    """Every finding of every rule, the most severe first; "healthy" when no rule
    warns."""
    findings = [finding for rule in rules for finding in rule(recording)]
    findings.sort(key=lambda finding: SEVERITIES.index(finding.severity))
    findings = Diagnosis(findings)
    if not any(finding.severity != "info" for finding in findings):
        findings.append(
            Finding(
                "healthy",
                f"nothing past the thresholds: no vanishing or exploding gradients (layer 1's "
                f"backward signal within {1 / VANISHING_RATIO:.0f}x of the output's, weight "
                f"gradients above {GRADIENT_FLOOR:g}), no layer with {DEAD_SEVERE:.0%} or "
                f"more dead units (or {DEAD_SHARE:.0%} in a network that did not learn) or "
                f"{SATURATED_SHARE:.0%} or more saturated activations (an output fused with "
                "its loss does not count), no symmetric layers",
                severity="info",
            )
        )
    return findings
