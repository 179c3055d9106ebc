"""Commands that draw: ``plot``, ``animate``, ``report``, and ``diagnose`` (one recorded
run in words)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..engine import activations
from ..engine.registry import SpecError
from ..studies.answer.summary import (
    StudySummary,
    summarize,
)
from ..studies.plan.datasets import DataError
from ..studies.plan.study import (
    Study,
)
from ..studies.run.store import Store, StoreError
from ._common import (
    PICKED_DIMENSIONS,
    _existing_db,
    _fail,
    _load,
    _progress,
    console,
    db_option,
    first_seeds_option,
    output_option,
    run_choice_options,
    writing,
)
from ._output import _print_findings

RUN_KINDS = [
    "boundary",
    "feature-space",
    "misclassified",
    "updates",
    "gradients",
    "layer-stats",
    "training",
    "probabilities",
    "losses",
    "activation-histograms",
    "variance-theory",
]


STUDY_KINDS = [
    "heatmap",
    "curves",
    "depth-theory",
    "trainability",
    "pruning",
    "pruning-flops",
    "lottery",
    "ranking",
    "effects",
]


def _select_run(
    loaded: Study, activation: str | None, init: str | None, db: Path, seed: int, where=None
):
    """The recorded run of the configuration chosen by activation, initializer and any
    grid dimension; when several match, the first, and the command says which."""
    from ..studies.answer.recorded import recorded_run, select

    try:
        configs = select(loaded, activation, init, where)
    except SpecError as error:
        _fail(str(error))
    if not configs:
        choices = sorted({f"{c.activation} / {c.init_label}" for c in loaded.configs})
        _fail(f"no configuration of {loaded.name!r} matches; choose among: {'; '.join(choices)}")
    if len(configs) > 1:
        from ..studies.answer.selection import GRID

        def value(name: str, config) -> str:  # as the option takes it
            return config.data.get("name", "") if name == "data" else GRID[name](config)

        options = {"activation": "--activation", "initializer": "--init"}
        options.update({name: f"--{name}" for name in PICKED_DIMENSIONS})
        values = {
            name: sorted({value(name, c) for c in configs})
            for name in options
            if len({value(name, c) for c in configs}) > 1
        }
        chosen = configs[0]
        where = "".join(
            f", {name} {value(name, chosen)}"
            for name in values
            if name not in ("activation", "initializer")
        )
        picks = ", ".join(f"{options[n]} ({' | '.join(v)})" for n, v in values.items())
        console.print(
            f"[dim]{len(configs)} configurations match; showing "
            f"{escape(chosen.label + where)}. Pick another with {escape(picks)}[/]",
            highlight=False,
        )
    with Store(db) as store:
        try:
            return recorded_run(store, configs[0], seed)
        except DataError as error:
            _fail(f"{loaded.name}: the data cannot be used: {error}")


@click.command()
@click.argument("target")
@click.argument("names", required=False)
@click.option(
    "--kind",
    type=click.Choice(RUN_KINDS + STUDY_KINDS),
    default=None,
    help="What to draw for a study (default: heatmap).",
)
@output_option(".png or .svg", allowed=(".png", ".svg"))
@click.option("--derivatives/--no-derivatives", default=True, help="With `plot activations`.")
@click.option(
    "--stat",
    default="grad_norm",
    show_default=True,
    help="Statistic for --kind layer-stats: grad_norm, update_ratio, saturated, dead, act_std, ...",
)
@click.option(
    "--metric",
    default=None,
    help="Metric for study pictures: --kind heatmap, ranking, effects: test_accuracy, "
    "train_accuracy, test_loss, train_loss, epochs_to_target; --kind curves val_accuracy, "
    "val_loss, accuracy, loss.",
)
@click.option(
    "--where",
    "only",
    multiple=True,
    help="Study pictures: draw only configurations with DIMENSION=VALUE (repeatable), "
    "e.g. activation=relu or hidden=3x32.",
)
@run_choice_options
def plot(
    target, names, kind, output, derivatives, stat, metric, only, activation, init, seed, db, where
):
    """Draw a picture: `plot activations relu,tanh,gelu -o act.png`, or of a study or one
    of its runs: `plot parabola --kind feature-space --activation tanh -o fs.png`."""
    from .. import viz
    from ..viz.catalogue import check_metric, run_picture, study_picture

    if target == "activations":
        if names is not None and not [n for n in names.split(",") if n.strip()]:
            _fail("name the activations to draw, e.g. relu,tanh,gelu (or none for all of them)")
        specs = [n.strip() for n in (names or "").split(",") if n.strip()] or [
            n for n in activations.names() if n != "softmax"
        ]
        try:
            figure = viz.plot_activations(specs, derivatives=derivatives)
        except SpecError as error:
            _fail(str(error))
        with writing(output):
            console.print(f"wrote {escape(str(viz.save(figure, output)))}", highlight=False)
        return
    if target == "jacobian":
        _plot_isometry(names, output)
        return
    kind = kind or "heatmap"
    try:
        check_metric(kind, metric)
        if kind in STUDY_KINDS:
            _existing_db(db, target)
            loaded = _load(target, db)
            with Store(db, read_only=True) as store:  # a study's pictures only read
                summary = summarize(loaded, store)
                if not summary.rows:
                    _fail(f"no results for {target!r} in {db}; run it first")
                if only:
                    summary.rows = _only(summary, only)
                figure = study_picture(kind, summary, store, metric)
                if kind == "trainability":
                    from ..studies.answer.trainability import trainability_planes

                    for plane in trainability_planes(summary):
                        console.print(f"- {plane.summary_line()}", highlight=False)
                        for line in plane.boundary_lines():
                            console.print(f"    {line}", highlight=False)
        else:
            run = _select_run(_load(target, db), activation, init, db, seed, where)
            figure = run_picture(kind, run, stat)
    except (ValueError, TypeError, KeyError) as error:
        _fail(str(error))
    with writing(output):
        console.print(f"wrote {escape(str(viz.save(figure, output)))}", highlight=False)


def _only(summary: StudySummary, terms):
    """The summary's rows that ``--where`` terms pick, as a view of its columns (so
    every picture reads them as `rank` does)."""
    from ..studies.answer.selection import SelectionError, parse_where, select_rows

    try:
        return select_rows(summary.rows, parse_where(terms))
    except SelectionError as error:
        _fail(str(error))


def _plot_isometry(names: str | None, output) -> None:
    """`plot jacobian [tanh,relu]`: the hidden-layer Jacobian's spectrum at the edge of
    chaos, Gaussian against orthogonal weights, over depth."""
    import numpy as np

    from .. import theory, viz
    from ..viz.theory import isometry_spectra, plot_jacobian_spectra

    chosen = [n.strip() for n in (names or "tanh,relu").split(",") if n.strip()]
    try:
        specs = tuple(activations.get(name).spec() for name in chosen)
        spectra = isometry_spectra(specs)
    except (SpecError, theory.NoEdgeError, ValueError) as error:
        _fail(str(error))
    for spec in specs:
        for init in ("gaussian", "orthogonal"):
            deepest = max(depth for a, i, depth in spectra if a == spec and i == init)
            values = spectra[(spec, init, deepest)]
            spread = np.log10(np.maximum(values, 1e-12)).std()
            console.print(
                f"- {spec}, {init}, {deepest} layers: median singular value "
                f"{np.median(values):.3g}, spread {spread:.2f} decades (std of log10)",
                highlight=False,
            )
    with writing(output):
        console.print(
            f"wrote {escape(str(viz.save(plot_jacobian_spectra(spectra), output)))}",
            highlight=False,
        )


@click.command()
@click.argument("study")
@output_option(".gif, or .mp4 with ffmpeg", allowed=(".gif", ".mp4"))
@click.option(
    "--frames",
    type=click.IntRange(min=2, max=1000),
    default=40,
    show_default=True,
    help="Frames in the film, spread evenly over the recorded epochs.",
)
@click.option(
    "--fps",
    type=click.IntRange(min=1, max=60),
    default=4,
    show_default=True,
    help="Frames per second.",
)
@run_choice_options
def animate(study, output, frames, fps, activation, init, seed, db, where):
    """Animate a run: feature space, boundary, histograms and loss over the epochs."""
    from ..viz.animation import animate as write_animation

    run = _select_run(_load(study, db), activation, init, db, seed, where)
    try:
        with writing(output):
            path = write_animation(
                run.recording,
                run.data.X_train,
                run.data.y_train,
                output,
                max_frames=frames,
                fps=fps,
                title=run.label,
            )
    except (ValueError, RuntimeError) as error:
        _fail(str(error))
    console.print(f"wrote {escape(str(path))}", highlight=False)


@click.command()
@click.argument("study")
@output_option(".html", default=Path("report.html"), allowed=(".html", ".htm"))
@click.option(
    "--recorded",
    type=click.IntRange(min=0),
    default=6,
    show_default=True,
    help="Configurations to record and show in detail.",
)
@first_seeds_option
@db_option
def report(study, output, recorded, seeds, db):
    """One self-contained HTML report of a study (run it first). Runs are stored by
    configuration: seeds another study ran of the same configurations are counted too
    (the report says so); --first-seeds N reads the first N only."""
    from ..viz.report import write_report

    _existing_db(db, study)
    loaded = _load(study, db)
    try:
        Store(db).close()
    except StoreError as error:  # a read-only database: no runs can be recorded into it
        if recorded:
            console.print(
                f"[yellow]{escape(str(error))}; the report leaves out recorded runs[/]",
                highlight=False,
            )
        recorded, writable = 0, False
    else:
        writable = True
    with Store(db, read_only=not writable) as store, _progress(quiet=False) as bar:
        task = bar.add_task("report", total=min(recorded, len(loaded.configs)), last="")

        def advance(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, last=f"recording {label}")

        try:
            with writing(output):
                path = write_report(
                    loaded, store, output, recorded=recorded, progress=advance, seeds=seeds
                )
        except ValueError as error:
            _fail(str(error))
    console.print(f"wrote {escape(str(path))}", highlight=False)


@click.command()
@click.argument("study")
@run_choice_options
def diagnose(study, activation, init, seed, db, where):
    """Record one run of a study and say in words what happened inside it."""
    _print_findings(_select_run(_load(study, db), activation, init, db, seed, where))
