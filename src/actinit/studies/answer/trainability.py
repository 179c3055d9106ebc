"""The measured trainability plane beside the theory's trainable depth.

Schoenholz et al. (2017) trained networks over a grid of weight variance sigma_w^2 and
depth L and found that they train where L is below about 6 xi_c. A study over several
depths (``hidden``) and several initializers of known variance (e.g.
``variance_scaling(scale=s, mode=fan_in, distribution=normal)``: sigma_w^2 = s) gives
the same plane: :func:`trainability_planes` reads it, one :class:`Plane` per
activation, with the theory's prediction for every cell and the agreement between
the two in numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import stats

from ... import theory
from ...engine.registry import compact_spec
from .summary import StudySummary

#: Points on the theory's 6 xi curve drawn across the measured sigma_w^2 range.
CURVE_POINTS = 41


class PlaneError(ValueError):
    """A study that does not span a (sigma_w^2, depth) plane."""


@dataclass(frozen=True)
class Plane:
    """One activation's measured plane: ``accuracy[i, j]`` is the mean test accuracy
    over seeds at ``depths[i]`` hidden layers and ``sigma_w2[j]`` (nan where nothing
    was stored), ``trainable[j]`` the theory's 6 xi at ``sigma_w2[j]`` (with the
    study's ``sigma_b``). A cell *trains* when its mean accuracy reaches
    ``threshold``; the theory predicts that it does when its depth is at most
    ``trainable``."""

    activation: str
    sigma_b: float
    sigma_w2: np.ndarray
    depths: np.ndarray
    accuracy: np.ndarray
    trainable: np.ndarray
    threshold: float
    #: sigma_w^2 of the edge of chaos at sigma_b (None: the activation has none there)
    edge: float | None
    #: (depths, sigma_w2): the share of a cell's seeds that reached the threshold
    #: (nan where nothing was stored); a cell whose seeds disagree is uncertain.
    seed_share: np.ndarray | None = None

    @property
    def trained(self) -> np.ndarray:
        """(depths, sigma_w2) booleans: the mean accuracy reached the threshold."""
        with np.errstate(invalid="ignore"):
            return np.nan_to_num(self.accuracy, nan=-1.0) >= self.threshold

    @property
    def predicted(self) -> np.ndarray:
        """(depths, sigma_w2) booleans: depth <= 6 xi at that sigma_w^2."""
        return self.depths[:, None] <= self.trainable[None, :]

    @property
    def measured(self) -> np.ndarray:
        return np.isfinite(self.accuracy)

    @property
    def agreement(self) -> float:
        """The share of measured cells where "trains" agrees with the theory."""
        agree = (self.trained == self.predicted)[self.measured]
        return float(agree.mean()) if agree.size else math.nan

    @property
    def kappa(self) -> float:
        """Cohen's kappa of "trains" against the theory's prediction over the measured
        cells: the agreement beyond what two labellings with these shares of "trains"
        reach by chance, (p_o - p_e) / (1 - p_e); nan when either says the same of every
        cell (no agreement beyond chance can be shown then)."""
        return cohen_kappa(self.trained[self.measured], self.predicted[self.measured])

    def cutoff_agreement(self) -> tuple[float, float]:
        """The baseline the theory has to beat: the best rule "a network trains up to
        depth c, whatever sigma_w^2" (c at every depth tried, or none: "everything
        trains" and "nothing trains" included), as (c, its agreement)."""
        trained = self.trained[self.measured]
        best = (math.inf, -1.0)
        for cutoff in [0, *self.depths.tolist(), math.inf]:
            rule = np.broadcast_to(self.depths[:, None] <= cutoff, self.accuracy.shape)
            share = float((rule[self.measured] == trained).mean()) if trained.size else math.nan
            if share > best[1]:
                best = (cutoff, share)
        return best

    def mcnemar_p(self) -> float:
        """McNemar's exact test of the theory against the best cutoff: of the cells
        where exactly one of the two is right, is the theory right more often than
        chance (two-sided binomial at 1/2)?"""
        cutoff, _ = self.cutoff_agreement()
        trained = self.trained[self.measured]
        rule = np.broadcast_to(self.depths[:, None] <= cutoff, self.accuracy.shape)[self.measured]
        theory_right = self.predicted[self.measured] == trained
        cutoff_right = rule == trained
        only_theory = int((theory_right & ~cutoff_right).sum())
        only_cutoff = int((cutoff_right & ~theory_right).sum())
        if only_theory + only_cutoff == 0:
            return 1.0
        return float(stats.binomtest(only_theory, only_theory + only_cutoff).pvalue)

    @property
    def uninformative(self) -> int:
        """Measured cells in columns where 6 xi lies beyond the deepest network tried:
        the theory predicts "trains" for the whole column there and cannot be wrong about
        depth (only a failure can disagree)."""
        beyond = self.trainable >= self.depths.max()
        return int(self.measured[:, beyond].sum())

    @property
    def uncertain(self) -> int:
        """Measured cells whose seeds disagree on whether they train."""
        if self.seed_share is None:
            return 0
        with np.errstate(invalid="ignore"):
            return int(((self.seed_share > 0) & (self.seed_share < 1) & self.measured).sum())

    @property
    def boundary_agreement(self) -> float:
        """The share of sigma_w^2 columns whose measured boundary brackets 6 xi: the
        deepest network that trained is no deeper than 6 xi allows, rounded to the
        grid (6 xi lies below the shallowest failure and at or above the deepest
        success)."""
        hits = [self._brackets(j) for j in range(len(self.sigma_w2))]
        return float(np.mean(hits)) if hits else math.nan

    def _brackets(self, column: int) -> bool:
        trained, measured = self.trained[:, column], self.measured[:, column]
        deepest = self.depths[trained & measured].max(initial=0)
        failed = self.depths[~trained & measured]
        shallowest_failure = failed.min(initial=np.iinfo(np.int64).max)
        predicted = self.trainable[column]
        return bool(deepest <= predicted < shallowest_failure) or (
            deepest <= predicted and not failed.size
        )

    def boundaries(self) -> list[tuple[float, int | None, int | None, float]]:
        """Per sigma_w^2: (sigma_w^2, deepest depth that trained or None, shallowest
        that did not or None, the theory's 6 xi)."""
        rows = []
        for j, value in enumerate(self.sigma_w2):
            trained, measured = self.trained[:, j], self.measured[:, j]
            good, bad = self.depths[trained & measured], self.depths[~trained & measured]
            rows.append(
                (
                    float(value),
                    int(good.max()) if good.size else None,
                    int(bad.min()) if bad.size else None,
                    float(self.trainable[j]),
                )
            )
        return rows

    @cached_property
    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(sigma_w^2, 6 xi) on a fine grid over the measured range, for drawing."""
        values = np.linspace(self.sigma_w2.min(), self.sigma_w2.max(), CURVE_POINTS)
        return values, _trainable_depths(self.activation, values, self.sigma_b)

    def boundary_lines(self) -> list[str]:
        """Per sigma_w^2, where the measured boundary lies relative to 6 xi."""
        lines = []
        for variance, good, bad, predicted in self.boundaries():
            trained = f"trains to {good}" if good is not None else "no depth tried trains"
            failed = f", fails from {bad}" if bad is not None else ", fails at none"
            if good is not None and good > predicted:
                where = "trains deeper than 6 xi allows"
            elif bad is not None and bad <= predicted:
                where = "fails where 6 xi says it trains"
            elif bad is None:
                where = "6 xi beyond the deepest tried: nothing to disagree with"
            elif good is None:
                where = "as 6 xi says: it lies below the shallowest depth tried"
            else:
                where = "as 6 xi says: it lies between the last depth that trains and the first that fails"
            shown = "inf" if math.isinf(predicted) else f"{predicted:.1f}"
            lines.append(f"sigma_w^2 = {variance:g}: {trained}{failed}; 6 xi = {shown} ({where})")
        return lines

    def summary_line(self) -> str:
        """The agreement in one sentence."""
        cells = int(self.measured.sum())
        agree = int(((self.trained == self.predicted) & self.measured).sum())
        columns = len(self.sigma_w2)
        bracketed = round(self.boundary_agreement * columns)
        cutoff, baseline = self.cutoff_agreement()
        rule = (
            "everything trains"
            if math.isinf(cutoff)
            else "nothing trains"
            if cutoff == 0
            else f"depth <= {cutoff} trains"
        )
        kappa = "undefined" if math.isnan(self.kappa) else f"{self.kappa:.2f}"
        uncertain = (
            f"; {self.uncertain} cell{'' if self.uncertain == 1 else 's'} split between their seeds"
            if self.seed_share is not None
            else ""
        )
        return (
            f"{compact_spec(self.activation)}: {agree} of {cells} cells "
            f"({100 * self.agreement:.0f}%) agree with depth <= 6 xi on whether they train "
            f"(test accuracy >= {100 * self.threshold:.0f}%), Cohen's kappa {kappa}; the best "
            f"rule ignoring sigma_w^2 ({rule}) agrees on {100 * baseline:.0f}% (McNemar p = "
            f"{self.mcnemar_p():.2g}); in {self.uninformative} cells 6 xi lies beyond the "
            f"deepest network tried; the measured boundary brackets 6 xi at {bracketed} of "
            f"{columns} values of sigma_w^2{uncertain}"
        )


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's (1960) kappa of two boolean labellings of the same items: (p_o - p_e) /
    (1 - p_e), p_o the share they agree on, p_e the share two independent labellings
    with these shares of True would agree on."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    if a.size == 0:
        return math.nan
    observed = float((a == b).mean())
    expected = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
    return math.nan if expected == 1.0 else (observed - expected) / (1 - expected)


def _trainable_depths(activation: str, sigma_w2: np.ndarray, sigma_b: float) -> np.ndarray:
    return np.array(
        [
            theory.propagation(activation, math.sqrt(float(v)), sigma_b).trainable_depth
            for v in sigma_w2
        ]
    )


def trainability_planes(summary: StudySummary) -> list[Plane]:
    """One :class:`Plane` per activation of a study over several depths and several
    weight variances. Raises :class:`PlaneError` for a study that is not one."""
    cells: dict[str, dict[tuple[float, int], list[float]]] = {}
    sigma_b = None
    for row in summary.rows:
        config = row.config
        if not config.hidden or len(set(config.hidden)) != 1:
            raise PlaneError("a trainability plane needs hidden layers of one width")
        scales = theory.weight_scales(config.init, config.bias_init, config.hidden[0])
        if scales.estimated:
            raise PlaneError(
                f"{config.init_label}: its variance is not fixed by the initializer; a "
                "trainability plane needs weights of known variance"
            )
        if sigma_b is not None and not math.isclose(sigma_b, scales.sigma_b):
            raise PlaneError("a trainability plane needs one bias scale across the study")
        sigma_b = scales.sigma_b
        key = (round(scales.sigma_w**2, 9), len(config.hidden))
        value = row.test_accuracy.mean
        seeds = list(row.by_seed.get("test_accuracy", {}).values())
        share = (
            float(np.mean([v >= summary.study.learned_threshold for v in seeds]))
            if seeds
            else np.nan
        )
        cells.setdefault(config.activation, {})[key] = [np.nan if value is None else value, share]
    for found in cells.values():
        if len({key[1] for key in found}) < 2 or len({key[0] for key in found}) < 2:
            raise PlaneError("a trainability plane needs several depths and several sigma_w^2")
    if not cells:
        raise PlaneError("a trainability plane needs stored results")
    return [_plane(activation, found, sigma_b, summary) for activation, found in cells.items()]


def _plane(activation: str, found: dict, sigma_b: float, summary: StudySummary) -> Plane:
    sigma_w2 = np.array(sorted({key[0] for key in found}))
    depths = np.array(sorted({key[1] for key in found}))
    accuracy = np.full((len(depths), len(sigma_w2)), np.nan)
    share = np.full_like(accuracy, np.nan)
    for (variance, depth), (value, seeds) in found.items():
        cell = np.searchsorted(depths, depth), np.searchsorted(sigma_w2, variance)
        accuracy[cell], share[cell] = value, seeds
    try:
        edge = theory.edge_of_chaos(activation, sigma_b) ** 2
    except theory.NoEdgeError:
        edge = None
    return Plane(
        activation,
        sigma_b,
        sigma_w2,
        depths,
        accuracy,
        _trainable_depths(activation, sigma_w2, sigma_b),
        summary.study.learned_threshold,
        edge,
        share,
    )
