"""Pictures of what a study answers: a ranking (forest plot) and the effect of each
grid dimension, every mean drawn with its 95% interval over seeds."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..studies.answer.effects import Effect
from ..studies.answer.ranking import Ranking
from .figures import grid_shape

#: Rows a ranking picture draws before it leaves the rest out (and says so).
MAX_RANKED_ROWS = 40
BEST = "#1a7f37"
OTHER = "#555555"


def _scale(metric: str) -> tuple[float, str]:
    return (100.0, " (%)") if metric.endswith("accuracy") else (1.0, "")


def _forest(axis, rows, scale: float) -> None:
    """One forest-plot row per (label, estimate, in best set), top down: the mean as a
    point, its 95% interval as a bar; the best set green and filled, the rest grey and
    hollow."""
    for position, (_, estimate, best) in enumerate(rows):
        if estimate.mean is None:
            continue
        colour = BEST if best else OTHER
        if estimate.low is not None:
            axis.plot(
                [scale * estimate.low, scale * estimate.high],
                [position, position],
                color=colour,
                lw=2,
            )
        axis.plot(
            scale * estimate.mean, position, "o", color=colour,
            markerfacecolor=colour if best else "white", markersize=6,
        )  # fmt: skip
    axis.set_yticks(range(len(rows)), [label for label, _, _ in rows], fontsize=8)
    axis.invert_yaxis()
    axis.grid(axis="x", alpha=0.3)


def _key(filled: str, hollow: str) -> list[Line2D]:
    """The two markers of a forest plot, as legend handles."""
    return [
        Line2D([], [], color=BEST, marker="o", lw=2, label=filled),
        Line2D([], [], color=OTHER, marker="o", markerfacecolor="white", lw=2, label=hollow),
    ]


def _legend(
    axis, lower_is_better: bool, hollow: str = "worse than the best",
    filled: str = "best set (not worse than the best)",
) -> None:  # fmt: skip
    axis.legend(
        handles=_key(filled, hollow),
        fontsize=7,
        loc="lower left" if lower_is_better else "lower right",
    )


def plot_ranking(ranking: Ranking, title: str = "", max_rows: int = MAX_RANKED_ROWS) -> Figure:
    """A forest plot: one row per configuration, best first, its mean as a point and
    its 95% interval as a bar; the best set of the ranking's guarantee (by default the
    set that holds the best configuration with 95%) in green and filled, the rest grey
    and hollow. Past ``max_rows`` rows the worst are left out and the picture says how
    many."""
    if not ranking.entries:
        raise ValueError("nothing to rank: no configuration has this metric")
    scale, unit = _scale(ranking.metric)
    shown = ranking.entries[:max_rows]
    left_out = len(ranking.entries) - len(shown)
    longest = max(len(entry.label) for entry in shown)
    figure = Figure(
        figsize=(min(14.0, 5.5 + 0.07 * longest), 1.4 + 0.26 * len(shown)), layout="constrained"
    )
    axis = figure.subplots()
    _forest(axis, [(e.label, e.estimate, e.in_best_set) for e in shown], scale)
    best = shown[0].estimate
    if best.low is not None:
        axis.axvspan(scale * best.low, scale * best.high, color=BEST, alpha=0.08)
    axis.set_xlabel(f"{ranking.metric.replace('_', ' ')}{unit}: mean and 95% interval over seeds")
    if ranking.guarantee == "every-pair":
        filled, hollow = "best set (not worse than the best)", "worse than the best"
    else:
        filled = "best set (could be the best)"
        hollow = "not the best (another is at least as good)"
    _legend(axis, ranking.metric in ("test_loss", "train_loss", "epochs_to_target"), hollow, filled)
    lines = [title or "ranking", ranking.verdict()]
    if left_out:
        lines.append(
            f"{left_out} lower-ranked configurations left out; narrow with --where "
            "(e.g. --where activation=relu) to draw them"
        )
    figure.suptitle("\n".join(_wrap(line, 110) for line in lines), fontsize=9)
    return figure


def plot_effects(effects: list[Effect], title: str = "") -> Figure:
    """One panel per varying grid dimension: each level's mean over the rest of the
    grid (seed by seed) with its 95% interval, best first; levels worse than the best
    (Holm-corrected paired test) hollow and grey."""
    if not effects:
        raise ValueError("nothing varies among these configurations: no effect to draw")
    scale, unit = _scale(effects[0].metric)
    rows, columns = grid_shape(len(effects), 2 if len(effects) > 1 else 1)
    tallest = max(len(effect.levels) for effect in effects)
    figure = Figure(
        figsize=(5.2 * columns, rows * (1.3 + 0.24 * min(tallest, 40))), layout="constrained"
    )
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False).ravel())
    for axis, effect in zip(axes, effects):
        levels = effect.levels[:40]
        _forest(axis, [(lv.value, lv.estimate, lv.in_best_set) for lv in levels], scale)
        more = f" ({len(effect.levels) - 40} more not drawn)" if len(effect.levels) > 40 else ""
        verdict = "matters" if effect.matters else "no level worse than the best"
        axis.set_title(f"{effect.dimension}: {verdict}{more}", fontsize=9)
        axis.set_xlabel(f"{effect.metric.replace('_', ' ')}{unit}", fontsize=8)
    for axis in axes[len(effects) :]:
        axis.set_visible(False)
    figure.legend(
        handles=_key("not worse than the dimension's best level", "worse than the best level"),
        fontsize=7,
        loc="outside lower center",
        ncols=2,
    )
    seeds = effects[0].seeds
    figure.suptitle(
        f"{title + ': ' if title else ''}effect of each dimension, mean over the rest of the grid "
        f"and 95% interval over {seeds} seeds",
        fontsize=9,
    )
    return figure


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
