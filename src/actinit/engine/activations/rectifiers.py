"""The rectifier family (ReLU and its leaky, parametric, randomized, exponential
and scaled kin) and the smooth rectifiers (GELU, swish, mish, softplus ...)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..special import INV_SQRT_2PI, SQRT_2_OVER_PI, normal_cdf
from .base import (
    ACTIVATIONS,
    INF,
    Activation,
    _positive_part_exp,
    _sigmoid,
    _softplus,
)

# --------------------------------------------------------------------------
# The rectifier family
# --------------------------------------------------------------------------


@ACTIVATIONS.register("relu")
@dataclass(eq=False)
class ReLU(Activation):
    """f(x) = max(0, x); f'(x) = 1 if x > 0 else 0 (0 at x = 0, as torch). Gain sqrt 2."""

    output_range = (0.0, INF)
    recommended_init = "kaiming_normal"

    def function(self, x):
        return np.maximum(x, 0)

    def forward(self, x, training=False, rng=None):
        # While training only the output is needed for the backward pass: work in place.
        return np.maximum(x, 0, out=x) if training else np.maximum(x, 0)

    def derivative(self, x):
        return (x > 0).astype(x.dtype)

    def backward(self, grad_output, x, y):
        grad_output *= y > 0
        return grad_output

    def torch_gain(self):
        return math.sqrt(2.0)


@ACTIVATIONS.register("squared_relu", "relu2")
@dataclass(eq=False)
class SquaredReLU(Activation):
    """f(x) = max(0, x)^2 (So et al. 2021, "Primer"); f'(x) = 2 max(0, x).

    E[f(z)^2] = 3/2 for z ~ N(0, 1), so the gain is sqrt(2/3) and the recommended
    weights have variance (2/3) / fan_in: q = 1 maps to itself. The variance map
    q -> sigma_w^2 (3/2) q^2 is quadratic, so that fixed point is unstable and there
    is no edge of chaos: depth needs normalization (Primer sits in a Transformer).
    """

    output_range = (0.0, INF)
    recommended_init = "variance_scaling(scale=0.6666666666666666, distribution='normal')"

    def function(self, x):
        positive = np.maximum(x, 0)
        return positive * positive

    def derivative(self, x):
        return 2 * np.maximum(x, 0)


@ACTIVATIONS.register("relu6")
@dataclass(eq=False)
class ReLU6(Activation):
    """f(x) = min(max(0, x), 6); f'(x) = 1 on (0, 6), else 0."""

    output_range = (0.0, 6.0)
    recommended_init = "kaiming_normal"
    kinks = (0.0, 6.0)

    def function(self, x):
        return np.clip(x, 0, 6)

    def derivative(self, x):
        return ((x > 0) & (x < 6)).astype(x.dtype)


@ACTIVATIONS.register("leaky_relu", "lrelu")
@dataclass(eq=False)
class LeakyReLU(Activation):
    """f(x) = x if x >= 0 else negative_slope x; f'(x) = 1 if x > 0 else negative_slope.

    Default slope 0.01 as torch; Keras 3's ``LeakyReLU`` defaults to 0.2 (the
    ``leaky_relu`` function to 0.2 as well). Gain sqrt(2 / (1 + slope^2)).
    """

    negative_slope: float = 0.01

    def __post_init__(self):
        self.negative_slope = float(self.negative_slope)

    @property
    def output_range(self):
        return (-INF if self.negative_slope > 0 else 0.0, INF)

    recommended_init = "kaiming_normal"

    def function(self, x):
        return np.where(x >= 0, x, x * self.negative_slope)

    def derivative(self, x):
        return np.where(x > 0, 1.0, self.negative_slope).astype(x.dtype)

    def torch_gain(self):
        return math.sqrt(2.0 / (1 + self.negative_slope**2))


@ACTIVATIONS.register("prelu")
@dataclass(eq=False)
class PReLU(Activation):
    """Parametric ReLU (He et al. 2015): f(x) = max(0, x) + a min(0, x), ``a`` learned.

    ``a`` starts at ``init`` (0.25, as torch) and is trained with the weights:
    d f / d a = min(0, x). One ``a`` per layer by default (torch's
    ``num_parameters=1``); ``per_unit=True`` learns one per unit. Gain: the leaky
    ReLU formula sqrt(2 / (1 + a^2)) at the initial ``a``, as in He et al.
    """

    init: float = 0.25
    per_unit: bool = False
    slope: np.ndarray | None = field(default=None, init=False, repr=False)
    _slope_gradient: np.ndarray | None = field(default=None, init=False, repr=False)

    recommended_init = "kaiming_normal"

    def __post_init__(self):
        self.init = float(self.init)
        self.slope = np.array([self.init])

    def build(self, units, dtype):
        self.slope = np.full(units if self.per_unit else 1, self.init, dtype=dtype)
        self._slope_gradient = np.zeros_like(self.slope)

    def parameters(self):
        return {"slope": self.slope}

    def gradients(self):
        return {"slope": self._slope_gradient}

    def function(self, x):
        return np.where(x >= 0, x, x * self.slope.astype(x.dtype, copy=False))

    def derivative(self, x):
        return np.where(x > 0, 1.0, self.slope).astype(x.dtype)

    def backward(self, grad_output, x, y):
        negative_part = np.minimum(x, 0) * grad_output
        total = negative_part.sum(axis=0) if self.per_unit else negative_part.sum()
        if self._slope_gradient is None:
            self._slope_gradient = np.zeros_like(self.slope)
        self._slope_gradient[...] = total
        return grad_output * self.derivative(x)

    def stated_gain(self):
        # torch.nn.init.calculate_gain refuses "prelu"; its leaky_relu rule at the
        # initial slope is the gain at initialization.
        return (
            math.sqrt(2.0 / (1 + self.init**2)),
            "sqrt(2 / (1 + a^2)) at the initial slope a: torch's leaky_relu rule "
            "(calculate_gain has no value for prelu)",
        )

    @property
    def output_range(self):
        return (-INF, INF)


@ACTIVATIONS.register("rrelu")
@dataclass(eq=False)
class RReLU(Activation):
    """Randomized leaky ReLU (Xu et al. 2015): f(x) = x if x >= 0 else a x.

    While training, ``a ~ U(lower, upper)`` drawn per element and per step; otherwise
    ``a = (lower + upper) / 2``. Defaults 1/8 and 1/3, as torch. ``derivative``
    gives the deterministic (evaluation) form.
    """

    lower: float = 1.0 / 8.0
    upper: float = 1.0 / 3.0
    _training_slope: np.ndarray | None = field(default=None, init=False, repr=False)

    recommended_init = "kaiming_normal"

    def __post_init__(self):
        if not 0 <= self.lower <= self.upper:
            raise ValueError(
                f"need 0 <= lower <= upper, got lower={self.lower}, upper={self.upper}"
            )

    @property
    def mean_slope(self) -> float:
        return (self.lower + self.upper) / 2

    def function(self, x):
        return np.where(x >= 0, x, x * self.mean_slope)

    def forward(self, x, training=False, rng=None):
        if not training or rng is None:
            self._training_slope = None
            return self.function(x)
        slope = rng.uniform(self.lower, self.upper, size=x.shape).astype(x.dtype)
        self._training_slope = np.where(x >= 0, 1.0, slope).astype(x.dtype)
        return x * self._training_slope

    def derivative(self, x):
        return np.where(x > 0, 1.0, self.mean_slope).astype(x.dtype)

    def backward(self, grad_output, x, y):
        if self._training_slope is not None:
            return grad_output * self._training_slope
        return grad_output * self.derivative(x)


@ACTIVATIONS.register("elu")
@dataclass(eq=False)
class ELU(Activation):
    """f(x) = x if x > 0 else alpha (e^x - 1); f'(x) = 1 if x > 0 else alpha e^x.

    (Clevert et al. 2016.) alpha = 1 as torch and Keras.
    """

    alpha: float = 1.0
    recommended_init = "kaiming_normal"

    @property
    def output_range(self):
        return (-self.alpha, INF)

    def function(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0)))

    def derivative(self, x):
        return np.where(x > 0, 1.0, self.alpha * _positive_part_exp(x)).astype(x.dtype)


@ACTIVATIONS.register("selu")
@dataclass(eq=False)
class SELU(Activation):
    """f(x) = scale * (x if x > 0 else alpha (e^x - 1)) (Klambauer et al. 2017).

    alpha = 1.6732632423543772848, scale = 1.0507009873554804934 (self-normalising
    constants, as torch and Keras). Gain 3/4 is torch's value, which its documentation
    says gives up self-normalization for steadier gradients: with weights of std
    3/4 / sqrt(fan_in) the variance map from q0 = 1 settles at q* = 0.023, not 1.
    Self-normalization needs gain 1, i.e. LeCun-normal weights (the recommended
    initializer), where q* = 1 and c* = 0.
    """

    ALPHA = 1.6732632423543772848170429916717
    SCALE = 1.0507009873554804934193349852946
    output_range = (-ALPHA * SCALE, INF)
    recommended_init = "lecun_normal"

    def function(self, x):
        return self.SCALE * np.where(x > 0, x, self.ALPHA * np.expm1(np.minimum(x, 0)))

    def derivative(self, x):
        return self.SCALE * np.where(x > 0, 1.0, self.ALPHA * _positive_part_exp(x)).astype(x.dtype)

    def torch_gain(self):
        return 0.75


@ACTIVATIONS.register("celu")
@dataclass(eq=False)
class CELU(Activation):
    """f(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1)) (Barron 2017); alpha = 1.

    f'(x) = 1 if x > 0 else e^(x / alpha).
    """

    alpha: float = 1.0
    recommended_init = "kaiming_normal"

    def __post_init__(self):
        if self.alpha == 0:
            raise ValueError("alpha must not be 0 for celu")

    @property
    def output_range(self):
        return (-self.alpha, INF)

    def function(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0) / self.alpha))

    def derivative(self, x):
        return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / self.alpha)).astype(x.dtype)


# --------------------------------------------------------------------------
# Smooth rectifiers
# --------------------------------------------------------------------------


@ACTIVATIONS.register("gelu")
@dataclass(eq=False)
class GELU(Activation):
    """Gaussian error linear unit (Hendrycks & Gimpel 2016).

    ``approximate="none"``: f(x) = x Phi(x), f'(x) = Phi(x) + x phi(x), Phi and phi
    the standard normal CDF and density. ``approximate="tanh"``:
    f(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as torch's
    ``approximate="tanh"``. Keras's ``gelu`` defaults to the tanh form
    (``approximate=True``); torch and actinit default to the exact one.
    """

    approximate: str = "none"

    def __post_init__(self):
        if self.approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {self.approximate!r}")

    output_range = (-0.17, INF)  # min of x Phi(x) is about -0.16997 at x = -0.7518

    def _inner(self, x):
        return SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)

    def function(self, x):
        if self.approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(self._inner(x)))
        return (x * normal_cdf(x)).astype(x.dtype, copy=False)

    def derivative(self, x):
        if self.approximate == "tanh":
            t = np.tanh(self._inner(x))
            inner_derivative = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_derivative
        result = normal_cdf(x) + x * np.exp(-0.5 * np.square(x)) * INV_SQRT_2PI
        return result.astype(x.dtype, copy=False)


@ACTIVATIONS.register("swish", "silu")
@dataclass(eq=False)
class Swish(Activation):
    """f(x) = x sigmoid(beta x) (Ramachandran et al. 2017); beta = 1 is torch's SiLU.

    f'(x) = s + beta x s (1 - s), s = sigmoid(beta x).
    """

    beta: float = 1.0

    output_range = (-0.2785, INF)  # min for beta = 1; scales as 1/beta

    def function(self, x):
        return x * _sigmoid(self.beta * x)

    def derivative(self, x):
        s = _sigmoid(self.beta * x)
        return s + self.beta * x * s * (1 - s)


@ACTIVATIONS.register("mish")
@dataclass(eq=False)
class Mish(Activation):
    """f(x) = x tanh(softplus(x)) (Misra 2019).

    f'(x) = tanh(sp) + x sigmoid(x) (1 - tanh^2(sp)), sp = softplus(x).
    """

    output_range = (-0.3088, INF)

    def function(self, x):
        return x * np.tanh(_softplus(x))

    def derivative(self, x):
        t = np.tanh(_softplus(x))
        return t + x * _sigmoid(x) * (1 - t * t)


@ACTIVATIONS.register("softplus")
@dataclass(eq=False)
class Softplus(Activation):
    """f(x) = log(1 + e^(beta x)) / beta, and f(x) = x where beta x > threshold.

    f'(x) = sigmoid(beta x) (1 past the threshold). beta = 1, threshold = 20 as torch.
    """

    beta: float = 1.0
    threshold: float = 20.0

    def __post_init__(self):
        if self.beta <= 0:
            raise ValueError(f"beta must be positive, got {self.beta}")

    output_range = (0.0, INF)

    def function(self, x):
        scaled = self.beta * x
        return np.where(scaled > self.threshold, x, _softplus(scaled) / self.beta)

    def derivative(self, x):
        scaled = self.beta * x
        return np.where(scaled > self.threshold, 1.0, _sigmoid(scaled)).astype(x.dtype)


@ACTIVATIONS.register("hard_swish", "hardswish")
@dataclass(eq=False)
class HardSwish(Activation):
    """f(x) = x relu6(x + 3) / 6 (Howard et al. 2019).

    f'(x) = 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3 (torch 2.x's
    convention at the two kinks).
    """

    output_range = (-0.375, INF)
    kinks = (-3.0, 3.0)

    def function(self, x):
        return x * np.clip(x + 3, 0, 6) / 6

    def derivative(self, x):
        return np.where(x <= -3, 0.0, np.where(x < 3, x / 3 + 0.5, 1.0)).astype(x.dtype)
