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
from .studies.store import DEFAULT_DB, Store
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
@db_option
@jobs_option
@backend_option
@scheduler_option
def run(study, seeds, epochs, db, jobs, backend, scheduler):
    """Run a built-in study or a study file (only the runs not yet stored)."""
    loaded = _load(study, epochs=epochs, seeds=seeds)
    _run(loaded, db, loaded.seeds, jobs, backend, scheduler)
    with Store(db) as store:
        _print_summary(summarize(loaded, store, seeds=loaded.seeds))


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


if __name__ == "__main__":
    main()
