"""Activation functions with their exact derivatives.

Every activation is one small dataclass registered by name where it is defined;
adding an activation means adding one class here. Definitions, defaults and the
derivative at kinks follow PyTorch (``torch.nn.functional``); where Keras differs
the docstring says so.

Shapes: every function is elementwise, ``x`` of any shape in, the same shape out,
except :class:`Softmax`, which normalises over the last axis of an
``(n_samples, n_classes)`` array.

Each activation also states facts a study needs:

* ``output_range``: the (lower, upper) bounds of f.
* ``zero_centred``: True when f is odd (f(-x) = -f(x)), so outputs are centred on 0
  for inputs symmetric about 0.
* ``gain``: the factor that keeps activation variance stable through a layer. Where
  ``torch.nn.init.calculate_gain`` defines one, that value; otherwise computed
  numerically as 1 / sqrt(E[f(z)^2]), z ~ N(0, 1) (``gain_source`` says which).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .registry import Configurable, Registry
from .special import INV_SQRT_2PI, SQRT_2_OVER_PI, normal_cdf, normal_pdf

INF = math.inf


class Activation(Configurable):
    """Base class. Subclasses implement :meth:`function` and :meth:`derivative`.

    The engine calls :meth:`forward` and :meth:`backward`; a subclass overrides
    ``backward`` when the derivative is cheaper from the output ``y`` (sigmoid,
    tanh, relu) than from the input.
    """

    output_range: tuple[float, float] = (-INF, INF)
    zero_centred: bool = False
    recommended_init: str = "glorot_uniform"
    #: True when the derivative is zero almost everywhere (binary step).
    blocks_gradient: bool = False
    #: Points where f or f' is not smooth; numerical integration splits there.
    kinks: tuple[float, ...] = (0.0,)

    # -- the math ---------------------------------------------------------
    def function(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, x: np.ndarray) -> np.ndarray:
        """f'(x), elementwise, same shape and dtype as ``x``."""
        raise NotImplementedError

    def torch_gain(self) -> float | None:
        """The value of ``torch.nn.init.calculate_gain`` for this activation, if torch
        defines one for it."""
        return None

    def stated_gain(self) -> tuple[float, str] | None:
        """A gain not from torch, with where it comes from (PReLU, softmax)."""
        return None

    # -- used by the engine -----------------------------------------------
    def __call__(self, x: Any) -> np.ndarray:
        return self.function(_as_float_array(x))

    def forward(self, x: np.ndarray, training: bool = False, rng: Any = None) -> np.ndarray:
        return self.function(x)

    def backward(self, grad_output: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Gradient of the loss with respect to ``x`` given the gradient at ``y = f(x)``.

        May overwrite ``grad_output`` (the engine hands over a fresh array)."""
        return grad_output * self.derivative(x)

    def build(self, units: int, dtype: np.dtype) -> None:
        """Create learned parameters for a layer of ``units`` units (PReLU, Snake,
        rational)."""

    def parameters(self) -> dict[str, np.ndarray]:
        """Learned parameters (empty for fixed activations)."""
        return {}

    def gradients(self) -> dict[str, np.ndarray]:
        return {}

    # -- facts --------------------------------------------------------------
    @property
    def gain(self) -> float:
        torch_value = self.torch_gain()
        if torch_value is not None:
            return torch_value
        stated = self.stated_gain()
        return stated[0] if stated is not None else _numerical_gain(self)

    @property
    def gain_source(self) -> str:
        if self.torch_gain() is not None:
            return "torch.nn.init.calculate_gain"
        stated = self.stated_gain()
        return stated[1] if stated is not None else "numerical: 1 / sqrt(E[f(z)^2]), z ~ N(0, 1)"

    def facts(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "spec": self.spec(),
            "output_range": self.output_range,
            "zero_centred": self.zero_centred,
            "gain": self.gain,
            "gain_source": self.gain_source,
            "recommended_init": self.recommended_init,
            "blocks_gradient": self.blocks_gradient,
        }


ACTIVATIONS: Registry[Activation] = Registry("activation", Activation)


def get(identifier: Any) -> Activation:
    """An activation from a name, a ``"name(args)"`` string, a dict, an object, or a
    plain pair of elementwise functions ``(f, f_prime)`` (usable in a model, but not
    saved to a file until registered by name with :func:`register`)."""
    if _is_pair(identifier):
        return _from_functions("", *identifier)()
    return ACTIVATIONS.get(identifier)


def _is_pair(identifier: Any) -> bool:
    return isinstance(identifier, tuple) and len(identifier) == 2 and all(map(callable, identifier))


def _check_registered(name: str, activation: Activation) -> None:
    """Call a newly registered activation once, on a few points, so that a function of
    the wrong shape, type or arity fails here, named, not deep inside a training run."""
    probe = np.linspace(-3.0, 3.0, 7).reshape(7, 1)
    for part, call in (("function", activation.function), ("derivative", activation.derivative)):
        try:
            out = np.asarray(call(probe))
        except Exception as error:
            raise TypeError(
                f"activation {name!r}: its {part} fails on an array of shape (7, 1): "
                f"{type(error).__name__}: {error}"
            ) from None
        if out.shape != probe.shape or out.dtype.kind not in "fiub":
            raise TypeError(
                f"activation {name!r}: its {part} must return numbers of its input's shape "
                f"(7, 1), elementwise; it returned {out.dtype} of shape {out.shape}"
            )
        if not np.isfinite(out.astype(float)).all():
            raise ValueError(
                f"activation {name!r}: its {part} is not finite on [-3, 3]: {out.ravel()}"
            )


def register(
    name: str,
    function: Callable[[np.ndarray], np.ndarray] | None = None,
    derivative: Callable[[np.ndarray], np.ndarray] | None = None,
    **facts: Any,
):
    """Add an activation to the catalogue, usable by name in models, study files, the
    playground and saved model files.

    From a plain pair of elementwise functions::

        ai.activations.register("cube", lambda x: x**3, lambda x: 3 * x**2)

    or as a class decorator on an :class:`Activation` dataclass (for parameters, a
    cheaper backward, facts)::

        @ai.activations.register("scaled_tanh")
        @dataclass(eq=False)
        class ScaledTanh(ai.activations.Activation):
            scale: float = 1.0
            def function(self, x): return self.scale * np.tanh(x)
            def derivative(self, x): return self.scale * (1 - np.tanh(x) ** 2)

    ``facts`` (with functions): ``output_range``, ``zero_centred``,
    ``recommended_init``. The derivative is the user's to get right:
    ``actinit.engine.activations.check_derivative`` compares it with finite differences.
    """
    if function is None:

        def decorate(cls: type) -> type:
            ACTIVATIONS.add_custom(name, cls)
            return cls

        return decorate
    if derivative is None or not callable(function) or not callable(derivative):
        raise TypeError(
            f"register({name!r}, f, f_prime) needs the function and its derivative, both "
            "elementwise functions of an array"
        )
    cls = _from_functions(name, function, derivative, **facts)
    _check_registered(name, cls())
    ACTIVATIONS.add_custom(name, cls)
    return cls


def _from_functions(name: str, function, derivative, **facts: Any) -> type:
    """An Activation class computing ``function`` and ``derivative``."""
    namespace = {
        "function": lambda self, x: np.asarray(function(x), dtype=x.dtype),
        "derivative": lambda self, x: np.asarray(derivative(x), dtype=x.dtype),
        **facts,
    }
    return dataclass(eq=False)(type(f"Custom_{name or 'pair'}", (Activation,), namespace))


def check_derivative(activation: Any, points: np.ndarray | None = None) -> float:
    """The largest gap between an activation's derivative and central finite
    differences of its function on ``points`` (default: 201 points in [-4, 4])."""
    act = get(activation)
    x = np.linspace(-4, 4, 201) if points is None else np.asarray(points, dtype=np.float64)
    step = 1e-6
    numerical = (act.function(x + step) - act.function(x - step)) / (2 * step)
    return float(np.max(np.abs(numerical - act.derivative(x))))


def names() -> list[str]:
    """Canonical activation names, in catalogue order."""
    return ACTIVATIONS.names()


def _as_float_array(x: Any) -> np.ndarray:
    array = np.asarray(x)
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    return array


_NUMERICAL_GAINS: dict[str, float] = {}


def _numerical_gain(activation: Activation) -> float:
    spec = activation.spec()
    if spec not in _NUMERICAL_GAINS:
        # The trapezoid rule on a fine grid handles the kinks that defeat Gauss-Hermite.
        z = np.linspace(-12.0, 12.0, 480_001)
        second_moment = np.trapezoid(np.square(activation.function(z)) * normal_pdf(z), z)
        _NUMERICAL_GAINS[spec] = float(1.0 / math.sqrt(second_moment))
    return _NUMERICAL_GAINS[spec]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Stable logistic: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) for x < 0; never overflows."""
    exp_neg_abs = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, exp_neg_abs) / (1.0 + exp_neg_abs)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|); never overflows."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _positive_part_exp(x: np.ndarray) -> np.ndarray:
    """e^min(x, 0): the exponential the negative branch of ELU-like units needs."""
    return np.exp(np.minimum(x, 0))


# --------------------------------------------------------------------------
# Identity, step and the classic squashing functions
# --------------------------------------------------------------------------


@ACTIVATIONS.register("linear", "identity")
@dataclass(eq=False)
class Linear(Activation):
    """f(x) = x, f'(x) = 1. Gain 1."""

    zero_centred = True

    def function(self, x):
        return x

    def derivative(self, x):
        return np.ones_like(x)

    def backward(self, grad_output, x, y):
        return grad_output

    def torch_gain(self):
        return 1.0


@ACTIVATIONS.register("binary_step", "step", "heaviside")
@dataclass(eq=False)
class BinaryStep(Activation):
    """f(x) = 1 if x >= 0 else 0 (``torch.heaviside(x, 1)``); f'(x) = 0.

    The derivative is zero everywhere it exists, so no gradient flows back through
    a step unit: a network of steps cannot be trained by backpropagation. It is
    here to show exactly that.
    """

    output_range = (0.0, 1.0)
    blocks_gradient = True

    def function(self, x):
        return (x >= 0).astype(x.dtype)

    def derivative(self, x):
        return np.zeros_like(x)

    def backward(self, grad_output, x, y):
        return np.zeros_like(grad_output)


@ACTIVATIONS.register("sigmoid", "logistic")
@dataclass(eq=False)
class Sigmoid(Activation):
    """f(x) = 1 / (1 + e^-x); f'(x) = f(x) (1 - f(x)). Gain 1 (torch)."""

    output_range = (0.0, 1.0)

    def function(self, x):
        return _sigmoid(x)

    def derivative(self, x):
        s = _sigmoid(x)
        return s * (1 - s)

    def backward(self, grad_output, x, y):
        slope = 1 - y
        slope *= y
        grad_output *= slope
        return grad_output

    def torch_gain(self):
        return 1.0


@ACTIVATIONS.register("tanh")
@dataclass(eq=False)
class Tanh(Activation):
    """f(x) = tanh x; f'(x) = 1 - tanh^2 x. Gain 5/3 (torch)."""

    output_range = (-1.0, 1.0)
    zero_centred = True

    def function(self, x):
        return np.tanh(x)

    def derivative(self, x):
        return 1 - np.square(np.tanh(x))

    def backward(self, grad_output, x, y):
        slope = y * y
        np.subtract(1, slope, out=slope)
        grad_output *= slope
        return grad_output

    def torch_gain(self):
        return 5.0 / 3.0


@ACTIVATIONS.register("softsign")
@dataclass(eq=False)
class Softsign(Activation):
    """f(x) = x / (1 + |x|); f'(x) = 1 / (1 + |x|)^2."""

    output_range = (-1.0, 1.0)
    zero_centred = True

    def function(self, x):
        return x / (1 + np.abs(x))

    def derivative(self, x):
        return 1 / np.square(1 + np.abs(x))


@ACTIVATIONS.register("sine", "sin")
@dataclass(eq=False)
class Sine(Activation):
    """f(x) = sin(x); f'(x) = cos(x). Periodic (SIREN, TensorFlow Playground's "sine"):
    one unit can bend the boundary many times."""

    output_range = (-1.0, 1.0)
    zero_centred = True

    def function(self, x):
        return np.sin(x)

    def derivative(self, x):
        return np.cos(x)


@ACTIVATIONS.register("gaussian")
@dataclass(eq=False)
class Gaussian(Activation):
    """f(x) = exp(-x^2); f'(x) = -2 x exp(-x^2). A radial bump: each unit answers to
    a band of inputs around its hyperplane."""

    output_range = (0.0, 1.0)

    def function(self, x):
        return np.exp(-np.square(x))

    def derivative(self, x):
        return -2 * x * np.exp(-np.square(x))

    def backward(self, grad_output, x, y):
        grad_output *= -2 * x * y  # f'(x) = -2 x f(x)
        return grad_output


@ACTIVATIONS.register("hard_sigmoid")
@dataclass(eq=False)
class HardSigmoid(Activation):
    """f(x) = relu6(x + 3) / 6; f'(x) = 1/6 on (-3, 3), else 0 (torch ``hardsigmoid``).

    Keras 3 uses the same formula; Keras 2 used clip(0.2 x + 0.5, 0, 1).
    """

    output_range = (0.0, 1.0)
    kinks = (-3.0, 3.0)

    def function(self, x):
        return np.clip(x + 3, 0, 6) / 6

    def derivative(self, x):
        return np.where((x > -3) & (x < 3), 1 / 6, 0).astype(x.dtype)


@ACTIVATIONS.register("hard_tanh")
@dataclass(eq=False)
class HardTanh(Activation):
    """f(x) = clip(x, min_val, max_val); f'(x) = 1 on (min_val, max_val), else 0."""

    min_val: float = -1.0
    max_val: float = 1.0

    def __post_init__(self):
        if not self.min_val < self.max_val:
            raise ValueError(f"min_val ({self.min_val}) must be below max_val ({self.max_val})")

    @property
    def output_range(self):
        return (self.min_val, self.max_val)

    @property
    def kinks(self):
        return (self.min_val, self.max_val)

    @property
    def zero_centred(self):
        return self.min_val == -self.max_val

    def function(self, x):
        return np.clip(x, self.min_val, self.max_val)

    def derivative(self, x):
        return ((x > self.min_val) & (x < self.max_val)).astype(x.dtype)


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


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


@ACTIVATIONS.register("softmax")
@dataclass(eq=False)
class Softmax(Activation):
    """p_i = e^(x_i - max x) / sum_j e^(x_j - max x), over the last axis.

    Its Jacobian is diag(p) - p p^T; :meth:`derivative` returns the diagonal
    p_i (1 - p_i) and :meth:`backward` the exact vector-Jacobian product
    p * (g - sum(g * p)). As the output of a classifier it is fused with
    categorical cross-entropy, whose gradient with respect to x is p - y.
    Softmax is an output, not a hidden activation; its gain is taken as 1
    (torch's calculate_gain has no value for it).
    """

    output_range = (0.0, 1.0)

    def function(self, x):
        shifted = x - x.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        return exp / exp.sum(axis=-1, keepdims=True)

    def derivative(self, x):
        p = self.function(x)
        return p * (1 - p)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """Full Jacobian, shape ``(..., k, k)``: d p_i / d x_j = p_i (delta_ij - p_j)."""
        p = self.function(_as_float_array(x))
        return p[..., :, None] * (np.eye(p.shape[-1], dtype=p.dtype) - p[..., None, :])

    def backward(self, grad_output, x, y):
        return y * (grad_output - (grad_output * y).sum(axis=-1, keepdims=True))

    def stated_gain(self):
        return 1.0, "taken as 1: an output activation (torch's calculate_gain has none)"


# The activations with learned parameters beyond PReLU live in their own module.
from . import learned_activations  # noqa: E402, F401
