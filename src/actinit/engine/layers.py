"""Layers: ``Dense``, ``Maxout``, ``Dropout``, ``BatchNorm``.

A layer maps ``x`` of shape ``(n_samples, input_dim)`` to ``(n_samples, units)``.
Protocol, used by :class:`~actinit.engine.model.Sequential`:

* ``build(input_dim, rng, dtype) -> output_dim`` creates the parameters;
* ``forward(x, training, rng) -> y`` keeps what ``backward`` needs;
* ``backward(grad_y) -> grad_x`` fills ``gradients()`` (same keys as ``parameters()``);
  it may overwrite ``grad_y``, which the engine always hands over freshly made;
* ``parameters()`` and ``buffers()`` (non-trained state such as running means);
* ``config()`` describes the layer so it can be rebuilt (``LAYERS[kind](**config)``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import activations as activations_module
from . import initializers as initializers_module
from .registry import SpecError, parse_spec
from .regularizers import Regularizer
from .regularizers import get as get_regularizer
from .special import normal_cdf, normal_pdf


class Layer:
    """A layer of a :class:`~actinit.engine.model.Sequential`: ``forward(x)`` maps
    ``(n_samples, input_dim)`` to ``(n_samples, units)``; ``backward(grad)`` takes the
    gradient of the loss with respect to that output and returns it with respect to
    the input, keeping the gradients of its own parameters."""

    kind = "layer"

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.input_dim: int | None = None
        self.output_dim: int | None = None
        #: False for the first layer: the gradient with respect to the data is not needed.
        self.needs_input_gradient = True
        self._parameters: dict[str, np.ndarray] = {}
        self._gradients: dict[str, np.ndarray] = {}

    @property
    def built(self) -> bool:
        return self.output_dim is not None

    def build(self, input_dim: int, rng: np.random.Generator, dtype: np.dtype) -> int:
        self.input_dim = self.output_dim = input_dim
        return input_dim

    def planned_size(self, input_dim: int) -> tuple[int, int]:
        """(number of parameters, output width) this layer would have on inputs of
        width ``input_dim``, known before anything is allocated."""
        return 0, input_dim

    def forward(self, x: np.ndarray, training: bool = False, rng: Any = None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_output: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def parameters(self) -> dict[str, np.ndarray]:
        return self._parameters

    def gradients(self) -> dict[str, np.ndarray]:
        return self._gradients

    def buffers(self) -> dict[str, np.ndarray]:
        return {}

    def penalty(self) -> float:
        """Regularization loss this layer adds (0 without a regularizer)."""
        return 0.0

    def add_penalty_gradients(self) -> None:
        """Add the regularizer's gradient to ``gradients()``."""

    def apply_constraints(self) -> None:
        """Project parameters back into their constraint set after an update (max-norm)."""

    def config(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(
            f"{key}={value!r}" for key, value in self.config().items() if key != "name"
        )
        return f"{type(self).__name__}({args})"


class Affine(Layer):
    """A layer with weights (Dense, Maxout): z = x W + b with W of shape
    ``(input_dim, width)``. ``activation_label`` names what follows the affine map."""

    #: What ``init="auto"`` stands for (a Dense layer asks its activation instead).
    auto_init = "glorot_uniform"

    def __init__(
        self,
        units: int,
        init: Any = "glorot_uniform",
        bias_init: Any = "zeros",
        use_bias: bool = True,
        regularizer: Any = None,
        max_norm: float | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if isinstance(init, str) and init == "auto":
            init = self.auto_init
        if not _is_count(units):
            raise ValueError(f"units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.init = initializers_module.get(init)
        self.bias_init = initializers_module.get(bias_init)
        self.use_bias = bool(use_bias)
        self.regularizer: Regularizer | None = get_regularizer(regularizer)
        if max_norm is not None and not max_norm > 0:
            raise ValueError(f"max_norm must be positive, got {max_norm!r}")
        self.max_norm = max_norm
        #: 1 for kept weights, 0 for pruned ones (see actinit.engine.pruning); None: no mask.
        self.weight_mask: np.ndarray | None = None

    @property
    def activation_label(self) -> str:
        """The activation as a study names it: ``"relu"``, ``"maxout(pieces=3)"``."""
        raise NotImplementedError

    @property
    def recommended_init(self) -> str:
        """The weight initializer this layer's activation calls for."""
        raise NotImplementedError

    @property
    def output_range(self) -> tuple[float, float]:
        """The (lower, upper) bounds of this layer's outputs."""
        return (-math.inf, math.inf)

    @property
    def gain(self) -> float:
        """The factor by which weights of unit variance per input should be scaled so
        that the layer keeps its input's second moment: 1 / sqrt(E[f(z)^2]) of its unit
        at z ~ N(0, 1) (torch's calculate_gain where it has one, for a Dense layer's
        activation). What ``orthogonal(gain=auto)`` uses."""
        raise NotImplementedError

    @property
    def constrained(self) -> bool:
        return self.max_norm is not None or self.weight_mask is not None

    #: Affine maps per output unit (a maxout layer has ``pieces`` of them).
    pieces = 1

    def planned_size(self, input_dim: int) -> tuple[int, int]:
        width = self.units * self.pieces
        return (input_dim + self.use_bias) * width, self.units

    def _build_affine(self, input_dim: int, width: int, rng, dtype) -> None:
        self.input_dim = input_dim
        self.W = self.init((input_dim, width), rng, dtype)
        self._parameters = {"W": self.W}
        self._gradients = {"W": np.zeros_like(self.W)}
        if self.use_bias:
            self.b = self.bias_init((width,), rng, dtype)
            self._parameters["b"] = self.b
            self._gradients["b"] = np.zeros_like(self.b)

    def _affine(self, x: np.ndarray) -> np.ndarray:
        self._x = x
        z = x @ self.W
        if self.use_bias:
            z += self.b
        return z

    def _affine_backward(self, grad_z: np.ndarray) -> np.ndarray | None:
        self.pre_activation_gradient = grad_z  # d loss / dz, kept (not copied) for probes
        np.matmul(self._x.T, grad_z, out=self._gradients["W"])
        if self.use_bias:
            # np.add.reduce, not np.sum: the Python wrapper costs more than the sum here.
            np.add.reduce(grad_z, axis=0, out=self._gradients["b"])
        if self.needs_input_gradient:
            return grad_z @ self.W.T
        return None

    def penalty(self) -> float:
        return self.regularizer.penalty(self.W) if self.regularizer else 0.0

    def add_penalty_gradients(self) -> None:
        if self.regularizer:
            self._gradients["W"] += self.regularizer.gradient(self.W)

    def apply_constraints(self) -> None:
        if self.max_norm is not None:
            apply_max_norm(self.W, self.max_norm)
        if self.weight_mask is not None:
            self.W *= self.weight_mask

    def config(self) -> dict[str, Any]:
        return {
            "init": self.init.spec(),
            "bias_init": self.bias_init.spec(),
            "use_bias": self.use_bias,
            "regularizer": self.regularizer.spec() if self.regularizer else None,
            "max_norm": self.max_norm,
            "name": self.name,
        }


def apply_max_norm(weight: np.ndarray, max_norm: float) -> None:
    """Rescale in place each unit's incoming weight vector (a column of
    ``weight``, shape (input_dim, units)) whose L2 norm exceeds ``max_norm``
    (Srivastava et al. 2014)."""
    norms = np.sqrt(np.einsum("ij,ij->j", weight, weight))
    too_large = norms > max_norm
    if too_large.any():
        weight[:, too_large] *= max_norm / norms[too_large]


class Dense(Affine):
    """Fully connected layer: y = f(x W + b).

    x: ``(n, input_dim)``; W: ``(input_dim, units)``; b: ``(units,)``; y: ``(n, units)``.
    ``init`` and ``bias_init`` are initializer names or objects (defaults: Keras's
    glorot_uniform and zeros, whatever the activation, so that a model written as in
    Keras starts as in Keras; ``init="auto"`` takes the activation's recommended
    initializer instead, e.g. he_normal for ReLU, lecun_normal for SELU). ``regularizer`` ("l1(0.01)", "l2(1e-4)", "l1_l2(...)")
    penalises W; ``max_norm`` caps each unit's incoming weight norm after every update.

    After ``forward``, ``pre_activation`` holds z and ``output`` holds y. While
    training, an activation that needs only y for its derivative (ReLU) may work in
    place, so z is kept only in evaluation mode (what ``forward_trace`` uses).
    """

    kind = "dense"

    def __init__(
        self,
        units: int,
        activation: Any = "linear",
        init: Any = "glorot_uniform",
        bias_init: Any = "zeros",
        use_bias: bool = True,
        regularizer: Any = None,
        max_norm: float | None = None,
        name: str | None = None,
    ) -> None:
        given = activation
        _refuse_layer_activation(units, activation)
        activation = activations_module.get(activation)
        if isinstance(init, str) and init == "auto":
            init = activation.recommended_init
        super().__init__(units, init, bias_init, use_bias, regularizer, max_norm, name)
        self.activation = activation
        if self.activation is given and self.activation.parameters():
            # A learned activation (PReLU) must not be shared between layers.
            self.activation = activations_module.get(self.activation.spec())
        self.init = self.init.bind(self.activation)

    @property
    def activation_label(self) -> str:
        return self.activation.spec()

    @property
    def gain(self) -> float:
        return float(self.activation.gain)

    @property
    def recommended_init(self) -> str:
        return self.activation.recommended_init

    @property
    def output_range(self) -> tuple[float, float]:
        return self.activation.output_range

    def build(self, input_dim, rng, dtype):
        self._build_affine(input_dim, self.units, rng, dtype)
        self.activation.build(self.units, dtype)
        for key, value in self.activation.parameters().items():
            self._parameters[key] = value
            self._gradients[key] = self.activation.gradients()[key]
        self.output_dim = self.units
        return self.units

    def forward(self, x, training=False, rng=None):
        z = self._affine(x)
        self.pre_activation = z
        y = self.activation.forward(z, training, rng)
        self.output = y
        return y

    def affine_forward(self, x: np.ndarray) -> np.ndarray:
        """z = x W + b alone, for a loss fused with this layer's activation."""
        z = self._affine(x)
        self.pre_activation = z
        return z

    def backward(self, grad_output):
        grad_z = self.activation.backward(grad_output, self.pre_activation, self.output)
        return self._affine_backward(grad_z)

    def backward_from_pre_activation(self, grad_z: np.ndarray) -> np.ndarray | None:
        """Backward pass given d loss / dz directly (used when the loss is fused)."""
        return self._affine_backward(grad_z)

    def config(self):
        return {"units": self.units, "activation": self.activation.spec(), **super().config()}


class Maxout(Affine):
    """Maxout layer (Goodfellow et al. 2013): y_j = max_k (x W_k + b_k)_j.

    Each of ``units`` outputs is the maximum of ``pieces`` affine functions. W has
    shape ``(input_dim, units * pieces)``, read as ``(input_dim, units, pieces)``;
    the gradient flows only to the winning piece. fan_out counts all pieces.
    """

    kind = "maxout"

    def __init__(
        self,
        units: int,
        pieces: int = 2,
        init: Any = "glorot_uniform",
        bias_init: Any = "zeros",
        use_bias: bool = True,
        regularizer: Any = None,
        max_norm: float | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(units, init, bias_init, use_bias, regularizer, max_norm, name)
        if not _is_count(pieces, 2):
            raise ValueError(f"maxout needs pieces >= 2, got {pieces!r}")
        self.pieces = int(pieces)
        self.activation = None
        self.init = self.init.bind(self)

    @property
    def gain(self) -> float:
        """1 / sqrt(E[M^2]), M the largest of ``pieces`` independent N(0, 1) draws:
        E[M^2] = int m^2 k phi(m) Phi(m)^(k-1) dm (1 for two pieces: M^2 and the
        smaller one's square share E[x^2 + y^2] = 2 equally)."""
        return 1.0 / math.sqrt(_max_of_normals_second_moment(self.pieces))

    @property
    def activation_label(self) -> str:
        return f"maxout(pieces={self.pieces})"

    auto_init = "glorot_uniform"  # Goodfellow et al. 2013 used a uniform init

    @property
    def recommended_init(self) -> str:
        return self.auto_init

    def build(self, input_dim, rng, dtype):
        self._build_affine(input_dim, self.units * self.pieces, rng, dtype)
        self.output_dim = self.units
        return self.units

    def forward(self, x, training=False, rng=None):
        z = self._affine(x).reshape(len(x), self.units, self.pieces)
        self.pre_activation = z
        self._winner = z.argmax(axis=2)[:, :, None]
        self.output = np.take_along_axis(z, self._winner, axis=2)[:, :, 0]
        return self.output

    def backward(self, grad_output):
        grad_z = np.zeros((len(grad_output), self.units, self.pieces), dtype=grad_output.dtype)
        np.put_along_axis(grad_z, self._winner, grad_output[:, :, None], axis=2)
        return self._affine_backward(grad_z.reshape(len(grad_output), -1))

    def config(self):
        return {"units": self.units, "pieces": self.pieces, **super().config()}


_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(101)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def _second_moment(function) -> float:
    """E[f(z)^2] for z ~ N(0, 1), by 101-point Gauss-Hermite quadrature."""
    return float(_WEIGHTS @ np.asarray(function(_NODES), dtype=float) ** 2)


def _max_of_normals_second_moment(pieces: int) -> float:
    """E[M^2] for M the largest of ``pieces`` independent N(0, 1) draws (trapezoid rule
    on [-10, 10])."""
    m = np.linspace(-10, 10, 20001)
    density = pieces * normal_pdf(m) * normal_cdf(m) ** (pieces - 1)
    return float(np.trapezoid(m**2 * density, m))


#: The gated linear units (Dauphin et al. 2017; Shazeer 2020), by the gate's activation.
GATES = {
    "glu": "sigmoid",
    "reglu": "relu",
    "geglu": "gelu",
    "swiglu": "swish",
    "bilinear": "linear",
}


class GatedLinear(Affine):
    """A gated linear unit layer: y = act(x W + b) * (x V + c), two affine maps per
    unit (Dauphin et al. 2017, "Language modeling with gated convolutional
    networks"; Shazeer 2020, "GLU variants improve Transformer"): ``glu`` (sigmoid
    gate), ``reglu`` (ReLU), ``geglu`` (GELU), ``swiglu`` (swish), ``bilinear`` (none).

    Like maxout's pieces, W has shape (input_dim, units * 2), read as (input_dim,
    units, 2): piece 0 of each unit is the gate's map (W, b), piece 1 the value's
    (V, c); both are drawn by one initializer call, so fan_out counts both maps (as
    for maxout). Backward: d/dz_gate = g * value * act'(z_gate), d/dz_value = g *
    act(z_gate). Parameters and FLOPs count both maps.
    """

    kind = "gated"
    pieces = 2

    def __init__(
        self,
        units: int,
        gate: str = "swiglu",
        init: Any = "lecun_normal",
        bias_init: Any = "zeros",
        use_bias: bool = True,
        regularizer: Any = None,
        max_norm: float | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(units, init, bias_init, use_bias, regularizer, max_norm, name)
        if gate not in GATES:
            raise ValueError(f"gate is one of {', '.join(GATES)}; got {gate!r}")
        self.gate = gate
        self.activation = activations_module.get(GATES[gate])
        self.init = self.init.bind(self)

    @property
    def gain(self) -> float:
        """1 / sqrt(E[(g(z) v)^2]) = 1 / sqrt(E[g(z)^2]) for independent z, v ~ N(0, 1):
        the gate's own second moment, computed (bilinear: 1)."""
        return 1.0 / math.sqrt(_second_moment(self.activation.function))

    @property
    def activation_label(self) -> str:
        return self.gate

    auto_init = "lecun_normal"  # each map keeps its input's variance, as nn.Linear layers do

    @property
    def recommended_init(self) -> str:
        return self.auto_init

    def build(self, input_dim, rng, dtype):
        self._build_affine(input_dim, self.units * 2, rng, dtype)
        self.output_dim = self.units
        return self.units

    def forward(self, x, training=False, rng=None):
        z = self._affine(x).reshape(len(x), self.units, 2)
        self.pre_activation = z.reshape(len(x), -1)
        self._gate_in, self._value = z[:, :, 0], z[:, :, 1]
        self._gate_out = self.activation.function(self._gate_in)
        self.output = self._gate_out * self._value
        return self.output

    def backward(self, grad_output):
        grad_z = np.empty((len(grad_output), self.units, 2), dtype=grad_output.dtype)
        grad_z[:, :, 1] = grad_output * self._gate_out
        grad_z[:, :, 0] = self.activation.backward(
            grad_output * self._value, self._gate_in, self._gate_out
        )
        return self._affine_backward(grad_z.reshape(len(grad_output), -1))

    def config(self):
        return {"units": self.units, "gate": self.gate, **super().config()}


class Dropout(Layer):
    """Inverted dropout (Srivastava et al. 2014): while training each input is zeroed
    with probability ``rate`` and the survivors scaled by 1 / (1 - rate), so nothing
    changes at evaluation time."""

    kind = "dropout"

    def __init__(self, rate: float = 0.5, name: str | None = None) -> None:
        super().__init__(name)
        if not 0 <= rate < 1:
            raise ValueError(f"dropout rate must lie in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self._mask: np.ndarray | None = None

    def forward(self, x, training=False, rng=None):
        if not training or self.rate == 0:
            self._mask = None
            return x
        if rng is None:
            raise ValueError("dropout needs a random generator while training")
        keep = rng.random(x.shape) >= self.rate
        self._mask = keep.astype(x.dtype) / (1 - self.rate)
        return x * self._mask

    def backward(self, grad_output):
        return grad_output if self._mask is None else grad_output * self._mask

    def config(self):
        return {"rate": self.rate, "name": self.name}


class BatchNorm(Layer):
    """Batch normalization (Ioffe & Szegedy 2015) over the batch axis, as torch's
    ``BatchNorm1d``: y = gamma (x - mean) / sqrt(var + eps) + beta.

    Training uses the batch's mean and biased variance and updates running
    estimates: running = (1 - momentum) running + momentum batch (the running
    variance with the unbiased estimate). Evaluation uses the running estimates.
    Defaults momentum = 0.1, eps = 1e-5 (torch; Keras's momentum 0.99 means the
    same as torch's 0.01).
    """

    kind = "batchnorm"

    def __init__(self, momentum: float = 0.1, eps: float = 1e-5, name: str | None = None) -> None:
        super().__init__(name)
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must lie in [0, 1], got {momentum!r}")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        self.momentum, self.eps = float(momentum), float(eps)

    def build(self, input_dim, rng, dtype):
        self.input_dim = self.output_dim = input_dim
        self.gamma = np.ones(input_dim, dtype=dtype)
        self.beta = np.zeros(input_dim, dtype=dtype)
        self._parameters = {"gamma": self.gamma, "beta": self.beta}
        self._gradients = {"gamma": np.zeros_like(self.gamma), "beta": np.zeros_like(self.beta)}
        self.running_mean = np.zeros(input_dim, dtype=dtype)
        self.running_var = np.ones(input_dim, dtype=dtype)
        return input_dim

    def planned_size(self, input_dim: int) -> tuple[int, int]:
        return 2 * input_dim, input_dim

    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    #: Normalize with the batch's own statistics even in evaluation mode, leaving the
    #: running estimates alone: how a probe sees the network as training does.
    probe_batch_statistics = False

    def forward(self, x, training=False, rng=None):
        self._batch_statistics = training or self.probe_batch_statistics
        if not self._batch_statistics:
            self._inverse_std = 1.0 / np.sqrt(self.running_var + self.eps)
            self._normalized = (x - self.running_mean) * self._inverse_std
            return self._normalized * self.gamma + self.beta
        n = len(x)
        if n < 2:
            raise ValueError(
                "batch normalization needs at least 2 samples per batch while training"
            )
        mean = x.mean(axis=0)
        variance = x.var(axis=0)
        self._inverse_std = 1.0 / np.sqrt(variance + self.eps)
        self._normalized = (x - mean) * self._inverse_std
        if not training:
            return self._normalized * self.gamma + self.beta
        self.running_mean *= 1 - self.momentum
        self.running_mean += self.momentum * mean
        self.running_var *= 1 - self.momentum
        self.running_var += self.momentum * variance * (n / (n - 1))
        return self._normalized * self.gamma + self.beta

    def backward(self, grad_output):
        normalized = self._normalized
        np.sum(grad_output * normalized, axis=0, out=self._gradients["gamma"])
        np.sum(grad_output, axis=0, out=self._gradients["beta"])
        if not self.needs_input_gradient:
            return None
        grad_normalized = grad_output * self.gamma
        if not self._batch_statistics:
            return grad_normalized * self._inverse_std
        n = len(grad_output)
        return (self._inverse_std / n) * (
            n * grad_normalized
            - grad_normalized.sum(axis=0)
            - normalized * (grad_normalized * normalized).sum(axis=0)
        )

    def config(self):
        return {"momentum": self.momentum, "eps": self.eps, "name": self.name}


def affine_layer(units: int, activation: Any = "linear", **options: Any) -> Affine:
    """A weighted layer for an activation as studies name it: ``"maxout(k)"`` or
    ``"maxout(pieces=k)"`` gives a :class:`Maxout` layer of k pieces (maxout is a
    layer, not an elementwise function), ``"swiglu"`` and the other :data:`GATES` a
    :class:`GatedLinear` layer, any other activation a :class:`Dense` layer. ``options``: init, bias_init, regularizer, ... as the layers take them."""
    if isinstance(activation, str) and parse_spec(activation)[0] == "maxout":
        _, args, kwargs = parse_spec(activation)
        pieces = args[0] if args else kwargs.get("pieces", 2)
        if len(args) + len(kwargs) > 1 or set(kwargs) - {"pieces"} or not _is_count(pieces, 2):
            raise SpecError(
                f"maxout takes one parameter, pieces >= 2 (e.g. 'maxout(3)'), got {activation!r}"
            )
        return Maxout(units, pieces, **options)
    if isinstance(activation, str) and parse_spec(activation)[0] in GATES:
        name, args, kwargs = parse_spec(activation)
        if args or kwargs:
            raise SpecError(f"{name} takes no parameters (it is a gated layer), got {activation!r}")
        return GatedLinear(units, name, **options)
    return Dense(units, activation, **options)


def _refuse_layer_activation(units: Any, activation: Any) -> None:
    """Maxout and the gated units are layers of their own (several affine maps per
    unit), not elementwise activations a Dense layer can apply: say which layer to use."""
    if not isinstance(activation, str):
        return
    try:
        name = parse_spec(activation)[0]
    except SpecError:
        return
    if name in GATES:
        raise ValueError(
            f"{name} is a gated linear unit (two affine maps per unit), a layer of its own: "
            f"use GatedLinear({units!r}, gate={name!r}), or actinit.engine.layers.affine_layer"
            f"({units!r}, {name!r}) "
            "which picks the layer for any activation name"
        )
    if name == "maxout":
        raise ValueError(
            f"maxout is a layer of its own (the max of several affine maps per unit): use "
            f"Maxout({units!r}, pieces=2), or actinit.engine.layers.affine_layer({units!r}, "
            f"{activation!r})"
        )


def _is_count(value: Any, minimum: int = 1) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum


LAYERS: dict[str, type[Layer]] = {
    cls.kind: cls for cls in (Dense, Maxout, GatedLinear, Dropout, BatchNorm)
}


def layer_from_config(kind: str, config: dict[str, Any]) -> Layer:
    """The layer a saved description names: ``kind`` (a key of :data:`LAYERS`) built
    from ``config`` (its constructor's arguments); ValueError for an unknown kind."""
    if kind not in LAYERS:
        raise ValueError(f"unknown layer kind {kind!r}; known: {', '.join(LAYERS)}")
    return LAYERS[kind](**config)
