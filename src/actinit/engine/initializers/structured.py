"""Initializers that shape the whole matrix or look at data: orthogonal, identity,
ZerO's Hadamard matrices, Fixup, and the data-dependent ones (LSUV, Kraehenbuehl)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import (
    INITIALIZERS,
    Initializer,
    get,
)

# --------------------------------------------------------------------------
# Structured matrices
# --------------------------------------------------------------------------


@INITIALIZERS.register("orthogonal")
@dataclass(eq=False)
class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2014); ``gain="auto"``
    takes the gain of the layer's activation (as ``torch.nn.init.orthogonal_(w,
    calculate_gain(...))``).

    The QR decomposition of a standard normal matrix, with Q's column signs fixed by
    sign(diag R) so the result is uniform over orthogonal matrices. For a
    ``(fan_in, fan_out)`` weight, W^T W = gain^2 I when fan_in >= fan_out, else
    W W^T = gain^2 I."""

    gain: float | str = 1.0

    def __post_init__(self):
        if isinstance(self.gain, str) and self.gain != "auto":
            if self.gain.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
                raise ValueError(f"gain must be a finite number, got {self.gain}")
            raise ValueError(f"orthogonal: gain is a number or 'auto', got {self.gain!r}")
        if not isinstance(self.gain, str) and not math.isfinite(self.gain):
            raise ValueError(f"gain must be a finite number, got {self.gain}")

    def bind(self, activation: Any) -> Initializer:
        """``gain="auto"``: the gain of the activation the layer feeds (torch's
        calculate_gain where it has one: tanh 5/3, relu sqrt 2, selu 3/4), or of the
        layer itself when it has one of its own (maxout, gated units: ``gain``)."""
        if self.gain != "auto":
            return self
        if hasattr(activation, "gain") and not callable(activation.gain):
            gain = activation.gain
        else:
            from .. import activations  # imported here: activations do not need initializers

            gain = activations.get(activation).gain
        return type(self)(**{**self.__dict__, "gain": float(gain)})

    def _gain(self) -> float:
        if self.gain == "auto":
            raise ValueError(
                "orthogonal(gain=auto) takes the gain of the layer it initializes: use it "
                "in a layer (Dense, Maxout or GatedLinear), or give a number"
            )
        return float(self.gain)

    def sample(self, shape, rng):
        rows, cols = shape[0], math.prod(shape[1:]) if len(shape) > 1 else 1
        flat = rng.standard_normal((rows, cols))
        if rows < cols:
            flat = flat.T
        q, r = np.linalg.qr(flat)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self._gain() * q.reshape(shape)

    def variance(self, shape):
        """gain^2 min(rows, cols) / (rows cols): the squares of an orthonormal set of
        min(rows, cols) vectors sum to that many."""
        rows, cols = shape[0], math.prod(shape[1:]) if len(shape) > 1 else 1
        return self._gain() ** 2 * min(rows, cols) / (rows * cols)


@INITIALIZERS.register("identity", "eye")
@dataclass(eq=False)
class Identity(Initializer):
    """``gain`` times the identity matrix (rectangular: ones on the main diagonal)."""

    gain: float = 1.0

    def sample(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(f"identity needs a 2-D weight shape, got {shape}")
        return self.gain * np.eye(*shape)


@INITIALIZERS.register("lsuv")
@dataclass(eq=False)
class LSUV(Orthogonal):
    """Layer-sequential unit variance (Mishkin & Matas 2016).

    Starts orthogonal; then, before training, each layer in turn has its weights
    rescaled until its pre-activation variance on a batch of data is 1 (within
    ``tolerance``, at most ``max_iterations`` passes). The model runs that pass
    on the first batch it trains on (see ``Sequential.fit``)."""

    tolerance: float = 0.1
    max_iterations: int = 10
    data_dependent = True

    def variance(self, shape):
        return None  # set by the data, not by the draw

    def fit_to_data(self, layer, inputs: np.ndarray) -> None:
        """W / sqrt(var(z)) until var(z) on ``inputs`` is within tolerance of 1."""
        for _ in range(self.max_iterations):
            layer.forward(inputs, False, None)
            variance = float(np.var(layer.pre_activation))
            if abs(variance - 1.0) < self.tolerance or variance == 0:
                break
            layer.W /= math.sqrt(variance)


@INITIALIZERS.register("data_dependent", "kraehenbuehl")
@dataclass(eq=False)
class DataDependent(Initializer):
    """Data-dependent initialization (Krähenbühl, Doersch, Donahue & Darrell 2016),
    its within-layer step: draw W from ``base`` (a Gaussian), then, on a batch of
    data and layer by layer, rescale each unit j so that its pre-activation z_j has
    mean ``beta`` and variance 1 over the batch:

        W_:j <- W_:j / sigma_j,    b_j <- beta - mu_j / sigma_j,

    mu_j and sigma_j the mean and standard deviation of z_j = x W_:j + b_j. The model
    runs it on the first batch it trains on, like LSUV. (The paper's second,
    between-layer step, which equalizes the layers' rates of change, is not done.)"""

    base: str = "random_normal(std=0.01)"
    beta: float = 0.0
    data_dependent = True

    def __post_init__(self):
        self._base = get(self.base)
        if self._base.data_dependent:
            raise ValueError("data_dependent: base must be a plain random initializer")

    def sample(self, shape, rng):
        return self._base.sample(shape, rng)

    def fit_to_data(self, layer, inputs: np.ndarray) -> None:
        layer.forward(inputs, False, None)
        z = layer.pre_activation.reshape(len(inputs), -1)
        mean, std = z.mean(axis=0), z.std(axis=0)
        scale = np.where(std > 0, 1.0 / np.where(std > 0, std, 1.0), 1.0)
        layer.W *= scale.astype(layer.W.dtype)
        if layer.use_bias:  # without a bias only the scale can be set
            layer.b[...] = self.beta + (layer.b - mean) * scale


def initialize_from_data(layers: list, X: np.ndarray) -> None:
    """Run every data-dependent initializer (LSUV, data_dependent) of ``layers`` (a
    network's layers in order) on the batch ``X``: each such layer, in order, is fit
    to the batch as it arrives through the layers before it (already fitted)."""
    inputs = X
    for layer in layers:
        initializer = getattr(layer, "init", None)
        if getattr(initializer, "data_dependent", False):
            initializer.fit_to_data(layer, inputs)
        inputs = layer.forward(inputs, False, None)


#: The former name (LSUV was the first data-dependent initializer here).
lsuv_initialize = initialize_from_data


@INITIALIZERS.register("zero_hadamard", "zer_o")
@dataclass(eq=False)
class ZerO(Initializer):
    """ZerO initialization (Zhao, Schäfer & Anandkumar 2022): only zeros and ones, no
    randomness. For a layer from n_in to n_out units (W of shape (n_in, n_out)):

    * n_in = n_out: the identity;
    * n_out < n_in: the partial identity (ones on the main diagonal);
    * n_out > n_in: c H_m[:n_in, :n_out], H_m the Sylvester-Hadamard matrix of size
      2^m, m = ceil(log2(n_out)), c = 2^(-(m - 1) / 2).

    With zero biases. The Hadamard factor breaks the symmetry a partial identity
    would leave when a layer widens."""

    def sample(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(f"ZerO needs a 2-D weight shape, got {shape}")
        n_in, n_out = shape
        if n_out <= n_in:
            return np.eye(n_in, n_out)
        m = math.ceil(math.log2(n_out))
        return 2.0 ** (-(m - 1) / 2) * _hadamard(m)[:n_in, :n_out]


def _hadamard(m: int) -> np.ndarray:
    """The Sylvester-Hadamard matrix of size 2^m: H_0 = [1], H_m = [[H, H], [H, -H]]."""
    matrix = np.ones((1, 1))
    for _ in range(m):
        matrix = np.block([[matrix, matrix], [matrix, -matrix]])
    return matrix


@INITIALIZERS.register("fixup")
@dataclass(eq=False)
class Fixup(Initializer):
    """Fixup's depth scaling (Zhang, Dauphin & Ma 2019): a weight layer inside one of
    ``depth`` residual branches of ``branch_layers`` layers each is drawn from
    ``base`` (He) and scaled by depth^(-1 / (2 branch_layers - 2)), so that the sum of
    the branches' updates stays bounded however deep the network is. Fixup also sets
    each branch's last layer and the classifier to zero (give those layers
    ``zeros``); actinit's plain networks have no residual branches, so here it is the
    rule's scale on every layer it initializes."""

    depth: int = 1
    branch_layers: int = 2
    base: str = "kaiming_normal"

    def __post_init__(self):
        for name, low in (("depth", 1), ("branch_layers", 2)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"fixup: {name} is a whole number >= {low}, got {value!r}")
        self._base = get(self.base)

    @property
    def scale(self) -> float:
        """depth^(-1 / (2 m - 2)), m = branch_layers."""
        return self.depth ** (-1.0 / (2 * self.branch_layers - 2))

    def sample(self, shape, rng):
        return self.scale * self._base.sample(shape, rng)

    def variance(self, shape):
        base = self._base.variance(shape)
        return None if base is None else self.scale**2 * base
