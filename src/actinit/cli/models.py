"""``prune``: a saved model made smaller, measured before and after."""

from __future__ import annotations

import copy
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from ..studies import datasets
from ..studies.plan.datasets import DataError
from ._common import _fail, console, output_option, writing


@click.command(name="prune")
@click.argument("model_file", metavar="MODEL", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--method",
    type=click.Choice(
        ["magnitude", "global", "units-norm", "units-activation", "units-scaled", "redundant"]
    ),
    default="magnitude",
    show_default=True,
    help="Weights by |w| per layer or over the whole network, or whole units by the L2 "
    "norm of their outgoing weights, their mean |activation|, ||w_out|| x RMS(activation), "
    "or merging nearly collinear units.",
)
@click.option(
    "--amount",
    type=click.FloatRange(0, 1, max_open=True),
    required=True,
    help="The share of weights (or units) to remove, e.g. 0.8.",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Prune in this many equal rounds (iterative pruning).",
)
@click.option(
    "--fine-tune",
    type=click.IntRange(0, 10_000),
    default=0,
    show_default=True,
    help="Epochs of training after each round (needs --data).",
)
@click.option(
    "--data",
    "data_name",
    default=None,
    help="A data set name (e.g. moons) or a .csv file: measured on, and trained on "
    "for fine-tuning and activation criteria.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**32 - 1),
    default=0,
    show_default=True,
    help="The data set's seed.",
)
@output_option(".npz: the pruned model", allowed=(".npz",))
def prune_command(model_file, method, amount, rounds, fine_tune, data_name, seed, output):
    """Prune a saved MODEL and print what it costs and keeps, before and after."""
    from ..engine.model_file import ModelFileError
    from ..engine.saving import load
    from ..studies.run.pruning import inference_times, measure, prune_model

    try:
        model = load(model_file)
    except ModelFileError as error:
        _fail(str(error))
    data = None
    if data_name:
        try:
            if data_name.endswith(".csv"):
                data = datasets.load("csv", seed=seed, path=data_name)
            else:
                data = datasets.load(data_name, seed=seed)
            before = measure(model, data, timed=False)
        except (DataError, ValueError) as error:
            _fail(f"{data_name}: {error}")
    else:
        before = measure(model)
    dense = copy.deepcopy(model)
    try:
        pruned = prune_model(model, method, amount, rounds, fine_tune, data)
    except ValueError as error:
        _fail(str(error))
    after = measure(pruned, data, timed=False)
    if data is not None:  # warm, repeated, interleaved: the medians of 21 passes each
        before.milliseconds_per_1000, after.milliseconds_per_1000 = inference_times(
            [dense, pruned], data.X_test, repeats=PRUNE_TIMING_REPEATS
        )
    console.print(_prune_table(before, after, method, amount, rounds, fine_tune))
    with writing(output):
        console.print(f"wrote {escape(str(pruned.save(output)))}", highlight=False)


#: Passes of each network whose median `actinit prune` prints as its inference time.
PRUNE_TIMING_REPEATS = 21


def _prune_table(before, after, method, amount, rounds, fine_tune) -> Table:
    def percent(value):
        return "-" if value is None else f"{100 * value:.1f}%"

    removed = 1 - after.nonzero_weights / max(before.nonzero_weights, 1)
    table = Table(
        title=f"{method}: {100 * removed:.1f}% of the weights removed (asked {100 * amount:g}%)"
        f" in {rounds} round(s)"
        + (f", {fine_tune} epoch(s) of fine-tuning each" if fine_tune else "")
    )
    for column in ("", "before", "after", "after / before"):
        table.add_column(column, justify="right" if column else "left")
    rows = [
        ("test accuracy", percent(before.test_accuracy), percent(after.test_accuracy), None),
        ("train accuracy", percent(before.train_accuracy), percent(after.train_accuracy), None),
        ("parameters", before.parameters, after.parameters, after.parameters / before.parameters),
        (
            "non-zero weights",
            before.nonzero_weights,
            after.nonzero_weights,
            after.nonzero_weights / max(before.nonzero_weights, 1),
        ),
        (
            "FLOPs per sample",
            before.flops_per_sample,
            after.flops_per_sample,
            after.flops_per_sample / max(before.flops_per_sample, 1),
        ),
        (
            "saved size (bytes, compressed)",
            before.compressed_bytes,
            after.compressed_bytes,
            after.compressed_bytes / max(before.compressed_bytes, 1),
        ),
    ]
    if before.milliseconds_per_1000 is not None:
        rows.append(
            (
                "inference, ms per 1,000 samples (median of 21, interleaved)",
                f"{before.milliseconds_per_1000:.2f}",
                f"{after.milliseconds_per_1000:.2f}",
                after.milliseconds_per_1000 / max(before.milliseconds_per_1000, 1e-9),
            )
        )
    for name, old, new, ratio in rows:
        table.add_row(
            name,
            f"{old:,}" if isinstance(old, int) else str(old),
            f"{new:,}" if isinstance(new, int) else str(new),
            "" if ratio is None else f"{ratio:.3f}",
        )
    return table
