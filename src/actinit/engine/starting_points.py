"""Starting points: a network's exact initial parameters, taken from elsewhere.

An initializer draws a layer's weights from actinit's own random streams. A
starting point instead gives the whole network the parameters another program
drew, so that program's run can be replayed step for step. ``point.parameters(model)``
returns ``{"dense0.W": ..., "dense0.b": ..., ...}`` for a built model (weights
``(fan_in, fan_out)`` as everywhere in actinit); :meth:`Sequential.build` applies the
one a model was given.

* ``numpy_legacy(seed=0, scale="he", biases="normal", layout="in_out")``: what
  ``np.random.seed(seed)`` followed by ``randn`` calls draws, layer by layer: the
  weight (in ``layout``: ``"in_out"`` draws ``randn(fan_in, fan_out)``, ``"out_in"``
  draws ``randn(fan_out, fan_in)`` and transposes it), then, when ``biases="normal"``,
  the bias ``randn(1, fan_out)``. The weight is multiplied by ``scale``: a number, or
  ``"he"`` = sqrt(2 / fan_in), ``"lecun"`` = sqrt(1 / fan_in), ``"glorot"`` =
  sqrt(2 / (fan_in + fan_out)). ``scale=0`` gives zeros with the same draws.
* ``npz(path="start.npz")``: arrays saved under the model's parameter names
  (``np.savez(path, **model.parameters())``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .arrays import assign_checked
from .model_file import read_arrays
from .registry import Configurable, Registry

if TYPE_CHECKING:
    from .model import Sequential


class StartingPoint(Configurable):
    """Base class: ``parameters(model)`` gives every trainable parameter of a built
    model, name -> array of that parameter's shape."""

    def parameters(self, model: Sequential) -> dict[str, np.ndarray]:
        raise NotImplementedError


STARTING_POINTS: Registry[StartingPoint] = Registry("starting point", StartingPoint)


def get(identifier: Any) -> StartingPoint:
    """A starting point from a name, a ``"name(args)"`` string, a dict or an object."""
    return STARTING_POINTS.get(identifier)


def names() -> list[str]:
    """The registered starting points' canonical names."""
    return STARTING_POINTS.names()


SCALE_RULES = {
    "he": lambda fan_in, fan_out: math.sqrt(2 / fan_in),
    "lecun": lambda fan_in, fan_out: math.sqrt(1 / fan_in),
    "glorot": lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out)),
}


@STARTING_POINTS.register("numpy_legacy")
@dataclass(eq=False)
class NumpyLegacy(StartingPoint):
    """The draws of NumPy's legacy global generator after ``np.random.seed(seed)``:
    per layer in order, ``randn`` for the weight (``layout``), times ``scale``, then
    ``randn(1, fan_out)`` for the bias when ``biases="normal"`` (``"zeros"``: no draw)."""

    seed: int = 0
    scale: float | str = 1.0
    biases: str = "zeros"
    layout: str = "in_out"

    def __post_init__(self) -> None:
        if not 0 <= self.seed < 2**32:
            raise ValueError(f"a legacy NumPy seed is from 0 to 2**32 - 1, got {self.seed}")
        if isinstance(self.scale, str) and self.scale not in SCALE_RULES:
            raise ValueError(
                f"scale is a number or one of {', '.join(SCALE_RULES)}; got {self.scale!r}"
            )
        if not isinstance(self.scale, str) and not (math.isfinite(self.scale) and self.scale >= 0):
            raise ValueError(f"scale must be a finite number >= 0, got {self.scale}")
        if self.biases not in ("normal", "zeros"):
            raise ValueError(f'biases is "normal" (drawn) or "zeros", got {self.biases!r}')
        if self.layout not in ("in_out", "out_in"):
            raise ValueError(
                f'layout is "in_out" (randn(fan_in, fan_out)) or "out_in", got {self.layout!r}'
            )

    def scale_for(self, fan_in: int, fan_out: int) -> float:
        if isinstance(self.scale, str):
            return SCALE_RULES[self.scale](fan_in, fan_out)
        return float(self.scale)

    def parameters(self, model: Sequential) -> dict[str, np.ndarray]:
        generator = np.random.RandomState(self.seed)  # the same stream as np.random.seed
        values = {}
        for layer in model.weighted_layers():
            fan_in, width = layer.W.shape
            if self.layout == "in_out":
                weight = generator.randn(fan_in, width)
            else:
                weight = generator.randn(width, fan_in).T
            values[f"{layer.name}.W"] = weight * self.scale_for(fan_in, width)
            if layer.use_bias:
                drawn = self.biases == "normal"
                values[f"{layer.name}.b"] = (
                    generator.randn(1, width)[0] if drawn else np.zeros(width)
                )
        return values


@STARTING_POINTS.register("npz")
@dataclass(eq=False)
class NpzFile(StartingPoint):
    """Arrays from an ``.npz`` file, one per parameter name (``dense0.W``, ...)."""

    path: str = ""

    def parameters(self, model: Sequential) -> dict[str, np.ndarray]:
        file = Path(self.path).expanduser()
        if not file.is_file():
            raise ValueError(f"no starting-point file at {file}")
        return read_arrays(file)


def apply(model: Sequential, point: StartingPoint) -> None:
    """Copy ``point``'s parameters into the built ``model``, after checking that it
    gives exactly the model's parameters, with their shapes and finite values."""
    assign_checked(model.parameters(), point.parameters(model), f"starting point {point.spec()}")
