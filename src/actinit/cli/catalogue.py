"""``list`` (what actinit offers) and ``playground`` (the live page)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from ..engine import activations, initializers, losses, optimizers
from ..engine.layers import GATES
from ..studies import datasets
from ..studies.plan.study_file import builtin_names, load_study
from ._common import _fail, console


def _catalogue() -> dict[str, list[tuple[str, str]]]:
    return {
        "studies": [(name, load_study(name).title) for name in builtin_names()],
        "datasets": [(name, datasets.describe(name)) for name in datasets.names()],
        "activations": [(name, _activation_details(name)) for name in activations.names()]
        + [
            (
                "maxout(k)",
                "A layer, not a function: each unit is the largest of k affine pieces "
                "(Goodfellow et al. 2013); `maxout(2)` as an activation in study files and the "
                "playground. Range (-inf, inf), not zero-centred.",
            )
        ]
        + [
            (
                name,
                f"A gated layer, not a function: each unit is {gate}(x W + b) * (x V + c), "
                "two affine maps (Dauphin et al. 2017; Shazeer 2020); as an activation in "
                "study files, the playground and the scikit-learn estimators. Default "
                "weights lecun_normal.",
            )
            for name, gate in GATES.items()
        ],
        "initializers": [
            (
                name,
                f"{initializers.INITIALIZERS.describe(name)} "
                f"Parameters: {initializers.INITIALIZERS.signature(name)}.",
            )
            for name in initializers.names()
        ],
        "optimizers": [
            (name, optimizers.OPTIMIZERS.signature(name)) for name in optimizers.names()
        ],
        "losses": [(name, _loss_details(name)) for name in losses.names()],
    }


def _activation_details(name: str) -> str:
    """An activation's formula line, range, whether zero-centred, gain and signature."""
    activation = activations.get(name)
    low, high = activation.output_range
    centred = "zero-centred" if activation.zero_centred else "not zero-centred"
    return (
        f"{activations.ACTIVATIONS.describe(name)} Range ({low:g}, {high:g}), {centred}, "
        f"gain {activation.gain:.4g}. Parameters: {activations.ACTIVATIONS.signature(name)}."
    )


def _loss_details(name: str) -> str:
    """What a loss is for, and the output activation it is fused with."""
    loss = losses.get(name)
    doc = " ".join((type(loss).__doc__ or "").split("\n\n")[0].split()).replace("``", "")
    fused = f" Fused with a {loss.fused_activation} output." if loss.fused_activation else ""
    parameters = losses.LOSSES.signature(name)
    return doc + fused + (f" Parameters: {parameters}." if parameters != "()" else "")


@click.command(name="list")
@click.argument(
    "what",
    required=False,
    type=click.Choice(
        ["studies", "datasets", "activations", "initializers", "optimizers", "losses"]
    ),
)
def list_(what):
    """List studies, data sets, activations, initializers, optimizers and losses."""
    for section, rows in _catalogue().items():
        if what and section != what:
            continue
        table = Table(title=section, title_justify="left", show_header=False)
        table.add_column("name", style="bold")
        table.add_column("details", overflow="fold")
        for name, details in rows:
            table.add_row(name, escape(details))
        console.print(table)


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; the default serves this machine only.",
)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=0,
    help="Port (default: a free one, printed with the URL).",
)
@click.option(
    "--allow-host",
    "allow",
    multiple=True,
    metavar="NAME",
    help="Another host name requests may be addressed to (repeatable); this machine's "
    "own names and addresses are always allowed, every other Host header is refused.",
)
def playground(host, port, allow):
    """Train and watch a network live in the browser."""
    from ..playground import serve

    if not host.strip():
        _fail(
            "--host is empty: give an address, 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(
            f"[yellow]serving on {escape(host)}: anyone who can reach it can train here[/]"
        )
    try:
        serve(host=host, port=port or None, announce=console.print, allow=allow)
    except OSError as error:  # a port in use, an address this machine does not have
        reason = error.strerror or str(error)
        _fail(
            f"cannot serve on {host}:{port or 'a free port'}: {reason}; choose another --port or --host"
        )
