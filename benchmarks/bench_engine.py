"""Training speed: actinit's engine against a plain hand-written NumPy loop and PyTorch.

Two workloads, each timed in this one run on this machine:

* ``mnist-mlp``: 784-128-64-10 ReLU MLP, softmax cross-entropy, SGD (lr 0.01),
  mini-batches of 128, float32, on 8,192 random samples (speed does not depend on
  the pixel values). Reported as samples per second.
* ``tiny``: 2-12-6-1 ReLU/ReLU/sigmoid net, binary cross-entropy, full-batch
  gradient descent on 400 two-moons samples, float32. Reported as microseconds
  per training step.
* ``tiny-minibatch``: the same network in mini-batches of 32 (13 steps an epoch, as
  the seed studies train), where the engine's per-step overhead is what counts.

All three do the same work per step: forward pass, the batch's mean loss,
backward pass, SGD update. actinit is timed through ``Sequential.fit`` (which
also keeps the per-epoch loss and accuracy). The bars: actinit within 1.25x of the
plain loop's time on the MNIST-sized network and within 1.10x on the tiny ones (the
seed studies train thousands of epochs of them, where the per-step overhead is what
counts), and faster than PyTorch.

Run: ``python benchmarks/bench_engine.py [--repeats N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

import actinit as ai

try:
    import torch
except ImportError:  # the benchmark still compares actinit with the plain loop
    torch = None


# ----------------------------------------------------------------------------
# The plain loop: what one writes by hand in a notebook.
# ----------------------------------------------------------------------------
class PlainMLP:
    def __init__(self, sizes, output, seed=0):
        rng = np.random.default_rng(seed)
        self.W = [
            (rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32)
            for a, b in zip(sizes[:-1], sizes[1:])
        ]
        self.b = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]
        self.output = output

    def step(self, X, y, lr):
        activations = [X]
        a = X
        for W, b in zip(self.W[:-1], self.b[:-1]):
            a = np.maximum(a @ W + b, 0)
            activations.append(a)
        z = a @ self.W[-1] + self.b[-1]
        n = len(X)
        if self.output == "softmax":
            shifted = z - z.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(axis=1, keepdims=True)
            p = exp / total
            loss = float(np.mean(np.log(total[:, 0]) - shifted[np.arange(n), y]))
            dz = p
            dz[np.arange(n), y] -= 1
        else:
            loss = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
            dz = 1 / (1 + np.exp(-z)) - y
        dz /= n
        for i in range(len(self.W) - 1, -1, -1):
            gW = activations[i].T @ dz
            gb = dz.sum(axis=0)
            if i > 0:
                dz = (dz @ self.W[i].T) * (activations[i] > 0)
            self.W[i] -= lr * gW
            self.b[i] -= lr * gb
        return loss


def plain_epoch(net, X, y, batch_size, lr, rng):
    n = len(X)
    if batch_size >= n:
        net.step(X, y, lr)
        return
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        net.step(X[batch], y[batch], lr)


# ----------------------------------------------------------------------------
# Workloads
# ----------------------------------------------------------------------------
def mnist_like(n=8192, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=n)
    return X, y


def moons(n=400):
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n, noise=0.2, random_state=0)
    return X.astype(np.float32), y


WORKLOADS = {
    "mnist-mlp": {
        "sizes": [784, 128, 64, 10],
        "data": mnist_like,
        "batch_size": 128,
        "epochs": 2,
        "output": "softmax",
    },
    "tiny": {
        "sizes": [2, 12, 6, 1],
        "data": moons,
        "batch_size": None,
        "epochs": 2000,
        "output": "sigmoid",
    },
    # the seed studies' shape: thousands of small mini-batch steps, where the engine's
    # per-step overhead is what counts
    "tiny-minibatch": {
        "sizes": [2, 12, 6, 1],
        "data": moons,
        "batch_size": 32,
        "epochs": 200,
        "output": "sigmoid",
    },
}


def time_interleaved(functions, repeats):
    """{name: (best, median) seconds} of each function, timed in turn ``repeats``
    times (interleaved: a busy moment of a shared machine falls on all of them)."""
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def bench_workload(name, spec, repeats):
    X, y = spec["data"]()
    n = len(X)
    batch = spec["batch_size"] or n
    epochs = spec["epochs"]
    steps = epochs * -(-n // batch)
    sizes, output = spec["sizes"], spec["output"]
    y_plain = y if output == "softmax" else y.reshape(-1, 1).astype(np.float32)

    plain = PlainMLP(sizes, output)
    rng = np.random.default_rng(0)

    def run_plain():
        for _ in range(epochs):
            plain_epoch(plain, X, y_plain, batch, 0.01, rng)

    layers = [ai.Dense(units, "relu", init="kaiming_normal") for units in sizes[1:-1]]
    layers.append(ai.Dense(sizes[-1], output))
    model = ai.Sequential(layers, optimizer="sgd(lr=0.01)", dtype="float32", seed=0)

    def run_actinit():
        model.fit(X, y, epochs=epochs, batch_size=spec["batch_size"])

    runs = {"plain": run_plain, "actinit": run_actinit}

    if torch is not None:
        modules = []
        for a, b in zip(sizes[:-2], sizes[1:-1]):
            modules += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        modules.append(torch.nn.Linear(sizes[-2], sizes[-1]))
        net = torch.nn.Sequential(*modules)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
        X_t = torch.from_numpy(X)
        y_t = torch.from_numpy(y) if output == "softmax" else torch.from_numpy(y_plain)
        loss_function = (
            torch.nn.functional.cross_entropy
            if output == "softmax"
            else torch.nn.functional.binary_cross_entropy_with_logits
        )

        def run_torch():
            for _ in range(epochs):
                order = torch.randperm(n) if batch < n else None
                for start in range(0, n, batch):
                    if order is None:
                        xb, yb = X_t, y_t
                    else:
                        index = order[start : start + batch]
                        xb, yb = X_t[index], y_t[index]
                    optimizer.zero_grad(set_to_none=True)
                    loss = loss_function(net(xb), yb)
                    loss.backward()
                    optimizer.step()
                    loss.item()

        runs["torch"] = run_torch

    results = time_interleaved(runs, repeats)
    return {"workload": name, "samples": n, "steps": steps, "epochs": epochs, "results": results}


def report(outcome):
    name, steps, n, epochs = (
        outcome["workload"],
        outcome["steps"],
        outcome["samples"],
        outcome["epochs"],
    )
    plain_best = outcome["results"]["plain"][0]
    print(f"\n{name}: {steps} steps")
    print(f"  {'engine':<10}{'us/step':>12}{'samples/s':>14}{'time / plain':>15}")
    for engine, (best, median) in outcome["results"].items():
        print(
            f"  {engine:<10}{best / steps * 1e6:>12.1f}{n * epochs / best:>14,.0f}"
            f"{best / plain_best:>14.2f}x   (median {median / steps * 1e6:.1f} us/step)"
        )
    actinit_best = outcome["results"]["actinit"][0]
    ratio = actinit_best / plain_best
    bar = 1.25 if name == "mnist-mlp" else 1.10
    line = f"  actinit / plain = {ratio:.2f} (bar {bar}: {'met' if ratio <= bar else 'NOT met'})"
    if "torch" in outcome["results"]:
        speedup = outcome["results"]["torch"][0] / actinit_best
        line += f"; actinit is {speedup:.2f}x PyTorch's speed"
    print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--only", choices=list(WORKLOADS))
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1 (a time needs one measurement)")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"torch {torch.__version__ if torch else 'not installed'}, "
        f"torch threads {torch.get_num_threads() if torch else '-'}"
    )
    outcomes = []
    for name, spec in WORKLOADS.items():
        if args.only and name != args.only:
            continue
        outcome = bench_workload(name, spec, args.repeats)
        report(outcome)
        outcomes.append(outcome)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(outcomes, handle, indent=2)


if __name__ == "__main__":
    main()
