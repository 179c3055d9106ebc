"""Picking configurations out of a summary: the grid's dimensions (:data:`GRID`),
``--where`` terms (:func:`parse_where`, :func:`select`), which dimensions vary, and
names that tell configurations apart."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter

from ..plan.dimensions import DIMENSION_FIELDS, DIMENSIONS
from ..plan.metrics import METRICS, canonical_metric
from ..plan.run_config import RunConfig, normalize_activation
from .rows import ConfigSummary
from .summary import SummaryRows

#: Every grid dimension a configuration can be picked or grouped by, as tables name
#: its values: activation and initializer first, then :data:`~.summary.DIMENSIONS`.
GRID: dict[str, Callable[[RunConfig], str]] = {
    "activation": lambda c: c.activation_label,
    "initializer": lambda c: c.initializer_label,
    **DIMENSIONS,
}


ALIASES = {"init": "initializer", "act": "activation", "dataset": "data"}

#: ``depth=3`` (or ``hidden=3 layers``): the networks of 3 hidden layers, whatever their
#: widths. ``hidden=3`` is a network of one 3-unit layer where the grid has one, else
#: the 3-layer networks (it used to match both at once).
LAYERS = " layers"


#: A value given without its dimension ("he_normal"): the dimension is the one that has it.
ANY = "*"


class SelectionError(ValueError):
    """A --where, --a or --b that names no dimension or matches nothing."""


def metric_name(metric: str) -> str:
    """A metric as the CLI accepts it (``test_acc``, ``test-accuracy`` ...) -> its name."""
    name = canonical_metric(metric)
    if name is None:
        raise SelectionError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
    return name


def check_metric(study, metric: str) -> str:
    """``metric`` if ``study`` measures it; epochs to target needs the study's target
    (one refusal, the same for every command)."""
    if metric == "epochs_to_target" and study.target_accuracy is None:
        raise SelectionError(
            f"{study.name} has no target accuracy, so no epochs to target: set "
            "[summary] target_accuracy = 0.9 (say) in its study file, or choose another --metric"
        )
    return metric


def parse_where(terms: Sequence[str] | str | None) -> dict[str, str]:
    """``["hidden=3x32", "optimizer=adam"]`` or ``"relu/he, hidden=3x32"`` -> a
    dimension -> value dict. ``a/b`` is shorthand for activation a, initializer b; a
    bare value (``he_normal``) is of whichever varying dimension has it (:data:`ANY`)."""
    if terms is None:
        return {}
    if isinstance(terms, str):
        terms = [terms]
    wanted: dict[str, str] = {}
    for term in terms:
        for part in (p.strip() for p in re.split(r",(?![^()]*\))", term)):
            if not part:
                continue
            if "=" in part.split("(")[0]:
                key, value = (s.strip() for s in part.split("=", 1))
                if key == "depth":
                    key, value = "hidden", value + LAYERS
                key = ALIASES.get(key, key)
                if key not in GRID:
                    raise SelectionError(
                        f"unknown dimension {key!r} in {term!r}; dimensions: {', '.join(GRID)}"
                    )
                _once(wanted, key, value)
            elif "/" in part:
                activation, initializer = (s.strip() for s in part.split("/", 1))
                if activation:
                    _once(wanted, "activation", activation)
                if initializer:
                    _once(wanted, "initializer", initializer)
            elif ANY in wanted:
                raise SelectionError(
                    f"cannot read {part!r} beside {wanted[ANY]!r}: name at most one value "
                    f"without its dimension; write DIMENSION=VALUE (hidden=3x32) or "
                    f"ACTIVATION/INITIALIZER (relu/he); dimensions: {', '.join(GRID)}"
                )
            else:
                wanted[ANY] = part  # a value of whichever dimension has it (he_normal)
    return wanted


def _once(wanted: dict[str, str], dimension: str, value: str) -> None:
    """Add ``dimension = value`` to ``wanted``; a second, other value of the same
    dimension is refused (it used to replace the first without a word)."""
    if dimension in wanted and wanted[dimension] != value:
        raise SelectionError(
            f"--where names {dimension} twice ({wanted[dimension]}, {value}): a configuration "
            f"has one {dimension}; pick one value, or run the command once per value"
        )
    wanted[dimension] = value


def has(config: RunConfig, dimension: str, wanted: str) -> bool:
    """Does ``config`` have this value of a dimension (as tables label it; an
    activation also by its spec, an initializer by its spec, hidden layers by their
    count or comma-separated sizes, data by its name)?"""
    wanted = str(wanted).strip()
    if dimension == "activation":
        try:
            return normalize_activation(wanted) == config.activation or wanted == GRID[
                "activation"
            ](config)
        except ValueError:
            return wanted == GRID["activation"](config)
    if dimension == "initializer":
        return wanted in (config.init_label, config.init, config.initializer_label)
    if dimension == "hidden":
        if wanted.endswith(LAYERS):
            return wanted[: -len(LAYERS)].strip() == str(len(config.hidden))
        sizes = ",".join(map(str, config.hidden))
        return wanted in (GRID["hidden"](config), sizes)
    if dimension == "data":
        return wanted in (config.data.get("name"), GRID["data"](config))
    return wanted == GRID[dimension](config)


def select(rows: Sequence[ConfigSummary], where: Mapping[str, str]) -> list[ConfigSummary]:
    """The rows matching every ``dimension = value`` of ``where``; a value no row has
    is refused with the values there are."""
    rows = list(rows)
    return [rows[i] for i in select_configs([row.config for row in rows], where)]


def select_rows(rows: SummaryRows, where: Mapping[str, str]) -> SummaryRows:
    """The rows of ``rows`` that ``where`` picks, as a view of the same columns
    (:meth:`~.summary.SummaryRows.view`)."""
    configs = [rows.columns.configs[i] for i in rows.indices.tolist()]
    return rows.view(rows.indices[select_configs(configs, where)])


def select_configs(configs: Sequence[RunConfig], where: Mapping[str, str]) -> list[int]:
    """The positions of the configurations matching every ``dimension = value`` of
    ``where`` (see :func:`select`)."""
    chosen = list(range(len(configs)))
    for dimension, value in where.items():
        if dimension == ANY:
            dimension = _dimension_of([configs[i] for i in chosen], value)
        matching = [i for i in chosen if has(configs[i], dimension, value)]
        if not matching and dimension == "hidden" and value.isdigit():
            # no network has one layer of that many units: the value counts layers
            matching = [i for i in chosen if has(configs[i], dimension, value + LAYERS)]
        if not matching:
            there = sorted({GRID[dimension](configs[i]) for i in chosen})
            raise SelectionError(
                f"no configuration has {dimension} = {value!r}; there are: {', '.join(there)}"
            )
        chosen = matching
    return chosen


def _dimension_of(configs: Sequence[RunConfig], value: str) -> str:
    """The one dimension among those that vary in ``configs`` that has ``value``."""
    dims = varying_configs(configs) or list(GRID)
    found = [d for d in dims if any(has(config, d, value) for config in configs)]
    if len(found) == 1:
        return found[0]
    if not found:
        there = "; ".join(
            f"{d}: {', '.join(sorted({GRID[d](config) for config in configs}))}" for d in dims
        )
        raise SelectionError(f"no configuration has {value!r} in any dimension; there are {there}")
    raise SelectionError(
        f"{value!r} is a value of {' and '.join(found)}: say which, e.g. {found[0]}={value}"
    )


def varying(rows: Sequence[ConfigSummary]) -> list[str]:
    """The dimensions whose value differs between ``rows``."""
    return varying_configs([row.config for row in rows])


def varying_configs(configs: Sequence[RunConfig]) -> list[str]:
    """The dimensions whose value differs between ``configs``."""
    if not configs:
        return []
    found = []
    for name, read in GRID.items():
        fields = attrgetter(*DIMENSION_FIELDS[name])
        first = fields(configs[0])
        label = read(configs[0])  # only configurations whose fields differ can differ
        if any(read(c) != label for c in configs if fields(c) != first):
            found.append(name)
    return found


def labeller(rows: Sequence[ConfigSummary]) -> Callable[[RunConfig], str]:
    """Names configurations by what tells them apart among ``rows``: ``relu/he`` when
    only activation and initializer vary, ``relu/he, hidden 3x32`` when depth does too."""
    return labeller_of([row.config for row in rows])


def labeller_of(configs: Sequence[RunConfig]) -> Callable[[RunConfig], str]:
    """:func:`labeller` of ``configs``."""
    others = [
        name for name in varying_configs(configs) if name not in ("activation", "initializer")
    ]

    def label(config: RunConfig) -> str:
        head = f"{config.activation_label}/{config.initializer_label}"
        return ", ".join([head] + [f"{name} {GRID[name](config)}" for name in others])

    return label


def the_one(rows: Sequence[ConfigSummary], where: Mapping[str, str], role: str) -> ConfigSummary:
    """The single configuration ``where`` picks among ``rows`` (``role`` names it in
    errors: "--a")."""
    chosen = select(rows, where)
    if len(chosen) > 1:
        options = {name: sorted({GRID[name](r.config) for r in chosen}) for name in varying(chosen)}
        if not options:  # they differ in nothing a table names: two labels that collide
            raise SelectionError(
                f"{role} matches {len(chosen)} configurations that the tables name alike "
                f"({chosen[0].config.label}): their settings differ where no column shows it "
                "(two initializer labels that name different draws?); give each a label of "
                "its own in the study file"
            )
        raise SelectionError(
            f"{role} matches {len(chosen)} configurations; add "
            + "; ".join(f"{name}=({' | '.join(v)})" for name, v in options.items())
        )
    return chosen[0]
