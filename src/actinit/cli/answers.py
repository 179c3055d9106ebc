"""Commands that answer from stored runs: ``rank``, ``compare``, ``effects``, ``export``,
and ``calibrate`` (how often each claim is wrong)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from ..files import write_text_atomically
from ..studies.answer.exports import (
    DECOMPOSED_NOTE,
    comparison_table,
    ranking_rows,
    to_csv,
    to_json,
    to_markdown,
)
from ..studies.answer.kept_apart import kept_apart
from ..studies.answer.summary import summarize
from ..studies.plan.study_file import write_study
from ..studies.run.store import Store
from ._common import (
    RunChoices,
    _existing_db,
    _fail,
    _load,
    _run,
    console,
    db_option,
    epochs_option,
    first_seeds_option,
    metric_option,
    output_option,
    reading_seeds_option,
    where_option,
    writing,
)
from ._output import (
    EVERY_PAIR_NOTE,
    INTERVAL_NOTE,
    RANKING_NOTE,
    _figure,
    _print_kept_apart,
    _print_shared,
    _print_table,
    _unit,
    say,
)


def _answer_inputs(study: str, db: Path, seeds: int | None, metric: str, where):
    """The study's summary and the chosen metric and selection, checked."""
    from ..studies.answer.selection import SelectionError, check_metric, metric_name, parse_where

    _existing_db(db, study)
    loaded = _load(study, db)
    try:
        metric = check_metric(loaded, metric_name(metric))
        wanted = parse_where(where)
    except SelectionError as error:
        _fail(str(error))
    with Store(db, read_only=True) as store:
        summary = summarize(loaded, store, seeds=seeds)
        _print_kept_apart(loaded, store)
    if not summary.rows:
        _fail(f"no results for {study!r} in {db}; run it first (actinit run {study} --db {db})")
    _print_shared(summary)
    return summary, metric, wanted


@click.command(name="rank")
@click.argument("study")
@metric_option
@where_option
@first_seeds_option
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show only the first N.")
@click.option(
    "--guarantee",
    type=click.Choice(["best-set", "every-pair", "screening"]),
    default="best-set",
    show_default=True,
    help="What the best set promises. best-set: it holds the best configuration with 95% "
    "(multiple comparisons with the best); every-pair: every configuration called worse "
    "than another is (Holm over all pairs; needs far more seeds on big grids); screening: "
    "of those called worse than the best, at most 5% on average are not (Benjamini-Hochberg).",
)
@click.option(
    "--gap",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="The gap from the best the power line speaks of, in the metric's units "
    "(default: 3 points of accuracy, or a tenth of the best's mean).",
)
@db_option
def rank_command(study, metric, where, seeds, top, guarantee, gap, db):
    """Configurations sorted by their mean, each with its 95% interval, the share of
    seeds that learned, and the best set its guarantee promises (by default, the set
    that holds the best configuration with 95%: paired t tests of the mean difference,
    multiple comparisons with the best); a winner, or "no winner" with how many seeds
    would separate a given gap."""
    from ..studies.answer.ranking import rank
    from ..studies.answer.selection import SelectionError

    summary, metric, wanted = _answer_inputs(study, db, seeds, metric, where)
    try:
        ranking = rank(summary, metric, wanted, guarantee=guarantee)
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
        drop_order=("wins", "p", "when learned", "seeds"),
    )
    say(EVERY_PAIR_NOTE if ranking.guarantee == "every-pair" else RANKING_NOTE, style="dim")
    if summary.decomposed and metric == "test_accuracy":
        say(DECOMPOSED_NOTE, style="dim")
    if top and len(body) > top:
        console.print(f"[dim]{len(body) - top} more; --top {len(body)} shows all[/]")
    say(ranking.verdict())
    if gap is None:
        best = ranking.entries[0].estimate.mean or 0.0
        gap = 0.03 if metric.endswith("accuracy") else abs(best) / 10 or 1.0
    line = ranking.power_line(gap, fmt)
    if line and len(ranking.best_set) > 1:
        say(line[0].upper() + line[1:], style="dim")


#: The columns of `compare` a narrow terminal may leave out, the first first.
COMPARE_DROP_ORDER = (
    "level", "ties", "B wins", "A wins", "seeds", "A - B when both learned",
    "fails less (p)", "failed A/B",
)  # fmt: skip


@click.command(name="compare")
@click.argument("study", required=False)
@click.option(
    "--data",
    default=None,
    help="Without a STUDY: the data set to compare --a and --b on (moons, digits, mnist, "
    "...); the runs are made (or reused) and kept as a study of their own.",
)
@click.option(
    "--hidden",
    default=None,
    help="With --data: the hidden layers' widths, e.g. 16,16 (the default).",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="With --data: epochs per run (default 100).",
)
@click.option(
    "--optimizer",
    default=None,
    help='With --data: the optimizer (default "adam(lr=0.01)").',
)
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
@reading_seeds_option
@click.option(
    "--seeds",
    "run_seeds",
    type=click.IntRange(min=1, max=10_000),
    default=None,
    help="With --data: how many seeds to run (default 10).",
)
@db_option
def compare_command(
    study, data, hidden, epochs, optimizer, a_text, b_text, baseline, metric, where, seeds,
    run_seeds, db,
):  # fmt: skip
    """Two configurations compared seed by seed (same data draw, same mini-batch order):
    the mean difference A - B with its 95% interval (paired t), the seeds each wins,
    then the mean taken apart: how often each failed (McNemar's exact test) and the
    difference on the seeds where both learned; or every configuration against
    --baseline. Without a STUDY, --data compares two settings with no study file:
    `actinit compare --data moons --a gelu/he_normal --b relu/he_normal --seeds 10`
    runs what is missing (every core) and answers the same way."""
    quick = (data, hidden, epochs, optimizer, run_seeds)
    if study is None:
        study = _quick_study(a_text, b_text, baseline, where, quick, db)
    elif any(v is not None for v in quick):
        _fail(
            "--data, --seeds, --hidden, --epochs and --optimizer make a comparison without "
            "a STUDY; with one, its file says them (--first-seeds N reads the first N "
            "stored seeds)"
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
    comparisons = _comparisons(summary, metric, wanted, a_text, b_text, baseline)
    header, body = comparison_table(comparisons, fmt, summary.alpha)
    corrected = " (p Holm-corrected over all)" if baseline is not None else ""
    _print_table(
        f"{summary.study.title}: {metric.replace('_', ' ')}{_unit(metric)}, paired by seed{corrected}",
        header,
        body,
        names=("A", "B"),
        drop_order=COMPARE_DROP_ORDER,
        joiner=" vs ",
    )
    say(INTERVAL_NOTE, style="dim")
    if summary.looks > 1:
        say(
            f"adaptive rounds added seeds to these configurations, looking at the data up to "
            f"{summary.looks} times: every verdict here is taken at {summary.alpha:.2g} "
            "(5% spent over those looks)",
            style="dim",
        )
    if baseline is None:
        say(comparisons[0].sentence(fmt, summary.alpha))
    if any(c.unbounded for c in comparisons):
        console.print(
            "[dim]a run whose metric diverged (an infinite loss) is left out of the mean "
            "difference and counted among the failures[/]"
        )


def _quick_study(a_text, b_text, baseline, where, quick, db) -> str:
    """Make (or reuse) the runs of a comparison without a study file (``quick``: the
    --data, --hidden, --epochs, --optimizer and --seeds given) and keep it in ``db``
    under its name; the name, for the answer to read."""
    from ..studies.plan.quick import two_settings
    from ..studies.plan.settings import StudyError

    data, hidden, epochs, optimizer, seeds = quick
    if data is None:
        _fail(
            "give a STUDY (a built-in name or a study file), or --data to compare "
            "two settings without one (e.g. --data moons --a gelu/he --b relu/he)"
        )
    if baseline is not None or where:
        _fail("--data compares --a with --b; --baseline and --where need a STUDY")

    if a_text is None or b_text is None:
        _fail(
            "--data compares two settings: give --a and --b (e.g. --a gelu/he_normal "
            "--b relu/he_normal)"
        )
    try:
        widths = None if hidden is None else [int(w) for w in hidden.split(",") if w.strip()]
    except ValueError:
        _fail(f"--hidden {hidden!r}: widths separated by commas, e.g. 16,16")
    try:
        study, _, _ = two_settings(
            data, a_text, b_text, seeds or 10, hidden=widths, epochs=epochs, optimizer=optimizer
        )
    except (StudyError, ValueError) as error:
        _fail(str(error))
    with Store(db) as store:
        store.save_study(study.name, write_study(study), f"actinit compare --data {data}")
    from ..studies.run.preflight import DEFAULT_TIME_LIMIT

    how = RunChoices(None, "loky", None, db, DEFAULT_TIME_LIMIT)
    _run(study, how)
    return study.name


def _comparisons(summary, metric: str, wanted, a_text, b_text, baseline):
    """The comparisons `compare` prints: --a against --b, or every configuration
    against --baseline (Holm over them), at the summary's level."""
    from ..studies.answer.ranking import against, compare_rows
    from ..studies.answer.selection import SelectionError, labeller, parse_where, select, the_one

    try:
        rows = select(summary.rows, wanted)
        label = labeller(rows)
        if baseline is not None:
            base = the_one(rows, parse_where(baseline), "--baseline")
            return against(base, rows, metric, label, summary.alpha)
        a = the_one(rows, parse_where(a_text), "--a")
        b = the_one(rows, parse_where(b_text), "--b")
    except SelectionError as error:
        _fail(str(error))
    if a is b:
        _fail("--a and --b pick the same configuration")
    return [compare_rows(a, b, metric, (label(a.config), label(b.config)), summary.alpha)]


def _say_how_long(estimate_seconds, sims, seed, claims, with_coverage) -> None:
    """Before a long calibration: how long it will take here, from a timed pilot."""
    try:
        guess = estimate_seconds(sims, seed, list(claims) or None, with_coverage)
    except ValueError as error:
        _fail(str(error))
    console.print(
        f"[dim]--sims {sims:,}: about {_duration(guess)} on this machine (from a pilot of "
        "each claim); Ctrl-C stops it[/]",
        highlight=False,
    )


def _duration(seconds: float) -> str:
    """``seconds`` in the unit a reader plans with: s, min, h or days."""
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:,.0f} {unit}"
    return f"{seconds:.0f} s"


@click.command()
@click.option(
    "--sims",
    type=click.IntRange(min=20, max=1_000_000),
    default=2000,
    show_default=True,
    help="Simulated studies per claim and per coverage case. From 2,000 on every claim "
    "gets at least 2,000 (5,000 for the quick ones); fewer is a quick run, scaled down "
    "for the slow claims. Above 2,000 the time it will take is estimated first.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**32 - 1),
    default=0,
    show_default=True,
    help="Fixes every draw.",
)
@click.option(
    "--claim",
    "claims",
    multiple=True,
    help="Only this claim (repeatable), or every claim whose name starts so: compare, "
    "rank, adaptive, equal, interactions, ... (then no coverage table).",
)
@click.option(
    "--coverage/--no-coverage",
    default=None,
    help="The coverage table of every printed interval (default: with all claims).",
)
@click.option(
    "--markdown",
    "page",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write both tables as a Markdown page (docs/guide/error-rates.md is made so).",
)
def calibrate(sims, seed, claims, coverage, page):
    """How often each kind of claim is wrong, and how often each printed interval
    covers: null studies (divergence on one side and on both, near the ceiling, 100
    and 1,000 test points, equivalence at its margin, interactions, figures, a
    comparison picked by a ranking, adaptive rounds) simulated through the real
    decision code, one line per claim with its false-claim rate, its 95% interval and
    the number of simulations; the power to find a stated true effect; then each
    interval's coverage. Exits 1 when a claim's 95% upper bound is at or above 6.5%
    (at 2,000 simulations) or an interval covers less than 93% without a stated
    exception."""
    import time

    from ..studies.answer.calibration import calibrate as run_calibration
    from ..studies.answer.calibration import coverage as run_coverage
    from ..studies.answer.calibration import estimate_seconds, markdown

    def show(rate) -> None:
        style = "" if rate.kept else "[red]"
        console.print(f"{style}{escape(rate.line())}", highlight=False, soft_wrap=False)

    with_coverage = bool(coverage or (coverage is None and not claims))
    if sims > 2000:
        _say_how_long(estimate_seconds, sims, seed, claims, with_coverage)
    started = time.perf_counter()
    try:
        rates = run_calibration(sims, seed, list(claims) or None, on_rate=show)
    except ValueError as error:
        _fail(str(error))
    covered = []
    if with_coverage:
        console.print("[bold]Coverage of every printed interval[/]")

        def show_case(rows) -> None:
            for row in rows:
                style = "" if row.kept else "[red]"
                console.print(f"{style}{escape(row.line())}", highlight=False, soft_wrap=False)

        covered = run_coverage(sims, seed, on_case=show_case)
    console.print(f"[dim]{time.perf_counter() - started:.0f} s[/]")
    if page is not None:
        command = (
            "actinit calibrate"
            + (f" --sims {sims}" if sims != 2000 else "")
            + (f" --seed {seed}" if seed else "")
        )
        with writing(page):
            write_text_atomically(page, markdown(rates, covered, command))
        console.print(f"wrote {escape(str(page))}", highlight=False)
    broken = [rate.claim.name for rate in rates if not rate.kept]
    broken += [f"{row.case}: {row.interval}" for row in covered if not row.kept]
    if broken:
        console.print(f"[red]not kept: {escape(', '.join(broken))}[/]")
        sys.exit(1)


@click.command(name="effects")
@click.argument("study")
@metric_option
@where_option
@first_seeds_option
@db_option
def effects_command(study, metric, where, seeds, db):
    """The effect of every grid dimension that varies (activation, initializer, depth,
    optimizer, data ...): each level's mean over the rest of the grid with its 95%
    interval, which levels are worse than the best, and in words where the best level
    of one dimension changes with another."""
    from ..studies.answer.effects import effects, interactions

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


@click.command()
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
@first_seeds_option
@db_option
def export(study, fmt, output, epochs, seeds, db):
    """Export a study's summary as CSV, JSON or Markdown, or its runs as Parquet. Runs
    are stored by configuration: seeds another study ran of the same configurations are
    counted too (said on standard error); --first-seeds N reads the first N only."""
    _existing_db(db, study)
    wanted = {"csv": ".csv", "json": ".json", "markdown": ".md", "parquet": ".parquet"}[fmt]
    if output is not None and output.suffix.lower() != wanted:
        _fail(f"--format {fmt} writes a {wanted} file; -o {output.name} says otherwise")
    loaded = _load(study, db, epochs=epochs)
    with Store(db, read_only=True) as store:
        summary = summarize(loaded, store, seeds=seeds)
        notes = [kept_apart(loaded, store), summary.borrowed_seeds]
    if not summary.rows:
        _fail(f"no results for {study!r} in {db}; run it first (actinit run {study} --db {db})")
    for note in filter(None, notes):
        click.echo(note, err=True)
    if fmt == "parquet":
        _export_parquet(summary, output)
        return
    text = EXPORTS[fmt](summary)
    if output:
        with writing(output):
            write_text_atomically(output, text)
        console.print(f"wrote {escape(str(output))}", highlight=False)
    else:
        click.echo(text)


def _export_parquet(summary, output: Path | None) -> None:
    if output is None:
        _fail("--format parquet writes a file: give -o runs.parquet")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        _fail("--format parquet needs pandas and pyarrow: pip install 'actinit[frames]'")
    frame = summary.to_frame()
    with writing(output):
        frame.to_parquet(output, index=False)
    console.print(f"wrote {escape(str(output))} ({len(frame)} runs)", highlight=False)
