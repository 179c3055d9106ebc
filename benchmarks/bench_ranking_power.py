"""How many seeds each ranking guarantee needs on a big grid, measured by simulation.

840 configurations (the size of the trained 16,800-run study's grid): one truly best,
the other 839 truly ``--gap`` (3 points of accuracy) worse. Each seed shares a draw
between configurations (standard deviation 4 points), each run has its own noise (2
points) and counts its accuracy on 100 test points, as in ``actinit calibrate``. At each
seed count, ``--sims`` studies are drawn and decided by the ranking's own code
(:class:`~actinit.studies.answer.guarantees.PairStats` and
:func:`~actinit.studies.answer.guarantees.decide`, what ``actinit rank`` runs); the
power is the share of the 839 worse configurations left out of the best set. For each
guarantee the fewest seeds (on a grid 10% apart) that reach ``--power`` (80%) are
reported, beside the normal-theory figure of
:func:`~actinit.studies.answer.guarantees.seeds_for_gap`, and the ratio of the
best-set guarantee's seeds to every-pair's.

Run: ``python benchmarks/bench_ranking_power.py [--configurations 840] [--sims 40]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from actinit.studies.answer.differences import lattice_unit
from actinit.studies.answer.guarantees import PairStats, decide, seeds_for_gap


def draw(rng, configurations: int, seeds: int, gap: float, points: int = 100) -> np.ndarray:
    """Accuracies (configurations x seeds): configuration 0 best, the rest ``gap`` below."""
    means = np.full(configurations, 0.85 - gap)
    means[0] = 0.85
    p = means[:, None] + 0.04 * rng.normal(size=seeds)[None, :]
    p = p + 0.02 * rng.normal(size=(configurations, seeds))
    return rng.binomial(points, np.clip(p, 0, 1)) / points


def power(guarantee: str, configurations: int, seeds: int, gap: float, sims: int, seed: int):
    """The share of the worse configurations left out of the best set, and whether
    the best stayed in it, over ``sims`` studies."""
    rng = np.random.default_rng([seed, seeds])
    dropped, kept_best = [], 0
    for _ in range(sims):
        values = draw(rng, configurations, seeds, gap)
        order = np.argsort(-values.mean(axis=1), kind="stable")
        values = values[order]
        decision = decide(PairStats.of(values, lattice_unit(values)), 0, guarantee)
        in_set = np.empty(configurations, bool)
        in_set[order] = decision.in_best_set
        dropped.append(1 - in_set[1:].mean())
        kept_best += bool(in_set[0])
    return float(np.mean(dropped)), kept_best / sims


def seeds_for_power(guarantee, configurations, gap, sims, target, seed, start):
    """The fewest seeds on a grid 10% apart at which the power reaches ``target``."""
    seeds, found = start, None
    trail = []
    while seeds <= 2000:
        reached, best = power(guarantee, configurations, seeds, gap, sims, seed)
        trail.append((seeds, reached, best))
        if reached >= target:
            found = seeds
            break
        seeds = max(seeds + 1, int(seeds * 1.1))
    return found, trail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configurations", type=int, default=840)
    parser.add_argument("--gap", type=float, default=0.03)
    parser.add_argument("--sims", type=int, default=40)
    parser.add_argument("--power", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sd = np.sqrt(2 * (0.02**2 + 0.85 * 0.15 / 100))  # the paired differences' spread
    print(
        f"{args.configurations} configurations, one best, the rest {100 * args.gap:g} points "
        f"worse; {args.sims} simulated studies per seed count; power = share of the worse "
        "left out of the best set"
    )
    found = {}
    for guarantee in ("best-set", "screening", "every-pair"):
        theory = seeds_for_gap(args.gap, sd, args.configurations, guarantee, power=args.power)
        started = time.perf_counter()
        start = max(2, int(0.8 * (theory or 10)))
        needed, trail = seeds_for_power(
            guarantee, args.configurations, args.gap, args.sims, args.power, args.seed, start
        )
        found[guarantee] = needed
        steps = ", ".join(f"{n}: {100 * p:.0f}%" for n, p, _ in trail)
        best = min(b for _, _, b in trail)
        print(
            f"{guarantee}: {needed} seeds reach {100 * args.power:.0f}% power "
            f"(normal theory: {theory}; tried {steps}; the best kept in the set in at least "
            f"{100 * best:.0f}% of studies; {time.perf_counter() - started:.0f} s)"
        )
    if found.get("best-set") and found.get("every-pair"):
        print(
            f"best-set needs {found['best-set'] / found['every-pair']:.2f}x the seeds "
            f"every-pair needs ({found['best-set']} vs {found['every-pair']})"
        )


if __name__ == "__main__":
    main()
