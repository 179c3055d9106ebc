"""What a study says across its grid: rankings, paired comparisons and the effect of
each grid dimension, all with their uncertainty (see :mod:`.statistics`).

Configurations are compared seed by seed: runs with the same seed share their data,
mini-batch order and dropout noise, so a difference between two configurations is
measured on the same draws. A *ranking* sorts configurations by their mean and marks
the *best set* its guarantee promises (by default: the set that contains the best
configuration with 95%). An *effect* of a dimension (activation, initializer, depth, ...)
is each of its levels' mean over the rest of the grid, seed by seed; an *interaction*
is where the best level of one dimension, or whether it matters at all, changes with
another.

The questions live in :mod:`.selection` (which configurations), :mod:`.ranking`
(rankings and comparisons) and :mod:`.effects` (effects and interactions); this
module gathers their names."""

from ..plan.metrics import higher_is_better
from .effects import (
    Contrast,
    Effect,
    Interaction,
    Level,
    effects,
    interaction_contrasts,
    interactions,
    main_effect,
)
from .guarantees import ALL_PAIRS_UP_TO, GUARANTEES
from .ranking import (
    Ranked,
    Ranking,
    against,
    compare_rows,
    correct_families,
    learned_somewhere,
    pair_count,
    rank,
    with_the_best,
)
from .selection import (
    ALIASES,
    ANY,
    GRID,
    SelectionError,
    check_metric,
    has,
    labeller,
    metric_name,
    parse_where,
    select,
    the_one,
    varying,
)

__all__ = [
    "ALIASES",
    "ALL_PAIRS_UP_TO",
    "GUARANTEES",
    "ANY",
    "Contrast",
    "Effect",
    "GRID",
    "Interaction",
    "Level",
    "Ranked",
    "Ranking",
    "SelectionError",
    "against",
    "check_metric",
    "compare_rows",
    "correct_families",
    "effects",
    "has",
    "higher_is_better",
    "interaction_contrasts",
    "interactions",
    "labeller",
    "learned_somewhere",
    "main_effect",
    "metric_name",
    "pair_count",
    "parse_where",
    "rank",
    "select",
    "the_one",
    "varying",
    "with_the_best",
]
