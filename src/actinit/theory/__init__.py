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
forgotten, and xi_grad = 1 / |log chi1|, over which gradients vanish or explode; a
network trains to a depth of about 6 xi_c (Schoenholz et al.), or 6 xi_grad where the
signal dies out or explodes and xi_c is not defined. At the *edge of chaos*,
chi1 = 1 and xi_c is infinite: He initialization (ReLU, sigma_w^2 = 2) and Xavier for
tanh (sigma_w = 1) are its special cases; some activations have none at a given bias
(GELU and swish without one), which :func:`edge_of_chaos` says.

An activation is given as anything :func:`actinit.engine.activations.get` takes, or
as a pair ``(phi, phi_prime)`` of elementwise functions. Gaussian expectations use
composite Gauss-Legendre quadrature on [-10, 10] with panel edges at the activation's
kinks (``Activation.kinks``); the bivariate ones also split where the second input
crosses a kink and refine where |c| nears 1, so kinks (ReLU, the step) and saturation
(sigmoid) are integrated accurately. NumPy only.

In three rooms: :mod:`.mean_field` (the maps, fixed points, depth scales, the edge
of chaos), :mod:`.quadrature` (the Gaussian integrals under them) and
:mod:`.critical` (the edge-of-chaos initializer)."""

from .critical import (
    MAX_BIAS_STD,
    NO_EDGE,
    Critical,
)
from .mean_field import (
    EDGE_TOLERANCE,
    EXPLODED,
    MARGINAL,
    MAX_DEPTH,
    MAX_SCALE,
    TRAINABLE_DEPTHS_PER_XI,
    NoEdgeError,
    Propagation,
    WeightScales,
    chi1,
    correlation_map,
    depth_scales,
    edge_of_chaos,
    fixed_point,
    fixed_q,
    phase_diagram,
    propagation,
    variance_map,
    variance_through_depth,
    weight_scales,
)
from .quadrature import (
    LIMIT,
    Function,
    gaussian_mean,
    normal_rule,
)

__all__ = [
    "EXPLODED",
    "TRAINABLE_DEPTHS_PER_XI",
    "EDGE_TOLERANCE",
    "MARGINAL",
    "variance_map",
    "variance_through_depth",
    "MAX_SCALE",
    "MAX_DEPTH",
    "fixed_q",
    "correlation_map",
    "fixed_point",
    "chi1",
    "depth_scales",
    "NoEdgeError",
    "edge_of_chaos",
    "Propagation",
    "propagation",
    "phase_diagram",
    "WeightScales",
    "weight_scales",
    "normal_rule",
    "gaussian_mean",
    "Function",
    "LIMIT",
    "MAX_BIAS_STD",
    "NO_EDGE",
    "Critical",
]
