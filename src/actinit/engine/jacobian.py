"""The input-output Jacobian of a network's hidden layers, and its singular values.

For hidden layers h_l = phi(z_l), z_l = h_{l-1} W_l + b_l (row vectors, W_l of shape
(fan_in, fan_out)), the Jacobian of the last hidden layer's output with respect to
the first hidden layer's output at one input x is

    J(x) = prod_{l = 2..L} W_l D_l,        D_l = diag(phi'(z_l(x))),

a (width x width) matrix for layers of one width. Pennington, Schoenholz & Ganguli
(2017, "Resurrecting the sigmoid in deep learning through dynamical isometry") show
that at the edge of chaos orthogonal weights keep the singular values of J together
for deep tanh networks (*dynamical isometry*), where Gaussian weights spread them
over orders of magnitude; and ReLU networks cannot have it with either.

Where they sit depends on the pre-activations' variance q, not only on the weights.
Pennington et al. work at a small fixed point q* > 0, where the squared singular
values average chi^L = 1 and orthogonal weights keep them near 1. At sigma_b = 0
(tanh's edge sigma_w = 1, q* = 0) with inputs of unit variance, q decays towards 0
only polynomially and every layer's slope tanh'(z) < 1 shrinks J: at width 128 the
singular values of orthogonal networks cluster around 0.58 at 4 layers, 0.27 at 16
and 0.13 at 64 (the middle 80% within a factor of 4 to 6), where Gaussian weights
spread them over 5 to 18 decades. Started near q = 0 (inputs of variance 1e-3) the
same orthogonal networks sit at 0.99 (16 layers) and 0.95 (64).
"""

from __future__ import annotations

import numpy as np

from .layers import Dense


def hidden_jacobians(model, X: np.ndarray) -> np.ndarray:
    """J(x) for every row x of ``X`` (n, n_features): shape (n, width, width), from
    the first hidden layer's output to the last's. Needs a built network whose hidden
    layers are Dense layers of one width (batch norm, dropout and maxout are not
    covered)."""
    jacobian, log_scale = _scaled_jacobians(*_checked(model, X))
    return jacobian * np.exp(log_scale)[:, None, None]


def jacobian_singular_values(model, X: np.ndarray) -> np.ndarray:
    """The singular values of :func:`hidden_jacobians` at every row of ``X``: shape
    (n, width), each row in decreasing order (computed on the renormalized product, so
    they underflow to 0 only below about 1e-308)."""
    jacobian, log_scale = _scaled_jacobians(*_checked(model, X))
    return np.linalg.svd(jacobian, compute_uv=False) * np.exp(log_scale)[:, None]


def _checked(model, X: np.ndarray) -> tuple[list, np.ndarray, int]:
    hidden = model.layers[:-1]
    if len(hidden) < 2 or not all(type(layer) is Dense for layer in hidden):
        raise ValueError(
            "the hidden-layer Jacobian needs at least 2 hidden layers, all Dense (no "
            "batch norm, dropout or maxout between them)"
        )
    widths = {layer.units for layer in hidden}
    if len(widths) != 1:
        raise ValueError(f"the hidden layers must share one width, got {sorted(widths)}")
    inputs = np.asarray(X, dtype=model.dtype)
    if inputs.ndim != 2:
        raise ValueError(f"X must be a (samples, features) array, got shape {inputs.shape}")
    return hidden, inputs, widths.pop()


def _scaled_jacobians(hidden: list, inputs: np.ndarray, width: int):
    """(J / s, log s) per sample: the product is renormalized after every layer, as
    deep products reach subnormal numbers (slow) or overflow long before their
    singular values stop meaning something."""
    output = hidden[0].forward(inputs, False, None)
    jacobian = np.broadcast_to(np.eye(width, dtype=np.float64), (len(inputs), width, width))
    log_scale = np.zeros(len(inputs))
    for layer in hidden[1:]:
        z = output @ layer.W + (layer.b if layer.use_bias else 0)
        slope = layer.activation.derivative(z).astype(np.float64)
        jacobian = jacobian @ (layer.W.astype(np.float64)[None, :, :] * slope[:, None, :])
        norm = np.sqrt(np.einsum("sij,sij->s", jacobian, jacobian))
        norm = np.where(norm > 0, norm, 1.0)
        jacobian = jacobian / norm[:, None, None]
        log_scale += np.log(norm)
        output = layer.activation.function(z)
    return jacobian, log_scale
