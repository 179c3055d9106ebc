"""Copying named arrays into a model's own, after checking that they fit."""

from __future__ import annotations

import numpy as np


def assign_checked(
    targets: dict[str, np.ndarray],
    values: dict[str, np.ndarray],
    source: str,
    error: type[Exception] = ValueError,
) -> None:
    """Copy ``values[name]`` into ``targets[name]`` for every name, after checking
    that the names are exactly the targets', each shape matches and every value is a
    finite number; otherwise raise ``error`` naming ``source`` (a file, a spec) and
    the first problem. Nothing is copied unless everything fits."""
    missing, unexpected = set(targets) - set(values), set(values) - set(targets)
    if missing or unexpected:
        raise error(
            f"{source}: the arrays do not fit the network (missing {sorted(missing) or 'none'}, "
            f"unexpected {sorted(unexpected) or 'none'})"
        )
    arrays = {name: np.asarray(values[name]) for name in targets}
    for name, target in targets.items():
        array = arrays[name]
        if array.shape != target.shape:
            raise error(
                f"{source}: {name} has shape {array.shape}, the network's is {target.shape}"
            )
        if array.dtype.kind not in "fiu" or not np.isfinite(array).all():
            raise error(f"{source}: {name} holds non-numeric, NaN or infinite values")
    for name, target in targets.items():
        target[...] = arrays[name]
