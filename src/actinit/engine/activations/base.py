"""What every activation is: the :class:`Activation` base class (a function, its exact
derivative and the facts a study needs), the registry that names them, and the
helpers their formulas share."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..registry import Configurable, Registry
from ..special import normal_pdf

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
