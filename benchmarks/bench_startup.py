"""What starting actinit costs: ``actinit --help`` (the command line), ``import
actinit.studies.run.runner`` (what every joblib or Dask worker imports to run a study)
and ``import actinit.studies.run.store`` (the store alone), each in a fresh Python
process, against ``import numpy`` (the floor every one of them pays), interleaved,
``--repeats`` rounds; median and spread in seconds.

Run: ``python benchmarks/bench_startup.py [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ACTINIT = str(Path(sys.executable).with_name("actinit"))
CASES = {
    "import numpy (the floor)": [sys.executable, "-c", "import numpy"],
    "import actinit.studies.run.store": [sys.executable, "-c", "import actinit.studies.run.store"],
    "import actinit.studies.run.runner (a worker)": [
        sys.executable,
        "-c",
        "import actinit.studies.run.runner",
    ],
    "actinit --help": [ACTINIT, "--help"],
}


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(repeats):
        for name, command in CASES.items():
            times[name].append(timed(command))
    floor = statistics.median(times["import numpy (the floor)"])
    print(f"start-up, {repeats} interleaved rounds, seconds: median (min..max), x the floor")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:46s} {median:6.3f} ({min(values):.3f}..{max(values):.3f})  "
            f"{median / floor:4.1f}x"
        )


if __name__ == "__main__":
    main()
