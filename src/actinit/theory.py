"""How a signal propagates through depth: mean-field theory of wide random networks.

For a network whose weights are drawn ``W ~ N(0, sigma_w^2 / fan_in)`` and biases
``b ~ N(0, sigma_b^2)``, in the limit of wide layers the pre-activations of every
layer are Gaussian (Poole et al. 2016, "Exponential expressivity in deep neural
networks through transient chaos"; Schoenholz et al. 2017, "Deep information
propagation"). Their variance follows the *variance map*

    q_{l+1} = sigma_w^2 E[phi(sqrt(q_l) z)^2] + sigma_b^2,          z ~ N(0, 1),

and the correlation of two inputs' pre-activations the *correlation map*

    c_{l+1} = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q*,
    u1 = sqrt(q*) z1,  u2 = sqrt(q*) (c_l z1 + sqrt(1 - c_l^2) z2).

From the fixed point (q*, c*) come

    chi1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]      (> 1: chaotic, < 1: ordered),
    xi_q = -1 / log(dq_{l+1}/dq_l at q*),  xi_c = -1 / log(dc_{l+1}/dc_l at c*),

the depth scales over which a signal's size and two inputs' correlation are
forgotten; a network trains to a depth of about 6 xi_c (Schoenholz et al.). At the
*edge of chaos*, chi1 = 1 and xi_c is infinite: He initialization (ReLU,
sigma_w^2 = 2) and Xavier for tanh (sigma_w = 1) are its special cases.

An activation is given as anything :func:`actinit.engine.activations.get` takes, or
as a pair ``(phi, phi_prime)`` of elementwise functions. Gaussian expectations use
composite Gauss-Legendre quadrature on [-10, 10] with a panel edge at 0, so kinks
(ReLU) and saturation (sigmoid) are integrated accurately. NumPy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .engine import activations
from .engine import initializers as initializers_module
from .engine.initializers import INITIALIZERS, Initializer

Function = Callable[[np.ndarray], np.ndarray]

#: Beyond this variance a map is taken to have no finite fixed point (it explodes).
EXPLODED = 1e12
#: Depth a network trains to, in units of the correlation depth scale xi_c.
TRAINABLE_DEPTHS_PER_XI = 6.0


def _pair(act: Any) -> tuple[Function, Function]:
    """(phi, phi') of an activation spec, object or pair of functions."""
    if isinstance(act, tuple) and len(act) == 2 and all(callable(f) for f in act):
        return act
    activation = activations.get(act)
    return activation.function, activation.derivative


@lru_cache(maxsize=8)
def gauss_nodes(panels: int = 400, order: int = 8, limit: float = 10.0):
    """Nodes z and weights w with sum(w * f(z)) ~ E[f(z)], z ~ N(0, 1): composite
    Gauss-Legendre on [-limit, limit], ``panels`` panels (an even number, so 0 is a
    panel edge) of ``order`` points each."""
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(-limit, limit, panels + 1)
    half = np.diff(edges) / 2
    middle = (edges[:-1] + edges[1:]) / 2
    z = (middle[:, None] + half[:, None] * x[None, :]).ravel()
    weights = (half[:, None] * w[None, :]).ravel() * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    return z, weights


def gaussian_mean(f: Function, scale: float = 1.0) -> float:
    """E[f(scale * z)] for z ~ N(0, 1)."""
    z, w = gauss_nodes()
    return float(np.dot(w, f(scale * z)))


def variance_map(act: Any, sigma_w: float, sigma_b: float, q: float) -> float:
    """q_{l+1} = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2: the pre-activation
    variance of the next layer from this layer's ``q``."""
    phi, _ = _pair(act)
    _check_scales(sigma_w, sigma_b)
    q = _check_variance("q", q)
    return sigma_w**2 * gaussian_mean(lambda x: phi(x) ** 2, math.sqrt(q)) + sigma_b**2


def variance_through_depth(
    act: Any, sigma_w: float, sigma_b: float, q0: float, depth: int
) -> np.ndarray:
    """[q_0, q_1, ..., q_depth]: the pre-activation variance layer after layer from an
    input variance ``q0`` (inf once it exceeds :data:`EXPLODED`)."""
    _check_scales(sigma_w, sigma_b)
    values = [_check_variance("q0", q0)]
    for _ in range(_check_depth(depth)):
        previous = values[-1]
        values.append(
            math.inf if previous > EXPLODED else variance_map(act, sigma_w, sigma_b, previous)
        )
    return np.array(values)


#: The largest weight or bias scale the theory takes (past it every map overflows).
MAX_SCALE = 100.0
#: The deepest network followed layer by layer.
MAX_DEPTH = 10_000


def _check_scales(sigma_w: float, sigma_b: float) -> None:
    for name, value in (("sigma_w", sigma_w), ("sigma_b", sigma_b)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (math.isfinite(value) and 0 <= value <= MAX_SCALE)
        ):
            raise ValueError(f"{name} must be a number from 0 to {MAX_SCALE:g}, got {value!r}")


def _check_variance(name: str, value: float) -> float:
    """A pre-activation variance: a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise ValueError(f"{name} is a variance, a number >= 0; got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} is a variance, a finite number >= 0; got {value!r}")
    return float(value)


def _check_depth(depth: int) -> int:
    if (
        isinstance(depth, bool)
        or not isinstance(depth, (int, np.integer))
        or not (1 <= depth <= MAX_DEPTH)
    ):
        raise ValueError(f"depth is a number of layers from 1 to {MAX_DEPTH:,}, got {depth!r}")
    return int(depth)


def fixed_q(act: Any, sigma_w: float, sigma_b: float, q0: float = 1.0) -> float:
    """q*: where the variance map settles when started from ``q0`` (inf if it
    explodes, 0 if the signal dies out). The map moves q monotonically towards the
    nearest root of F(q) - q in the direction it starts, found here by bisection
    (plain iteration slows down near the edge of chaos). Where every q is a fixed
    point (ReLU at sigma_w^2 = 2, sigma_b = 0), that is ``q0`` itself."""

    def gap(q: float) -> float:
        return variance_map(act, sigma_w, sigma_b, q) - q

    _check_scales(sigma_w, sigma_b)
    q0 = _check_variance("q0", q0)
    start = gap(q0)
    if abs(start) <= 1e-12 * max(q0, 1.0):
        return q0
    inner, outer = q0, q0
    while gap(outer) * start > 0:  # walk in the map's direction until the gap changes sign
        inner = outer
        outer = outer / 4 if start < 0 else outer * 4
        if outer < 1e-300:
            return 0.0
        if outer > EXPLODED:
            return math.inf
    for _ in range(200):
        middle = math.sqrt(inner * outer) if inner > 0 and outer > 0 else (inner + outer) / 2
        if gap(middle) * start > 0:
            inner = middle
        else:
            outer = middle
        if abs(outer - inner) <= 1e-13 * max(inner, outer):
            break
    return (inner + outer) / 2


def _correlated_mean(f: Function, g: Function, q: float, c: float) -> float:
    """E[f(u1) g(u2)], (u1, u2) Gaussian with variances q and correlation c."""
    z, w = gauss_nodes(panels=80, order=5)
    root = math.sqrt(max(q, 0.0))
    c = min(max(c, -1.0), 1.0)
    u1 = root * z
    u2 = root * (c * z[:, None] + math.sqrt(max(1.0 - c * c, 0.0)) * z[None, :])
    return float(w @ (f(u1)[:, None] * g(u2)) @ w)


def correlation_map(act: Any, sigma_w: float, sigma_b: float, c: float, q: float) -> float:
    """c_{l+1} from c_l for two inputs whose pre-activations both have variance q."""
    phi, _ = _pair(act)
    if q <= 0:
        return 1.0
    return (sigma_w**2 * _correlated_mean(phi, phi, q, c) + sigma_b**2) / variance_map(
        act, sigma_w, sigma_b, q
    )


def fixed_point(act: Any, sigma_w: float, sigma_b: float, q0: float = 1.0) -> tuple[float, float]:
    """(q*, c*): the stable fixed points of the variance and correlation maps. c* = 1
    in the ordered phase (all inputs end alike); c* < 1 in the chaotic phase, where
    the correlation map falls below the diagonal just under c = 1."""
    q = fixed_q(act, sigma_w, sigma_b, q0)
    if not math.isfinite(q) or q <= 1e-300:
        return q, 1.0

    def gap(c: float) -> float:
        return correlation_map(act, sigma_w, sigma_b, c, q) - c

    top = 1.0 - 1e-6
    if gap(top) >= 0:
        return q, 1.0
    # Chaotic: going down from c = 1, the first c where the map is above the diagonal
    # again brackets the stable fixed point. (For an odd phi without bias c = -1 is a
    # fixed point too, but an unstable one; the stable one is c* = 0.)
    grid = np.linspace(top, -1.0, 41)
    high = top
    for c in grid[1:]:
        if gap(c) > 0:
            low = c
            break
        high = c
    else:
        return q, -1.0
    for _ in range(60):
        middle = (low + high) / 2
        if gap(middle) > 0:
            low = middle
        else:
            high = middle
    return q, (low + high) / 2


def _large_q(q: float) -> float:
    """A finite, positive stand-in for q*: an exploded q* becomes a large q and a
    vanished one a tiny q, where the slopes take their limits (phi'(0) itself is
    not the limit for a kink at 0: ReLU's E[phi'^2] is 1/2 at every q > 0)."""
    return min(max(q, 1e-12), 1e6) if math.isfinite(q) else 1e6


def chi1(act: Any, sigma_w: float, sigma_b: float, q0: float = 1.0) -> float:
    """chi1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]: how a small perturbation grows per
    layer; 1 is the edge of chaos."""
    return _chi1_at(act, sigma_w, fixed_q(act, sigma_w, sigma_b, q0))


def _chi1_at(act: Any, sigma_w: float, q_star: float) -> float:
    _, dphi = _pair(act)
    return sigma_w**2 * gaussian_mean(lambda x: dphi(x) ** 2, math.sqrt(_large_q(q_star)))


def depth_scales(act: Any, sigma_w: float, sigma_b: float, q0: float = 1.0) -> tuple[float, float]:
    """(xi_q, xi_c): layers over which the variance reaches q* and over which two
    inputs' correlation reaches c* (inf at the edge of chaos). Where the signal
    explodes (no finite q*), both are the layers over which it grows e-fold,
    1 / log(growth per layer): a network that deep already overflows its range.
    Where it dies out (q* = 0) the correlation map is degenerate and xi_c is the
    depth scale of the vanishing gradient, -1 / log chi1."""
    return _depth_scales_at(act, sigma_w, sigma_b, *fixed_point(act, sigma_w, sigma_b, q0))


def _depth_scales_at(
    act: Any, sigma_w: float, sigma_b: float, q_star: float, c_star: float
) -> tuple[float, float]:
    _, dphi = _pair(act)
    q = _large_q(q_star)
    c = 1.0 if q_star <= 0 else c_star
    step = 1e-4 * max(q, 1e-8)
    slope_q = (
        variance_map(act, sigma_w, sigma_b, q + step)
        - variance_map(act, sigma_w, sigma_b, max(q - step, 0.0))
    ) / (q + step - max(q - step, 0.0))
    if math.isinf(q_star) and slope_q > 1.0 + 1e-9:
        growth = 1.0 / math.log(slope_q)
        return growth, growth
    slope_c = sigma_w**2 * _correlated_mean(dphi, dphi, q, c)
    return _scale(slope_q), _scale(slope_c)


def _scale(slope: float) -> float:
    slope = abs(slope)
    if slope >= 1.0 - 1e-9 or slope == 0.0:
        return math.inf if slope != 0.0 else 0.0
    return -1.0 / math.log(slope)


def edge_of_chaos(act: Any, sigma_b: float = 0.0, low: float = 1e-3, high: float = 20.0) -> float:
    """sigma_w with chi1 = 1 at this ``sigma_b`` (bisection in log sigma_w). Where
    chi1 jumps across 1 instead (GELU or swish without bias: below, the signal dies
    out and q* = 0; above, it explodes), the sigma_w of the jump: the boundary
    between the two."""
    _check_scales(1.0, sigma_b)
    lo, hi = math.log(low), math.log(high)
    if (chi1(act, math.exp(lo), sigma_b) - 1) * (chi1(act, math.exp(hi), sigma_b) - 1) > 0:
        raise ValueError(
            f"chi1 does not cross 1 for sigma_w in [{low}, {high}] at sigma_b = {sigma_b}: "
            "this activation has no edge of chaos there"
        )
    for _ in range(60):
        middle = (lo + hi) / 2
        if chi1(act, math.exp(middle), sigma_b) > 1:
            hi = middle
        else:
            lo = middle
    return math.exp((lo + hi) / 2)


@dataclass(frozen=True)
class Propagation:
    """Everything the theory says of one (activation, sigma_w, sigma_b)."""

    activation: str
    sigma_w: float
    sigma_b: float
    q_star: float
    c_star: float
    chi1: float
    xi_q: float
    xi_c: float

    @property
    def phase(self) -> str:
        if abs(self.chi1 - 1) < 1e-3:
            return "edge of chaos"
        return "chaotic" if self.chi1 > 1 else "ordered"

    @property
    def trainable_depth(self) -> float:
        """About 6 xi_c layers (Schoenholz et al. 2017)."""
        return TRAINABLE_DEPTHS_PER_XI * self.xi_c


def propagation(act: Any, sigma_w: float, sigma_b: float = 0.0) -> Propagation:
    """The fixed point, chi1 and depth scales of one setting, together."""
    q, c = fixed_point(act, sigma_w, sigma_b)  # solved once for all that follows
    xi_q, xi_c = _depth_scales_at(act, sigma_w, sigma_b, q, c)
    name = act if isinstance(act, str) else getattr(act, "name", "phi")
    chi = _chi1_at(act, sigma_w, q)
    return Propagation(str(name), sigma_w, sigma_b, q, c, chi, xi_q, xi_c)


def phase_diagram(
    act: Any, sigma_w: np.ndarray, sigma_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(chi1, xi_c) on the grid ``sigma_b`` (rows) x ``sigma_w`` (columns)."""
    chi = np.empty((len(sigma_b), len(sigma_w)))
    xi = np.empty_like(chi)
    for i, b in enumerate(sigma_b):
        for j, w in enumerate(sigma_w):
            result = propagation(act, float(w), float(b))
            chi[i, j], xi[i, j] = result.chi1, result.xi_c
    return chi, xi


# --------------------------------------------------------------------------
# The initializer that puts any activation on the edge of chaos
# --------------------------------------------------------------------------


#: The largest bias scale the edge of chaos is looked for at (the CLI's bound too).
MAX_BIAS_STD = 100.0
#: Activations without a mean-field edge of chaos: softmax mixes a layer's units.
NO_EDGE = ("softmax",)


@INITIALIZERS.register("critical", "edge_of_chaos")
@dataclass(eq=False)
class Critical(Initializer):
    """W ~ N(0, sigma_w^2 / fan_in) with sigma_w on the edge of chaos (chi1 = 1) for
    ``activation`` at bias scale ``bias_std`` (give the biases
    ``random_normal(std=bias_std)``, or zeros for 0). In a Dense layer the activation
    defaults to the layer's own."""

    activation: str | None = None
    bias_std: float = 0.0

    def __post_init__(self) -> None:
        value = self.bias_std
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (math.isfinite(value) and 0 <= value <= MAX_BIAS_STD)
        ):
            raise ValueError(
                f"critical: bias_std is the biases' standard deviation, from 0 to "
                f"{MAX_BIAS_STD:g}; got {value!r}"
            )
        if self.activation is not None:
            name = activations.get(self.activation).spec().split("(")[0]
            if name in NO_EDGE:
                raise ValueError(
                    f"critical: {name} has no edge of chaos here (it is an output activation); "
                    "give a hidden activation, e.g. critical(activation=tanh)"
                )

    def bind(self, activation: Any) -> Initializer:
        if self.activation is not None:
            return self
        return Critical(activations.get(activation).spec(), self.bias_std)

    @property
    def sigma_w(self) -> float:
        if self.activation is None:
            raise ValueError(
                "critical needs an activation: critical(activation='tanh'), or use it in a "
                "Dense layer, which gives its own"
            )
        return _critical_sigma(self.activation, float(self.bias_std))

    def sample(self, shape, rng):
        fan_in = shape[0]
        return rng.standard_normal(shape) * self.sigma_w / math.sqrt(fan_in)


@lru_cache(maxsize=64)
def _critical_sigma(activation: str, bias_std: float) -> float:
    return edge_of_chaos(activation, bias_std)


def weight_scales(init: Any, bias_init: Any = "zeros", width: int = 256) -> tuple[float, float]:
    """(sigma_w, sigma_b) of an initializer pair as the theory reads them: the std of
    a (width, width) weight times sqrt(fan_in), and the std of the biases (measured
    on one draw, so it works for any initializer)."""
    rng = np.random.default_rng(0)
    weights = initializers_module.get(init)((width, width), rng)
    biases = initializers_module.get(bias_init)((width,), rng)
    return float(weights.std() * math.sqrt(width)), float(np.sqrt((biases**2).mean()))
