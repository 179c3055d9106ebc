"""Initializers that draw each weight independently at a chosen scale: constants, plain
random draws, and variance scaling (Glorot / Xavier, He / Kaiming, LeCun), the
formula in one place."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import (
    DISTRIBUTIONS,
    INITIALIZERS,
    MODES,
    TRUNCATED_NORMAL_STD,
    Initializer,
    fans,
    truncated_standard_normal,
)

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
    from .. import activations  # imported here: activations do not depend on initializers

    return activations.get(nonlinearity).gain
