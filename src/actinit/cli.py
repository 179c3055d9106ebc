"""The ``actinit`` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .engine import activations, initializers, losses, optimizers
from .engine.registry import SpecError
from .studies import datasets
from .studies.runner import run_study
from .studies.store import DEFAULT_DB, Store, StoreError
from .studies.study import Study, StudyError, builtin_names, load_study
from .studies.summary import (
    StudySummary,
    comparison_rows,
    summarize,
    table_rows,
    to_csv,
    to_json,
    to_markdown,
)

console = Console()
if not console.is_terminal:
    console = Console(width=max(console.width, 160))
SEED_STUDIES = ["blobs", "mnist", "moons", "parabola", "circles"]
BACKENDS = ["loky", "threading", "sequential", "dask"]


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    sys.exit(2)


def _load(study: str, epochs: int | None = None, seeds: int | None = None) -> Study:
    overrides: dict[str, Any] = {}
    if epochs is not None:
        overrides["epochs"] = epochs
    if seeds is not None:
        overrides["seeds"] = seeds
    try:
        return load_study(study, overrides)
    except (StudyError, SpecError) as error:
        _fail(str(error))
        raise  # unreachable


def _run(
    study: Study,
    db: Path,
    seeds: int,
    jobs: int | None,
    backend: str,
    scheduler: str | None,
    quiet: bool = False,
) -> None:
    with Store(db) as store:
        total = len(study.configs) * seeds
        with Progress(
            TextColumn(f"[bold]{study.name}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=False,
        ) as progress:
            task = progress.add_task(study.name, total=total, last="")

            def advance(done: int, count: int, result: dict[str, Any]) -> None:
                config = result["config"]
                status = result["status"]
                accuracy = result.get("test_accuracy")
                shown = f"{100 * accuracy:.1f}%" if accuracy is not None else status
                progress.update(
                    task,
                    completed=total - count + done,
                    last=f"{config['activation']} / {config['init_label']}: {shown}",
                )

            already = len(store.done(c.key for c in study.configs))
            progress.update(task, completed=min(already, total))
            try:
                report = run_study(
                    study,
                    store,
                    seeds=seeds,
                    jobs=jobs,
                    backend=backend,
                    scheduler=scheduler,
                    progress=advance,
                )
            except KeyboardInterrupt:
                console.print(
                    "[yellow]interrupted: finished runs are stored; run again to "
                    "complete the rest[/]"
                )
                raise SystemExit(130) from None
        if not quiet:
            console.print(
                f"{report.ran} runs in {report.seconds:.1f}s, {report.skipped} already stored"
                + (f", [yellow]{report.diverged} diverged[/]" if report.diverged else "")
                + (f", [red]{report.failed} failed[/]" if report.failed else "")
            )


def _print_summary(summary: StudySummary) -> None:
    header, body = table_rows(summary)
    table = Table(title=summary.study.title, title_justify="left", show_lines=False)
    for column in header:
        table.add_column(column, overflow="fold")
    for row in body:
        table.add_row(*row)
    console.print(table)
    header, body = comparison_rows(summary)
    if body:
        comparison = Table(
            title=f"{summary.study.name}: published vs actinit", title_justify="left"
        )
        for column in header:
            comparison.add_column(column, overflow="fold")
        for row in body:
            style = "green" if row[-1].startswith("reproduced") else "yellow"
            comparison.add_row(*row[:-1], f"[{style}]{row[-1]}[/]")
        console.print(comparison)
    if summary.missing_runs:
        console.print(f"[dim]{summary.missing_runs} runs of this study are not in the database.[/]")


db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="SQLite database of results.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel workers (default: all cores).",
)
backend_option = click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="loky",
    show_default=True,
    help="joblib backend; dask needs actinit[dask].",
)
activation_option = click.option(
    "--activation", default=None, help="Pick the run with this activation."
)
init_option = click.option(
    "--init", default=None, help="Pick the run with this initializer (label or spec)."
)
seed_option = click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Which seed's run."
)
scheduler_option = click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address tcp://HOST:PORT (with --backend dask).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actinit")
def main() -> None:
    """actinit: which activation, with which initialization, trains well, and why."""


@main.command()
@click.argument("studies", nargs=-1)
@click.option(
    "--seeds",
    type=click.IntRange(min=1),
    default=None,
    help="Seeds per configuration (default: each study's own, 3 to 5).",
)
@db_option
@jobs_option
@backend_option
@scheduler_option
def reproduce(studies, seeds, db, jobs, backend, scheduler):
    """Reproduce the seed studies (all by default) and compare with the published numbers."""
    chosen = list(studies) or SEED_STUDIES
    for name in chosen:
        if name not in builtin_names():
            _fail(f"unknown study {name!r}; built-in studies: {', '.join(builtin_names())}")
    for name in chosen:
        study = _load(name, seeds=seeds)
        _run(study, db, study.seeds, jobs, backend, scheduler)
        with Store(db) as store:
            _print_summary(summarize(study, store, seeds=study.seeds))


@main.command()
@click.argument("study")
@click.option("--seeds", type=click.IntRange(min=1), default=None, help="Seeds per configuration.")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Override the epochs.")
@click.option(
    "--diagnose",
    "diagnosed",
    type=click.IntRange(min=0),
    default=0,
    help="Afterwards, record seed 0 of the first N configurations and say what happened "
    "inside them.",
)
@db_option
@jobs_option
@backend_option
@scheduler_option
def run(study, seeds, epochs, diagnosed, db, jobs, backend, scheduler):
    """Run a built-in study or a study file (only the runs not yet stored)."""
    loaded = _load(study, epochs=epochs, seeds=seeds)
    _run(loaded, db, loaded.seeds, jobs, backend, scheduler)
    with Store(db) as store:
        _print_summary(summarize(loaded, store, seeds=loaded.seeds))
        if diagnosed:
            from .studies.recorded import recorded_run

            for config in loaded.configs[:diagnosed]:
                _print_findings(recorded_run(store, config, 0))


def _print_findings(run) -> None:
    from .studies.diagnosis import diagnose as diagnose_recording

    console.print(f"[bold]{run.label}[/]")
    for finding in diagnose_recording(run.recording):
        colour = "yellow" if finding.severity == "warning" else "green"
        console.print(f"  [{colour}]-[/] {finding.message}")


@main.command()
@click.argument("study")
@click.option(
    "--seeds", type=click.IntRange(min=1), default=None, help="Summarise only the first N seeds."
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=None,
    help="The epochs the study was run with, if overridden.",
)
@db_option
def show(study, seeds, epochs, db):
    """Summary of a study from the database, without training."""
    loaded = _load(study, epochs=epochs)
    if not Path(db).exists():
        _fail(f"no database at {db}; run the study first (actinit run {study})")
    with Store(db) as store:
        _print_summary(summarize(loaded, store, seeds=seeds))


@main.command()
@click.argument("study")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "markdown"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option("--epochs", type=click.IntRange(min=1), default=None)
@db_option
def export(study, fmt, output, epochs, db):
    """Export a study's summary as CSV, JSON or Markdown."""
    loaded = _load(study, epochs=epochs)
    if not Path(db).exists():
        _fail(f"no database at {db}; run the study first")
    with Store(db) as store:
        summary = summarize(loaded, store)
    text = {"csv": to_csv, "json": to_json, "markdown": to_markdown}[fmt](summary)
    if output:
        output.write_text(text)
        console.print(f"wrote {output}")
    else:
        click.echo(text)


@main.command(name="list")
@click.argument(
    "what",
    required=False,
    type=click.Choice(
        ["studies", "datasets", "activations", "initializers", "optimizers", "losses"]
    ),
)
def list_(what):
    """List studies, data sets, activations, initializers, optimizers and losses."""
    sections = {
        "studies": [(name, load_study(name).title) for name in builtin_names()],
        "datasets": [(name, datasets.describe(name)) for name in datasets.names()],
        "activations": [
            (
                name,
                f"gain {activations.get(name).gain:.4g}; {activations.ACTIVATIONS.signature(name)}",
            )
            for name in activations.names()
        ],
        "initializers": [
            (name, initializers.INITIALIZERS.signature(name)) for name in initializers.names()
        ],
        "optimizers": [
            (name, optimizers.OPTIMIZERS.signature(name)) for name in optimizers.names()
        ],
        "losses": [(name, "") for name in losses.names()],
    }
    for section, rows in sections.items():
        if what and section != what:
            continue
        table = Table(title=section, title_justify="left", show_header=False)
        table.add_column("name", style="bold")
        table.add_column("details", overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)


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
]
STUDY_KINDS = ["heatmap", "curves"]


def _select_run(loaded: Study, activation: str | None, init: str | None, db: Path, seed: int):
    from .studies.recorded import recorded_run, select

    try:
        configs = select(loaded, activation, init)
    except SpecError as error:
        _fail(str(error))
    if not configs:
        choices = sorted({f"{c.activation} / {c.init_label}" for c in loaded.configs})
        _fail(f"no configuration of {loaded.name!r} matches; choose among: {'; '.join(choices)}")
    with Store(db) as store:
        return recorded_run(store, configs[0], seed)


@main.command()
@click.argument("target")
@click.argument("names", required=False)
@click.option(
    "--kind",
    type=click.Choice(RUN_KINDS + STUDY_KINDS),
    default=None,
    help="What to draw for a study (default: heatmap).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Picture to write (.png or .svg).",
)
@click.option("--derivatives/--no-derivatives", default=True, help="With `plot activations`.")
@activation_option
@init_option
@seed_option
@click.option(
    "--stat",
    default="grad_norm",
    show_default=True,
    help="Statistic for --kind layer-stats: grad_norm, update_ratio, saturated, dead, act_std, ...",
)
@click.option(
    "--metric", default=None, help="Metric for study pictures (test_accuracy, val_loss, ...)."
)
@db_option
def plot(target, names, kind, output, derivatives, activation, init, seed, stat, metric, db):
    """Draw a picture: `plot activations relu,tanh,gelu -o act.png`, or of a study or one
    of its runs: `plot parabola --kind feature-space --activation tanh -o fs.png`."""
    from . import viz
    from .engine import activations as activation_registry

    if target == "activations":
        specs = [n for n in (names or "").split(",") if n] or [
            n for n in activation_registry.names() if n != "softmax"
        ]
        try:
            figure = viz.plot_activations(specs, derivatives=derivatives)
        except SpecError as error:
            _fail(str(error))
        console.print(f"wrote {viz.save(figure, output)}")
        return
    loaded = _load(target)
    kind = kind or "heatmap"
    try:
        if kind in STUDY_KINDS:
            if not Path(db).exists():
                _fail(f"no database at {db}; run the study first (actinit run {target})")
            with Store(db) as store:
                summary = summarize(loaded, store)
                if not summary.rows:
                    _fail(f"no results for {target!r} in {db}; run it first")
                figure = (
                    viz.plot_study_heatmap(summary, metric or "test_accuracy")
                    if kind == "heatmap"
                    else viz.plot_study_curves(summary, store, metric or "val_accuracy")
                )
        else:
            run = _select_run(loaded, activation, init, db, seed)
            model, data = run.model(), run.data
            X, y = data.X_train, data.y_train
            figure = {
                "boundary": lambda: viz.plot_boundary(model, X, y, title=run.label),
                "feature-space": lambda: viz.plot_feature_space(model, X, y, title=run.label),
                "misclassified": lambda: viz.plot_misclassified(model, X, y),
                "updates": lambda: viz.plot_updates(run.recording),
                "gradients": lambda: viz.plot_layer_heatmap(run.recording, "grad_norm"),
                "layer-stats": lambda: viz.plot_layer_heatmap(run.recording, stat),
                "training": lambda: viz.plot_curves(run.recording, title=run.label),
                "probabilities": lambda: viz.plot_probability_histograms(model, X, y),
                "losses": lambda: viz.plot_loss_histogram(model, X, y),
                "activation-histograms": lambda: viz.plot_activation_histograms(model, X),
            }[kind]()
    except (ValueError, TypeError) as error:
        _fail(str(error))
    console.print(f"wrote {viz.save(figure, output)}")


@main.command()
@click.argument("study")
@activation_option
@init_option
@seed_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Animation to write (.gif, or .mp4 with ffmpeg).",
)
@click.option("--frames", type=click.IntRange(min=2), default=40, show_default=True)
@click.option("--fps", type=click.IntRange(min=1), default=4, show_default=True)
@db_option
def animate(study, activation, init, seed, output, frames, fps, db):
    """Animate a run: feature space, boundary, histograms and loss over the epochs."""
    from .viz.animation import animate as write_animation

    run = _select_run(_load(study), activation, init, db, seed)
    try:
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
    console.print(f"wrote {path}")


@main.command()
@click.argument("study")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
)
@click.option(
    "--recorded",
    type=click.IntRange(min=0),
    default=6,
    show_default=True,
    help="Configurations to record and show in detail.",
)
@db_option
def report(study, output, recorded, db):
    """One self-contained HTML report of a study (run it first)."""
    from .viz.report import write_report

    loaded = _load(study)
    if not Path(db).exists():
        _fail(f"no database at {db}; run the study first (actinit run {study})")
    with Store(db) as store:
        try:
            path = write_report(loaded, store, output, recorded=recorded)
        except ValueError as error:
            _fail(str(error))
    console.print(f"wrote {path}")


@main.command()
@click.argument("study")
@activation_option
@init_option
@seed_option
@db_option
def diagnose(study, activation, init, seed, db):
    """Record one run of a study and say in words what happened inside it."""
    _print_findings(_select_run(_load(study), activation, init, db, seed))


@main.command()
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
def playground(host, port):
    """Train and watch a network live in the browser."""
    from .playground import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]serving on {host}: anyone who can reach it can train here[/]")
    serve(host=host, port=port or None, announce=console.print)


def run_cli() -> None:
    """The console entry point: refusals of bad databases as messages, not tracebacks."""
    try:
        main(standalone_mode=True)
    except StoreError as error:
        _fail(str(error))


if __name__ == "__main__":
    run_cli()
