"""A configuration's figures across its seeds: each metric's :class:`Spread` and the
row (:class:`ConfigSummary`) a summary, a ranking and a published figure read. The data
of :mod:`.summary`, below what renders it (:mod:`.exports`) and what judges it
(:mod:`.published`), so that none of them imports another in a circle."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..plan.dimensions import hidden_label
from ..plan.metrics import METRICS
from ..plan.study import RunConfig, Study
from .intervals import mean_interval


@dataclass(slots=True)
class Spread:
    """One metric of one configuration over its seeds: mean, standard deviation,
    range, and the mean's 95% confidence interval [``low``, ``high``] (Student t).
    ``censored`` counts the seeds whose value is not a finite number: a loss that
    diverged (left out of these figures and said beside them), or a target never
    reached (for epochs to target the caller counts those at the budget + 1, so the
    mean is a restricted mean: a lower bound)."""

    mean: float | None
    std: float | None
    min: float | None
    max: float | None
    n: int
    low: float | None = None
    high: float | None = None
    censored: int = 0

    @classmethod
    def of(
        cls,
        values: list[float | None],
        censored: int | None = None,
        bounds: tuple[float, float] | None = None,
        unit: float = 0.0,
    ) -> Spread:
        """The spread of ``values``; ``bounds``: the range the metric lives in (an
        accuracy's [0, 1]), to which the interval is clipped; ``unit``: the floor of
        the interval's spread (see :func:`~.intervals.mean_interval`)."""
        finite = [float(v) for v in values if v is not None and math.isfinite(v)]
        left_out = len(values) - len(finite) if censored is None else censored
        if not finite:
            return cls(None, None, None, None, 0, censored=left_out)
        estimate = mean_interval(finite, unit=unit)
        std = 0.0
        if len(finite) > 1:
            std = math.sqrt(math.fsum((v - estimate.mean) ** 2 for v in finite) / (len(finite) - 1))
        low, high = estimate.low, estimate.high
        if bounds is not None and low is not None:
            low, high = max(low, bounds[0]), min(high, bounds[1])
        return cls(estimate.mean, std, min(finite), max(finite), len(finite), low, high, left_out)

    def text(self, percent: bool = False, digits: int = 3) -> str:
        """ "mean ± std", or the mean alone for one seed (a spread of one says nothing)."""
        if self.mean is None:
            return "-"
        if percent:
            mean = f"{100 * self.mean:.1f}"
            return f"{mean}%" if self.n == 1 else f"{mean} ± {100 * self.std:.1f}%"
        mean = f"{self.mean:.{digits}f}"
        return mean if self.n == 1 else f"{mean} ± {self.std:.{digits}f}"

    def interval_text(self, percent: bool = False, digits: int = 3) -> str:
        """ "low..high", the 95% interval of the mean ("-" when unknown)."""
        if self.low is None or self.high is None:
            return "-"
        if percent:
            return f"{100 * self.low:.1f}..{100 * self.high:.1f}"
        return f"{self.low:.{digits}f}..{self.high:.{digits}f}"


@dataclass(slots=True)
class ConfigSummary:
    """One configuration's figures over its seeds (see :func:`~.summary.summarize`)."""

    config: RunConfig
    seeds: int
    test_accuracy: Spread
    train_accuracy: Spread
    test_loss: Spread
    train_loss: Spread
    epochs_to_target: Spread
    learned_share: float | None
    reached_target: int
    diverged: int
    failed: int
    seconds: float
    #: Each metric per seed, metric -> {seed: value}, as comparisons read them: a
    #: target never reached counts as the budget + 1 epochs, and a value a diverged
    #: run lacks as the worst possible (+inf for a loss, -inf for an accuracy).
    by_seed: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    #: The exact (Clopper-Pearson) interval of ``learned_share``.
    learned_low: float | None = None
    learned_high: float | None = None
    #: The seeds of the runs that did not fail, in order.
    stored_seeds: list[int] = field(default_factory=list)
    #: Test accuracy over the seeds that learned only: "how well it does when it
    #: works" (None for regression).
    learned_accuracy: Spread | None = None
    #: The seeds whose run failed to learn: diverged, or test accuracy at or below
    #: the study's learned threshold (for regression: diverged).
    failed_seeds: list[int] = field(default_factory=list)

    @property
    def mixed(self) -> bool:
        """Some seeds learned and some did not: the mean over all seeds mixes two
        kinds of run, and its interval (a t interval) is not to be trusted; the
        learned share and the accuracy when it learns are."""
        learned = self.learned_share
        return learned is not None and 0 < learned < 1

    def metric(self, name: str) -> Spread:
        return getattr(self, name)

    @property
    def values(self) -> dict[str, list[float]]:
        """Each metric's per-seed values (see :attr:`by_seed`), in seed order."""
        return {
            metric: [v for _, v in sorted(seeds.items())] for metric, seeds in self.by_seed.items()
        }

    def to_row(self) -> dict[str, Any]:
        row = {
            "activation": self.config.activation_label,
            "initializer": self.config.initializer_label,
            "optimizer": self.config.optimizer,
            "hidden": hidden_label(self.config.hidden),
            "batch_size": self.config.batch_size or "full",
            "data": self.config.data.get("name"),
            "seeds": self.seeds,
        }
        for name in METRICS:
            spread = self.metric(name)
            for stat in ("mean", "low", "high", "std", "min", "max"):
                row[f"{name}_{stat}"] = getattr(spread, stat)
        row.update(
            learned_share=self.learned_share,
            learned_share_low=self.learned_low,
            learned_share_high=self.learned_high,
            test_accuracy_when_learned=field_of(self.learned_accuracy, "mean"),
            test_accuracy_when_learned_low=field_of(self.learned_accuracy, "low"),
            test_accuracy_when_learned_high=field_of(self.learned_accuracy, "high"),
            reached_target=self.reached_target,
            diverged=self.diverged,
            failed=self.failed,
            seconds=round(self.seconds, 3),
            config_key=self.config.key,
        )
        return row


def field_of(spread: Spread | None, name: str):
    """``spread``'s figure ``name`` (mean, low ...), None where there is no spread."""
    return None if spread is None else getattr(spread, name)


class Summarized(Protocol):
    """What the renderers (:mod:`.exports`) read of a study's summary: its study, its
    rows, its published figures judged and the runs it lacks
    (:class:`~.summary.StudySummary` is one)."""

    study: Study
    rows: Sequence[ConfigSummary]
    comparisons: list
    missing_runs: int
