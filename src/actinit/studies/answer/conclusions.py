"""The seed documents' conclusions, tested seed by seed.

A document concludes from single runs ("He beats large random weights", "ReLU learns
the parabolas fastest", "Glorot and He are equally good"). Each conclusion of a study
(``[[conclusion]]`` in its file) is a claim about configurations A and B:

- ``better``: A is better than B. *Supported* when the paired signed-rank test says A
  is better (Holm-corrected over every comparison of the study's conclusions),
  *contradicted* when it says B is, *too few seeds* when no result at that many seeds
  could reach the level, else *not settled*.
- ``equal``: A and B are within ``margin``. *Supported* when the 90% signed-rank
  interval of the shift A - B lies inside ± margin (two one-sided tests at 5%,
  Schuirmann 1987), *contradicted* when the 95% interval lies wholly outside it, else
  *not settled*.

Before any test: a claim whose A and B gave the same value on every seed (the same
weights drawn twice, such as He and N(0, 1) at fan-in 2) *cannot be tested*; a claim
about accuracy where neither A nor B learned on any seed *cannot be judged* at this
budget (two networks at chance differ by noise, not by what the claim is about).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..plan.study import Conclusion, matches
from .exports import comparison_rows, markdown_table
from .intervals import ALPHA
from .ranking import compare_rows, learned_somewhere
from .statistics import PairedComparison, correct, floor_note
from .summary import ConfigSummary, StudySummary

VERDICTS = (
    "supported",
    "contradicted",
    "not settled",
    "too few seeds",
    "cannot be tested",
    "cannot be judged",
)

CONCLUSION_HEADER = ("conclusion", "A - B [CI]", "seeds", "wins", "p (Holm)", "verdict")


@dataclass
class Tested:
    """A conclusion and what actinit's seeds say of it."""

    conclusion: Conclusion
    verdict: str
    comparisons: list[PairedComparison] = field(default_factory=list)
    detail: str = ""


def _row(summary: StudySummary, side: dict) -> ConfigSummary | None:
    matching = [r for r in summary.rows if matches(r.config, side)]
    return matching[0] if len(matching) == 1 else None


def _name(side: dict) -> str:
    return "/".join(str(v) for v in side.values())


def judge_conclusions(summary: StudySummary, alpha: float = ALPHA) -> list[Tested]:
    """Every conclusion of the study against its stored seeds."""
    tested: list[Tested] = []
    for conclusion in summary.study.conclusions:
        a = _row(summary, conclusion.a)
        rows = [_row(summary, side) for side in conclusion.b]
        if a is None or any(r is None for r in rows):
            tested.append(Tested(conclusion, "not settled", detail="no runs of A or B yet"))
            continue
        comparisons = [
            compare_rows(a, b, conclusion.metric, (_name(conclusion.a), _name(side)))
            for b, side in zip(rows, conclusion.b)
        ]
        tested.append(Tested(conclusion, "", comparisons))
        _before_testing(tested[-1], [a, *rows])
    family = [
        c for t in tested if t.conclusion.claim == "better" and not t.verdict for c in t.comparisons
    ]
    correct(family, alpha)
    for entry in tested:
        if entry.comparisons and not entry.verdict:
            _judge(entry, alpha, len(family))
    return tested


def _before_testing(entry: Tested, rows: list[ConfigSummary]) -> None:
    """Claims no test can judge: identical runs, or accuracy where nothing learned."""
    same = [c for c in entry.comparisons if c.identical]
    if same:
        entry.verdict = "cannot be tested"
        entry.detail = "; ".join(
            f"{c.a} and {c.b} gave the same value on every one of {c.seeds} seeds: the two "
            "settings draw the same network here, so the claim cannot tell them apart"
            for c in same
        )
    elif entry.conclusion.metric.endswith("accuracy") and not any(
        learned_somewhere(row) for row in rows
    ):
        entry.verdict = "cannot be judged"
        entry.detail = (
            "neither side learned on any seed at this budget (every run at or below "
            "the study's learned threshold): their difference is noise at chance level"
        )


def _difference_text(comparison: PairedComparison, scale: float, unit: str, level=None) -> str:
    shift = comparison.shift(level)
    if shift.estimate != shift.estimate:  # nan
        return "no difference"
    return shift.text(lambda v: f"{scale * v:+.1f}") + unit


def _judge(entry: Tested, alpha: float, family: int) -> None:
    conclusion = entry.conclusion
    accuracy = conclusion.metric.endswith("accuracy")
    scale, unit = (100.0, " points") if accuracy else (1.0, "")
    parts = []
    if conclusion.claim == "better":
        winners = [c.better(alpha) for c in entry.comparisons]
        if all(w == "a" for w in winners):
            entry.verdict = "supported"
        elif any(w == "b" for w in winners):
            entry.verdict = "contradicted"
        elif any(c.seeds < c.seeds_needed for c in entry.comparisons):
            entry.verdict = "too few seeds"
        else:
            entry.verdict = "not settled"
        for c in entry.comparisons:
            parts.append(
                f"{c.a} - {c.b} = {_difference_text(c, scale, unit)} "
                f"({100 * c.confidence:.3g}% interval), wins {c.wins_a}-{c.wins_b} of "
                f"{c.seeds} seeds, p = {c.p_value:.2g}, Holm over {family}: {c.p:.2g}"
            )
        note = floor_note(min(c.seeds for c in entry.comparisons), family, alpha)
        if entry.verdict in ("not settled", "too few seeds") and note:
            parts.append(note)
    else:
        verdicts = []
        m = conclusion.margin
        for c in entry.comparisons:
            inner, outer = c.shift(2 * alpha), c.shift(alpha)
            if -m <= inner.low and inner.high <= m:
                verdicts.append("supported")
            elif outer.low > m or outer.high < -m:
                verdicts.append("contradicted")
            else:
                verdicts.append("not settled")
            parts.append(
                f"{c.a} - {c.b} = {_difference_text(c, scale, unit, alpha)} (95%); equal "
                f"within ± {scale * m:g}{unit} needs the 90% interval "
                f"{_difference_text(c, scale, '', 2 * alpha).split(' ', 1)[-1]} inside"
            )
        entry.verdict = (
            "contradicted"
            if "contradicted" in verdicts
            else "supported"
            if all(v == "supported" for v in verdicts)
            else "not settled"
        )
    entry.detail = "; ".join(parts)


def conclusion_rows(tested: list[Tested]) -> tuple[list[str], list[list[str]]]:
    """One row per conclusion: its words, the paired difference A - B (the smallest
    of them when B is several), seeds, wins, the largest corrected p and the verdict."""
    header = list(CONCLUSION_HEADER)
    body = []
    for entry in tested:
        accuracy = entry.conclusion.metric.endswith("accuracy")
        scale, unit = (100.0, "") if accuracy else (1.0, "")
        if not entry.comparisons:
            body.append([entry.conclusion.text, "-", "0", "-", "-", entry.verdict])
            continue
        # the closest call decides a claim over several B: show that one
        closest = max(entry.comparisons, key=lambda c: c.p)
        p = "-" if entry.conclusion.claim == "equal" else f"{closest.p:.2g}"
        body.append(
            [
                entry.conclusion.text,
                _difference_text(closest, scale, unit),
                str(closest.seeds),
                f"{closest.wins_a}-{closest.wins_b}",
                p,
                entry.verdict,
            ]
        )
    return header, body


def reproduce_markdown(summaries: list[StudySummary]) -> str:
    """The published figures and the conclusions of several studies as two Markdown
    tables, a study's short name first in each row (what docs/studies.md shows)."""
    lines = []
    figure_header: list[str] = []
    figures, claims = [], []
    for summary in summaries:
        short = summary.study.title.split(":")[0]
        header, body = comparison_rows(summary)
        figure_header = figure_header or header
        figures += [[short, *row] for row in body]
        tested = judge_conclusions(summary)
        if tested:
            _, claim_body = conclusion_rows(tested)
            claims += [[short, *row] for row in claim_body]
    for header, body in (
        (["study", *figure_header], figures),
        (["study", *CONCLUSION_HEADER], claims),
    ):
        if body:
            lines += markdown_table(header, body)
    return "\n".join(lines)


__all__ = ["VERDICTS", "Tested", "conclusion_rows", "judge_conclusions", "reproduce_markdown"]
