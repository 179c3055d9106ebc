"""Commands that train: ``reproduce`` (the classic studies), ``run`` (any study, with
adaptive seeds) and ``show`` (a stored study's summary)."""

from __future__ import annotations

import click
from rich.markup import escape

from ..studies.answer.summary import (
    summarize,
)
from ..studies.plan.study import Study
from ..studies.plan.study_file import builtin_names
from ..studies.run.runner import RunReport
from ..studies.run.store import Store
from ._common import (
    SEED_STUDIES,
    RunChoices,
    _existing_db,
    _exit_if_failed,
    _fail,
    _finite,
    _load,
    _run,
    console,
    db_option,
    epochs_option,
    first_seeds_option,
    run_options,
    seeds_option,
)
from ._output import _print_findings, _print_kept_apart, _print_summary


@click.command()
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
    help="Print the figures and conclusions of every study as two Markdown tables (the documentation's).",
)
@run_options
def reproduce(studies, seeds, verbose, max_seeds, markdown, how):
    """Reproduce the classic studies (all by default): each published figure beside the
    source's own run replayed (where its seed is known) and actinit's seeds, and each
    of the source's conclusions tested seed by seed.

    Verdicts on figures, each asking whether the figure could be one more of actinit's
    seeds (its rank p-value among them, Holm-corrected over the study's figures):
    could be one more seed; not one more seed (p at most 5%); too few seeds to tell
    (in the seeds' outer 5%, where the test cannot yet reach 5%); replayed exactly
    (the source's own initial draw gives the figure); not comparable (another setup).
    On conclusions: supported, contradicted, not settled, too few seeds (paired tests,
    Holm; "equal" within its margin), cannot be tested (identical runs), cannot be
    judged (nothing learned). A legend follows each table; --verbose gives each
    verdict's reason and the source."""
    chosen = list(studies) or SEED_STUDIES
    for name in chosen:
        if name not in builtin_names():
            _fail(f"unknown study {name!r}; built-in studies: {', '.join(builtin_names())}")
    if seeds is not None and max_seeds is not None and max_seeds < seeds:
        _fail(
            f"--max-seeds {max_seeds} is below --seeds {seeds}: the rounds add seeds up to "
            "--max-seeds, so give at least as many"
        )
    loaded = [_load(name, seeds=seeds) for name in chosen]
    failed = 0
    summaries = []
    console.stderr = bool(markdown)  # the tables alone on standard output
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
    console.stderr = False
    if markdown:
        from ..studies.answer.conclusions import reproduce_markdown

        click.echo(reproduce_markdown(summaries))
    _exit_if_failed(failed)


@click.command()
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
    help="With --max-seeds: the largest half-width of a 95% interval asked for, in points "
    "of % for accuracies (1 = ± 1 point), else in the metric's units.",
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
            from ..studies.answer.recorded import recorded_run

            for config in loaded.configs[:diagnosed]:
                _print_findings(recorded_run(store, config, 0))
    _exit_if_failed(report.failed)


def _run_adaptive(
    study: Study, how: RunChoices, max_seeds, precision, metric, figures: bool = False
) -> RunReport:
    """Seeds in rounds until decided (:mod:`actinit.studies.answer.adaptive`); returns the
    runs of every round together."""
    from ..studies.answer.adaptive import run_adaptive
    from ..studies.answer.selection import SelectionError, check_metric, metric_name

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


@click.command()
@click.argument("study")
@first_seeds_option
@epochs_option
@db_option
def show(study, seeds, epochs, db):
    """Summary of a study from the database, without training."""
    _existing_db(db, study)
    loaded = _load(study, db, epochs=epochs)
    with Store(db, read_only=True) as store:
        _print_summary(summarize(loaded, store, seeds=seeds))
        _print_kept_apart(loaded, store)
