"""Mean-field signal propagation through a deep network of one activation: the
variance and correlation maps, their fixed points, the depth scales, and the edge
of chaos (chi1 = 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..engine import activations
from ..engine import initializers as initializers_module
from ..engine.layers import GATES
from .quadrature import Function, _difference_mean, _pair_mean, gaussian_mean

#: Beyond this variance a map is taken to have no finite fixed point (it explodes).
EXPLODED = 1e12
#: Depth a network trains to, in units of the depth scale that limits it.
TRAINABLE_DEPTHS_PER_XI = 6.0
#: chi1 this close to 1 is called the edge of chaos.
EDGE_TOLERANCE = 1e-3
#: A per-layer factor this close to 1 has no depth scale: the approach is polynomial.
MARGINAL = 1e-9


@dataclass(frozen=True)
class _Phi:
    """An activation as the theory uses it: f, f' and the points where either kinks."""

    function: Function
    derivative: Function
    kinks: tuple[float, ...]


def _phi(act: Any) -> _Phi:
    if isinstance(act, _Phi):
        return act
    if isinstance(act, tuple) and len(act) == 2 and all(callable(f) for f in act):
        return _Phi(act[0], act[1], (0.0,))
    if isinstance(act, str) and act.split("(")[0].strip() in (*GATES, "maxout"):
        raise ValueError(
            f"{act} is a layer of several affine maps per unit, not an elementwise "
            "activation: the mean-field theory here does not cover it"
        )
    activation = activations.get(act)
    if activation.name == "softmax":
        raise ValueError(
            "softmax normalises over a layer's units (an output), not one unit at a time: "
            "the mean-field theory of a hidden elementwise activation does not cover it; "
            "ask of a hidden activation (tanh, relu, gelu ...)"
        )
    kinks = tuple(float(k) for k in activation.kinks)
    return _Phi(activation.function, activation.derivative, kinks)


def variance_map(act: Any, sigma_w: float, sigma_b: float, q: float) -> float:
    """q_{l+1} = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2: the pre-activation
    variance of the next layer from this layer's ``q``."""
    _check_scales(sigma_w, sigma_b)
    return _variance(_phi(act), sigma_w, sigma_b, _check_variance("q", q))


def _variance(phi: _Phi, sigma_w: float, sigma_b: float, q: float) -> float:
    square = lambda x: phi.function(x) ** 2  # noqa: E731
    return sigma_w**2 * gaussian_mean(square, math.sqrt(q), phi.kinks) + sigma_b**2


def variance_through_depth(
    act: Any, sigma_w: float, sigma_b: float, q0: float, depth: int
) -> np.ndarray:
    """[q_0, q_1, ..., q_depth]: the pre-activation variance layer after layer from an
    input variance ``q0`` (inf once it exceeds :data:`EXPLODED`)."""
    _check_scales(sigma_w, sigma_b)
    phi = _phi(act)
    values = [_check_variance("q0", q0)]
    for _ in range(_check_depth(depth)):
        previous = values[-1]
        values.append(
            math.inf if previous > EXPLODED else _variance(phi, sigma_w, sigma_b, previous)
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
    explodes, 0 if the signal dies out, also where it does so only polynomially, as
    tanh at sigma_w = 1 without bias). The map moves q monotonically towards the
    nearest root of F(q) / q - 1 in the direction it starts, found by bisection in
    log q. Where every q is a fixed point (ReLU at sigma_w^2 = 2, sigma_b = 0), or
    ``q0`` is one, that is ``q0`` itself."""
    _check_scales(sigma_w, sigma_b)
    return _fixed_q(_phi(act), sigma_w, sigma_b, _check_variance("q0", q0))


def _fixed_q(phi: _Phi, sigma_w: float, sigma_b: float, q0: float) -> float:
    if q0 == 0:
        q0 = _variance(phi, sigma_w, sigma_b, 0.0)
        if q0 == 0:
            return 0.0

    def excess(q: float) -> float:  # relative: exact in sign down to the tiniest q
        return _variance(phi, sigma_w, sigma_b, q) / q - 1

    start = excess(q0)
    if abs(start) <= 1e-12:
        return q0
    inner, outer, factor = q0, q0, 4.0
    while (moved := excess(outer)) * start > 0:  # walk on until the excess changes sign
        if start < 0 and abs(moved) < 1e-12:
            return 0.0  # the map is the identity to rounding: q falls only polynomially
        inner, outer = outer, outer / factor if start < 0 else outer * factor
        factor = min(factor * 2, 1e8)
        if outer < 1e-300:
            return 0.0
        if outer > EXPLODED:
            return math.inf
    for _ in range(200):
        middle = math.sqrt(inner * outer)
        if excess(middle) * start > 0:
            inner = middle
        else:
            outer = middle
        if abs(outer - inner) <= 1e-13 * max(inner, outer):
            break
    return math.sqrt(inner * outer)


def _q_slope(phi: _Phi, sigma_w: float, sigma_b: float, q: float) -> float:
    """dq_{l+1}/dq_l at q = sigma_w^2 E[phi(u) phi'(u) z] / sqrt(q), u = sqrt(q) z.
    At q = 0 and q = inf: the limits of q_{l+1} / q_l, the factor by which a dying
    or exploding signal's variance changes per layer."""
    if q <= 0 or not math.isfinite(q):
        small = _large_q(q)
        return (_variance(phi, sigma_w, sigma_b, small) - sigma_b**2) / small
    root = math.sqrt(q)
    product = lambda z: phi.function(root * z) * phi.derivative(root * z) * z  # noqa: E731
    return sigma_w**2 * gaussian_mean(product, 1.0, tuple(k / root for k in phi.kinks)) / root


def correlation_map(act: Any, sigma_w: float, sigma_b: float, c: float, q: float) -> float:
    """c_{l+1} from c_l for two inputs whose pre-activations both have variance q:
    (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q_{l+1}, computed as
    1 - sigma_w^2 E[(phi(u1) - phi(u2))^2] / (2 q_{l+1}), the same number without
    the cancellation that hides the map's gap just below c = 1."""
    _check_scales(sigma_w, sigma_b)
    q = _check_variance("q", q)
    if not (isinstance(c, (int, float)) and -1 <= c <= 1):
        raise ValueError(f"c is a correlation, from -1 to 1; got {c!r}")
    return _correlation(_phi(act), sigma_w, sigma_b, float(c), q)


def _correlation(phi: _Phi, sigma_w: float, sigma_b: float, c: float, q: float) -> float:
    q_next = _variance(phi, sigma_w, sigma_b, q)
    if q <= 0 or q_next <= 0:
        return 1.0
    return 1.0 - sigma_w**2 * _difference_mean(phi.function, q, c, phi.kinks) / (2 * q_next)


#: Where the stable fixed point of the correlation map is looked for: 1 - c from
#: just below 1 down to c = -1 (it lies above c = 0 with any bias: the map at 0 is
#: (sigma_w^2 E[phi]^2 + sigma_b^2) / q >= 0; at c = 0 exactly for an odd phi without).
_DISTANCES = (1e-9, 1e-5, 1e-2, 0.1, 0.4, 1.0, 1.3, 2.0)


def _fixed_c(phi: _Phi, sigma_w: float, sigma_b: float, q: float, chi: float) -> float:
    """c*: 1 unless the phase is chaotic (chi1 > 1). There c = 1 repels: going down
    from it, the map lies below the diagonal until the stable fixed point, where it
    crosses (for an odd phi without bias c = -1 is a fixed point too, an unstable
    one). Found in t = 1 - c by a scan on a log grid and the Illinois method."""
    if chi <= 1 or not (0 < q < math.inf):
        return 1.0

    def excess(t: float) -> float:  # > 0 where the map is below the diagonal at 1 - t
        return 1.0 - _correlation(phi, sigma_w, sigma_b, 1.0 - t, q) - t

    previous, previous_value = 0.0, math.inf
    for t in _DISTANCES:
        value = excess(t)
        if value <= 0:
            break
        previous, previous_value = t, value
    if previous == 0.0:
        return 1.0  # within 1e-12 of 1
    a, fa, b, fb = math.log(previous), previous_value, math.log(t), value
    for _ in range(100):
        if fb == 0 or abs(b - a) < 1e-10:
            break
        middle = (a * fb - b * fa) / (fb - fa)
        value = excess(math.exp(middle))
        if value * fb < 0:
            a, fa = b, fb
        else:
            fa /= 2
        b, fb = middle, value
    return 1.0 - math.exp(b)


def fixed_point(act: Any, sigma_w: float, sigma_b: float, q0: float = 1.0) -> tuple[float, float]:
    """(q*, c*): the stable fixed points of the variance and correlation maps. c* = 1
    in the ordered phase (all inputs end alike); c* < 1 in the chaotic phase
    (chi1 > 1). Where q* is 0 or infinite c* is not defined (nan)."""
    result = propagation(act, sigma_w, sigma_b, q0)
    return result.q_star, result.c_star


def _large_q(q: float) -> float:
    """A finite, positive stand-in for q*: an exploded q* becomes a large q and a
    vanished one a tiny q, where the slopes take their limits (phi'(0) itself is
    not the limit for a kink at 0: ReLU's E[phi'^2] is 1/2 at every q > 0)."""
    return min(max(q, 1e-30), 1e8) if math.isfinite(q) else 1e8


def chi1(act: Any, sigma_w: float, sigma_b: float, q0: float = 1.0) -> float:
    """chi1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]: how a small perturbation, and a
    gradient, grows per layer; 1 is the edge of chaos."""
    _check_scales(sigma_w, sigma_b)
    phi = _phi(act)
    return _chi1_at(phi, sigma_w, _fixed_q(phi, sigma_w, sigma_b, _check_variance("q0", q0)))


def _chi1_at(phi: _Phi, sigma_w: float, q_star: float) -> float:
    root = math.sqrt(_large_q(q_star))
    square = lambda x: phi.derivative(x) ** 2  # noqa: E731
    return sigma_w**2 * gaussian_mean(square, root, phi.kinks)


def depth_scales(act: Any, sigma_w: float, sigma_b: float, q0: float = 1.0) -> tuple[float, float]:
    """(xi_q, xi_c): see :class:`Propagation`."""
    result = propagation(act, sigma_w, sigma_b, q0)
    return result.xi_q, result.xi_c


def _scale(factor: float) -> float:
    """Layers over which a per-layer ``factor`` changes a quantity e-fold:
    1 / |log factor|; inf where the factor is 1 (a polynomial approach)."""
    factor = abs(factor)
    if factor == 0.0:
        return 0.0
    rate = abs(math.log(factor))
    return math.inf if rate < MARGINAL else 1.0 / rate


class NoEdgeError(ValueError):
    """An activation with no edge of chaos at the bias scale asked for."""


def edge_of_chaos(act: Any, sigma_b: float = 0.0, low: float = 1e-3, high: float = 20.0) -> float:
    """sigma_w with chi1 = 1 at a stable fixed point, at this ``sigma_b`` (bisection
    in log sigma_w). Raises :class:`NoEdgeError` where chi1 does not reach 1
    continuously: GELU or swish without bias jump across it, from a dying signal
    (q* = 0, chi1 < 1) to an exploding one, at a sigma_w where q = 1 maps to itself
    but is unstable: no edge of chaos, whatever its chi1 says there."""
    _check_scales(1.0, sigma_b)
    phi = _phi(act)
    sigma_w, problem = _edge(phi, sigma_b, low, high)
    if problem:
        name = act if isinstance(act, str) else "this activation"
        raise NoEdgeError(f"{name} {problem}{_edge_advice(phi, sigma_b, low, high)}")
    return sigma_w


def _edge(phi: _Phi, sigma_b: float, low: float, high: float) -> tuple[float, str]:
    """(sigma_w where chi1 crosses 1, what is wrong with it as an edge or '')."""

    def chi_at(log_w: float) -> float:
        w = math.exp(log_w)
        return _chi1_at(phi, w, _fixed_q(phi, w, sigma_b, 1.0))

    lo, hi = math.log(low), math.log(high)
    if (chi_at(lo) - 1) * (chi_at(hi) - 1) > 0:
        return math.nan, (
            f"has no edge of chaos at sigma_b = {sigma_b:g}: chi1 does not cross 1 for "
            f"sigma_w in [{low:g}, {high:g}]"
        )
    while hi - lo > 1e-12:
        middle = (lo + hi) / 2
        if chi_at(middle) > 1:
            hi = middle
        else:
            lo = middle
    sigma_w = _exact_edge(phi, math.exp((lo + hi) / 2), sigma_b)
    below, above = chi_at(math.log(sigma_w) - 1e-6), chi_at(math.log(sigma_w) + 1e-6)
    q = _fixed_q(phi, sigma_w, sigma_b, 1.0)
    stable = not (0 < q < math.inf) or _q_slope(phi, sigma_w, sigma_b, q) <= 1 + 1e-6
    if abs(below - 1) > EDGE_TOLERANCE or abs(above - 1) > EDGE_TOLERANCE or not stable:
        q_below, q_above = (
            _fixed_q(phi, sigma_w * math.exp(step), sigma_b, 1.0) for step in (-1e-6, 1e-6)
        )
        return sigma_w, (
            f"has no edge of chaos at sigma_b = {sigma_b:g}: at sigma_w = {sigma_w:.4g} chi1 "
            f"jumps from {below:.3g} to {above:.3g}, as the variance's fixed point jumps from "
            f"q* = {q_below:.3g} to {q_above:.3g} past an unstable one"
        )
    return sigma_w, ""


def _exact_edge(phi: _Phi, sigma_w: float, sigma_b: float) -> float:
    """Where the edge lies at q* -> 0 (no bias, phi(0) = 0: tanh, odd functions),
    chi1 there is sigma_w^2 phi'(0)^2, so the edge is exactly 1 / |phi'(0)|; the
    bisection only comes near it, as q* approaches 0 polynomially."""
    zero = np.zeros(1)
    slope = abs(float(phi.derivative(zero)[0]))
    if sigma_b == 0 and float(phi.function(zero)[0]) == 0 and slope > 0:
        if _fixed_q(phi, sigma_w, sigma_b, 1.0) < 1e-6 and abs(sigma_w * slope - 1) < 1e-5:
            return 1.0 / slope
    return sigma_w


def _edge_advice(phi: _Phi, sigma_b: float, low: float, high: float) -> str:
    """What to do instead: the smallest common bias scale that gives an edge."""
    for bias in (0.05, 0.1, 0.2, 0.3, 0.5, 1.0):
        if bias > sigma_b:
            edge, problem = _edge(phi, bias, low, high)
            if not problem:
                return (
                    f"; with biases of std {bias:g} it has one, at sigma_w = {edge:.4g} "
                    f"(critical(bias_std={bias:g}) and biases random_normal(std={bias:g}))"
                )
    return "; give the biases a spread (sigma_b > 0) or choose another activation"


@dataclass(frozen=True)
class Propagation:
    """Everything the theory says of one (activation, sigma_w, sigma_b).

    ``q_star``: where the variance settles (0: the signal dies out; inf: it
    explodes). ``q_slope``: dq_{l+1}/dq_l there (> 1: q* is unstable, the signal
    leaves it). ``c_star``: where two inputs' correlation settles (nan where q* is 0
    or inf: the map is then not the theory's). ``chi1``: the growth per layer of a
    small perturbation and of a gradient. The depth scales, in layers (inf where the
    approach is only polynomial):

    * ``xi_q``: over which the variance reaches q* (-1 / log q_slope); where q* is 0
      or inf, over which it shrinks or grows e-fold; where q* is unstable, over
      which it leaves q*.
    * ``xi_c``: over which the correlation reaches c*, -1 / log chi_c,
      chi_c = sigma_w^2 E[phi'(u1) phi'(u2)] at c*; nan where c* is not defined.
    * ``xi_grad``: over which gradients vanish or explode e-fold, 1 / |log chi1|.
    """

    activation: str
    sigma_w: float
    sigma_b: float
    q_star: float
    c_star: float
    chi1: float
    xi_q: float
    xi_c: float
    xi_grad: float = math.inf
    q_slope: float = 1.0

    @property
    def phase(self) -> str:
        if abs(self.chi1 - 1) < EDGE_TOLERANCE:
            return "edge of chaos"
        return "chaotic" if self.chi1 > 1 else "ordered"

    @property
    def signal(self) -> str:
        """'settles', 'dies out', 'explodes' or 'unstable' (q* repels)."""
        if self.q_star == 0:
            return "dies out"
        if math.isinf(self.q_star):
            return "explodes"
        return "unstable" if self.q_slope > 1 + 1e-6 else "settles"

    @property
    def depth_limit(self) -> str:
        """Which depth scale bounds training: the correlation's, or where it is not
        defined (the signal dies out, explodes or leaves q*), the gradient's."""
        return "gradient" if math.isnan(self.xi_c) else "correlation"

    @property
    def trainable_depth(self) -> float:
        """About 6 xi_c layers (Schoenholz et al. 2017); 6 xi_grad where xi_c is not
        defined (in the ordered phase with q* > 0 the two are equal)."""
        scale = self.xi_grad if math.isnan(self.xi_c) else self.xi_c
        return TRAINABLE_DEPTHS_PER_XI * scale


def propagation(act: Any, sigma_w: float, sigma_b: float = 0.0, q0: float = 1.0) -> Propagation:
    """The fixed points, chi1 and depth scales of one setting, together."""
    _check_scales(sigma_w, sigma_b)
    phi = _phi(act)
    q = _fixed_q(phi, sigma_w, sigma_b, _check_variance("q0", q0))
    chi = _chi1_at(phi, sigma_w, q)
    slope = _q_slope(phi, sigma_w, sigma_b, q)
    if 0 < q < math.inf and slope <= 1 + 1e-6:
        c = _fixed_c(phi, sigma_w, sigma_b, q, chi)
        chi_c = sigma_w**2 * _pair_mean(phi.derivative, phi.derivative, q, c, phi.kinks)
        xi_c = chi_c if c < 1 else chi  # at c* = 1, chi_c is chi1 itself
        xi_c = _scale(xi_c)
    else:
        c, xi_c = math.nan, math.nan
    name = act if isinstance(act, str) else getattr(act, "name", "phi")
    return Propagation(
        str(name), sigma_w, sigma_b, q, c, chi, _scale(slope), xi_c, _scale(chi), slope
    )


def phase_diagram(
    act: Any, sigma_w: np.ndarray, sigma_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(chi1, depth scale) on the grid ``sigma_b`` (rows) x ``sigma_w`` (columns): the
    depth scale is xi_c, or xi_grad where xi_c is not defined (the one
    :attr:`Propagation.trainable_depth` uses)."""
    phi = _phi(act)
    chi = np.empty((len(sigma_b), len(sigma_w)))
    scale = np.empty_like(chi)
    for i, b in enumerate(sigma_b):
        for j, w in enumerate(sigma_w):
            result = propagation(phi, float(w), float(b))
            chi[i, j] = result.chi1
            scale[i, j] = result.trainable_depth / TRAINABLE_DEPTHS_PER_XI
    return chi, scale


class WeightScales(NamedTuple):
    """sigma_w and sigma_b of an initializer pair, as the theory reads them."""

    sigma_w: float
    sigma_b: float
    #: True where an initializer does not fix its variance (LSUV, a non-zero mean, a
    #: deterministic matrix) and one draw's mean square stood in for it.
    estimated: bool


def weight_scales(init: Any, bias_init: Any = "zeros", width: int = 256) -> WeightScales:
    """(sigma_w, sigma_b, estimated) of an initializer pair for a (width, width)
    weight: sigma_w^2 = fan_in Var(w) and sigma_b^2 = Var(b) from each
    initializer's own variance (Xavier at width 32 is exactly sigma_w = 1), and
    where one does not fix it, from the mean square of one draw, flagged
    ``estimated``."""
    rng = np.random.default_rng(0)
    weights = initializers_module.get(init)
    biases = initializers_module.get(bias_init)
    weight_variance = weights.variance((width, width))
    bias_variance = biases.variance((width,))
    estimated = weight_variance is None or bias_variance is None
    if weight_variance is None:
        weight_variance = float(np.mean(weights((width, width), rng) ** 2))
    if bias_variance is None:
        bias_variance = float(np.mean(biases((width,), rng) ** 2))
    return WeightScales(math.sqrt(width * weight_variance), math.sqrt(bias_variance), estimated)
