"""Published conclusions, tested seed by seed.

A document concludes from single runs ("He beats large random weights", "ReLU learns
the parabolas fastest", "Glorot and He are equally good"). Each conclusion of a study
(``[[conclusion]]`` in its file) is a claim about the **mean over seeds** of
configurations A and B (the number the tables show):

- ``better``: A's mean is better than B's. *Supported* when the paired t test of the
  mean difference says A is better (Holm-corrected over every distinct comparison of
  the study's conclusions), *contradicted* when it says B is, *too few seeds* when a
  comparison has fewer than two seeds, else *not settled*.
- ``equal``: the two means are within ``margin``. *Supported* when the 90% interval
  of the mean difference (two one-sided tests at 5%, Schuirmann 1987), widened by
  what failures the seeds did not show could add (below), lies strictly inside
  (-margin, margin): an end exactly at the margin is not inside (ends are compared
  after rounding to 1e-9 of the margin, so float noise decides nothing).
  *Contradicted* when the 95% interval lies wholly outside it; *too few seeds (needs
  N)* when the failures alone could move the mean by the margin; else *not settled*.

Why the widening: a configuration that diverges on one seed in ten can show none of
it in ten seeds (35% of the time), and its mean is then over-stated by a tenth of the
gap between a run that learns and one that fails. Two configurations are "equal" on
accuracy only when the seeds also bound how often one learns and the other does not:
with d seeds of n splitting them, the share of such seeds is at most its one-sided
95% bound u (0 of 10: 26%; 0 of 300: 1%), and each such seed moves the mean
difference by at most the metric's range (1 for an accuracy). The interval is widened
by (u - d / n) on each side.

Before any test: comparisons whose A and B gave the same value on every seed (the
same weights drawn twice, such as He and N(0, 1) at fan-in 2) are left out and said;
a claim all of whose comparisons are such *cannot be tested*; comparisons that are
the same test twice (B and B' identical on every seed) count once in the correction.
A claim about accuracy where neither A nor B learned on any seed *cannot be judged*
at this budget (two networks at chance differ by noise, not by what the claim is
about).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..plan.study import Conclusion, matches
from .exports import FIGURES_LEGEND, comparison_rows, markdown_table
from .intervals import ALPHA
from .ranking import compare_rows, learned_somewhere
from .rows import ConfigSummary
from .statistics import PairedComparison, correct
from .summary import StudySummary

VERDICTS = (
    "supported",
    "contradicted",
    "not settled",
    "too few seeds",
    "cannot be tested",
    "cannot be judged",
)

#: What the conclusions' table shows, said under it.
CONCLUSIONS_LEGEND = (
    "mean A - B: the mean over seeds of A's figure minus B's, each seed the same data "
    "and initial draw for both (points for accuracies); [CI]: its interval at the level "
    'the verdict used, ends included (Holm\'s step for "better": the interval excludes '
    "0 exactly when the claim is supported or contradicted). wins: seeds A beat B - "
    'seeds B beat A. p (Holm): over the study\'s conclusions. "equal within ± m" is '
    "supported when the 90% interval lies strictly inside ± m, widened by the failures "
    "the seeds cannot rule out; too few seeds (needs N): N seeds, none splitting the "
    "two on learning, could show it."
)

CONCLUSION_HEADER = ("conclusion", "mean A - B [CI]", "seeds", "wins", "p (Holm)", "verdict")


@dataclass
class Tested:
    """A conclusion and what actinit's seeds say of it: ``comparisons`` are the ones
    judged, ``left_out`` those between identical runs (said, not judged)."""

    conclusion: Conclusion
    verdict: str
    comparisons: list[PairedComparison] = field(default_factory=list)
    detail: str = ""
    left_out: list[PairedComparison] = field(default_factory=list)
    #: For "too few seeds": the seeds the claim needs, where known.
    needs: int | None = None


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
    family = _distinct(
        [
            c
            for t in tested
            if t.conclusion.claim == "better" and not t.verdict
            for c in t.comparisons
            if not c.identical
        ]
    )
    correct(list(family), alpha)
    for comparisons in family.values():  # the same test twice shares its correction
        for twin in comparisons[1:]:
            twin.p_adjusted, twin.level = comparisons[0].p_adjusted, comparisons[0].level
    for entry in tested:
        if entry.comparisons and not entry.verdict:
            _judge(entry, alpha, len(family))
    return tested


class _Family(dict):
    """Distinct comparisons -> every comparison that is the same test; iterating
    gives one of each."""

    def __iter__(self):
        return (comparisons[0] for comparisons in self.values())


def _distinct(comparisons: list[PairedComparison]) -> _Family:
    """The comparisons grouped by what they test: two comparisons whose per-seed
    differences are the same on every seed (B and B' identical runs) are one
    hypothesis, which enters a correction once."""
    found = _Family()
    for comparison in comparisons:
        key = (comparison.metric, np.round(np.array(comparison.raw, dtype=float), 12).tobytes())
        found.setdefault(key, []).append(comparison)
    return found


def _before_testing(entry: Tested, rows: list[ConfigSummary]) -> None:
    """Claims no test can judge: every comparison between identical runs, or accuracy
    where nothing learned. Comparisons between identical runs beside others are left
    out of the judgement and said."""
    same = [c for c in entry.comparisons if c.identical]
    said = "; ".join(
        f"{c.a} and {c.b} gave the same value on every one of {c.seeds} seeds: the two "
        "settings draw the same network here, so that comparison cannot tell them apart"
        for c in same
    )
    if same and len(same) == len(entry.comparisons):
        entry.verdict = "cannot be tested"
        entry.detail = said
    elif entry.conclusion.metric.endswith("accuracy") and not any(
        learned_somewhere(row) for row in rows
    ):
        entry.verdict = "cannot be judged"
        entry.detail = (
            "neither side learned on any seed at this budget (every run at or below "
            "the study's learned threshold): their difference is noise at chance level"
        )
    elif same:
        entry.left_out = same
        entry.comparisons = [c for c in entry.comparisons if not c.identical]
        entry.detail = said


def _difference_text(comparison: PairedComparison, scale: float, unit: str, level=None) -> str:
    difference = comparison.difference(level)
    if difference.estimate != difference.estimate:  # nan
        return "no difference"
    return difference.text(lambda v: f"{scale * v:+.1f}") + unit


def unseen_failures(comparison: PairedComparison, metric: str, alpha: float = ALPHA) -> float:
    """How far failures the seeds did not show could move the mean difference: the
    one-sided (1 - alpha) bound of the share of seeds on which one learns and the
    other does not, less the share seen, times the metric's range (1 for an accuracy;
    0 for other metrics, which have no range)."""
    failures = comparison.failures
    if failures is None or not metric.endswith("accuracy") or not failures.seeds:
        return 0.0
    seen = failures.discordant / failures.seeds
    return max(0.0, failures.discordant_bound(alpha) - seen) * 1.0


def seeds_to_bound(margin: float, alpha: float = ALPHA) -> int:
    """The fewest seeds, none splitting the two, at which failures not seen could
    move an accuracy's mean difference by less than ``margin``: 1 - alpha^(1/n) <
    margin."""
    if margin <= 0:
        return 0
    if margin >= 1:
        return 1
    return int(np.ceil(np.log(alpha) / np.log(1 - margin) + 1e-9))


#: Ends within this share of the margin count as at the margin (not inside it).
MARGIN_TOLERANCE = 1e-9


def _inside(low: float, high: float, margin: float) -> bool:
    """[low, high] lies strictly inside (-margin, margin), ends within
    :data:`MARGIN_TOLERANCE` of the margin counting as on it."""
    tolerance = MARGIN_TOLERANCE * max(abs(margin), 1e-12)
    return low > -margin + tolerance and high < margin - tolerance


def _judge(entry: Tested, alpha: float, family: int) -> None:
    accuracy = entry.conclusion.metric.endswith("accuracy")
    scale, unit = (100.0, " points") if accuracy else (1.0, "")
    parts = [entry.detail] if entry.detail else []
    if entry.conclusion.claim == "better":
        parts += _judge_better(entry, alpha, family, scale, unit)
    else:
        parts += _judge_equal(entry, alpha, scale, unit)
    entry.detail = "; ".join(parts)


def _judge_better(entry: Tested, alpha: float, family: int, scale: float, unit: str) -> list[str]:
    """The verdict of "A is better than every B", and each comparison in words."""
    winners = [c.better(alpha) for c in entry.comparisons]
    if all(w == "a" for w in winners):
        entry.verdict = "supported"
    elif any(w == "b" for w in winners):
        entry.verdict = "contradicted"
    elif any(len(c.differences) < c.seeds_needed for c in entry.comparisons):
        entry.verdict = "too few seeds"
    else:
        entry.verdict = "not settled"
    return [
        f"{c.a} - {c.b} = {_difference_text(c, scale, unit)} (mean over seeds, "
        f"{100 * c.confidence:.3g}% interval), wins {c.wins_a}-{c.wins_b} of "
        f"{c.seeds} seeds, p = {c.p_value:.2g}, Holm over {family}: {c.p:.2g}"
        + c.parts_sentence(lambda v: f"{scale * v:+.1f}", alpha)
        for c in entry.comparisons
    ]


def _judge_equal(entry: Tested, alpha: float, scale: float, unit: str) -> list[str]:
    """The verdict of "A and every B are equal within the margin" (two one-sided
    tests, widened for unseen failures), and each comparison in words."""
    conclusion = entry.conclusion
    m = conclusion.margin
    verdicts, parts = [], []
    for c in entry.comparisons:
        inner, outer = c.difference(2 * alpha), c.difference(alpha)
        widen = unseen_failures(c, conclusion.metric, alpha)
        low, high = inner.low - widen, inner.high + widen
        if outer.low > m or outer.high < -m:
            verdicts.append("contradicted")
        elif _inside(low, high, m):
            verdicts.append("supported")
        elif widen >= m or len(c.differences) < c.seeds_needed:
            verdicts.append("too few seeds")
        else:
            verdicts.append("not settled")
        text = (
            f"{c.a} - {c.b} = {_difference_text(c, scale, unit, alpha)} (95%); equal "
            f"within ± {scale * m:g}{unit} needs the 90% interval "
            f"[{scale * low:+.2f}, {scale * high:+.2f}] strictly inside"
        )
        if widen:
            text += (
                f" (widened by ± {scale * widen:.1f}{unit}: {c.failures.discordant} of "
                f"{c.failures.seeds} seeds split them on learning, and up to "
                f"{100 * c.failures.discordant_bound(alpha):.0f}% could; at least "
                f"{seeds_to_bound(m, alpha)} seeds that none split bound this within "
                "the margin)"
            )
        parts.append(text)
    if "contradicted" in verdicts:
        entry.verdict = "contradicted"
    elif all(v == "supported" for v in verdicts):
        entry.verdict = "supported"
    else:
        entry.verdict = "too few seeds" if "too few seeds" in verdicts else "not settled"
    if entry.verdict == "too few seeds" and conclusion.metric.endswith("accuracy"):
        entry.needs = seeds_to_bound(m, alpha)
    return parts


def conclusion_rows(tested: list[Tested]) -> tuple[list[str], list[list[str]]]:
    """One row per conclusion: its words, the mean paired difference A - B with its
    interval at the level its verdict was taken (Holm's step for "better", 95% for
    "equal"; the closest call when B is several), seeds, wins, the largest corrected
    p and the verdict."""
    header = list(CONCLUSION_HEADER)
    body = []
    for entry in tested:
        accuracy = entry.conclusion.metric.endswith("accuracy")
        scale, unit = (100.0, "") if accuracy else (1.0, "")
        if not entry.comparisons:
            body.append([entry.conclusion.text, "-", "0", "-", "-", _conclusion_cell(entry, scale)])
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
                _conclusion_cell(entry, scale),
            ]
        )
    return header, body


def _conclusion_cell(entry: Tested, scale: float) -> str:
    """The verdict, with the margin an "equal" claim was tested at and the seeds a
    "too few seeds" needs."""
    cell = entry.verdict + (f" (needs {entry.needs})" if entry.needs else "")
    if entry.conclusion.claim == "equal":
        cell += f"; margin ± {scale * entry.conclusion.margin:g}"
    return cell


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
    for header, body, legend in (
        (["study", *figure_header], figures, FIGURES_LEGEND),
        (["study", *CONCLUSION_HEADER], claims, CONCLUSIONS_LEGEND),
    ):
        if body:
            lines += markdown_table(header, body)
            lines += [f"*{legend}*", ""]
    cited = [s.study for s in summaries if s.study.source]
    if cited:
        lines += ["", "Sources:", ""]
        lines += [f"- **{study.title.split(':')[0]}**: {study.source}" for study in cited]
    return "\n".join(lines)


__all__ = ["VERDICTS", "Tested", "conclusion_rows", "judge_conclusions", "reproduce_markdown"]
