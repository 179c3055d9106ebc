"""Plain-language findings from a :class:`~actinit.engine.recording.Recording`.

Each finding has a ``kind``, a sentence with the numbers behind it, and the numbers
themselves, e.g. "vanishing gradients: layer 1's gradient norm is 3e-06 of layer 5's".
The thresholds are stated next to each rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .recording import Recording

#: Gradient norm of the first layer below this share of the last layer's: vanishing.
VANISHING_RATIO = 1e-2
#: ... above this multiple: exploding.
EXPLODING_RATIO = 1e2
#: A layer with at least this share of dead units (at the end) is reported.
DEAD_SHARE = 0.25
#: ... or of saturated activations.
SATURATED_SHARE = 0.5
#: Units count as identical when their weights differ by less than this (relative).
IDENTICAL_SPREAD = 1e-6


@dataclass
class Finding:
    kind: str
    message: str
    severity: str = "warning"  # "warning" or "info"
    numbers: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def _since(values: np.ndarray, epochs: np.ndarray, condition) -> int | None:
    """The first epoch from which ``condition`` holds until the end."""
    holds = condition(values)
    if not holds[-1]:
        return None
    start = len(holds) - 1
    while start > 0 and holds[start - 1]:
        start -= 1
    return int(epochs[start])


def diagnose(recording: Recording) -> list[Finding]:
    findings: list[Finding] = []
    stats, epochs = recording.stats, recording.epochs
    layers = recording.n_layers
    loss = recording.metrics.get("loss", np.array([]))

    finite = np.isfinite(loss)
    if len(loss) and (~finite[1:]).any():
        epoch = int(epochs[1:][~finite[1:]][0])
        findings.append(
            Finding(
                "divergence",
                f"loss diverged at epoch {epoch} (it became {loss[1:][~finite[1:]][0]})",
                numbers={"epoch": epoch},
            )
        )

    for index in range(layers):
        spread = stats["unit_spread"][:, index]
        if np.isfinite(spread[-1]) and spread[-1] < IDENTICAL_SPREAD:
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

    grad = stats["grad_norm"]
    if layers >= 2:
        first_epoch = grad[0]
        if np.all(np.isfinite(first_epoch)) and first_epoch[-1] > 0:
            ratio = first_epoch[0] / first_epoch[-1]
            numbers = {
                "ratio": float(ratio),
                "first": float(first_epoch[0]),
                "last": float(first_epoch[-1]),
            }
            if ratio < VANISHING_RATIO:
                findings.append(
                    Finding(
                        "vanishing_gradients",
                        f"vanishing gradients: layer 1's gradient norm is {ratio:.1g} of layer "
                        f"{layers}'s at the start ({first_epoch[0]:.2g} vs {first_epoch[-1]:.2g})",
                        numbers=numbers,
                    )
                )
            elif ratio > EXPLODING_RATIO:
                findings.append(
                    Finding(
                        "exploding_gradients",
                        f"exploding gradients: layer 1's gradient norm is {ratio:.3g} times layer "
                        f"{layers}'s at the start ({first_epoch[0]:.2g} vs {first_epoch[-1]:.2g})",
                        numbers=numbers,
                    )
                )
    if np.any(~np.isfinite(grad)) or np.nanmax(grad, initial=0) > 1e6:
        findings.append(
            Finding(
                "exploding_gradients",
                f"gradient norms reached {np.nanmax(np.where(np.isfinite(grad), grad, np.inf)):.3g}",
                numbers={"max": float(np.nanmax(grad))},
            )
        )

    for index in range(layers):
        dead = stats["dead"][:, index]
        if dead[-1] >= DEAD_SHARE:
            since = _since(dead, epochs, lambda v, level=dead[-1]: v >= level)
            findings.append(
                Finding(
                    "dead_units",
                    f"{100 * dead[-1]:.0f}% of layer {index + 1}'s units are dead (output 0 for "
                    f"every sample) since epoch {since}",
                    numbers={"layer": index + 1, "share": float(dead[-1]), "since": since},
                )
            )
        saturated = stats["saturated"][:, index]
        if saturated[-1] >= SATURATED_SHARE:
            findings.append(
                Finding(
                    "saturation",
                    f"{100 * saturated[-1]:.0f}% of layer {index + 1}'s activations are saturated "
                    f"(within 1% of the bounds of {recording.activations[index]}): their derivative "
                    "is nearly zero",
                    numbers={"layer": index + 1, "share": float(saturated[-1])},
                )
            )

    if len(loss) > 2 and np.all(np.isfinite(loss[1:])):
        start, end = loss[1], loss[-1]
        if end >= 0.99 * start:
            findings.append(
                Finding(
                    "no_learning",
                    f"the loss did not fall: {start:.4g} after the first epoch, "
                    f"{end:.4g} at the end",
                    numbers={"start": float(start), "end": float(end)},
                )
            )
        else:
            findings.append(
                Finding(
                    "learning",
                    f"the loss fell from {start:.4g} to {end:.4g}",
                    severity="info",
                    numbers={"start": float(start), "end": float(end)},
                )
            )
    if not any(f.severity == "warning" for f in findings):
        findings.append(
            Finding(
                "healthy",
                "no vanishing or exploding gradients, dead or "
                "saturated units, or symmetric layers found",
                severity="info",
            )
        )
    return findings
