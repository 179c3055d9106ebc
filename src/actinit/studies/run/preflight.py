"""What a study needs, checked before its first run starts.

A study's input errors used to surface inside runs, in worker processes, stored as
failed runs. :func:`check_study` finds them first: it loads every data set the runs
will use (once per description and data seed), sizes every network against this
machine's memory without allocating it, and estimates how long the runs will take.
Whatever cannot work raises :class:`PlanError` (or :class:`DataError`) with the
configuration, the figure and the fix; nothing has been run or stored by then.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from ...engine.losses import LabelError
from ..plan.datasets import DataError, Dataset
from ..plan.run_config import RunConfig
from ..plan.study import Study
from .fitting import build_model, dataset_for

#: Share of physical memory the runs in flight may use together.
MEMORY_SHARE = 0.5
#: A rough rate for the time estimate: floating-point operations per second per core.
FLOPS_PER_CORE = 2e9
#: Fixed cost of one layer's forward and backward pass on one batch, seconds.
SECONDS_PER_LAYER_STEP = 2e-5
#: Studies estimated to take longer than this are refused unless the caller lifts it.
DEFAULT_TIME_LIMIT = 7 * 24 * 3600.0


#: The most runs one study may plan: past this the list of runs itself takes minutes and
#: gigabytes before the first one starts.
MAX_RUNS = 1_000_000


def check_size(configurations: int, seeds: int, replays: int = 0) -> int:
    """The number of runs a study plans, refused past :data:`MAX_RUNS` before any list
    of them is built."""
    runs = configurations * seeds + replays
    if runs > MAX_RUNS:
        raise PlanError(
            f"{configurations:,} configurations x {seeds:,} seeds = {runs:,} runs; a study "
            f"plans at most {MAX_RUNS:,}: use fewer seeds (or run seeds in rounds with "
            "--max-seeds) or a smaller grid"
        )
    return runs


class PlanError(ValueError):
    """A study that cannot run on this machine as described, with the reason and fix."""


@dataclass(frozen=True)
class RunCost:
    """What one run of a configuration needs: peak memory in bytes (parameters,
    gradients, optimizer state, a batch's activations, the data) and a rough time."""

    parameters: int
    memory: int
    seconds: float


@dataclass(frozen=True)
class Plan:
    """The runs still to do and what they will need together."""

    runs: int
    largest: RunCost
    seconds: float


def physical_memory() -> int:
    """Bytes of RAM on this machine (0 when the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def load_data(config: RunConfig, seed: int) -> Dataset:
    """The run's data, with any loader failure as a :class:`DataError`."""
    try:
        return dataset_for(config, seed)
    except DataError:
        raise
    except MemoryError:
        raise DataError(
            f"data set {config.data['name']!r} does not fit in this machine's memory; "
            "ask for fewer samples"
        ) from None
    except (ValueError, TypeError, OSError, EOFError) as error:
        raise DataError(f"data set {config.data['name']!r}: {error}") from None


def run_cost(config: RunConfig, data: Dataset) -> RunCost:
    """Memory and time one run of ``config`` on ``data`` needs, from the layer sizes
    alone (nothing is allocated)."""
    sizes = build_model(config, data.n_classes, 0).planned_sizes(data.n_features)
    parameters = sum(count for count, _ in sizes)
    widths = sum(width for _, width in sizes) + data.n_features
    itemsize = 4 if config.dtype == "float32" else 8
    n_train, n_test = len(data.X_train), len(data.X_test)
    batch = min(config.batch_size or n_train, n_train)
    # parameters, gradients, two optimizer moments and a best-weights copy; a batch's
    # pre-activations, activations and gradients; the largest evaluation pass; the data
    memory = (
        5 * parameters * itemsize
        + 3 * batch * widths * itemsize
        + 2 * max(n_train, n_test) * max(width for _, width in sizes) * itemsize
        + data.X_train.nbytes
        + data.X_test.nbytes
    )
    steps = config.epochs * math.ceil(n_train / batch)
    arithmetic = config.epochs * 6 * parameters * (n_train + n_test / 3)
    seconds = steps * len(sizes) * SECONDS_PER_LAYER_STEP + arithmetic / FLOPS_PER_CORE
    return RunCost(parameters, memory, seconds)


def check_study(
    study: Study,
    pending: list[tuple[RunConfig, int]],
    jobs: int = 1,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> Plan:
    """Check every pending (configuration, seed) of ``study`` before any runs: data
    loads, networks fit in memory (``jobs`` runs at once), the whole takes less than
    ``time_limit`` seconds by a rough estimate (None: no limit)."""
    memory = physical_memory()
    workers = max(1, min(jobs, len(pending)))
    budget = MEMORY_SHARE * memory / workers
    costs: dict[str, RunCost] = {}
    largest = RunCost(0, 0, 0.0)
    for config, seed in pending:
        data = load_data(config, seed)
        if config.key not in costs:
            _check_targets(config, data)
            try:
                cost = costs[config.key] = run_cost(config, data)
            except ValueError as error:  # a network that cannot be made as described
                raise PlanError(f"{config.label}: {error}") from None
            if memory and cost.memory > budget:
                raise PlanError(_too_big(config, cost, budget, workers))
            largest = max(largest, cost, key=lambda c: c.memory)
    seconds = sum(costs[config.key].seconds for config, _ in pending) / workers
    if time_limit is not None and seconds > time_limit:
        raise PlanError(
            f"{len(pending):,} runs would take about {_duration(seconds)} on "
            f"{workers} core(s) by a rough estimate; lower the epochs, seeds or layer sizes, "
            "or pass --no-time-limit to run it anyway"
        )
    return Plan(len(pending), largest, seconds)


def _check_targets(config: RunConfig, data: Dataset) -> None:
    """Numbers to predict need a regression loss: a classifier's loss would refuse every
    label of every run, one by one."""
    if data.n_classes == 0 and config.loss_function.is_classification:
        raise PlanError(
            f"{config.label}: the data ({data.name}) has numbers to predict (regression), but "
            f"the output is {config.output_activation} with a classification loss; set "
            "output_activation = 'linear' and loss = 'mse' in [model]"
        )
    if data.n_classes and not config.loss_function.is_classification and config.loss is None:
        raise PlanError(
            f"{config.label}: the data ({data.name}) has {data.n_classes} classes, but the "
            f"output {config.output_activation} makes every run a regression on the class "
            "numbers (mean squared error, no accuracy); set output_activation = 'sigmoid' "
            "(two classes) or 'softmax' in [model], or loss = 'mse' to mean it"
        )
    try:
        config.loss_function.output_units(data.n_classes)
    except LabelError:
        many = (
            "; if its labels are numbers to predict, not classes, set regression = true "
            "in [data] (and output_activation = 'linear', loss = 'mse' in [model])"
            if data.n_classes > 8
            else ""
        )
        raise PlanError(
            f"{config.label}: the data ({data.name}) has {data.n_classes} classes, but the "
            f"output is {config.output_activation} with binary cross-entropy, which takes 2; "
            f"set output_activation = 'softmax' in [model] (categorical cross-entropy "
            f"follows){many}"
        ) from None


def _too_big(config: RunConfig, cost: RunCost, budget: float, workers: int) -> str:
    share = f"{MEMORY_SHARE:.0%} of this machine's {physical_memory() / 2**30:.0f} GiB"
    split = f" split over {workers} parallel runs" if workers > 1 else ""
    return (
        f"{config.label} with hidden layers {list(config.hidden)}: one run needs about "
        f"{cost.memory / 2**30:.1f} GiB ({cost.parameters:,} parameters), more than "
        f"{budget / 2**30:.1f} GiB ({share}{split}); use smaller layers, smaller "
        "batches or fewer --jobs"
    )


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.0f} seconds"
