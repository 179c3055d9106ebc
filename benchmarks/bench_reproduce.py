"""The main job's time: ``actinit reproduce`` from an empty database, where it goes,
and what it would take with more cores.

Each of ``--repeats`` rounds runs ``actinit reproduce`` (as ``make reproduce`` does)
into a new database and measures its wall time and the CPU time of the process and
its workers. The runs' own seconds (stored with each run) say how much of it is
training; what is left is start-up, summaries, replays and conclusions. Every study
trains its runs in parallel and the studies one after another, so the time on k cores
is estimated from the stored seconds of each run: each study's runs dealt, longest
first, to whichever of k workers is free first, plus the part that is not training.
The estimate assumes a run takes as long on a bigger machine as here.

Run: ``python benchmarks/bench_reproduce.py [--repeats 2] [--jobs N]``.
"""

from __future__ import annotations

import argparse
import heapq
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTINIT = str(Path(sys.executable).with_name("actinit"))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scheduled(seconds: list[float], workers: int) -> float:
    """The wall time of running these jobs on ``workers``, longest first, each to the
    first free worker."""
    free = [0.0] * workers
    for length in sorted(seconds, reverse=True):
        heapq.heapreplace(free, free[0] + length)
    return max(free)


def one_round(jobs: int | None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "results.sqlite"
        command = [ACTINIT, "reproduce", "--db", str(db)]
        if jobs:
            command += ["--jobs", str(jobs)]
        cpu, started = children_cpu(), time.perf_counter()
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        wall, cpu = time.perf_counter() - started, children_cpu() - cpu
        with sqlite3.connect(db) as connection:
            runs: dict[str, list[float]] = {}
            for study, seconds in connection.execute("SELECT study, seconds FROM runs"):
                runs.setdefault(study, []).append(seconds or 0.0)
    phases = [float(s) for s in re.findall(r"runs in ([\d.]+)s", output)]
    return {"wall": wall, "cpu": cpu, "runs": runs, "training_wall": sum(phases)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: all cores)")
    options = parser.parse_args()
    rounds = []
    for index in range(options.repeats):
        rounds.append(one_round(options.jobs))
        r = rounds[-1]
        training = sum(sum(v) for v in r["runs"].values())
        print(
            f"round {index + 1}: {r['wall']:.1f} s wall, {r['cpu']:.0f} s CPU, "
            f"{training:.0f} s of it training; {r['wall'] - r['training_wall']:.1f} s "
            "outside the studies' training phases"
        )

    def spread(values, unit="s"):
        return f"{statistics.median(values):.1f} {unit} ({min(values):.1f}..{max(values):.1f})"

    cores = options.jobs or os.cpu_count() or 1
    overhead = [r["wall"] - r["training_wall"] for r in rounds]
    print(f"\nactinit reproduce from an empty database, {cores} workers, {len(rounds)} rounds")
    print("| | median (min..max) |")
    print("|---|---|")
    print(f"| wall time | {spread([r['wall'] for r in rounds])} |")
    print(f"| CPU time | {spread([r['cpu'] for r in rounds])} |")
    training = [sum(sum(v) for v in r["runs"].values()) for r in rounds]
    print(f"| training, sum of the runs' seconds | {spread(training)} |")
    print(f"| not training (start-up, summaries, replays, conclusions) | {spread(overhead)} |")
    for workers in (cores, 4, 8, 16, 64):
        estimate = [
            sum(scheduled(v, workers) for v in r["runs"].values()) + o
            for r, o in zip(rounds, overhead)
        ]
        print(f"| estimated on {workers} cores | {spread(estimate)} |")


if __name__ == "__main__":
    main()
