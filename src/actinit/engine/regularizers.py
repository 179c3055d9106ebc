"""Weight penalties added to the loss: ``"l1(0.01)"``, ``"l2(1e-4)"``, ``"l1_l2(l1=.., l2=..)"``.

As Keras: L1 adds l1 * sum|W|, L2 adds l2 * sum W^2 to the loss (so L2's gradient
is 2 l2 W; torch's ``weight_decay=wd`` equals ``l2(wd / 2)``). Biases are not
penalised. Max-norm and gradient clipping live with the layer and the optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .registry import Configurable, Registry


class Regularizer(Configurable):
    """A penalty on a weight matrix added to the loss: ``penalty(W)`` its value (a
    float), ``gradient(W)`` its gradient, the shape of ``W``."""

    def penalty(self, weight: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, weight: np.ndarray) -> np.ndarray:
        raise NotImplementedError


REGULARIZERS: Registry[Regularizer] = Registry("regularizer", Regularizer)


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from a spec, or None for None / "none"."""
    if identifier is None or (isinstance(identifier, str) and identifier.lower() == "none"):
        return None
    return REGULARIZERS.get(identifier)


def _check_strength(value: float) -> float:
    if not (isinstance(value, (int, float)) and value >= 0):
        raise ValueError(f"a penalty strength must be a number >= 0, got {value!r}")
    return float(value)


@REGULARIZERS.register("l1")
@dataclass(eq=False)
class L1(Regularizer):
    """l1 * sum |W|; gradient l1 * sign(W)."""

    l1: float = 0.01

    def __post_init__(self):
        self.l1 = _check_strength(self.l1)

    def penalty(self, weight):
        return self.l1 * float(np.abs(weight).sum())

    def gradient(self, weight):
        return self.l1 * np.sign(weight)


@REGULARIZERS.register("l2")
@dataclass(eq=False)
class L2(Regularizer):
    """l2 * sum W^2; gradient 2 l2 W."""

    l2: float = 0.01

    def __post_init__(self):
        self.l2 = _check_strength(self.l2)

    def penalty(self, weight):
        return self.l2 * float(np.vdot(weight, weight))

    def gradient(self, weight):
        return (2 * self.l2) * weight


@REGULARIZERS.register("l1_l2", "elastic_net")
@dataclass(eq=False)
class L1L2(Regularizer):
    """l1 * sum |W| + l2 * sum W^2."""

    l1: float = 0.01
    l2: float = 0.01

    def __post_init__(self):
        self.l1, self.l2 = _check_strength(self.l1), _check_strength(self.l2)

    def penalty(self, weight):
        return self.l1 * float(np.abs(weight).sum()) + self.l2 * float(np.vdot(weight, weight))

    def gradient(self, weight):
        return self.l1 * np.sign(weight) + (2 * self.l2) * weight
