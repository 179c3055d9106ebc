"""How the commands print answers: summaries, published figures and conclusions, rankings
and comparisons as tables and sentences."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from ..studies.answer.conclusions import CONCLUSIONS_LEGEND
from ..studies.answer.exports import (
    COMPARISON_DROP_ORDER,
    DECOMPOSED_NOTE,
    DROP_ORDER,
    FIGURES_LEGEND,
    NAME_COLUMNS,
    comparison_rows,
    table_rows,
)
from ..studies.answer.kept_apart import kept_apart
from ..studies.answer.summary import StudySummary
from ..studies.plan.metrics import formatter
from ..tables import prose, render
from ._common import console

#: Said under a table whose verdicts have reasons: where to read them.
MORE = (
    " Each verdict's reason: --verbose; how each is judged: the classic studies page "
    "of the documentation (docs/studies.md)."
)

VERDICT_STYLES = {
    "replayed exactly": "bold green",
    "could be one more seed": "green",
    "too few seeds": "yellow",
    "not one more seed": "red",
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
    legend: str = "",
) -> None:
    """A table fitted to the console's width: the columns that name a row stay whole,
    the least important figures go first (and the table says which went), and rows
    become blocks when even the names do not fit (named by ``joiner`` between them);
    then its ``legend``, when it has one."""
    if title:
        say(title, style="bold")
    for line in render(header, body, console.width, names, drop_order, joiner):
        text = Text(line)
        for verdict, style in VERDICT_STYLES.items():
            text.highlight_words([verdict], style=style)
        console.print(text, soft_wrap=True, highlight=False)
    if legend:
        say(legend, style="dim")
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
        legend=FIGURES_LEGEND + ("" if verbose else MORE),
    )
    for figure, reason in reasons:
        say(f"{figure}: {reason}", indent="  ", hanging="    ")


def _print_conclusions(summary: StudySummary, verbose: bool) -> None:
    """The source's conclusions, each with what actinit's seeds say of it."""
    from ..studies.answer.conclusions import conclusion_rows, judge_conclusions

    tested = judge_conclusions(summary)
    if not tested:
        return
    header, body = conclusion_rows(tested)
    _print_table(
        f"{summary.study.title}: the source's conclusions, paired by seed",
        header,
        body,
        names=("conclusion",),
        drop_order=("wins",),
        legend=CONCLUSIONS_LEGEND + ("" if verbose else MORE),
    )
    if verbose:
        for entry in tested:
            say(f"{entry.conclusion.text}: {entry.detail}", indent="  ", hanging="    ")


def _print_summary(
    summary: StudySummary, configurations: bool = True, verbose: bool = True
) -> None:
    """The study's table per configuration (when ``configurations``), its published
    figures beside actinit's, then failures and what is missing."""
    if verbose and summary.study.source:
        say(f"source: {summary.study.source}", style="dim")
    if configurations:
        _print_table(summary.study.title, *table_rows(summary))
        if summary.decomposed:
            say(DECOMPOSED_NOTE, style="dim")
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


def _print_kept_apart(study, store) -> None:
    """The runs of ``study`` stored under configurations it no longer has (an edited
    data file or grid), in one sentence (:func:`kept_apart`)."""
    text = kept_apart(study, store)
    if text:
        say(text, style="yellow")


def _print_shared(summary: StudySummary) -> None:
    text = summary.borrowed_seeds
    if text:
        say(text, style="dim")


def _missing_text(summary: StudySummary) -> str:
    """How many runs are missing, and the command that completes or narrows the view."""
    study, have = summary.study, summary.complete_seeds
    text = f"{summary.missing_runs} runs of this study are not in the database"
    if 0 < have < study.seeds:
        return (
            f"{text}: every configuration has {have} of its {study.seeds} seeds. Show what is "
            f"there with --first-seeds {have}, or complete it with `actinit run {study.name}`"
        )
    return f"{text}; `actinit run {study.name}` runs them"


def _figure(metric: str):
    """Formats a metric's value for people: points of accuracy (no % sign: the
    tables' titles say "points of %"), losses, epochs."""
    return formatter(metric, unit="")


def _unit(metric: str) -> str:
    return " (points of %)" if metric.endswith("accuracy") else ""


#: Said under every table of paired comparisons: what its interval is.
INTERVAL_NOTE = (
    "A - B: the mean over seeds of the per-seed difference (the number the tables show), "
    "with the paired t interval at the level its verdict was taken (95% alone; wider after "
    "a correction), so the interval excludes 0 exactly when a side is better; both ends "
    "[ ] are closed."
)

RANKING_NOTE = (
    "mean: over all seeds, ranked by it, with its 95% interval; learned: the seeds that "
    "learned (0 failures in 10 seeds still allow 31% at 95%); when learned: the accuracy of "
    "those seeds, where some did not. vs best of rest: an interval of this mean minus the "
    "best of the others' (multiple comparisons with the best; its high end is 0 when a "
    "test shows another better); p: the evidence it is not the best (Bonferroni over the "
    "others). Not in the best set: another configuration is at least as good, with 95% "
    "for the set as a whole. [ ] ends are closed."
)
EVERY_PAIR_NOTE = (
    "mean: over all seeds, ranked by it, with its 95% interval; learned: the seeds that "
    "learned; when learned: the accuracy of those seeds, where some did not. vs best: the "
    "mean difference from the best with its paired t interval at the strictest Holm step; "
    "p: Holm-adjusted over every pair. Not in the best set: worse than the best. [ ] ends "
    "are closed."
)


def _print_findings(run) -> None:
    from ..studies.answer.diagnosis import diagnose as diagnose_recording

    console.print(f"[bold]{escape(run.label)}[/]")
    for finding in diagnose_recording(run.recording):
        colour = {"critical": "red", "warning": "yellow"}.get(finding.severity, "green")
        say(f"- {finding.message}", indent="  ", hanging="    ", style=colour)
