"""What every command shares: the console and its one-line refusals, loading a study and
its database, the options several commands take, and running a study with a progress
bar."""

from __future__ import annotations

import contextlib
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

from ..studies.plan.datasets import DataError
from ..studies.plan.settings import StudyError
from ..studies.plan.study import Study
from ..studies.plan.study_file import builtin_names, load_study, parse_study, write_study
from ..studies.run.preflight import DEFAULT_TIME_LIMIT, PlanError, check_size
from ..studies.run.runner import RunReport, planned_runs, run_study
from ..studies.run.store import DEFAULT_DB, Store

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
    named_like_builtin = bool(study.path) and study.name in builtin_names()
    if named_like_builtin:  # kept apart: never kept under the built-in's name
        console.print(
            f"[yellow]{escape(str(study.path))} names its study {study.name!r}, as a built-in "
            f"study is named: read its runs by the file (actinit show {escape(str(study.path))}); "
            f"`actinit show {study.name}` reads the built-in one[/]",
            highlight=False,
        )
    with Store(how.db) as store:
        if study.path and not named_like_builtin:
            store.save_study(study.name, write_study(study), str(Path(study.path).resolve()))
        if plan is None:
            try:
                check_size(len(study.configs), study.seeds, len(study.replays))
            except PlanError as error:
                _fail(f"{study.name}: no run was started: {error}")
        total = len(planned_runs(study, study.seeds) if plan is None else plan)
        try:
            with _progress(quiet=False) as progress, _terminate_as_interrupt():
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
        except KeyboardInterrupt as stop:
            _stop_workers()
            stored = len(store.done([config.key for config in study.configs]))
            how_ended = "terminated" if isinstance(stop, Terminated) else "interrupted"
            console.print(
                f"[yellow]{how_ended}: the workers were stopped; {stored} finished runs of "
                f"{study.name} are stored; run again to finish[/]"
            )
            raise SystemExit(143 if isinstance(stop, Terminated) else 130) from None
        console.print(_report_line(report))
        _say_kept_apart(study, store)
        return report


def _say_kept_apart(study: Study, store: Store) -> None:
    """After a run: the stored runs of the study that read other data, or are of
    configurations its file no longer describes, in one sentence."""
    from ..studies.answer.kept_apart import kept_apart

    note = kept_apart(study, store)
    if note:
        console.print(f"[yellow]{escape(note)}[/]", highlight=False)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it ends as Ctrl-C does: the workers
    stopped, what finished kept and said (it killed the main process silently and
    left its workers running)."""


@contextlib.contextmanager
def _terminate_as_interrupt():
    """While the block runs, SIGTERM raises :class:`Terminated` in the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_workers() -> None:
    """Kill joblib's worker processes now (they would otherwise stay for reuse, and
    outlive a terminated parent)."""
    try:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=False, kill_workers=True)
    except Exception:  # no executor was ever made, or it is gone already
        pass


def _report_line(report: RunReport) -> str:
    return (
        f"{report.ran} runs in {report.seconds:.1f}s, {report.skipped} already stored"
        + (f", [yellow]{report.diverged} diverged[/]" if report.diverged else "")
        + (f", [red]{report.failed} failed (reasons below)[/]" if report.failed else "")
        + (f" [dim]({report.note})[/]" if getattr(report, "note", "") else "")
    )


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
    "--seed",
    type=click.IntRange(min=0, max=2**32 - 1),
    default=0,
    show_default=True,
    help="Which seed's run.",
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
            from ..studies.run.runner import check_scheduler

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


def _seeds_is_a_count(ctx, param, value):
    if value is not None:
        raise click.UsageError(
            f"--seeds sets how many seeds `run` and `reproduce` make; to read only the first "
            f"N stored seeds here, write --first-seeds {value}"
        )


#: ``--first-seeds N``: read only the first N stored seeds of each configuration.
reading_seeds_option = click.option(
    "--first-seeds",
    "seeds",
    type=click.IntRange(min=1, max=10_000),
    default=None,
    help="Read only the first N stored seeds of each configuration (runs keep every "
    "seed they made).",
)


def first_seeds_option(command):
    """:data:`reading_seeds_option`, with ``--seeds`` (which counts the seeds runs
    make) refused here with the new spelling."""
    command = click.option(
        "--seeds",
        "counted_seeds",
        hidden=True,
        expose_value=False,
        callback=_seeds_is_a_count,
    )(command)
    return reading_seeds_option(command)


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
    "initializer=he, hidden=3x32 (hidden=3: one layer of 3 units, else 3 layers; depth=3: 3 layers), data=moons, optimizer=..., "
    "batch=..., or ACTIVATION/INITIALIZER.",
)
