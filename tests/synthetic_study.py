"""Synthetic studies: a real study's grid with stored results drawn from a known model
of accuracy (no training), for tests and benchmarks of what is read off a study."""

from __future__ import annotations

import time

import numpy as np

from actinit.studies import Store, parse_study

GRID_STUDY = """
name = "{name}"
title = "synthetic {name}"
seeds = {seeds}

[data]
name = "moons"
vary_with_seed = true

[model]
hidden = [8]
output_activation = "sigmoid"

[training]
epochs = 50
optimizer = "sgd"

[grid]
activations = {activations}
initializers = {initializers}
{extra}

[summary]
target_accuracy = 0.9
"""


def synthetic_study(name="synthetic", seeds=10, activations=None, initializers=None, extra=""):
    activations = activations or ["relu", "tanh"]
    initializers = initializers or ["he_normal", "xavier_normal"]
    return parse_study(
        GRID_STUDY.format(
            name=name,
            seeds=seeds,
            activations=_toml_list(activations),
            initializers=_toml_list(initializers),
            extra=extra,
        ),
        source=f"{name}.toml",
    )


def _toml_list(values):
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def store_results(store: Store, study, accuracy, seeds=None, epochs_curve=True) -> int:
    # (a test's accuracy model draws its noise from the seed and the configuration's key,
    # never from hash(), which changes from one Python process to the next)
    """Store one run per (configuration, seed) with test accuracy ``accuracy(config,
    seed)`` (clipped to [0, 1]); train accuracy, losses, epochs to target and a short
    history follow from it. Returns the number of runs stored."""
    seeds = study.seeds if seeds is None else seeds
    rows = []
    for config in study.configs:
        for seed in range(seeds):
            test = float(np.clip(accuracy(config, seed), 0.0, 1.0))
            curve = np.linspace(0.5, test, 10) if epochs_curve else np.array([test])
            reached = next((i + 1 for i, a in enumerate(curve) if a >= 0.9), None)
            rows.append(
                {
                    "config_key": config.key,
                    "seed": seed,
                    "study": study.name,
                    "config": config.to_dict(),
                    "status": "ok",
                    "train_accuracy": min(1.0, test + 0.02),
                    "test_accuracy": test,
                    "train_loss": 1.0 - test,
                    "test_loss": 1.05 - test,
                    "epochs_run": len(curve),
                    "epochs_to_target": reached,
                    "diverged_epoch": None,
                    "seconds": 0.01,
                    "history": {
                        "loss": list(1.0 - curve),
                        "accuracy": list(curve),
                        "val_loss": list(1.05 - curve),
                        "val_accuracy": list(curve),
                    },
                    "finished_at": time.time(),
                }
            )
    store.add_many(rows)
    return len(rows)


def wait_for_runs(db, count: int, seconds: float = 60.0, every: float = 0.2) -> int:
    """Poll the database ``db`` another process is writing until it holds ``count``
    runs or ``seconds`` pass; how many it holds then (0 before its tables exist)."""
    import sqlite3
    from pathlib import Path

    deadline = time.time() + seconds
    stored = 0
    while time.time() < deadline and stored < count:
        time.sleep(every)
        if Path(db).exists():
            with sqlite3.connect(db, timeout=30) as connection:
                try:
                    stored = connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0
    return stored


#: A tiny study (2 activations x 2 initializers, 2 seeds, a 4-unit network on 100 points)
#: for tests of running and storing; ``{epochs}`` to fill.
TINY = """
name = "tiny"
title = "tiny test study"
seeds = 2

[data]
name = "moons"
n_train = 60
n_test = 40
vary_with_seed = true

[model]
hidden = [4]
output_activation = "sigmoid"

[training]
epochs = {epochs}
batch_size = "full"
optimizer = "sgd"
learning_rate = 0.5

[grid]
activations = ["tanh", "relu"]
initializers = ["zeros", {{ label = "he", weights = "kaiming_normal" }}]

[summary]
target_accuracy = 0.8

[[published]]
activation = "relu"
initializer = "he"
value = 0.85
"""
