"""Weight initializers: ``init(shape, rng, dtype) -> ndarray``.

A weight has shape ``(fan_in, fan_out)`` (rows are inputs, as ``X @ W``); a bias has
shape ``(units,)``, for which fan_in = fan_out = units. Randomness only comes from
the ``numpy.random.Generator`` passed in.

Two conventions for "normal" live side by side and are named apart:

* **PyTorch** (``torch.nn.init``): ``xavier_normal``, ``xavier_uniform``,
  ``kaiming_normal``, ``kaiming_uniform`` draw from a plain normal (or uniform), with
  a ``gain`` from the nonlinearity.
* **Keras** (``keras.initializers``): ``glorot_normal``, ``he_normal``,
  ``lecun_normal`` draw from a normal truncated at two standard deviations and
  rescaled by 1/0.8796256610342398 so the variance after truncation is still the
  target; ``glorot_uniform``, ``he_uniform``, ``lecun_uniform`` are uniform.

All variance-based initializers are :class:`VarianceScaling` with fixed arguments,
so the formula lives in one place: variance = scale / n, with n = fan_in, fan_out or
(fan_in + fan_out) / 2 by ``mode``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .registry import Configurable, Registry

#: Std of a standard normal truncated to [-2, 2]: the Keras rescaling constant.
TRUNCATED_NORMAL_STD = 0.87962566103423978

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")


class Initializer(Configurable):
    """Base class: ``init(shape, rng, dtype=np.float64)`` returns a new array."""

    #: True for initializers that need data after building (LSUV).
    data_dependent: bool = False

    def __call__(
        self, shape: tuple[int, ...] | int, rng: np.random.Generator, dtype: Any = np.float64
    ) -> np.ndarray:
        shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
        if any(s <= 0 for s in shape):
            raise ValueError(f"cannot initialize a weight of shape {shape}: sizes must be positive")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"initializers need a numpy.random.Generator, got {type(rng).__name__}; "
                "use numpy.random.default_rng(seed)"
            )
        return self.sample(shape, rng).astype(dtype, copy=False)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def variance(self, shape: tuple[int, ...]) -> float | None:
        """Var(w) of each entry of a weight of this ``shape``, where the initializer
        draws entries of mean 0 from a distribution that fixes it; None where it
        does not (a non-zero mean, a data-dependent or deterministic matrix)."""
        return None

    def bind(self, activation: Any) -> Initializer:
        """This initializer for a layer of ``activation``: itself, unless it depends on
        the activation it feeds and was not told one (``critical``)."""
        return self


INITIALIZERS: Registry[Initializer] = Registry("initializer", Initializer)
# The edge-of-chaos initializer needs mean-field theory, a floor above the engine.
INITIALIZERS.provided_by("actinit.theory", "critical", "edge_of_chaos")


def get(identifier: Any) -> Initializer:
    """An initializer from a name, a ``"name(args)"`` string, a dict or an object."""
    return INITIALIZERS.get(identifier)


def register(name: str, sample: Any = None):
    """Add an initializer to the catalogue, usable by name everywhere (models, study
    files, the playground, saved model files). From a function of (shape, rng)::

        ai.initializers.register("plus_minus_one", lambda shape, rng: rng.choice([-1.0, 1.0], shape))

    or as a class decorator on an :class:`Initializer` dataclass with a ``sample``
    method (for parameters)."""
    if sample is None:

        def decorate(cls: type) -> type:
            INITIALIZERS.add_custom(name, cls)
            return cls

        return decorate
    if not callable(sample):
        raise TypeError(f"register({name!r}, sample) needs a function of (shape, rng)")
    namespace = {"sample": lambda self, shape, rng: np.asarray(sample(shape, rng), dtype=float)}
    cls = dataclass(eq=False)(type(f"Custom_{name}", (Initializer,), namespace))
    _check_registered(name, sample)
    INITIALIZERS.add_custom(name, cls)
    return cls


def _check_registered(name: str, sample: Any) -> None:
    """Draw once from a newly registered initializer, so that a function of the wrong
    shape, type or arity fails here, named, not deep inside NumPy during a run."""
    try:
        drawn = np.asarray(sample((4, 3), np.random.default_rng(0)))
    except Exception as error:
        raise TypeError(
            f"initializer {name!r}: a function of (shape, rng) is needed; called with "
            f"((4, 3), rng) it raised {type(error).__name__}: {error}"
        ) from None
    if drawn.shape != (4, 3) or drawn.dtype.kind not in "fiub":
        raise TypeError(
            f"initializer {name!r}: asked for shape (4, 3) it returned {drawn.dtype} of "
            f"shape {drawn.shape}; return numbers of the shape asked for"
        )
    if not np.isfinite(drawn.astype(float)).all():
        raise ValueError(f"initializer {name!r}: its draw is not finite: {drawn.ravel()}")


def custom_components() -> dict[str, dict[str, Any]]:
    """Every activation and initializer users registered in this process, to hand to
    worker processes (which import actinit afresh)."""
    from .activations import ACTIVATIONS

    return {"activations": dict(ACTIVATIONS.custom), "initializers": dict(INITIALIZERS.custom)}


def install_components(components: dict[str, dict[str, Any]]) -> None:
    """Register in this process what :func:`custom_components` gave."""
    from .activations import ACTIVATIONS

    ACTIVATIONS.install(components.get("activations", {}))
    INITIALIZERS.install(components.get("initializers", {}))


def names() -> list[str]:
    return INITIALIZERS.names()


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape ``(fan_in, fan_out, ...)``; a 1-D shape
    ``(n,)`` has fan_in = fan_out = n. Extra axes multiply both (receptive field)."""
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[2:])
    return shape[0] * receptive, shape[1] * receptive


def truncated_standard_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard normal draws with every value outside [-2, 2] drawn again."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return values


# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------


@INITIALIZERS.register("zeros", "zero")
@dataclass(eq=False)
class Zeros(Initializer):
    """All zeros. For weights this never breaks symmetry: every unit of a layer
    receives the same gradient and stays identical to its neighbours."""

    def sample(self, shape, rng):
        return np.zeros(shape)

    def variance(self, shape):
        return 0.0


@INITIALIZERS.register("ones")
@dataclass(eq=False)
class Ones(Initializer):
    """All ones (the classic studies' bias initializer)."""

    def sample(self, shape, rng):
        return np.ones(shape)


@INITIALIZERS.register("constant")
@dataclass(eq=False)
class Constant(Initializer):
    """Every entry equal to ``value``."""

    value: float = 0.0

    def sample(self, shape, rng):
        return np.full(shape, float(self.value))


# --------------------------------------------------------------------------
# Plain random draws with a chosen scale
# --------------------------------------------------------------------------


@dataclass(eq=False)
class _MeanStd(Initializer):
    mean: float = 0.0
    std: float = 1.0

    def __post_init__(self):
        if self.std < 0:
            raise ValueError(f"std must be >= 0, got {self.std}")


@INITIALIZERS.register("random_normal", "normal")
@dataclass(eq=False)
class RandomNormal(_MeanStd):
    """N(mean, std^2). Defaults mean 0, std 1 as ``torch.nn.init.normal_``; Keras's
    ``RandomNormal`` defaults to std 0.05. ``random_normal(std=10)`` is the classic
    "large random" initialization."""

    def sample(self, shape, rng):
        return rng.normal(self.mean, self.std, size=shape)

    def variance(self, shape):
        return float(self.std) ** 2 if self.mean == 0 else None


@INITIALIZERS.register("random_uniform", "uniform")
@dataclass(eq=False)
class RandomUniform(Initializer):
    """U(low, high). Defaults 0 and 1 as ``torch.nn.init.uniform_``; Keras's
    ``RandomUniform`` defaults to U(-0.05, 0.05)."""

    low: float = 0.0
    high: float = 1.0

    def __post_init__(self):
        if not self.low <= self.high:
            raise ValueError(f"need low <= high, got low={self.low}, high={self.high}")

    def sample(self, shape, rng):
        return rng.uniform(self.low, self.high, size=shape)

    def variance(self, shape):
        """(high - low)^2 / 12 where the interval is centred on 0."""
        return (self.high - self.low) ** 2 / 12 if self.low == -self.high else None


@INITIALIZERS.register("truncated_normal")
@dataclass(eq=False)
class TruncatedNormal(_MeanStd):
    """N(mean, std^2) with draws beyond mean +/- 2 std drawn again.

    ``std`` is the std of the normal *before* truncation (as torch's
    ``trunc_normal_`` and Keras's ``TruncatedNormal``), so the variance of the
    result is 0.7737 std^2. Defaults mean 0, std 1 (torch; Keras uses 0.05).
    """

    mean: float = 0.0
    std: float = 1.0

    def __post_init__(self):
        if self.std < 0:
            raise ValueError(f"std must be >= 0, got {self.std}")

    def sample(self, shape, rng):
        return self.mean + self.std * truncated_standard_normal(shape, rng)

    def variance(self, shape):
        """0.7737 std^2: the variance of a normal truncated at 2 std."""
        return (TRUNCATED_NORMAL_STD * self.std) ** 2 if self.mean == 0 else None


# --------------------------------------------------------------------------
# Variance scaling: Glorot / Xavier, He / Kaiming, LeCun
# --------------------------------------------------------------------------


@INITIALIZERS.register("variance_scaling")
@dataclass(eq=False)
class VarianceScaling(Initializer):
    """Draws with variance ``scale / n`` (Keras ``VarianceScaling``).

    ``n`` is fan_in, fan_out or (fan_in + fan_out) / 2 by ``mode``. ``distribution``:

    * ``normal``: N(0, scale / n), a plain normal (the PyTorch convention).
    * ``truncated_normal``: a normal truncated at 2 std, with std
      sqrt(scale / n) / 0.87962566 so the variance after truncation is scale / n
      (the Keras convention, Keras's default).
    * ``uniform``: U(-limit, limit), limit = sqrt(3 scale / n).
    """

    scale: float = 1.0
    mode: str = "fan_in"
    distribution: str = "truncated_normal"

    def __post_init__(self):
        if self.scale <= 0:
            raise ValueError(f"scale must be positive, got {self.scale}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {self.mode!r}")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(
                f"distribution must be one of {', '.join(DISTRIBUTIONS)}; got {self.distribution!r}"
            )

    def variance(self, shape: tuple[int, ...]) -> float:
        """scale / n for a weight of this shape (every distribution keeps it)."""
        fan_in, fan_out = fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        return self.scale / n

    def sample(self, shape, rng):
        std = math.sqrt(self.variance(shape))
        if self.distribution == "normal":
            return rng.normal(0.0, std, size=shape)
        if self.distribution == "truncated_normal":
            return (std / TRUNCATED_NORMAL_STD) * truncated_standard_normal(shape, rng)
        limit = math.sqrt(3.0) * std
        return rng.uniform(-limit, limit, size=shape)


def _preset(name: str, scale: float, mode: str, distribution: str, doc: str, *aliases: str):
    """Register a Keras-style preset: a VarianceScaling with fixed arguments."""

    def factory() -> VarianceScaling:
        initializer = _NamedVarianceScaling(scale, mode, distribution)
        initializer.preset_name = name
        return initializer

    factory.__doc__ = doc
    factory.__name__ = name
    INITIALIZERS.add(name, factory, *aliases)


@dataclass(eq=False)
class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset that writes itself back under its own name."""

    preset_name: str = ""

    def config(self):
        return {}

    def spec(self):
        return self.preset_name

    @property
    def name(self):  # type: ignore[override]
        return self.preset_name


_preset(
    "glorot_normal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Keras GlorotNormal: truncated normal, variance 2 / (fan_in + fan_out).",
)
_preset(
    "glorot_uniform",
    1.0,
    "fan_avg",
    "uniform",
    "Keras GlorotUniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (same as xavier_uniform).",
)
_preset(
    "he_normal",
    2.0,
    "fan_in",
    "truncated_normal",
    "Keras HeNormal: truncated normal, variance 2 / fan_in.",
)
_preset(
    "he_uniform",
    2.0,
    "fan_in",
    "uniform",
    "Keras HeUniform: U(-l, l), l = sqrt(6 / fan_in).",
)
_preset(
    "lecun_normal",
    1.0,
    "fan_in",
    "truncated_normal",
    "Keras LecunNormal: truncated normal, variance 1 / fan_in (for SELU).",
)
_preset(
    "lecun_uniform",
    1.0,
    "fan_in",
    "uniform",
    "Keras LecunUniform: U(-l, l), l = sqrt(3 / fan_in).",
)


@INITIALIZERS.register("xavier_normal")
@dataclass(eq=False)
class XavierNormal(Initializer):
    """torch ``xavier_normal_`` (Glorot & Bengio 2010), a plain normal:
    std = gain * sqrt(2 / (fan_in + fan_out))."""

    gain: float = 1.0

    def sample(self, shape, rng):
        fan_in, fan_out = fans(shape)
        return rng.normal(0.0, self.gain * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)

    def variance(self, shape):
        fan_in, fan_out = fans(shape)
        return self.gain**2 * 2.0 / (fan_in + fan_out)


@INITIALIZERS.register("xavier_uniform")
@dataclass(eq=False)
class XavierUniform(Initializer):
    """torch ``xavier_uniform_``, the "normalized initialization" of Glorot & Bengio:
    U(-l, l), l = gain * sqrt(6 / (fan_in + fan_out))."""

    gain: float = 1.0

    def sample(self, shape, rng):
        fan_in, fan_out = fans(shape)
        limit = self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)

    def variance(self, shape):
        fan_in, fan_out = fans(shape)
        return self.gain**2 * 2.0 / (fan_in + fan_out)


def _kaiming_std(shape, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


@dataclass(eq=False)
class _Kaiming(Initializer):
    """The parameters torch's Kaiming initializers share: ``a`` is the negative slope
    of a leaky unit, ``mode`` fan_in or fan_out, ``nonlinearity`` names the gain."""

    a: float = 0.0
    mode: str = "fan_in"
    nonlinearity: str = "leaky_relu"

    def __post_init__(self):
        self.std((1, 1))

    def std(self, shape) -> float:
        """gain / sqrt(fan_mode), gain = calculate_gain(nonlinearity, a)."""
        return _kaiming_std(shape, self.a, self.mode, self.nonlinearity)

    def variance(self, shape):
        return self.std(shape) ** 2


@INITIALIZERS.register("kaiming_normal")
@dataclass(eq=False)
class KaimingNormal(_Kaiming):
    """torch ``kaiming_normal_`` (He et al. 2015), a plain normal:
    std = gain / sqrt(fan_mode), gain = calculate_gain(nonlinearity, a).

    Defaults as torch: a = 0, mode = fan_in, nonlinearity = leaky_relu (gain sqrt 2
    for a = 0)."""

    def sample(self, shape, rng):
        return rng.normal(0.0, self.std(shape), shape)


@INITIALIZERS.register("kaiming_uniform")
@dataclass(eq=False)
class KaimingUniform(_Kaiming):
    """torch ``kaiming_uniform_``: U(-l, l), l = gain * sqrt(3 / fan_mode).

    ``kaiming_uniform(a=2.2360679775)`` (a = sqrt 5) is torch ``nn.Linear``'s
    default weight init, l = 1 / sqrt(fan_in)."""

    def sample(self, shape, rng):
        limit = math.sqrt(3.0) * self.std(shape)
        return rng.uniform(-limit, limit, size=shape)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """``torch.nn.init.calculate_gain``: linear/sigmoid 1, tanh 5/3, relu sqrt 2,
    leaky_relu sqrt(2 / (1 + slope^2)) (slope ``param``, default 0.01), selu 3/4.

    Other actinit activations fall back to their numerical gain."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    from . import activations  # imported here: activations do not depend on initializers

    return activations.get(nonlinearity).gain


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
            from . import activations  # imported here: activations do not need initializers

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
