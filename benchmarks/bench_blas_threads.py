"""What one BLAS thread per run costs: the MNIST study (6 initializers x 10 seeds of a
784-128-64-10 network) run at -j 1, with every run's BLAS held to one thread (what
actinit does, so that a run stores the same numbers at any -j) and with BLAS free to
use every core (what it did), interleaved, ``--repeats`` rounds, each into a fresh
database. At -j N (the default: every core) each worker already ran single-threaded,
so nothing changes there.

Run: ``python benchmarks/bench_blas_threads.py [--repeats 3] [--epochs 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from actinit.studies import Store, load_study, run_study
from actinit.studies.run import runner


def timed_run(threads, epochs: int) -> float:
    runner.BLAS_THREADS = threads  # None: no limit
    study = load_study("mnist", {"epochs": epochs})
    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "b.sqlite") as store:
            started = time.perf_counter()
            run_study(study, store, jobs=1)
            return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    times = {1: [], None: []}
    for _ in range(args.repeats):
        for threads in (1, None):
            times[threads].append(timed_run(threads, args.epochs))

    def spread(values):
        return f"{statistics.median(values):.1f} s ({min(values):.1f}..{max(values):.1f})"

    one, free = times[1], times[None]
    print(f"MNIST study at -j 1 ({args.epochs} epochs, 60 runs), {args.repeats} rounds:")
    print(f"  one BLAS thread per run: {spread(one)}")
    print(f"  BLAS on every core:      {spread(free)}")
    print(f"  one thread costs {statistics.median(one) / statistics.median(free):.2f}x")


if __name__ == "__main__":
    main()
