"""What a study answers, at size: ``summarize`` and ``rank`` over 100,000 stored runs,
and the report of a 16,800-run study, against a plain pandas + scipy peer.

Two synthetic studies are stored first (not timed): 20 activations x 14 initializers
x 3 learning rates x 6 depths x 20 seeds (100,800 runs) and 20 x 14 x 3 x 20 seeds
(16,800 runs), with accuracies drawn from a known model (no training). Then, in each
of ``--repeats`` rounds, interleaved:

- actinit ``summarize`` (every metric's mean, std, range and 95% t interval per
  configuration, the learned share's exact interval, the per-seed values comparisons
  need) against the peer: ``pandas.read_sql`` of the same rows, ``groupby`` mean, std,
  count, min and max, and the t interval from ``scipy.stats.t``;
- actinit ``rank`` (paired t tests of every pair, multiple comparisons with the best)
  against the peer: a pandas pivot (configuration x seed) and ``scipy.stats.ttest_rel``
  of each configuration against the best only (k - 1 pairs, where actinit tests all
  k (k - 1) / 2);
- ``build_report`` of the synthetic 16,800-run study and of a real one: the same grid
  trained by ``actinit run`` (1 epoch on moons, 20 seeds; stored once, about 75 s on 2
  cores, then kept in the folder).

Each round reads a study object made afresh, so nothing one round computed is reused
by the next; garbage is collected before each timed call. Reported: seconds, median (min..max) over rounds, and actinit's time over
the peer's.

Run: ``python benchmarks/bench_answers.py [--repeats 3] [--folder /tmp/actinit-bench]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from actinit.studies import Store, summarize  # noqa: E402
from actinit.studies.answer.ranking import rank  # noqa: E402
from actinit.studies.plan.study_file import parse_study
from actinit.viz.report import build_report  # noqa: E402
from synthetic_study import GRID_STUDY, store_results, synthetic_study  # noqa: E402

ACTIVATIONS = [
    "relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "softplus", "leaky_relu",
    "mish", "softsign", "hard_tanh", "relu6", "celu", "hard_swish", "linear", "sine",
    "gaussian", "hard_sigmoid", "prelu",
]  # fmt: skip
INITIALIZERS = [
    "he_normal", "he_uniform", "xavier_normal", "xavier_uniform", "lecun_normal",
    "lecun_uniform", "orthogonal", "zeros", "ones", "random_normal", "random_uniform",
    "truncated_normal", "glorot_normal", "glorot_uniform",
]  # fmt: skip


def accuracy(config, seed):
    shared = 0.02 * np.random.default_rng(seed).normal()
    own = 0.01 * np.random.default_rng([seed, int(config.key[:8], 16)]).normal()
    return 0.8 + 0.05 * np.sin(int(config.key[:8], 16) % 100) + shared + own


def stored(folder: Path, name: str, extra: str):
    study = synthetic_study(
        name, seeds=20, activations=ACTIVATIONS, initializers=INITIALIZERS, extra=extra
    )
    path = folder / f"{name}.sqlite"
    with Store(path) as store:
        if store.count() != len(study.configs) * study.seeds:
            started = time.perf_counter()
            count = store_results(store, study, accuracy, epochs_curve=name != "huge")
            print(f"stored {count:,} runs of {name} in {time.perf_counter() - started:.0f} s")
    return study, path


#: The real study: the synthetic grid's, trained for 1 epoch with a target of 0.8.
REAL_STUDY = (
    GRID_STUDY.format(
        name="real16800",
        seeds=20,
        activations=ACTIVATIONS,
        initializers=INITIALIZERS,
        extra="learning_rates = [0.1, 0.01, 0.001]",
    )
    .replace("epochs = 50", "epochs = 1")
    .replace("target_accuracy = 0.9", "target_accuracy = 0.8")
)


def stored_real(folder: Path) -> Path:
    """The real study's runs, trained once by ``actinit run``."""
    path, document = folder / "real.sqlite", folder / "real16800.toml"
    document.write_text(REAL_STUDY)
    study = parse_study(REAL_STUDY)
    with Store(path) as store:
        done = store.count() == len(study.configs) * study.seeds
    if not done:
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("actinit")),
                "run",
                str(document),
                "--db",
                str(path),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"trained the real study in {time.perf_counter() - started:.0f} s")
    return path


def peer_summary(path: Path):
    import pandas
    from scipy import stats

    with sqlite3.connect(path) as connection:
        frame = pandas.read_sql(
            "SELECT config_key, seed, test_accuracy, train_accuracy, test_loss, train_loss "
            "FROM runs WHERE status != 'failed'",
            connection,
        )
    grouped = frame.groupby("config_key")
    table = grouped.agg(["mean", "std", "count", "min", "max"])
    for metric in ("test_accuracy", "train_accuracy", "test_loss", "train_loss"):
        n = table[(metric, "count")]
        half = stats.t.ppf(0.975, n - 1) * table[(metric, "std")] / np.sqrt(n)
        table[(metric, "low")] = table[(metric, "mean")] - half
        table[(metric, "high")] = table[(metric, "mean")] + half
    return frame, table


def peer_rank(frame):
    """The peer's ranking: a pivot (configuration x seed), each configuration's paired
    t test against the highest mean (``scipy.stats.ttest_rel``), Holm over them. It
    tests k - 1 pairs; actinit's default guarantee tests all k (k - 1) / 2 (multiple
    comparisons with the best needs every configuration against every other)."""
    from scipy import stats

    wide = frame.pivot(index="config_key", columns="seed", values="test_accuracy")
    means = wide.mean(axis=1).sort_values(ascending=False)
    best = wide.loc[means.index[0]].to_numpy()
    others = wide.loc[means.index[1:]].to_numpy()
    p = stats.ttest_rel(others, np.broadcast_to(best, others.shape), axis=1).pvalue
    p = np.nan_to_num(p, nan=1.0)
    order = np.argsort(p)
    m = len(p)
    adjusted = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * p[order]))
    return adjusted


def timed(function, *args, **kwargs):
    gc.collect()  # no garbage of the last call is collected on this one's time
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def spread(values):
    return f"{statistics.median(values):.2f} ({min(values):.2f}..{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/actinit-bench"))
    options = parser.parse_args()
    options.folder.mkdir(parents=True, exist_ok=True)
    depths = ", ".join("[" + ", ".join(["8"] * d) + "]" for d in (1, 2, 3, 4, 6, 8))
    huge, huge_path = stored(
        options.folder, "huge", f"learning_rates = [0.1, 0.01, 0.001]\nhidden = [{depths}]"
    )
    big, big_path = stored(options.folder, "big", "learning_rates = [0.1, 0.01, 0.001]")
    real_path = stored_real(options.folder)
    keys = ("summarize", "peer summary", "rank", "peer rank", "report", "real report")
    times = {key: [] for key in keys}
    for round_ in range(options.repeats):
        fresh = dataclasses.replace(huge)  # nothing cached from the last round
        with Store(huge_path) as store:
            seconds, summary = timed(summarize, fresh, store)
        times["summarize"].append(seconds)
        seconds, (frame, _) = timed(peer_summary, huge_path)
        times["peer summary"].append(seconds)
        times["rank"].append(timed(rank, summary)[0])
        times["peer rank"].append(timed(peer_rank, frame)[0])
        with Store(big_path) as store:
            seconds, page = timed(build_report, dataclasses.replace(big), store, recorded=0)
        times["report"].append(seconds)
        with Store(real_path, read_only=True) as store:
            seconds, real_page = timed(build_report, parse_study(REAL_STUDY), store, recorded=0)
        times["real report"].append(seconds)
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()))
    runs = len(huge.configs) * huge.seeds
    print(
        f"\n{runs:,} runs ({len(huge.configs):,} configurations x 20 seeds), {os.cpu_count()} cores"
    )
    print("| work | actinit, s | peer (pandas + scipy), s | actinit / peer |")
    print("|---|---|---|---|")
    for ours, theirs, label in (
        ("summarize", "peer summary", "summarize 100,800 runs"),
        ("rank", "peer rank", "rank 5,040 configurations"),
    ):
        ratio = statistics.median(times[ours]) / statistics.median(times[theirs])
        print(f"| {label} | {spread(times[ours])} | {spread(times[theirs])} | {ratio:.2f} |")
    for key, label, text in (
        ("report", "report of 16,800 synthetic runs", page),
        ("real report", "report of 16,800 trained runs", real_page),
    ):
        size = len(text.encode()) / 1e6
        print(f"| {label} ({size:.1f} MB) | {spread(times[key])} | - | - |")


if __name__ == "__main__":
    main()
