"""Published figures set against actinit's seeds: placed among the seeds (:func:`place`),
judged together with Holm's correction (:func:`judge`), each with a verdict: replayed
exactly, consistent, too few seeds, not reproduced or not comparable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..plan.metrics import LOWER_IS_BETTER, formatter
from ..plan.study import Published, RunConfig
from .intervals import ALPHA, holm, rank_p_value, seeds_for_rank_test
from .rows import ConfigSummary, Spread

#: The verdicts a comparison can end in, for people. Each names what the rank test
#: (or its absence) can say; where the figure falls among the seeds is in the detail.
VERDICTS = {
    "replayed exactly": "the original program's own initial draw, replayed, gives the figure",
    "consistent": "the figure could be one more of actinit's seeds: the rank test, "
    "Holm-corrected over the study's figures, does not reject that",
    "too few seeds": "the figure lies in the seeds' outer 5%, and at this many seeds the rank "
    "test cannot reach 5% after Holm's correction: more seeds decide it",
    "not reproduced": "the figure is too far out to be one more of actinit's seeds: its rank "
    "p-value, Holm-corrected over the study's figures, is below 5%",
    "not comparable": "the figure was measured in another setup (other data, another training "
    "or test set): it is shown, not tested",
}


@dataclass
class Comparison:
    """A published figure beside actinit's seeds and, when the original run can be
    replayed, beside that replay. ``verdict`` is one of :data:`VERDICTS` (or says why
    there is nothing to compare); ``detail`` says it in a sentence.

    ``percentile`` is where the figure falls among the seeds (0-100, ties half) and
    ``better_than`` the same oriented so that 100 means better than every seed.
    ``p_value`` is the figure's two-sided rank p-value among the seeds
    (:func:`~actinit.studies.answer.intervals.rank_p_value`: is it one more draw of the
    same distribution?) and ``p_adjusted`` Holm's over the study's figures."""

    published: Published
    summary: ConfigSummary | None
    verdict: str
    inside: bool | None = None
    replayed: float | None = None
    percentile: float | None = None
    detail: str = ""
    better_than: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None

    @property
    def spread(self) -> Spread | None:
        return self.summary.metric(self.published.metric) if self.summary else None

    def to_row(self) -> dict[str, Any]:
        spread = self.spread
        return {
            "configuration": ", ".join(f"{k}={v}" for k, v in self.published.match.items()),
            "metric": self.published.metric,
            "published": self.published.value,
            "replayed": self.replayed,
            "actinit_mean": spread.mean if spread else None,
            "actinit_low": spread.low if spread else None,
            "actinit_high": spread.high if spread else None,
            "actinit_std": spread.std if spread else None,
            "actinit_min": spread.min if spread else None,
            "actinit_max": spread.max if spread else None,
            "seeds": self.summary.seeds if self.summary else 0,
            "percentile": self.percentile,
            "better_than_percent": self.better_than,
            "p_value": self.p_value,
            "p_holm": self.p_adjusted,
            "inside_spread": self.inside,
            "verdict": self.verdict,
            "detail": self.detail,
            "note": self.published.note,
        }


def percentile_of(value: float, values: list[float], tolerance: float = 0.0) -> float:
    """Where ``value`` falls among ``values``, 0-100: the share below it, ties (within
    ``tolerance``, the rounding of a printed figure) counting half."""
    below = sum(v < value - tolerance for v in values)
    ties = sum(abs(v - value) <= tolerance for v in values)
    return 100.0 * (below + 0.5 * ties) / len(values)


def compare(
    published: Published,
    rows: list[ConfigSummary],
    replays: dict[str, dict[str, Any]] | None = None,
) -> Comparison:
    """Place one published figure (a family of one: :func:`judge` corrects several at
    once): replayed exactly (``replays``: stored replay runs by the key of their
    configuration), consistent with actinit's seeds, too few seeds to tell, not
    reproduced, or not comparable (another setup)."""
    return judge([place(published, rows, replays)])[0]


def place(
    published: Published,
    rows: list[ConfigSummary],
    replays: dict[str, dict[str, Any]] | None = None,
) -> Comparison:
    """A published figure beside its configuration's seeds and replay, with its rank
    p-value; the verdict is left to :func:`judge`."""
    matching = [row for row in rows if published.matches(row.config)]
    if not matching:
        return Comparison(published, None, "no runs yet", detail="no runs of this configuration")
    row = matching[0]
    replayed = _replayed_value(published, replays or {})
    spread = row.metric(published.metric)
    values = row.values.get(published.metric, [])
    comparison = Comparison(published, row, "", replayed=replayed)
    if values:
        comparison.percentile = percentile_of(published.value, values, published.tolerance)
        lower_better = published.metric in LOWER_IS_BETTER
        comparison.better_than = (
            100 - comparison.percentile if lower_better else comparison.percentile
        )
        comparison.p_value = rank_p_value(published.value, values, published.tolerance)
    if spread.mean is not None:
        slack = published.tolerance + 1e-12
        comparison.inside = spread.min - slack <= published.value <= spread.max + slack
    return comparison


def comparable(comparison: Comparison) -> bool:
    """Was the figure measured in actinit's setup (its data set, and no difference the
    study file states with ``differs``)?"""
    published, row = comparison.published, comparison.summary
    if row is None or published.differs:
        return False
    return not (published.data and published.data != row.config.data.get("name"))


def judge(comparisons: list[Comparison], alpha: float = ALPHA) -> list[Comparison]:
    """Give each placed figure its verdict. The rank p-values of the figures that are
    comparable and not replayed exactly are Holm-corrected together: a study's figures
    are one family, so that "not reproduced" anywhere in it is wrong with a chance of
    at most ``alpha``."""
    slack = {id(c): c.published.tolerance + 1e-12 for c in comparisons}
    tested = [
        c
        for c in comparisons
        if comparable(c)
        and c.p_value is not None
        and not (c.replayed is not None and abs(c.replayed - c.published.value) <= slack[id(c)])
    ]
    for comparison, adjusted in zip(tested, holm([c.p_value for c in tested])):
        comparison.p_adjusted = adjusted
    family = max(1, len(tested))
    for comparison in comparisons:
        if comparison.summary is not None:
            _verdict(comparison, family, alpha)
    return comparisons


def _verdict(comparison: Comparison, family: int, alpha: float) -> None:
    published, row = comparison.published, comparison.summary
    fmt = formatter(published.metric)
    spread = comparison.spread
    replayed = comparison.replayed
    replay_text = f"the replay gives {fmt(replayed)}; " if replayed is not None else ""
    data = row.config.data.get("name")
    values = row.values.get(published.metric, [])
    if not comparable(comparison):
        comparison.verdict = "not comparable"
        comparison.detail = (
            published.differs or f"published on {published.data}, actinit ran {data}"
        )
    elif replayed is not None and abs(replayed - published.value) <= published.tolerance + 1e-12:
        comparison.verdict = "replayed exactly"
        comparison.detail = "the original program's own initial draw gives the printed figure"
    elif not values:
        comparison.verdict = "not reproduced"
        comparison.detail = replay_text + "every seed diverged or failed"
    else:
        n = len(values)
        needed = seeds_for_rank_test(alpha / family)
        better = comparison.better_than
        where = (
            f"better than {better:.0f}% of {n} seeds"
            if spread.mean is not None
            else f"among {n} seeds"
        )
        test = (
            f"rank p = {comparison.p_value:.2g}, Holm over {family} figure"
            f"{'s' if family > 1 else ''}: {comparison.p_adjusted:.2g}"
        )
        outer = better >= 95 or better <= 5
        if comparison.p_adjusted is not None and comparison.p_adjusted <= alpha:
            comparison.verdict = "not reproduced"
            outside = (
                f"{'above' if published.value > spread.max else 'below'} every one of {n} seeds "
                f"({fmt(spread.min)}..{fmt(spread.max)})"
                if spread.mean is not None and not comparison.inside
                else where
            )
            comparison.detail = f"{replay_text}{fmt(published.value)} is {outside}; {test}"
        elif outer and n < needed:
            comparison.verdict = "too few seeds"
            comparison.detail = (
                f"{replay_text}{where}, in the seeds' outer 5%; {test}; at {n} seeds the "
                f"rank test cannot reach {alpha:.0%} after Holm: it needs {needed}"
            )
        else:
            comparison.verdict = "consistent"
            comparison.detail = f"{replay_text}{where}; {test}"
        if published.metric == "epochs_to_target" and spread.censored:
            comparison.detail += (
                f"; {spread.censored} seeds never reached the target in "
                f"{row.config.epochs} epochs (counted as slower than every one that did)"
            )
    if published.caveat:
        comparison.detail += f"; {published.caveat}"


def _replayed_value(published: Published, replays: dict[str, dict[str, Any]]) -> float | None:
    for record in replays.values():
        if published.matches(RunConfig.from_dict(record["config"])):
            value = record.get(published.metric)
            return None if value is None else float(value)
    return None
