"""A summary as tables and files: the rows of the terminal tables (:func:`table_rows`,
:func:`comparison_rows`), CSV, JSON and Markdown."""

from __future__ import annotations

import csv
import io
import json

from ...engine.registry import compact_spec
from ..plan.dimensions import DIMENSIONS, hidden_label
from ..plan.metrics import METRIC_LABELS, formatter
from .published import Comparison
from .rows import ConfigSummary, Spread, Summarized


def markdown_table(header: list[str], body: list[list[str]]) -> list[str]:
    """A Markdown table's lines (a "|" inside a cell becomes "/"), then a blank line."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in body]
    return [*lines, ""]


def to_json(summary: Summarized) -> str:
    """The summary as JSON: the study's name and title, a row per configuration
    (:meth:`ConfigSummary.to_row`) and the published figures judged."""
    return json.dumps(
        {
            "study": summary.study.name,
            "title": summary.study.title,
            "configurations": [row.to_row() for row in summary.rows],
            "published": [c.to_row() for c in summary.comparisons],
            "missing_runs": summary.missing_runs,
        },
        indent=2,
    )


def to_csv(summary: Summarized) -> str:
    """The summary as CSV: a row per configuration (:meth:`ConfigSummary.to_row`),
    the header from its keys; empty when no run is stored."""
    rows = [row.to_row() for row in summary.rows]
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


#: The summary table's columns that name a configuration (never dropped to fit).
NAME_COLUMNS = (
    "data",
    "activation",
    "initializer",
    "optimizer",
    "hidden",
    "batch",
    "pruning",
    "amount",
    "rewind",
)


#: The figure columns a narrow terminal may leave out, the first to go first.
DROP_ORDER = (
    "range",
    "when learned",
    "± std",
    "train loss",
    "learned 95% CI",
    "train acc %",
    "diverged",
    "test loss",
    "epochs to target",
    "seeds",
    "learned",
)


def table_rows(summary: Summarized) -> tuple[list[str], list[list[str]]]:
    """The summary as a header and text rows, shared by the terminal, Markdown and
    HTML: each figure's mean with its 95% confidence interval over seeds ("95% CI",
    Student t, or from the mean's decomposition where failures depend on the seed:
    see :attr:`~.summary.StudySummary.decomposed`); where some seeds did not learn,
    "when learned", the accuracy of the seeds that did, with its own interval; the
    learned share with its exact interval. Settings shared by every
    configuration are left out (they are in the title); a study that only predicts
    numbers (regression) shows its losses, not accuracy."""
    threshold = f"{100 * summary.study.learned_threshold:.0f}"
    header = [
        *NAME_COLUMNS,
        "seeds",
        "test acc %",
        "95% CI",
        "± std",
        "range",
        "when learned",
        "train acc %",
        "test loss",
        "train loss",
        f"learned >{threshold}%",
        "learned 95% CI",
        "epochs to target",
        "diverged",
    ]
    body = [_table_cells(row) for row in summary.rows]
    regression = all(row.test_accuracy.mean is None for row in summary.rows)
    if regression:  # the interval belongs to the loss, after it
        order = list(range(len(header)))
        ci, loss = header.index("95% CI"), header.index("test loss")
        order.remove(ci)
        order.insert(order.index(loss) + 1, ci)
        header = [header[i] for i in order]
        body = [[line[i] for i in order] for line in body]
        for cells, row in zip(body, summary.rows):
            cells[header.index("95% CI")] = row.test_loss.interval_text()
    shown = [
        i for i, name in enumerate(header) if _shows(name, [line[i] for line in body], regression)
    ]
    header = [header[i].replace(f"learned >{threshold}%", "learned") for i in shown]
    return header, [[line[i] for i in shown] for line in body]


def _table_cells(row: ConfigSummary) -> list[str]:
    """One configuration's cells, in :func:`table_rows`'s column order."""
    acc = row.test_accuracy
    learned = "-"
    if row.learned_share is not None:
        learned = f"{100 * row.learned_share:.0f}%"
    learned_ci = "-"
    if row.learned_low is not None:
        learned_ci = f"{100 * row.learned_low:.0f}..{100 * row.learned_high:.0f}"
    return [
        row.config.data.get("name", ""),
        row.config.activation_label,
        row.config.initializer_label,
        compact_spec(row.config.optimizer),
        hidden_label(row.config.hidden),
        str(row.config.batch_size or "full"),
        DIMENSIONS["pruning"](row.config),
        DIMENSIONS["amount"](row.config),
        DIMENSIONS["rewind"](row.config),
        str(row.seeds),
        f"{100 * acc.mean:.1f}" if acc.mean is not None else "-",
        acc.interval_text(percent=True),
        f"{100 * acc.std:.1f}" if acc.std is not None and acc.n > 1 else "-",
        f"{100 * acc.min:.1f}..{100 * acc.max:.1f}" if acc.min is not None else "-",
        _when_learned_cell(row, "test_accuracy", lambda v: f"{100 * v:.1f}"),
        f"{100 * row.train_accuracy.mean:.1f}" if row.train_accuracy.mean is not None else "-",
        _loss_text(row.test_loss),
        _loss_text(row.train_loss),
        learned,
        learned_ci,
        _epochs_text(row),
        str(row.diverged),
    ]


def _loss_text(spread: Spread) -> str:
    """The mean loss, and how many seeds' losses were not finite (left out of it)."""
    if spread.mean is None:
        return "inf" if spread.censored else "-"
    text = f"{spread.mean:.4f}" if spread.mean < 100 else f"{spread.mean:.4g}"
    return text + (f" ({spread.censored} inf)" if spread.censored else "")


def _epochs_text(row: ConfigSummary) -> str:
    """Mean epochs to target (a seed that never reached it counts as the budget + 1,
    so the mean is then a lower bound: "≥"), and how many seeds reached it."""
    spread = row.epochs_to_target
    if row.config.target_accuracy is None or spread.mean is None:
        return "-"
    reached = f"({row.reached_target}/{spread.n})"
    if row.reached_target == 0:
        return f"never {reached}"
    return f"{'≥' if spread.censored else ''}{spread.mean:.0f} {reached}"


#: The accuracy columns (left out when nothing has an accuracy), and the values that
#: say nothing in a column shown only when they are not all it holds.
_ACCURACY_COLUMNS = {"test acc %", "95% CI", "± std", "range", "train acc %", "when learned"}


_SILENT_VALUES = {
    "epochs to target": {"-"}, "diverged": {"0"}, "± std": {"-"}, "when learned": {"-"},
}  # fmt: skip


def _shows(name: str, cells: list[str], regression: bool) -> bool:
    """Whether the column ``name`` with these ``cells`` belongs in the table: the
    results always (losses for a regression, else accuracies and the test loss), the
    rest when it tells configurations apart or says something (a target reached, a
    divergence)."""
    results = {"train loss", "95% CI"} if regression else _ACCURACY_COLUMNS
    if name in {"activation", "initializer", "test loss", "seeds"} | results:
        return name not in _SILENT_VALUES or bool(set(cells) - _SILENT_VALUES[name])
    if name in (_ACCURACY_COLUMNS - {"95% CI"} if regression else {"train loss"}):
        return False
    if name.startswith("learned"):
        return any(cell != "-" for cell in cells)
    if name in _SILENT_VALUES:
        return bool(set(cells) - _SILENT_VALUES[name])
    return len(set(cells)) > 1


#: The published-figures table's columns that may go to fit a narrow terminal.
#: The columns a narrow terminal may leave out of the published figures' table: only
#: the range; every column a verdict is decided on stays (the rows become blocks).
COMPARISON_DROP_ORDER = ("range",)


def comparison_rows(
    summary: Summarized, verbose: bool = False
) -> tuple[list[str], list[list[str]]]:
    """One row per published figure: which, the figure, the replay, actinit's mean
    with its 95% interval and its range over seeds, the share of seeds the figure is
    better than, its rank p-value after Holm's correction and the verdict
    (``verbose``: and the verdict's sentence)."""
    header = [
        "figure",
        "published",
        "replayed",
        "actinit [95% CI]",
        "range",
        "seeds",
        "better than",
        "p (Holm)",
        "verdict",
    ]
    body = []
    for comparison in summary.comparisons:
        published = comparison.published
        fmt = formatter(published.metric)
        spread = comparison.spread
        measured = spread_range = "-"
        if spread and spread.mean is not None:
            measured = _short(fmt, spread.mean)
            if spread.low is not None:
                measured += f" [{_short(fmt, spread.low)}, {_short(fmt, spread.high)}]"
            spread_range = f"{_short(fmt, spread.min)}..{_short(fmt, spread.max)}"
            if spread.censored and published.metric == "epochs_to_target":
                measured = "≥" + measured
        which = ", ".join(
            compact_spec(str(v)) if k == "activation" else str(v)
            for k, v in published.match.items()
        )
        p = comparison.p_adjusted
        line = [
            f"{which or 'all'}: {METRIC_LABELS[published.metric]}",
            fmt(published.value),
            fmt(comparison.replayed) if comparison.replayed is not None else "-",
            measured,
            spread_range,
            str(comparison.summary.seeds) if comparison.summary else "0",
            f"{comparison.better_than:.0f}%" if comparison.better_than is not None else "-",
            f"{p:.2g}" if p is not None else "-",
            _verdict_cell(comparison),
        ]
        if verbose:
            line.append(comparison.detail)
        body.append(line)
    if verbose:
        header.append("why")
    return header, body


#: What the published figures' table shows, said under it.
FIGURES_LEGEND = (
    "published: the source's figure, one run. replayed: the source's own run, rerun "
    "from the seed it states (- where it states none). actinit: the mean over seeds "
    "with its 95% interval, ends included; range: the lowest..highest seed. better "
    "than: the share of seeds the figure beats. p (Holm): the rank p-value of the "
    "figure as one more seed, Holm-corrected over the study's figures. Verdicts: could "
    "be one more seed (p above 5%); not one more seed (p at most 5%); too few seeds to "
    "tell (the figure lies in the seeds' outer 5%, but at this many seeds the test "
    "cannot reach 5%: reproduce --max-seeds N adds them); replayed exactly (the rerun "
    "gives the figure); not comparable (another setup: shown, not tested)."
)

#: What a figure's verdict says, in the words the tables print: each names what was
#: tested (the figure as one more of actinit's seeds, or the source's own run rerun).
FIGURE_VERDICT_WORDS = {
    "replayed exactly": "replayed exactly",
    "consistent": "could be one more seed",
    "too few seeds": "too few seeds to tell",
    "not reproduced": "not one more seed",
    "not comparable": "not comparable",
}


def _verdict_cell(comparison: Comparison) -> str:
    """The verdict in words that say what was tested, with what qualifies it: where
    the figure lies when it is not one more seed (and, when the source's own run
    replays it, that its seed was an unusual one), the seeds the test needs, the setup
    that differs (up to its parenthesis), the study file's caveat."""
    published = comparison.published
    cell = FIGURE_VERDICT_WORDS.get(comparison.verdict, comparison.verdict)
    spread = comparison.spread
    if comparison.verdict == "not comparable" and published.differs:
        cell += ": " + published.differs.split(" (")[0]
    elif comparison.verdict == "too few seeds" and "needs " in comparison.detail:
        cell += f" (needs {comparison.detail.rsplit('needs ', 1)[1].split(';')[0]})"
    elif comparison.verdict == "not reproduced" and spread and spread.mean is not None:
        if not comparison.inside:
            side = "above" if published.value > spread.max else "below"
            cell += f": {side} all {comparison.summary.seeds}"
        replayed = comparison.replayed
        close = 0.01 if published.metric.endswith("accuracy") else 0.0
        if replayed is not None and abs(replayed - published.value) <= close + 1e-12:
            fmt = formatter(published.metric)
            cell += f"; its own seed gives {fmt(replayed)}: an unusual seed"
    return cell + (f"; {published.caveat}" if published.caveat else "")


def _short(fmt, value: float) -> str:
    """A figure without its unit sign, to keep ranges compact."""
    return fmt(value).rstrip("%")


def to_markdown(summary: Summarized) -> str:
    """The summary as Markdown: the study's title and description, the table of
    configurations and the published figures judged."""
    lines = [f"## {summary.study.title}", ""]
    if summary.study.description:
        lines += [summary.study.description, ""]
    for header, body in (table_rows(summary), comparison_rows(summary)):
        if body:
            lines += markdown_table(header, body)
    if summary.missing_runs:
        lines.append(f"{summary.missing_runs} runs are not in the database yet.")
    return "\n".join(lines)


def ranking_rows(ranking, fmt) -> tuple[list[str], list[list[str]]]:
    """A ranking as table rows: place, name, mean and interval, seeds, how many learned,
    the accuracy when it learned, the guarantee's interval (best-set: this one minus
    the best of the others; otherwise this one minus the best), the seeds won against
    the best, the p-value its place rests on, and whether it is in the best set."""
    vs = "vs best of rest [CI]" if ranking.guarantee != "every-pair" else "vs best [CI]"
    header = [
        "#",
        "configuration",
        "mean",
        "95% CI",
        "seeds",
        "learned",
        "when learned",
        vs,
        "wins",
        "p",
        "best set",
    ]
    body = []
    for place, entry in enumerate(ranking.entries, start=1):
        estimate, versus, row = entry.estimate, entry.vs_best, entry.row
        interval = "-" if estimate.low is None else f"{fmt(estimate.low)}..{fmt(estimate.high)}"
        wins = "-"
        if versus is not None:
            wins = f"{versus.wins_a}-{versus.wins_b}"
        low, high = entry.interval
        difference = "-"
        if low == low and high == high:
            difference = f"[{_end(fmt, low)}, {_end(fmt, high)}]"
        body.append(
            [
                str(place),
                entry.label,
                fmt(estimate.mean) if estimate.mean is not None else "-",
                interval,
                str(estimate.n),
                _learned_cell(row),
                _when_learned_cell(row, ranking.metric, fmt),
                difference,
                wins,
                f"{entry.p:.2g}" if place > 1 or ranking.guarantee != "every-pair" else "-",
                _best_set_cell(entry, place),
            ]
        )
    return header, body


def _end(fmt, value: float) -> str:
    import math

    return fmt(value) if math.isfinite(value) else ("-inf" if value < 0 else "+inf")


def _learned_cell(row) -> str:
    """ "8/10": the seeds that learned (\"-\" for regression)."""
    if row.learned_share is None:
        return "-"
    seeds = len(row.stored_seeds)
    return f"{seeds - len(row.failed_seeds)}/{seeds}"


def _when_learned_cell(row, metric: str, fmt) -> str:
    """Test accuracy over the seeds that learned, with its interval: shown where it
    differs from the mean (some seeds did not learn)."""
    spread = row.learned_accuracy
    if metric != "test_accuracy" or spread is None or spread.mean is None or not row.mixed:
        return "-"
    if spread.low is None:
        return fmt(spread.mean)
    return f"{fmt(spread.mean)} [{fmt(spread.low)}, {fmt(spread.high)}]"


def _best_set_cell(entry, place: int) -> str:
    kept = "yes" if entry.in_best_set else "no"
    if place == 1:
        kept = "best" if entry.in_best_set else "no"
    return kept if entry.learned else f"{kept} (never learned)"


def comparison_table(comparisons, fmt, alpha: float = 0.05) -> tuple[list[str], list[list[str]]]:
    """Paired comparisons as table rows: A, B, seeds, the mean difference and its
    interval, its level, the wins each way, the p-value and the verdict; then how
    often each failed (A, B) and the difference on the seeds where both learned;
    verdicts at ``alpha`` (family-wise when the comparisons were corrected)."""
    header = [
        "A", "B", "seeds", "A - B [CI]", "level", "A wins", "B wins", "ties", "p",
        "verdict", "failed A/B", "fails less (p)", "A - B when both learned",
    ]  # fmt: skip
    body = []
    for c in comparisons:
        failed = fewer = learned = "-"
        if c.failures is not None:
            f = c.failures
            failed = f"{f.a_failed}/{f.b_failed} of {f.seeds}"
            side = f.fewer(alpha)
            fewer = f"{'A' if side == 'a' else 'B' if side == 'b' else 'neither'} ({f.p:.2g})"
            d = c.when_learned()
            if d is not None and d.n:
                learned = d.text(fmt)
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
                c.verdict(alpha),
                failed,
                fewer,
                learned,
            ]
        )
    return header, body


DECOMPOSED_NOTE = (
    "Some configurations of this study learned on some seeds and not on others: every "
    "test accuracy interval holds each mean the learned share (its exact interval) and the "
    "accuracies of the runs that learned and failed allow, so a configuration that learned "
    "on all its seeds keeps a low end for the failures they cannot rule out; 'when learned' "
    "is the accuracy of the seeds that learned."
)
