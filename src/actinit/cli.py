"""The ``actinit`` command line.

Every command checks what it was given before any work starts (the study, the
database, the data) and refuses bad input with one line naming what is wrong and a
non-zero exit; options shared by several commands are defined once below.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from .engine import activations, initializers, losses, optimizers
from .engine.layers import GATES
from .engine.registry import SpecError
from .studies import datasets
from .studies.answer.summary import (
    COMPARISON_DROP_ORDER,
    DROP_ORDER,
    NAME_COLUMNS,
    StudySummary,
    comparison_rows,
    formatter,
    summarize,
    table_rows,
    to_csv,
    to_json,
    to_markdown,
)
from .studies.plan.datasets import DataError
from .studies.plan.study import (
    Study,
    StudyError,
    builtin_names,
    load_study,
    parse_study,
    write_study,
)
from .studies.run.preflight import DEFAULT_TIME_LIMIT, PlanError, check_size
from .studies.run.runner import RunReport, planned_runs, run_study
from .studies.run.store import DEFAULT_DB, Store, StoreError
from .tables import prose, render

console = Console()


def _fit_console() -> None:
    """Tables as wide as the terminal; $COLUMNS (or 100 when output is not a terminal)
    otherwise."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 20:
        console.width = int(columns)
    elif not console.is_terminal:
        console.width = 100


SEED_STUDIES = ["blobs", "mnist", "moons", "parabola", "circles"]
BACKENDS = ["loky", "threading", "sequential", "dask"]
MAX_JOBS = 256


def _fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(2)


# --------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------


def _load(
    study: str, db: Path | None = None, epochs: int | None = None, seeds: int | None = None
) -> Study:
    """A built-in study, a study file, or a study run earlier from a file and kept in
    the database ``db`` under its name."""
    overrides = {k: v for k, v in (("epochs", epochs), ("seeds", seeds)) if v is not None}
    try:
        return load_study(study, overrides)
    except StudyError as error:
        kept = _kept_study(study, db)
        if kept is None:
            _fail(str(error))
        try:
            return parse_study(kept, source=f"study {study!r} kept in {db}", overrides=overrides)
        except StudyError as kept_error:
            _fail(str(kept_error))


def _kept_study(name: str, db: Path | None) -> str | None:
    if db is None or not Path(db).is_file() or "/" in name or name.endswith(".toml"):
        return None
    with Store(db, read_only=True) as store:
        return store.study_document(name)


def _existing_db(db: Path, study: str) -> Path:
    if not Path(db).is_file():
        try:
            load_study(study)  # a mistyped name is said first, with the nearest name
        except StudyError as error:
            _fail(str(error))
        _fail(f"no database at {db}; run the study first (actinit run {study} --db {db})")
    return db


# --------------------------------------------------------------------------
# Running and showing
# --------------------------------------------------------------------------


def _progress(quiet: bool) -> Progress:
    """A progress bar that leaves the screen when done (the report line says the rest)."""
    return Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    )


@dataclass(frozen=True)
class RunChoices:
    """How and where a command runs studies: --jobs, --backend, --scheduler, --db,
    --no-time-limit."""

    jobs: int | None
    backend: str
    scheduler: str | None
    db: Path
    time_limit: float | None


def _run(study: Study, how: RunChoices, plan=None) -> RunReport:
    """Run what is missing of ``study`` (or of ``plan``: (configuration, seed) pairs).
    Its input (data, sizes, time) is checked before any run starts; the first problem
    stops it with a message and exit 2."""
    with Store(how.db) as store:
        if study.path:
            store.save_study(study.name, write_study(study))
        if plan is None:
            try:
                check_size(len(study.configs), study.seeds, len(study.replays))
            except PlanError as error:
                _fail(f"{study.name}: no run was started: {error}")
        total = len(planned_runs(study, study.seeds) if plan is None else plan)
        try:
            with _progress(quiet=False) as progress:
                task = progress.add_task(study.name, total=total, last="")

                def advance(done: int, count: int, result: dict[str, Any]) -> None:
                    accuracy = result.get("test_accuracy")
                    shown = f"{100 * accuracy:.1f}%" if accuracy is not None else result["status"]
                    label = f"{result['config']['activation']} / {result['config']['init_label']}"
                    progress.update(task, completed=total - count + done, last=f"{label}: {shown}")

                report = run_study(
                    study,
                    store,
                    jobs=how.jobs,
                    backend=how.backend,
                    scheduler=how.scheduler,
                    progress=advance,
                    time_limit=how.time_limit,
                    plan=plan,
                )
        except DataError as error:
            _fail(f"{study.name}: the data cannot be used, no run was started: {error}")
        except PlanError as error:
            _fail(f"{study.name}: no run was started: {error}")
        except KeyboardInterrupt:
            console.print("[yellow]interrupted: finished runs are stored; run again to finish[/]")
            raise SystemExit(130) from None
        console.print(_report_line(report))
        return report


def _report_line(report: RunReport) -> str:
    return (
        f"{report.ran} runs in {report.seconds:.1f}s, {report.skipped} already stored"
        + (f", [yellow]{report.diverged} diverged[/]" if report.diverged else "")
        + (f", [red]{report.failed} failed (reasons below)[/]" if report.failed else "")
    )


VERDICT_STYLES = {
    "replayed exactly": "bold green",
    "consistent": "green",
    "too few seeds": "yellow",
    "not reproduced": "red",
    "not comparable": "dim",
    "supported": "green",
    "contradicted": "red",
    "not settled": "yellow",
    "cannot be tested": "dim",
    "cannot be judged": "dim",
}


def _print_table(
    title: str,
    header: list[str],
    body: list[list[str]],
    names: tuple[str, ...] = NAME_COLUMNS,
    drop_order: tuple[str, ...] = DROP_ORDER,
    joiner: str = " / ",
) -> None:
    """A table fitted to the console's width: the columns that name a row stay whole,
    the least important figures go first (and the table says which went), and rows
    become blocks when even the names do not fit (named by ``joiner`` between them)."""
    if title:
        say(title, style="bold")
    for line in render(header, body, console.width, names, drop_order, joiner):
        text = Text(line)
        for verdict, style in VERDICT_STYLES.items():
            text.highlight_words([verdict], style=style)
        console.print(text, soft_wrap=True, highlight=False)
    console.print()


def say(text: str, indent: str = "", hanging: str = "  ", style: str = "") -> None:
    """Print a sentence wrapped to the console with a hanging indent (rich's own
    wrapping starts continued lines at column 0)."""
    for line in prose(text, console.width, indent, hanging):
        console.print(Text(line, style=style), soft_wrap=True, highlight=False)


def _print_comparisons(summary: StudySummary, verbose: bool) -> None:
    """The published figures beside actinit's; ``verbose`` adds each verdict's reason
    below the table."""
    header, body = comparison_rows(summary, verbose=verbose)
    if not body:
        return
    reasons = [(row[0], row.pop()) for row in body] if verbose else []
    header = header[: len(body[0])]
    _print_table(
        f"{summary.study.title}: published vs actinit",
        header,
        body,
        names=("figure",),
        drop_order=COMPARISON_DROP_ORDER,
    )
    for figure, reason in reasons:
        say(f"{figure}: {reason}", indent="  ", hanging="    ")


def _print_conclusions(summary: StudySummary, verbose: bool) -> None:
    """The document's conclusions, each with what actinit's seeds say of it."""
    from .studies.answer.conclusions import conclusion_rows, judge_conclusions

    tested = judge_conclusions(summary)
    if not tested:
        return
    header, body = conclusion_rows(tested)
    _print_table(
        f"{summary.study.title}: the document's conclusions, paired by seed",
        header,
        body,
        names=("conclusion",),
        drop_order=("seeds", "wins", "p (Holm)"),
    )
    if verbose:
        for entry in tested:
            say(f"{entry.conclusion.text}: {entry.detail}", indent="  ", hanging="    ")


def _print_summary(
    summary: StudySummary, configurations: bool = True, verbose: bool = True
) -> None:
    """The study's table per configuration (when ``configurations``), its published
    figures beside actinit's, then failures and what is missing."""
    if configurations:
        _print_table(summary.study.title, *table_rows(summary))
    _print_comparisons(summary, verbose)
    _print_conclusions(summary, verbose)
    if verbose and summary.study.replay_note:
        console.print(f"[dim]replay: {escape(' '.join(summary.study.replay_note.split()))}[/]")
    for failure in summary.failures[:10]:
        console.print(
            f"[red]failed:[/] {escape(failure.config.label)} (seed {failure.seed}): "
            f"{escape(failure.reason)}",
            highlight=False,
        )
    if len(summary.failures) > 10:
        console.print(f"[red]... and {len(summary.failures) - 10} more failed runs[/]")
    if summary.missing_runs:
        say(_missing_text(summary), style="dim")
    _print_shared(summary)
    if configurations and any(row.learned_share is not None for row in summary.rows):
        threshold = 100 * summary.study.learned_threshold
        say(
            f"learned: the share of seeds whose test accuracy is above {threshold:.0f}% "
            "(the study's [summary] learned_threshold)",
            style="dim",
        )


def shared_text(summary: StudySummary) -> str:
    """A sentence when configurations have more seeds than the study's own: runs are
    stored by configuration, so another study (or --seeds, --max-seeds) of the same
    configurations adds to them."""
    own = summary.study.seeds
    extra = [row for row in summary.rows if row.seeds > own]
    if not extra:
        return ""
    most = max(row.seeds for row in extra)
    return (
        f"{len(extra)} of {len(summary.rows)} configurations have more seeds than the "
        f"study's {own} (up to {most}): runs are stored by configuration, so seeds that "
        f"another study, --seeds or --max-seeds ran are counted too; --seeds {own} shows the "
        "study's own"
    )


def _print_shared(summary: StudySummary) -> None:
    text = shared_text(summary)
    if text:
        say(text, style="dim")


def _missing_text(summary: StudySummary) -> str:
    """How many runs are missing, and the command that completes or narrows the view."""
    study, have = summary.study, summary.complete_seeds
    text = f"{summary.missing_runs} runs of this study are not in the database"
    if 0 < have < study.seeds:
        return (
            f"{text}: every configuration has {have} of its {study.seeds} seeds. Show what is "
            f"there with --seeds {have}, or complete it with `actinit run {study.name}`"
        )
    return f"{text}; `actinit run {study.name}` runs them"


# --------------------------------------------------------------------------
# Options shared by several commands
# --------------------------------------------------------------------------

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
    type=click.IntRange(min=1, max=MAX_JOBS),
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
    help="Dask scheduler address tcp://HOST:PORT (implies --backend dask).",
)
seeds_option = click.option(
    "--seeds",
    type=click.IntRange(min=1, max=10_000),
    default=None,
    help="Seeds per configuration (default: the study's own).",
)
epochs_option = click.option(
    "--epochs",
    type=click.IntRange(min=1, max=10_000_000),
    default=None,
    help="Override the epochs (give the same value to `show` or `export` a study run with it).",
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


def output_option(
    suffixes: str,
    required: bool = True,
    default: Path | None = None,
    allowed: tuple[str, ...] = (),
):
    """-o/--output: a file this command can write, checked before any work starts (its
    suffix among ``allowed`` when given, its folder there or makeable, writable)."""

    def check(ctx, param, value: Path | None) -> Path | None:
        if value is None:
            return None
        if allowed and value.suffix.lower() not in allowed:
            _fail(
                f"{value.name}: this command writes {' or '.join(allowed)} files; "
                f"give -o with one of those suffixes"
            )
        return writable(value)

    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        required=required and default is None,
        default=default,
        show_default=default is not None,
        help=f"File to write ({suffixes}).",
        callback=check,
    )


def writable(path: Path) -> Path:
    """``path`` if a file can be written there (its folder made if need be); else one
    line saying why, before any work is done."""
    if path.is_dir():
        _fail(f"{path} is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(f"cannot write {path}: its folder {path.parent} cannot be made ({error.strerror})")
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        _fail(
            f"cannot write {path}: {'the file' if path.exists() else 'its folder'} is not writable"
        )
    try:  # what os.access cannot tell (root, /proc, a read-only mount): try it
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".actinit-check-"):
            pass
    except OSError as error:
        _fail(f"cannot write {path}: its folder {path.parent} takes no files ({error.strerror})")
    return path


@contextlib.contextmanager
def writing(path: Path):
    """Say in one line why a file could not be written (a full disk, a read-only file
    system) instead of a traceback."""
    try:
        yield
    except OSError as error:
        _fail(f"could not write {path}: {error.strerror or error}")


time_limit_option = click.option(
    "--no-time-limit",
    is_flag=True,
    help=f"Run even if the rough estimate says it takes over "
    f"{DEFAULT_TIME_LIMIT / 86400:.0f} days.",
)


def run_options(command):
    """--jobs, --backend, --scheduler, --db and --no-time-limit, handed to the command
    as one ``how``: how and where runs are done."""

    @functools.wraps(command)
    def with_choices(*args, jobs, backend, scheduler, db, no_time_limit, **kwargs):
        limit = None if no_time_limit else DEFAULT_TIME_LIMIT
        if scheduler is not None:
            from .studies.run.runner import check_scheduler

            try:
                check_scheduler(scheduler)
            except PlanError as error:
                _fail(str(error))
            if backend not in ("dask", "loky"):
                _fail(f"--scheduler runs on Dask: drop --backend {backend}, or the scheduler")
            backend = "dask"  # a scheduler means the Dask backend
        return command(*args, how=RunChoices(jobs, backend, scheduler, db, limit), **kwargs)

    for option in (time_limit_option, scheduler_option, backend_option, jobs_option, db_option):
        with_choices = option(with_choices)
    return with_choices


#: Grid dimensions a command can pick a run by, besides --activation and --init.
PICKED_DIMENSIONS = {
    "hidden": "Pick the run with these hidden layers: 50x32, 12-6, or 50 for 50 layers.",
    "data": "Pick the run on this data set (a study over several).",
    "optimizer": "Pick the run with this optimizer (as tables show it).",
    "batch": "Pick the run with this batch size (or full).",
}


def run_choice_options(command):
    """--activation, --init, --hidden, --data, --optimizer, --batch, --seed and --db:
    which recorded run a picture shows; the grid dimensions reach the command as one
    ``where`` dict."""

    @functools.wraps(command)
    def with_where(*args, **kwargs):
        where = {name: kwargs.pop(name) for name in PICKED_DIMENSIONS if kwargs.get(name)}
        for name in PICKED_DIMENSIONS:
            kwargs.pop(name, None)
        return command(*args, where=where, **kwargs)

    for name, text in PICKED_DIMENSIONS.items():
        with_where = click.option(f"--{name}", default=None, help=text)(with_where)
    for option in (db_option, seed_option, init_option, activation_option):
        with_where = option(with_where)
    return with_where


class _Commands(click.Group):
    """The command group; a database that is not actinit's is refused as a message
    whichever command opened it."""

    def invoke(self, ctx: click.Context) -> Any:
        _fit_console()
        try:
            return super().invoke(ctx)
        except StoreError as error:
            _fail(str(error))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actinit")
def main() -> None:
    """actinit: which activation, with which initialization, trains well, and why."""


@main.command()
@click.argument("studies", nargs=-1)
@seeds_option
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also every configuration's table, each verdict's reason and how runs are replayed.",
)
@click.option(
    "--max-seeds",
    type=click.IntRange(min=1, max=10_000),
    default=None,
    help="Give a figure in the seeds' outer 5% more seeds (doubling, only its "
    "configuration) until a rank test can decide it, up to N seeds.",
)
@click.option(
    "--markdown",
    is_flag=True,
    help="Print the figures and conclusions of every study as two Markdown tables (the README's).",
)
@run_options
def reproduce(studies, seeds, verbose, max_seeds, markdown, how):
    """Reproduce the seed studies (all by default): each published figure beside the
    original run replayed (where its seed is known) and actinit's seeds, and each of
    the document's conclusions tested seed by seed.

    Verdicts on figures: replayed exactly (the original's own initial draw gives the
    figure); not reproduced (its rank p-value among the seeds, Holm-corrected over the
    study's figures, is below 5%); too few seeds (in the seeds' outer 5%, where the
    test cannot yet reach 5%); consistent (the rest); not comparable (another setup).
    On conclusions: supported, contradicted, not settled, too few seeds (paired tests,
    Holm), cannot be tested (identical runs), cannot be judged (nothing learned)."""
    chosen = list(studies) or SEED_STUDIES
    for name in chosen:
        if name not in builtin_names():
            _fail(f"unknown study {name!r}; built-in studies: {', '.join(builtin_names())}")
    loaded = [_load(name, seeds=seeds) for name in chosen]
    failed = 0
    summaries = []
    for study in loaded:
        if max_seeds is not None and max_seeds > study.seeds:
            failed += _run_adaptive(
                study, how, max_seeds, None, "test_accuracy", figures=True
            ).failed
        else:
            failed += _run(study, how).failed
        with Store(how.db) as store:
            shown = None if max_seeds is not None else study.seeds
            summary = summarize(study, store, seeds=shown)
        if markdown:
            summaries.append(summary)
        else:
            _print_summary(summary, verbose, verbose)
    if markdown:
        from .studies.answer.conclusions import reproduce_markdown

        click.echo(reproduce_markdown(summaries))
    _exit_if_failed(failed)


def _finite(param, value: float | None) -> float | None:
    """A number option's value, refused when it is not finite (nan passes every
    comparison click makes)."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a finite number; give e.g. 1", param=param)
    return value


def _exit_if_failed(failed: int) -> None:
    """Exit 1 when runs failed: their reasons are on screen, and they run again next time."""
    if failed:
        console.print(f"[red]{failed} runs failed; they are tried again on the next run[/]")
        sys.exit(1)


@main.command()
@click.argument("study")
@seeds_option
@epochs_option
@click.option(
    "--diagnose",
    "diagnosed",
    type=click.IntRange(min=0),
    default=0,
    help="Afterwards, record seed 0 of the first N configurations and say what happened "
    "inside them.",
)
@click.option(
    "--max-seeds",
    type=click.IntRange(min=1, max=10_000),
    default=None,
    help="Run seeds in rounds (doubling) only where undecided, up to N seeds per "
    "configuration: until the best set is one configuration, or with --precision until "
    "every interval is that narrow.",
)
@click.option(
    "--precision",
    type=click.FloatRange(min=0, min_open=True),
    callback=lambda ctx, param, value: _finite(param, value),
    default=None,
    help="With --max-seeds: the largest half-width of a 95%% interval asked for, in points "
    "of %% for accuracies (1 = ± 1 point), else in the metric's units.",
)
@click.option(
    "--metric",
    default="test_accuracy",
    show_default=True,
    help="The metric --max-seeds decides on.",
)
@run_options
def run(study, seeds, epochs, diagnosed, max_seeds, precision, metric, how):
    """Run a built-in study or a study file (only the runs not yet stored)."""
    loaded = _load(study, how.db, epochs=epochs, seeds=seeds)
    if precision is not None and max_seeds is None:
        _fail("--precision needs --max-seeds: the most seeds a configuration may get")
    if max_seeds is not None:
        report = _run_adaptive(loaded, how, max_seeds, precision, metric)
    else:
        report = _run(loaded, how)
    with Store(how.db) as store:
        _print_summary(summarize(loaded, store, seeds=None if max_seeds else loaded.seeds))
        if diagnosed:
            from .studies.answer.recorded import recorded_run

            for config in loaded.configs[:diagnosed]:
                _print_findings(recorded_run(store, config, 0))
    _exit_if_failed(report.failed)


def _run_adaptive(
    study: Study, how: RunChoices, max_seeds, precision, metric, figures: bool = False
) -> RunReport:
    """Seeds in rounds until decided (:mod:`actinit.studies.answer.adaptive`); returns the
    runs of every round together."""
    from .studies.answer.adaptive import run_adaptive
    from .studies.answer.analysis import SelectionError, check_metric, metric_name

    try:
        metric = check_metric(study, metric_name(metric))
    except SelectionError as error:
        _fail(str(error))
    if max_seeds < study.seeds:
        _fail(
            f"--max-seeds {max_seeds} is below the study's {study.seeds} seeds of its first round"
        )
    scale = 0.01 if metric.endswith("accuracy") else 1.0

    def one_round(study, store, seeds=None, plan=None, **_):
        return _run(study, how, plan=plan)

    def announce(this_round, state) -> None:
        console.print(
            f"[bold]round {this_round.number}[/]: {escape(state)}; "
            f"{this_round.runs} more runs for {this_round.undecided} undecided configurations",
            highlight=False,
            soft_wrap=False,
        )

    with Store(how.db) as store:
        result = run_adaptive(
            study,
            store,
            max_seeds,
            None if precision is None else precision * scale,
            metric,
            run=one_round,
            on_round=announce,
            figures=figures,
        )
    counts = sorted(result.seeds.values())
    spread = f"{counts[0]}" if counts[0] == counts[-1] else f"{counts[0]}-{counts[-1]}"
    console.print(
        f"{escape(result.reason)}; seeds per configuration: {spread} "
        f"({sum(counts)} runs in all, {len(result.rounds)} rounds)",
        highlight=False,
        soft_wrap=False,
    )
    reports = [r.report for r in result.rounds if r.report is not None]
    return RunReport(
        total=sum(counts),
        skipped=reports[0].skipped if reports else 0,
        ran=sum(r.ran for r in reports),
        diverged=sum(r.diverged for r in reports),
        failed=sum(r.failed for r in reports),
        seconds=sum(r.seconds for r in reports),
    )


def _print_findings(run) -> None:
    from .studies.answer.diagnosis import diagnose as diagnose_recording

    console.print(f"[bold]{escape(run.label)}[/]")
    for finding in diagnose_recording(run.recording):
        colour = {"critical": "red", "warning": "yellow"}.get(finding.severity, "green")
        say(f"- {finding.message}", indent="  ", hanging="    ", style=colour)


@main.command()
@click.argument("study")
@click.option(
    "--seeds", type=click.IntRange(min=1), default=None, help="Summarise only the first N seeds."
)
@epochs_option
@db_option
def show(study, seeds, epochs, db):
    """Summary of a study from the database, without training."""
    _existing_db(db, study)
    loaded = _load(study, db, epochs=epochs)
    with Store(db, read_only=True) as store:
        _print_summary(summarize(loaded, store, seeds=seeds))


# --------------------------------------------------------------------------
# Answers: rankings, paired comparisons, effects
# --------------------------------------------------------------------------

metric_option = click.option(
    "--metric",
    default="test_accuracy",
    show_default=True,
    help="test_accuracy, train_accuracy, test_loss, train_loss or epochs_to_target.",
)
where_option = click.option(
    "--where",
    multiple=True,
    help="Only configurations with DIMENSION=VALUE (repeatable): activation=relu, "
    "initializer=he, hidden=3x32 (or hidden=3 for 3 layers), data=moons, optimizer=..., "
    "batch=..., or ACTIVATION/INITIALIZER.",
)


def _answer_inputs(study: str, db: Path, seeds: int | None, metric: str, where):
    """The study's summary and the chosen metric and selection, checked."""
    from .studies.answer.analysis import SelectionError, check_metric, metric_name, parse_where

    _existing_db(db, study)
    loaded = _load(study, db)
    try:
        metric = check_metric(loaded, metric_name(metric))
        wanted = parse_where(where)
    except SelectionError as error:
        _fail(str(error))
    with Store(db, read_only=True) as store:
        summary = summarize(loaded, store, seeds=seeds)
    if not summary.rows:
        _fail(f"no results for {study!r} in {db}; run it first (actinit run {study} --db {db})")
    _print_shared(summary)
    return summary, metric, wanted


def _figure(metric: str):
    """Formats a metric's value for people: points of accuracy (no % sign: the
    tables' titles say "points of %"), losses, epochs."""
    return formatter(metric, unit="")


def _unit(metric: str) -> str:
    return " (points of %)" if metric.endswith("accuracy") else ""


@main.command(name="rank")
@click.argument("study")
@metric_option
@where_option
@click.option(
    "--seeds", type=click.IntRange(min=1), default=None, help="Use only the first N seeds."
)
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show only the first N.")
@db_option
def rank_command(study, metric, where, seeds, top, db):
    """Configurations sorted by a metric, each with its 95% interval, and the set that
    cannot be told apart from the best (paired Wilcoxon tests against the best,
    Holm-corrected): a winner, or "no winner" with as many seeds as were run."""
    from .studies.answer.analysis import SelectionError, rank

    summary, metric, wanted = _answer_inputs(study, db, seeds, metric, where)
    try:
        ranking = rank(summary, metric, wanted)
    except SelectionError as error:
        _fail(str(error))
    if not ranking.entries:
        _fail(ranking.verdict())
    fmt = _figure(metric)
    header, body = ranking_rows(ranking, fmt)
    shown = body[:top] if top else body
    _print_table(
        f"{summary.study.title}: ranked by {metric.replace('_', ' ')}{_unit(metric)}",
        header,
        shown,
        names=("#", "configuration"),
        drop_order=("wins", "p (Holm)", "vs best [CI]", "seeds"),
    )
    say(INTERVAL_NOTE, style="dim")
    if top and len(body) > top:
        console.print(f"[dim]{len(body) - top} more; --top {len(body)} shows all[/]")
    say(ranking.verdict())


def ranking_rows(ranking, fmt) -> tuple[list[str], list[list[str]]]:
    """A ranking as table rows: place, name, mean and interval, seeds, the paired
    difference from the best, seeds won, the corrected p-value, best set or not."""
    header = [
        "#",
        "configuration",
        "mean",
        "95% CI",
        "seeds",
        "vs best [CI]",
        "wins",
        "p (Holm)",
        "best set",
    ]
    body = []
    for place, entry in enumerate(ranking.entries, start=1):
        estimate, versus = entry.estimate, entry.vs_best
        interval = "-" if estimate.low is None else f"{fmt(estimate.low)}..{fmt(estimate.high)}"
        difference = wins = p = "-"
        if versus is not None:
            difference = versus.interval_text(fmt)
            wins = f"{versus.wins_a}-{versus.wins_b}"
            p = f"{versus.p:.2g}"
        body.append(
            [
                str(place),
                entry.label,
                fmt(estimate.mean) if estimate.mean is not None else "-",
                interval,
                str(estimate.n),
                difference,
                wins,
                p,
                _best_set_cell(entry),
            ]
        )
    return header, body


def _best_set_cell(entry) -> str:
    if entry.vs_best is None and entry.learned:
        return "best"
    if not entry.learned:
        return "no (never learned)"
    return "yes" if entry.in_best_set else "no"


#: Said under every table of paired comparisons: what its interval is.
INTERVAL_NOTE = (
    "A - B: the Hodges-Lehmann shift of the paired Wilcoxon test, with the interval that "
    "test inverts at the level it was decided at (95% alone; wider after Holm's "
    "correction), so the interval excludes 0 exactly when a side is better; ( ) marks an "
    "end the test itself rejects."
)


@main.command(name="compare")
@click.argument("study")
@click.option(
    "--a",
    "a_text",
    default=None,
    help='Configuration A: "relu/he" or "activation=relu,hidden=3x32".',
)
@click.option("--b", "b_text", default=None, help="Configuration B, the same way.")
@click.option(
    "--baseline",
    default=None,
    help="Compare every configuration against this one (Holm-corrected), instead of --a/--b.",
)
@metric_option
@where_option
@click.option(
    "--seeds", type=click.IntRange(min=1), default=None, help="Use only the first N seeds."
)
@db_option
def compare_command(study, a_text, b_text, baseline, metric, where, seeds, db):
    """Two configurations compared seed by seed (same data draw, same mini-batch order):
    the mean difference A - B with its 95% interval, the seeds each wins, and the
    Wilcoxon signed-rank test; or every configuration against --baseline."""
    from .studies.answer.analysis import (
        SelectionError,
        against,
        compare_rows,
        labeller,
        parse_where,
        select,
        the_one,
    )

    if baseline is None and (a_text is None or b_text is None):
        _fail('give --a and --b (e.g. --a "relu/he" --b "relu/xavier"), or --baseline')
    if baseline is not None and (a_text is not None or b_text is not None):
        _fail(
            "--baseline compares every configuration with one; --a/--b compare two: give "
            "one or the other"
        )
    summary, metric, wanted = _answer_inputs(study, db, seeds, metric, where)
    fmt = _figure(metric)
    try:
        rows = select(summary.rows, wanted)
        label = labeller(rows)
        if baseline is not None:
            base = the_one(rows, parse_where(baseline), "--baseline")
            comparisons = against(base, rows, metric, label)
        else:
            a = the_one(rows, parse_where(a_text), "--a")
            b = the_one(rows, parse_where(b_text), "--b")
            if a is b:
                _fail("--a and --b pick the same configuration")
            comparisons = [compare_rows(a, b, metric, (label(a.config), label(b.config)))]
    except SelectionError as error:
        _fail(str(error))
    header, body = comparison_table(comparisons, fmt)
    corrected = " (p Holm-corrected over all)" if baseline is not None else ""
    _print_table(
        f"{summary.study.title}: {metric.replace('_', ' ')}{_unit(metric)}, paired by seed{corrected}",
        header,
        body,
        names=("A", "B"),
        drop_order=("level", "ties", "B wins", "A wins", "seeds"),
        joiner=" vs ",
    )
    say(INTERVAL_NOTE, style="dim")
    if baseline is None:
        say(comparisons[0].sentence(fmt))
    if any(c.unbounded for c in comparisons):
        console.print(
            "[dim]a run whose loss diverged counts as the worse of its pair and is left out of "
            "the mean difference[/]"
        )


def comparison_table(comparisons, fmt) -> tuple[list[str], list[list[str]]]:
    """Paired comparisons as table rows: A, B, seeds, the mean difference and its
    interval, the wins each way, the p-value and the verdict."""
    header = ["A", "B", "seeds", "A - B [CI]", "level", "A wins", "B wins", "ties", "p", "verdict"]
    body = []
    for c in comparisons:
        body.append(
            [
                c.a,
                c.b,
                str(c.seeds),
                c.interval_text(fmt),
                f"{100 * c.confidence:.3g}%",
                str(c.wins_a),
                str(c.wins_b),
                str(c.ties),
                f"{c.p:.2g}",
                c.verdict(),
            ]
        )
    return header, body


@main.command()
@click.option(
    "--sims",
    type=click.IntRange(min=20),
    default=1000,
    show_default=True,
    help="Null studies per claim (adaptive rounds, effects and figures run a share of them).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Fixes every draw.")
@click.option(
    "--claim",
    "claims",
    multiple=True,
    help="Only this claim (repeatable): compare, rank, adaptive, effects, interactions, ...",
)
def calibrate(sims, seed, claims):
    """How often each kind of claim is wrong: null studies (identical configurations,
    effects that add up, figures drawn as one more seed) simulated through the real
    decision code, one line per claim with its false-claim rate, its 95% interval and
    the number of simulations; and the power to find a stated true effect."""
    from .studies.answer.calibration import calibrate as run_calibration

    def show(rate) -> None:
        style = "" if rate.kept else "[red]"
        console.print(f"{style}{escape(rate.line())}", highlight=False, soft_wrap=False)

    try:
        rates = run_calibration(sims, seed, list(claims) or None, on_rate=show)
    except ValueError as error:
        _fail(str(error))
    broken = [rate.claim.name for rate in rates if not rate.kept]
    if broken:
        console.print(f"[red]above 5% beyond Monte Carlo error: {', '.join(broken)}[/]")
        sys.exit(1)


@main.command(name="effects")
@click.argument("study")
@metric_option
@where_option
@click.option(
    "--seeds", type=click.IntRange(min=1), default=None, help="Use only the first N seeds."
)
@db_option
def effects_command(study, metric, where, seeds, db):
    """The effect of every grid dimension that varies (activation, initializer, depth,
    optimizer, data ...): each level's mean over the rest of the grid with its 95%
    interval, which levels are worse than the best, and in words where the best level
    of one dimension changes with another."""
    from .studies.answer.analysis import effects, interactions

    summary, metric, wanted = _answer_inputs(study, db, seeds, metric, where)
    fmt = _figure(metric)
    try:
        found = effects(summary, metric, wanted)
    except ValueError as error:
        _fail(str(error))
    if not found:
        _fail("nothing varies among these configurations (or no seed is shared by all of them)")
    for effect in found:
        header = ["level", "mean", "95% CI", "configs", "vs best [CI]", "p (Holm)", "best set"]
        body = []
        for level in effect.levels:
            e, versus = level.estimate, level.vs_best
            difference = p = "-"
            if versus is not None:
                difference = versus.interval_text(fmt)
                p = f"{versus.p:.2g}"
            body.append(
                [
                    level.value,
                    fmt(e.mean) if e.mean is not None else "-",
                    f"{fmt(e.low)}..{fmt(e.high)}" if e.low is not None else "-",
                    str(level.configurations),
                    difference,
                    p,
                    "best" if versus is None else ("yes" if level.in_best_set else "no"),
                ]
            )
        _print_table(
            f"{effect.dimension}: mean {metric.replace('_', ' ')}{_unit(metric)} over the rest "
            f"of the grid, {effect.seeds} seeds",
            header,
            body,
            names=("level",),
            drop_order=("configs", "p (Holm)", "vs best [CI]"),
        )
        say(effect.sentence(fmt))
        console.print()
    said = interactions(summary, metric, wanted, fmt=fmt)
    if said:
        console.print("[bold]Interactions[/]")
        for interaction in said:
            say(f"- {interaction.sentence}")
    elif len(found) > 1:
        console.print(
            "No interaction found: no interaction contrast is significant after Holm's "
            "correction over all of them (which does not show that none exists)."
        )


EXPORTS = {"csv": to_csv, "json": to_json, "markdown": to_markdown}


@main.command()
@click.argument("study")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*EXPORTS, "parquet"]),
    default="csv",
    show_default=True,
    help="csv, json, markdown: the summary per configuration; parquet: every run, one row "
    "each (needs pandas and pyarrow: pip install 'actinit[frames]').",
)
@output_option(
    "default: standard output", required=False, allowed=(".csv", ".json", ".md", ".parquet")
)
@epochs_option
@db_option
def export(study, fmt, output, epochs, db):
    """Export a study's summary as CSV, JSON or Markdown, or its runs as Parquet."""
    _existing_db(db, study)
    wanted = {"csv": ".csv", "json": ".json", "markdown": ".md", "parquet": ".parquet"}[fmt]
    if output is not None and output.suffix.lower() != wanted:
        _fail(f"--format {fmt} writes a {wanted} file; -o {output.name} says otherwise")
    loaded = _load(study, db, epochs=epochs)
    if fmt == "parquet":
        _export_parquet(loaded, db, output)
        return
    with Store(db, read_only=True) as store:
        text = EXPORTS[fmt](summarize(loaded, store))
    if output:
        with writing(output):
            output.write_text(text)
        console.print(f"wrote {escape(str(output))}", highlight=False)
    else:
        click.echo(text)


def _export_parquet(study: Study, db: Path, output: Path | None) -> None:
    if output is None:
        _fail("--format parquet writes a file: give -o runs.parquet")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        _fail("--format parquet needs pandas and pyarrow: pip install 'actinit[frames]'")
    with Store(db, read_only=True) as store:
        frame = summarize(study, store).to_frame()
    with writing(output):
        frame.to_parquet(output, index=False)
    console.print(f"wrote {escape(str(output))} ({len(frame)} runs)", highlight=False)


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
    for section, rows in _catalogue().items():
        if what and section != what:
            continue
        table = Table(title=section, title_justify="left", show_header=False)
        table.add_column("name", style="bold")
        table.add_column("details", overflow="fold")
        for name, details in rows:
            table.add_row(name, escape(details))
        console.print(table)


# --------------------------------------------------------------------------
# Seeing
# --------------------------------------------------------------------------

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
    from .studies.answer.recorded import recorded_run, select

    try:
        configs = select(loaded, activation, init, where)
    except SpecError as error:
        _fail(str(error))
    if not configs:
        choices = sorted({f"{c.activation} / {c.init_label}" for c in loaded.configs})
        _fail(f"no configuration of {loaded.name!r} matches; choose among: {'; '.join(choices)}")
    if len(configs) > 1:
        from .studies.answer.analysis import GRID

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


@main.command()
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
    from . import viz
    from .viz.catalogue import check_metric, run_picture, study_picture

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
                    from .studies.answer.trainability import trainability_planes

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


def _only(summary: StudySummary, terms) -> list:
    """The summary's rows that ``--where`` terms pick."""
    from .studies.answer.analysis import SelectionError, parse_where, select

    try:
        return select(summary.rows, parse_where(terms))
    except SelectionError as error:
        _fail(str(error))


def _plot_isometry(names: str | None, output) -> None:
    """`plot jacobian [tanh,relu]`: the hidden-layer Jacobian's spectrum at the edge of
    chaos, Gaussian against orthogonal weights, over depth."""
    import numpy as np

    from . import theory, viz
    from .viz.theory import isometry_spectra, plot_jacobian_spectra

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


@main.command(name="prune")
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
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="The data set's seed."
)
@output_option(".npz: the pruned model", allowed=(".npz",))
def prune_command(model_file, method, amount, rounds, fine_tune, data_name, seed, output):
    """Prune a saved MODEL and print what it costs and keeps, before and after."""
    from .engine.saving import ModelFileError, load
    from .studies.run.pruning import inference_times, measure, prune_model

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

    table = Table(
        title=f"{method}, {100 * amount:g}% removed in {rounds} round(s)"
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


@main.command(name="theory")
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
    from . import theory

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
    sigma_w = edge if sigma_w is None else sigma_w
    result = theory.propagation(spec, sigma_w, sigma_b)
    if default:
        say(default, style="dim")
    head, *findings = theory_lines(result, edge, no_edge, depth)
    console.print(head, highlight=False)
    for line in findings:
        say(line, hanging="  ")
    if output:
        from . import viz
        from .viz.theory import plot_phase_diagram

        figure = plot_phase_diagram(spec, points={"this setting": (sigma_w, sigma_b)})
        with writing(output):
            console.print(f"wrote {escape(str(viz.save(figure, output)))}", highlight=False)


def _layers(value: float) -> str:
    """A depth in words where a number would mean nothing."""
    from .theory import MAX_DEPTH

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
    from . import theory

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


@main.command()
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
    from .viz.animation import animate as write_animation

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


@main.command()
@click.argument("study")
@output_option(".html", default=Path("report.html"), allowed=(".html", ".htm"))
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
                path = write_report(loaded, store, output, recorded=recorded, progress=advance)
        except ValueError as error:
            _fail(str(error))
    console.print(f"wrote {escape(str(path))}", highlight=False)


@main.command()
@click.argument("study")
@run_choice_options
def diagnose(study, activation, init, seed, db, where):
    """Record one run of a study and say in words what happened inside it."""
    _print_findings(_select_run(_load(study, db), activation, init, db, seed, where))


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
        console.print(
            f"[yellow]serving on {escape(host)}: anyone who can reach it can train here[/]"
        )
    try:
        serve(host=host, port=port or None, announce=console.print)
    except OSError as error:  # a port in use, an address this machine does not have
        reason = error.strerror or str(error)
        _fail(
            f"cannot serve on {host}:{port or 'a free port'}: {reason}; choose another --port or --host"
        )


def run_cli() -> None:
    """The console entry point."""
    main(standalone_mode=True)


if __name__ == "__main__":
    run_cli()
