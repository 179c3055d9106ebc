"""How a configuration is named along each dimension of a grid (its data, depth,
optimizer, batch ...), and which of its fields each name is read from."""

from __future__ import annotations

from collections.abc import Callable

from ...engine.registry import compact_spec
from .study import RunConfig


def hidden_label(hidden: tuple[int, ...]) -> str:
    """``(32, 32, 32)`` -> ``"3x32"``; ``(12, 6)`` -> ``"12-6"``; ``()`` -> ``"none"``."""
    if not hidden:
        return "none"
    if len(hidden) > 2 and len(set(hidden)) == 1:
        return f"{len(hidden)}x{hidden[0]}"
    return "-".join(map(str, hidden))


#: The grid dimensions besides activation and initializer, each read off a
#: configuration as pictures label it and as ``--hidden``, ``--data`` ... select it.
DIMENSIONS: dict[str, Callable[[RunConfig], str]] = {
    "data": lambda c: ", ".join(f"{k}={v}" if k != "name" else str(v) for k, v in c.data.items()),
    "hidden": lambda c: hidden_label(c.hidden),
    "optimizer": lambda c: compact_spec(c.optimizer),
    "batch": lambda c: str(c.batch_size or "full"),
    "output": lambda c: c.output_activation,
    "regularizer": lambda c: str(c.regularizer),
    "dropout": lambda c: str(c.dropout),
    "epochs": lambda c: str(c.epochs),
    "pruning": lambda c: c.prune_method or "none",
    "amount": lambda c: f"{c.prune_amount:g}",
    "rewind": lambda c: c.rewind,
}


#: The fields of a configuration each dimension's label is read from (equal fields,
#: equal labels).
DIMENSION_FIELDS: dict[str, tuple[str, ...]] = {
    "activation": ("activation", "layer_activations"),
    "initializer": ("init_label", "layer_inits"),
    "data": ("data",),
    "hidden": ("hidden",),
    "optimizer": ("optimizer",),
    "batch": ("batch_size",),
    "output": ("output_activation",),
    "regularizer": ("regularizer",),
    "dropout": ("dropout",),
    "epochs": ("epochs",),
    "pruning": ("prune_method",),
    "amount": ("prune_amount",),
    "rewind": ("rewind",),
}
