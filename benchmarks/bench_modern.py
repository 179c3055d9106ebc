"""Training speed of the catalogue since 2017: actinit against PyTorch on the same work.

784-128-64-10 networks whose hidden layers are SwiGLU (two affine maps per unit),
Snake (a learned frequency per unit) or a rational unit (learned coefficients), softmax
cross-entropy, SGD (lr 0.01), mini-batches of 128, float32, 8,192 random samples, 2
epochs. PyTorch runs the same network written with its own ops (one Linear of 2 units
per gated layer, the same expressions for Snake and the rational unit), autograd
doing the backward pass. Engines alternate within each of the rounds; the table gives
the best and the median time and actinit's speed as a multiple of PyTorch's.

Run: ``python benchmarks/bench_modern.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import actinit as ai

SIZES = (784, 128, 64, 10)
BATCH, EPOCHS = 128, 2


def data(n=8192, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, SIZES[0]), dtype=np.float32), rng.integers(0, 10, size=n)


def actinit_model(kind: str):
    layers = [ai.engine.layers.affine_layer(units, kind, init="auto") for units in SIZES[1:-1]]
    return ai.Sequential(
        [*layers, ai.Dense(SIZES[-1], "softmax")], optimizer="sgd(lr=0.01)", dtype="float32"
    )


class TorchLayer(torch.nn.Module):
    def __init__(self, kind: str, fan_in: int, units: int, coefficients=None):
        super().__init__()
        self.kind = kind
        self.linear = torch.nn.Linear(fan_in, units * (2 if kind == "swiglu" else 1))
        if kind == "snake":
            self.frequency = torch.nn.Parameter(torch.ones(units))
        if kind == "rational":
            numerator, denominator = coefficients
            self.numerator = torch.nn.Parameter(torch.tensor(numerator, dtype=torch.float32))
            self.denominator = torch.nn.Parameter(torch.tensor(denominator, dtype=torch.float32))

    def forward(self, x):
        z = self.linear(x)
        if self.kind == "swiglu":
            pieces = z.view(len(z), -1, 2)
            return torch.nn.functional.silu(pieces[..., 0]) * pieces[..., 1]
        if self.kind == "snake":
            return z + torch.sin(self.frequency * z) ** 2 / self.frequency
        numerator = sum(a * z**j for j, a in enumerate(self.numerator))
        inner = sum(b * z ** (k + 1) for k, b in enumerate(self.denominator))
        return numerator / (1 + torch.abs(inner))


def torch_model(kind: str):
    coefficients = None
    if kind == "rational":
        unit = ai.activations.get("rational")
        coefficients = (unit.numerator, unit.denominator)
    layers = [TorchLayer(kind, a, b, coefficients) for a, b in zip(SIZES[:-2], SIZES[1:-1])]
    return torch.nn.Sequential(*layers, torch.nn.Linear(SIZES[-2], SIZES[-1]))


def torch_epochs(net, X, y):
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(EPOCHS):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), BATCH):
            index = order[start : start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(X_t[index]), y_t[index])
            loss.backward()
            optimizer.step()
            loss.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    X, y = data()
    print(f"numpy {np.__version__}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"{'unit':<10}{'actinit s':>12}{'torch s':>12}{'actinit / torch speed':>24}")
    for kind in ("swiglu", "snake", "rational"):
        times = {"actinit": [], "torch": []}
        for _ in range(args.rounds):  # interleaved: both see the same machine load
            model = actinit_model(kind)
            start = time.perf_counter()
            model.fit(X, y, epochs=EPOCHS, batch_size=BATCH)
            times["actinit"].append(time.perf_counter() - start)
            net = torch_model(kind)
            start = time.perf_counter()
            torch_epochs(net, X, y)
            times["torch"].append(time.perf_counter() - start)
        ours, theirs = min(times["actinit"]), min(times["torch"])
        print(
            f"{kind:<10}{ours:>12.3f}{theirs:>12.3f}{theirs / ours:>22.2f}x   "
            f"(medians {statistics.median(times['actinit']):.3f} / "
            f"{statistics.median(times['torch']):.3f} s; ranges "
            f"{min(times['actinit']):.3f}..{max(times['actinit']):.3f} / "
            f"{min(times['torch']):.3f}..{max(times['torch']):.3f})"
        )


if __name__ == "__main__":
    main()
