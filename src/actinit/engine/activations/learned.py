"""Activations whose shape is learned with the weights: Snake and rational (Padé) units.

Like PReLU's slope, their parameters are created by ``build`` for a layer, trained by
the layer's optimizer (the Dense layer lists them beside W and b) and saved with the
model; the spec only says where they start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .base import ACTIVATIONS, INF, Activation, get

#: |a| below this is taken as this (sin^2(a x) / a -> 0 as a -> 0; never divide by 0).
SMALLEST_FREQUENCY = 1e-6


@ACTIVATIONS.register("snake")
@dataclass(eq=False)
class Snake(Activation):
    """f(x) = x + sin^2(a x) / a (Ziyin, Hartwig & Ueda 2020), the frequency a learned.

    f'(x) = 1 + sin(2 a x); d f / d a = x sin(2 a x) / a - sin^2(a x) / a^2.
    ``a`` starts at ``init`` (1; the paper suggests 5 to 50 for periodic data), one per
    unit by default (``per_unit=False``: one per layer). Monotone for any a, periodic
    in its residual: a network of it extrapolates periodic signals.
    """

    init: float = 1.0
    per_unit: bool = True
    frequency: np.ndarray | None = field(default=None, init=False, repr=False)
    _frequency_gradient: np.ndarray | None = field(default=None, init=False, repr=False)

    recommended_init = "lecun_normal"

    def __post_init__(self):
        self.init = float(self.init)
        if not (math.isfinite(self.init) and self.init > 0):
            raise ValueError(f"snake: the frequency a must be a positive number, got {self.init!r}")
        self.frequency = np.array([self.init])

    def build(self, units, dtype):
        self.frequency = np.full(units if self.per_unit else 1, self.init, dtype=dtype)
        self._frequency_gradient = np.zeros_like(self.frequency)

    def parameters(self):
        return {"frequency": self.frequency}

    def gradients(self):
        return {"frequency": self._frequency_gradient}

    def _a(self, x: np.ndarray) -> np.ndarray:
        a = self.frequency.astype(x.dtype, copy=False)
        return np.where(np.abs(a) < SMALLEST_FREQUENCY, SMALLEST_FREQUENCY, a)

    def function(self, x):
        a = self._a(x)
        return x + np.sin(a * x) ** 2 / a

    def derivative(self, x):
        return 1 + np.sin(2 * self._a(x) * x)

    def backward(self, grad_output, x, y):
        a = self._a(x)
        slope = x * np.sin(2 * a * x) / a - np.sin(a * x) ** 2 / (a * a)
        total = (grad_output * slope).sum(axis=0)
        if self._frequency_gradient is None:
            self._frequency_gradient = np.zeros_like(self.frequency)
        self._frequency_gradient[...] = total if self.per_unit else total.sum()
        return grad_output * self.derivative(x)

    @property
    def output_range(self):
        return (-INF, INF)


@ACTIVATIONS.register("rational", "pau")
@dataclass(eq=False)
class Rational(Activation):
    """A Padé activation unit (Molina, Schramowski & Kersting 2019), the "safe" form:

        f(x) = P(x) / Q(x),  P(x) = sum_{j=0..m} a_j x^j,  Q(x) = 1 + |sum_{k=1..n} b_k x^k|,

    degrees (m, n) = (5, 4) as the paper, one set of coefficients per layer, learned.
    They start as a least-squares fit of ``approximates`` (leaky ReLU by default, as
    the paper) on [-3, 3] (:func:`rational_fit`). With A = P(x), B = sum b_k x^k:
    f'(x) = P'(x) / Q - A sign(B) B'(x) / Q^2, d f / d a_j = x^j / Q,
    d f / d b_k = -A sign(B) x^k / Q^2.
    """

    approximates: str = "leaky_relu"
    numerator_degree: int = 5
    denominator_degree: int = 4
    numerator: np.ndarray | None = field(default=None, init=False, repr=False)
    denominator: np.ndarray | None = field(default=None, init=False, repr=False)
    _gradients: dict | None = field(default=None, init=False, repr=False)

    @property
    def recommended_init(self) -> str:
        """That of the activation it starts as (He for the default leaky ReLU)."""

        return get(self.approximates).recommended_init

    def __post_init__(self):
        for name in ("numerator_degree", "denominator_degree"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
                raise ValueError(f"rational: {name} is a whole number from 1 to 8, got {value!r}")
        if self.approximates in ("rational", "pau"):
            raise ValueError("rational: approximates names another activation, e.g. 'tanh'")
        a, b = rational_fit(self.approximates, self.numerator_degree, self.denominator_degree)
        self.numerator, self.denominator = a.copy(), b.copy()

    def build(self, units, dtype):
        a, b = rational_fit(self.approximates, self.numerator_degree, self.denominator_degree)
        self.numerator, self.denominator = a.astype(dtype), b.astype(dtype)
        self._gradients = {
            "numerator": np.zeros_like(self.numerator),
            "denominator": np.zeros_like(self.denominator),
        }

    def parameters(self):
        return {"numerator": self.numerator, "denominator": self.denominator}

    def gradients(self):
        if self._gradients is None:
            self.build(1, self.numerator.dtype)
        return self._gradients

    def _parts(self, x: np.ndarray):
        """(A, B, Q, powers of x from 0 to max degree)."""
        degree = max(self.numerator_degree, self.denominator_degree)
        powers = [np.ones_like(x)]
        for _ in range(degree):
            powers.append(powers[-1] * x)
        a = self.numerator.astype(x.dtype, copy=False)
        b = self.denominator.astype(x.dtype, copy=False)
        numerator = sum(a[j] * powers[j] for j in range(len(a)))
        inner = sum(b[k - 1] * powers[k] for k in range(1, len(b) + 1))
        return numerator, inner, 1 + np.abs(inner), powers

    def function(self, x):
        numerator, _, q, _ = self._parts(x)
        return numerator / q

    def derivative(self, x):
        numerator, inner, q, powers = self._parts(x)
        a, b = self.numerator, self.denominator
        d_numerator = sum(j * a[j] * powers[j - 1] for j in range(1, len(a)))
        d_inner = sum(k * b[k - 1] * powers[k - 1] for k in range(1, len(b) + 1))
        return (d_numerator / q - numerator * np.sign(inner) * d_inner / (q * q)).astype(x.dtype)

    def backward(self, grad_output, x, y):
        numerator, inner, q, powers = self._parts(x)
        if self._gradients is None:
            self.build(1, self.numerator.dtype)
        over_q = grad_output / q
        for j in range(len(self.numerator)):
            self._gradients["numerator"][j] = np.sum(over_q * powers[j])
        shared = -grad_output * numerator * np.sign(inner) / (q * q)
        for k in range(1, len(self.denominator) + 1):
            self._gradients["denominator"][k - 1] = np.sum(shared * powers[k])
        return grad_output * self.derivative(x)

    @property
    def output_range(self):
        return (-INF, INF)


#: Where a rational unit's starting coefficients are fitted to its target.
FIT_RANGE = (-3.0, 3.0)


@lru_cache(maxsize=32)
def rational_fit(approximates: str, m: int = 5, n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (a_0..a_m, b_1..b_n) of the safe rational function closest to the
    activation ``approximates`` on 2,001 points of [-3, 3] in least squares: a linear
    least-squares start (P - y B = y, the form without the absolute value), refined by
    Gauss-Newton steps on the safe form itself (with a step halved until the error
    falls)."""

    x = np.linspace(*FIT_RANGE, 2001)
    y = get(approximates).function(x)
    powers = np.vander(x, max(m, n) + 1, increasing=True)
    design = np.hstack([powers[:, : m + 1], -y[:, None] * powers[:, 1 : n + 1]])
    start = np.linalg.lstsq(design, y, rcond=None)[0]

    def residual(theta):
        inner = powers[:, 1 : n + 1] @ theta[m + 1 :]
        return powers[:, : m + 1] @ theta[: m + 1] / (1 + np.abs(inner)) - y, inner

    theta = start
    for _ in range(50):
        error, inner = residual(theta)
        q = 1 + np.abs(inner)
        numerator = powers[:, : m + 1] @ theta[: m + 1]
        jacobian = np.hstack(
            [
                powers[:, : m + 1] / q[:, None],
                (-numerator * np.sign(inner) / q**2)[:, None] * powers[:, 1 : n + 1],
            ]
        )
        step = np.linalg.lstsq(jacobian, -error, rcond=None)[0]
        size, before = 1.0, float(error @ error)
        while (
            size > 1e-6
            and float(residual(theta + size * step)[0] @ residual(theta + size * step)[0]) >= before
        ):
            size /= 2
        if size <= 1e-6:
            break
        theta = theta + size * step
    return theta[: m + 1].copy(), theta[m + 1 :].copy()
