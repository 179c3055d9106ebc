"""The initializer that puts any elementwise activation on the edge of chaos
(``critical``): sigma_w where chi1 = 1 at the bias scale asked for, from mean-field
theory. The engine's initializer registry imports this module the first time the name
is asked for."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..engine import activations
from ..engine import initializers as initializers_module
from ..engine.initializers import INITIALIZERS, Initializer
from .mean_field import edge_of_chaos

#: The largest bias scale the edge of chaos is looked for at (the CLI's bound too).
MAX_BIAS_STD = 100.0


#: Activations without a mean-field edge of chaos: softmax mixes a layer's units.
NO_EDGE = ("softmax",)


@INITIALIZERS.register("critical", "edge_of_chaos")
@dataclass(eq=False)
class Critical(Initializer):
    """W ~ N(0, sigma_w^2 / fan_in) with sigma_w on the edge of chaos (chi1 = 1) for
    ``activation`` at bias scale ``bias_std`` (give the biases
    ``random_normal(std=bias_std)``, or zeros for 0). In a Dense layer the activation
    defaults to the layer's own. ``distribution="orthogonal"``: an orthogonal matrix
    times sigma_w instead (the same sigma_w for a square weight), the setting of
    dynamical isometry (Pennington et al. 2017)."""

    activation: str | None = None
    bias_std: float = 0.0
    distribution: str = "normal"

    def __post_init__(self) -> None:
        value = self.bias_std
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (math.isfinite(value) and 0 <= value <= MAX_BIAS_STD)
        ):
            raise ValueError(
                f"critical: bias_std is the biases' standard deviation, from 0 to "
                f"{MAX_BIAS_STD:g}; got {value!r}"
            )
        if self.distribution not in ("normal", "orthogonal"):
            raise ValueError(
                f"critical: distribution is 'normal' or 'orthogonal', got {self.distribution!r}"
            )
        if self.activation is not None:
            name = activations.get(self.activation).spec().split("(")[0]
            if name in NO_EDGE:
                raise ValueError(
                    f"critical: {name} has no edge of chaos here (it is an output activation); "
                    "give a hidden activation, e.g. critical(activation=tanh)"
                )

    def bind(self, activation: Any) -> Initializer:
        if self.activation is not None:
            return self
        if hasattr(activation, "activation_label"):  # a maxout or gated layer
            raise ValueError(
                f"critical sets weights at the edge of chaos of an elementwise activation; "
                f"{activation.activation_label} units have none in actinit's theory: give "
                "critical(activation='tanh') (say), or another initializer "
                "(orthogonal(gain=auto) works in every layer)"
            )
        return Critical(activations.get(activation).spec(), self.bias_std, self.distribution)

    @property
    def sigma_w(self) -> float:
        if self.activation is None:
            raise ValueError(
                "critical needs an activation: critical(activation='tanh'), or use it in a "
                "Dense layer, which gives its own"
            )
        return _critical_sigma(self.activation, float(self.bias_std))

    def sample(self, shape, rng):
        if self.distribution == "orthogonal":
            return initializers_module.Orthogonal(gain=self.sigma_w).sample(shape, rng)
        fan_in = shape[0]
        return rng.standard_normal(shape) * self.sigma_w / math.sqrt(fan_in)

    def variance(self, shape):
        if self.activation is None:
            return None
        if self.distribution == "orthogonal":
            return initializers_module.Orthogonal(gain=self.sigma_w).variance(shape)
        return self.sigma_w**2 / shape[0]


@lru_cache(maxsize=64)
def _critical_sigma(activation: str, bias_std: float) -> float:
    return edge_of_chaos(activation, bias_std)
