"""Full size: the S1 network on the full Fashion-MNIST, actinit against the peers users
would pick, interleaved in one run.

784-128-64-10 ReLU, softmax cross-entropy, Adam (lr 0.001), mini-batches of 128,
He-uniform weights, float32, on Fashion-MNIST's 60,000 training images (pixels / 255),
tested on its 10,000. Each round trains, in turn, actinit (``Sequential.fit``),
scikit-learn's ``MLPClassifier`` (the NumPy peer) and PyTorch 2.13 on the CPU, each
for ``--epochs`` epochs from scratch; rounds are repeated (``--repeats``) so that this
noisy shared machine's spread shows. Reported: seconds per epoch (median and range
over rounds), test accuracy, and the peers' time over actinit's.

Data: Debian's package dataset-fashion-mnist (``apt-get install dataset-fashion-mnist``,
files in /usr/share/datasets/fashion-mnist) or ``--path FOLDER`` with the IDX files.

Run: ``python benchmarks/bench_fashion.py [--epochs 2] [--repeats 3] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np

import actinit as ai
from actinit.studies import datasets


def train_actinit(data, epochs, seed):
    model = ai.Sequential(
        [
            ai.Dense(128, "relu", init="he_uniform"),
            ai.Dense(64, "relu", init="he_uniform"),
            ai.Dense(10, "softmax", init="glorot_uniform"),
        ],
        optimizer="adam(lr=0.001)",
        seed=seed,
    )
    started = time.perf_counter()
    model.fit(data.X_train, data.y_train, epochs=epochs, batch_size=128)
    seconds = time.perf_counter() - started
    return seconds, model.evaluate(data.X_test, data.y_test)["accuracy"]


def train_sklearn(data, epochs, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(128, 64),
        activation="relu",
        solver="adam",
        learning_rate_init=0.001,
        batch_size=128,
        max_iter=epochs,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        shuffle=True,
        random_state=seed,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.X_train, data.y_train)
    seconds = time.perf_counter() - started
    return seconds, float((model.predict(data.X_test) == data.y_test).mean())


def train_torch(data, epochs, seed):
    import torch

    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 10),
    )
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_function = torch.nn.CrossEntropyLoss()
    X = torch.from_numpy(data.X_train)
    y = torch.from_numpy(data.y_train.astype(np.int64))
    generator = torch.Generator().manual_seed(seed)
    started = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), 128):
            rows = order[start : start + 128]
            optimizer.zero_grad()
            loss = loss_function(net(X[rows]), y[rows])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - started
    with torch.no_grad():
        predicted = net(torch.from_numpy(data.X_test)).argmax(dim=1).numpy()
    return seconds, float((predicted == data.y_test).mean())


TRAINERS = {"actinit": train_actinit, "scikit-learn": train_sklearn, "pytorch": train_torch}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--path", default=None, help="folder of the Fashion-MNIST IDX files")
    parser.add_argument(
        "--threads", type=int, default=None, help="BLAS/torch threads (default: all cores)"
    )
    args = parser.parse_args()
    if args.threads:
        import torch
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
        torch.set_num_threads(args.threads)
    data = datasets.load("fashion_mnist", path=args.path)
    data.X_train = data.X_train.astype(np.float32)
    data.X_test = data.X_test.astype(np.float32)
    print(
        f"Fashion-MNIST {data.X_train.shape[0]:,} train / {data.X_test.shape[0]:,} test, "
        f"784-128-64-10 ReLU, Adam, batch 128, {args.epochs} epochs, {args.repeats} rounds, "
        f"{os.cpu_count()} cores"
    )
    per_epoch = {name: [] for name in TRAINERS}
    accuracy = {name: [] for name in TRAINERS}
    for round_number in range(args.repeats):
        for name, train in TRAINERS.items():  # interleaved: every round runs all three
            seconds, test_accuracy = train(data, args.epochs, seed=round_number)
            per_epoch[name].append(seconds / args.epochs)
            accuracy[name].append(test_accuracy)
            print(
                f"  round {round_number + 1} {name:>12}: {seconds / args.epochs:6.2f} s/epoch, "
                f"test accuracy {test_accuracy:.4f}"
            )
    ours = statistics.median(per_epoch["actinit"])
    print(f"\n{'':>12}  s/epoch median (min..max)   test accuracy   time / actinit's")
    for name in TRAINERS:
        times = per_epoch[name]
        ratio = statistics.median(times) / ours
        print(
            f"{name:>12}  {statistics.median(times):6.2f} ({min(times):.2f}..{max(times):.2f})"
            f"        {statistics.mean(accuracy[name]):.4f}          {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
