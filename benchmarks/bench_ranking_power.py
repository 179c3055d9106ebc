"""How many seeds each ranking guarantee needs on a big grid, measured by simulation.

840 configurations (the size of the trained 16,800-run study's grid): one truly best,
the other 839 truly ``--gap`` (3 points of accuracy) worse. Each seed shares a draw
between configurations (standard deviation 4 points), each run has its own noise (2
points) and counts its accuracy on 100 test points, as in ``actinit calibrate``. Each of
``--sims`` studies is drawn once at the most seeds asked, and its first n seeds are
ranked at every n of the grid (the same draws for every n and every guarantee, so the
power curves are smooth and the guarantees are compared on the same studies), by the
ranking's own code (:class:`~actinit.studies.answer.guarantees.PairStats` and
:func:`~actinit.studies.answer.guarantees.decide`, what ``actinit rank`` runs). The
power is the share of the 839 worse configurations left out of the best set; the seeds
a guarantee needs for ``--power`` (80%) are where its curve crosses it (linear between
grid points), beside the normal-theory figure of
:func:`~actinit.studies.answer.guarantees.seeds_for_gap`; then the ratio of the
best-set guarantee's seeds to every-pair's.

Run: ``python benchmarks/bench_ranking_power.py [--configurations 840] [--sims 60]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from actinit.studies.answer.differences import lattice_unit
from actinit.studies.answer.guarantees import PairStats, decide, seeds_for_gap

GUARANTEES = ("best-set", "screening", "every-pair")


def draw(rng, configurations: int, seeds: int, gap: float, points: int = 100) -> np.ndarray:
    """Accuracies (configurations x seeds): configuration 0 best, the rest ``gap`` below."""
    means = np.full(configurations, 0.85 - gap)
    means[0] = 0.85
    p = means[:, None] + 0.04 * rng.normal(size=seeds)[None, :]
    p = p + 0.02 * rng.normal(size=(configurations, seeds))
    return rng.binomial(points, np.clip(p, 0, 1)) / points


def dropped(values: np.ndarray, guarantee: str) -> tuple[float, bool]:
    """The share of configurations 1.. left out of ``guarantee``'s best set, and
    whether configuration 0 (the true best) stayed in it."""
    order = np.argsort(-values.mean(axis=1), kind="stable")
    decision = decide(PairStats(values[order], lattice_unit(values)), 0, guarantee)
    in_set = np.empty(len(values), bool)
    in_set[order] = decision.in_best_set
    return 1 - float(in_set[1:].mean()), bool(in_set[0])


def power(guarantee: str, configurations: int, seeds: int, gap: float, sims: int, seed: int):
    """The mean share of the worse configurations left out, and the share of studies
    that kept the best, over ``sims`` studies of ``seeds`` seeds."""
    rng = np.random.default_rng([seed, seeds])
    found = [dropped(draw(rng, configurations, seeds, gap), guarantee) for _ in range(sims)]
    return float(np.mean([f[0] for f in found])), float(np.mean([f[1] for f in found]))


def crossing(grid: list[int], curve: list[float], target: float) -> float | None:
    """Where ``curve`` (the power at each seed count of ``grid``) first reaches
    ``target``, linear between grid points."""
    for k, value in enumerate(curve):
        if value >= target:
            if k == 0:
                return float(grid[0])
            low, high = curve[k - 1], value
            return grid[k - 1] + (target - low) / (high - low) * (grid[k] - grid[k - 1])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configurations", type=int, default=840)
    parser.add_argument("--gap", type=float, default=0.03)
    parser.add_argument("--sims", type=int, default=60)
    parser.add_argument("--power", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sd = np.sqrt(2 * (0.02**2 + 0.85 * 0.15 / 100))  # the paired differences' spread
    theory = {
        g: seeds_for_gap(args.gap, sd, args.configurations, g, power=args.power)
        for g in GUARANTEES
    }
    grids = {
        g: sorted({int(theory[g] * f) for f in np.arange(0.8, 1.25, 0.04)}) for g in GUARANTEES
    }
    most = max(max(grid) for grid in grids.values())
    print(
        f"{args.configurations} configurations, one best, the rest {100 * args.gap:g} points "
        f"worse; {args.sims} simulated studies of {most} seeds, each ranked on its first n "
        "seeds; power = share of the worse left out of the best set"
    )
    curves = {g: np.zeros(len(grids[g])) for g in GUARANTEES}
    kept = {g: 1.0 for g in GUARANTEES}
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    for _ in range(args.sims):
        values = draw(rng, args.configurations, most, args.gap)
        for g in GUARANTEES:
            for k, n in enumerate(grids[g]):
                share, best = dropped(values[:, :n], g)
                curves[g][k] += share / args.sims
                kept[g] = min(kept[g], float(best))
    needed = {}
    for g in GUARANTEES:
        needed[g] = crossing(grids[g], list(curves[g]), args.power)
        steps = ", ".join(f"{n}: {100 * p:.1f}%" for n, p in zip(grids[g], curves[g]))
        seeds = "not reached" if needed[g] is None else f"{needed[g]:.0f} seeds"
        print(
            f"{g}: {seeds} for {100 * args.power:.0f}% power (normal theory: {theory[g]}; "
            f"{steps}; the best kept in every study: {kept[g] == 1.0})"
        )
    if needed["best-set"] and needed["every-pair"]:
        print(
            f"best-set needs {needed['best-set'] / needed['every-pair']:.2f}x the seeds "
            f"every-pair needs ({needed['best-set']:.0f} vs {needed['every-pair']:.0f}); "
            f"{time.perf_counter() - started:.0f} s"
        )


if __name__ == "__main__":
    main()
