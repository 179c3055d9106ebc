"""``theory``: signal propagation through a deep network of one activation."""

from __future__ import annotations

import math

import click
from rich.markup import escape

from ..engine import activations
from ..engine.registry import SpecError
from ._common import _fail, console, output_option, writing
from ._output import say


@click.command(name="theory")
@click.argument("activation")
@click.option(
    "--weights-std",
    "sigma_w",
    type=click.FloatRange(min=0, min_open=True, max=100),
    default=None,
    help="sigma_w = weight std x sqrt(fan_in) (default: the edge of chaos).",
)
@click.option(
    "--bias-std",
    "sigma_b",
    type=click.FloatRange(min=0, max=100),
    default=0.0,
    show_default=True,
    help="sigma_b: the biases' standard deviation.",
)
@click.option(
    "--depth", type=click.IntRange(min=1, max=10_000), default=None, help="Layers to follow."
)
@output_option(".png or .svg: the phase diagram", required=False, allowed=(".png", ".svg"))
def theory_command(activation, sigma_w, sigma_b, depth, output):
    """What mean-field theory says of ACTIVATION with weights N(0, sigma_w^2/fan_in) and
    biases N(0, sigma_b^2) in wide networks: the fixed point, chi1, the depth scales and
    the depth a network of it can train to."""
    from .. import theory

    for name, value in (("--weights-std", sigma_w), ("--bias-std", sigma_b)):
        if value is not None and not math.isfinite(value):
            _fail(f"{name} must be a finite number, got {value}")
    try:
        spec = activations.get(activation).spec()
    except SpecError as error:
        _fail(str(error))
    default = ""
    try:
        edge, no_edge = theory.edge_of_chaos(spec, sigma_b), ""
    except theory.NoEdgeError as error:
        edge, no_edge = None, str(error)
        if sigma_w is None:  # said at the activation's own gain instead
            sigma_w = float(activations.get(spec).gain)
            default = (
                f"sigma_w = {sigma_w:.4g}, the activation's gain (no edge to stand at); "
                "--weights-std sets another"
            )
    except ValueError as error:  # not an elementwise activation (softmax, a gate)
        _fail(str(error))
    sigma_w = edge if sigma_w is None else sigma_w
    result = theory.propagation(spec, sigma_w, sigma_b)
    if default:
        say(default, style="dim")
    head, *findings = theory_lines(result, edge, no_edge, depth)
    console.print(head, highlight=False)
    for line in findings:
        say(line, hanging="  ")
    if output:
        from .. import viz
        from ..viz.theory import plot_phase_diagram

        figure = plot_phase_diagram(spec, points={"this setting": (sigma_w, sigma_b)})
        with writing(output):
            console.print(f"wrote {escape(str(viz.save(figure, output)))}", highlight=False)


def _layers(value: float) -> str:
    """A depth in words where a number would mean nothing."""
    from ..theory import MAX_DEPTH

    if math.isinf(value):
        return "infinite (no exponential approach)"
    if value > MAX_DEPTH:
        return f"more than {MAX_DEPTH:,} layers"
    return f"{value:.1f} layers"


def _variance_line(result) -> str:
    if result.signal == "dies out":
        how = (
            "only polynomially, with no depth scale"
            if math.isinf(result.xi_q)
            else f"shrinking e-fold every {_layers(result.xi_q)}"
        )
        return f"- variance: the signal dies out, q falls to 0 {how}"
    if result.signal == "explodes":
        how = "polynomially" if math.isinf(result.xi_q) else f"e-fold every {_layers(result.xi_q)}"
        return f"- variance: the signal explodes, q grows without bound, {how}"
    if result.signal == "unstable":
        return (
            f"- variance: q* = {result.q_star:.4g} maps to itself but is unstable "
            f"(dq'/dq = {result.q_slope:.4g}): q leaves it e-fold every {_layers(result.xi_q)}"
        )
    return f"- variance: settles at q* = {result.q_star:.4g}, over xi_q = {_layers(result.xi_q)}"


def theory_lines(result, edge: float | None, no_edge: str, depth: int | None) -> list[str]:
    """The theory's findings in words and numbers."""
    from .. import theory

    if edge is None:
        edge_line = f"- {no_edge}"
    else:
        he = " (He: sqrt 2)" if result.activation == "relu" and result.sigma_b == 0 else ""
        edge_line = f"- edge of chaos at sigma_w = {edge:.4g} for this sigma_b{he}"
    if math.isnan(result.xi_c):
        leaves = "leaves q*" if result.signal == "unstable" else result.signal
        correlation = f"- correlation: not defined, the signal {leaves}"
    else:
        correlation = f"- correlation: settles at c* = {result.c_star:.4g}, over xi_c = {_layers(result.xi_c)}"
    trend = "shrink" if result.chi1 < 1 else "grow"
    gradients = (
        "- gradients: neither shrink nor grow exponentially (chi1 = 1)"
        if math.isinf(result.xi_grad)
        else f"- gradients: {trend} e-fold every xi_grad = {_layers(result.xi_grad)}"
    )
    symbol = "6 xi_c" if result.depth_limit == "correlation" else "6 xi_grad"
    if not math.isinf(result.trainable_depth):
        trainable = f"- trainable to about {symbol} = {_layers(result.trainable_depth)}"
    elif result.signal == "dies out":
        trainable = (
            "- trainable depth: no exponential depth scale bounds it; the signal fades only "
            "polynomially, so deeper networks start from ever smaller activations"
        )
    else:
        trainable = "- trainable depth: not bounded by the theory (no depth scale)"
    lines = [
        f"[bold]{result.activation}[/], sigma_w = {result.sigma_w:.4g}, sigma_b = {result.sigma_b:.4g}",
        edge_line,
        f"- phase: {result.phase} (chi1 = {result.chi1:.4g}; above 1 chaotic, below 1 ordered)",
        _variance_line(result),
        correlation,
        gradients,
        trainable,
    ]
    if depth:
        q = theory.variance_through_depth(
            result.activation, result.sigma_w, result.sigma_b, 1.0, depth
        )
        shown = ", ".join(f"{v:.3g}" for v in q[: min(len(q), 8)])
        lines.append(
            f"- variance from q0 = 1 through {depth} layers: {shown}"
            + (", ..." if len(q) > 8 else "")
            + f" -> {q[-1]:.3g}"
        )
        verdict = "within" if depth <= result.trainable_depth else "beyond"
        lines.append(f"- {depth} layers is {verdict} the trainable depth")
    return lines
