"""Identity, step, the classic squashing functions, and softmax for the output."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import (
    ACTIVATIONS,
    Activation,
    _as_float_array,
    _sigmoid,
)

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
