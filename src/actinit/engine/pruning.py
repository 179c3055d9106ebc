"""Pruning single weights, and what a pruned network costs.

* :func:`prune_magnitude` zeroes a share of the weights still kept, those with the
  smallest |w| (per layer or over the whole network): called again it prunes further
  (0.5 twice leaves 25%), which is iterative magnitude pruning. The masks stay with
  the layers, are re-applied after every update and are saved with the model.
* :func:`rewind` sets the surviving weights back to earlier values (the original
  draw: a "winning ticket", Frankle & Carbin 2019) and :func:`reinitialize` to fresh
  draws of each layer's initializer, the pruned weights staying zero.
* :func:`size_report` counts parameters, non-zero weights, FLOPs per sample and the
  bytes of the saved, compressed model. Whole units are pruned by
  :mod:`actinit.engine.unit_pruning`.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np

from .layers import Affine, BatchNorm, GatedLinear, Maxout
from .model import Sequential

#: FLOPs of one batch-norm output at inference: subtract, scale, multiply, add.
BATCH_NORM_FLOPS = 4


@dataclass
class SizeReport:
    """What a network costs: ``parameters`` (all of them), ``weights`` (entries of the
    W matrices) and how many are non-zero, ``flops_per_sample`` and
    ``compressed_bytes`` (the saved model, zip-deflated)."""

    parameters: int
    weights: int
    nonzero_weights: int
    flops_per_sample: int
    compressed_bytes: int = 0

    @property
    def sparsity(self) -> float:
        return 1 - self.nonzero_weights / self.weights if self.weights else 0.0

    @property
    def remaining(self) -> float:
        """The share of weights still non-zero."""
        return 1 - self.sparsity


def layer_flops(layer) -> int:
    """FLOPs per sample of one layer at inference: 2 per non-zero weight (multiply
    and add) and 1 per bias; 1 per unit for its activation (a maxout unit's max over
    k pieces costs k - 1 comparisons; a gated unit's gate and product 2); 4 per batch
    norm output."""
    if isinstance(layer, BatchNorm):
        return BATCH_NORM_FLOPS * layer.output_dim
    if not isinstance(layer, Affine):
        return 0
    flops = 2 * int(np.count_nonzero(layer.W)) + (layer.b.size if layer.use_bias else 0)
    if isinstance(layer, Maxout):
        return flops + (layer.pieces - 1) * layer.units
    if isinstance(layer, GatedLinear):
        return flops + 2 * layer.units
    return flops + layer.units


def size_report(model: Sequential) -> SizeReport:
    """:class:`SizeReport` of a built model."""
    weights = nonzero = 0
    for layer in model.weighted_layers():
        weights += layer.W.size
        nonzero += int(np.count_nonzero(layer.W))
    flops = sum(layer_flops(layer) for layer in model.layers)
    return SizeReport(model.count_parameters(), weights, nonzero, flops, compressed_size(model))


def compressed_size(model: Sequential) -> int:
    """Bytes of the model's parameters and masks as a deflated ``.npz`` (what a
    pruned network saves on disk: zeros compress)."""
    buffer = io.BytesIO()
    arrays = dict(model.parameters())
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, value in arrays.items():
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, np.ascontiguousarray(value))
    return buffer.tell()


def prune_magnitude(
    model: Sequential, fraction: float, scope: str = "layer", output_rate: float = 1.0
) -> dict[str, np.ndarray]:
    """Zero the ``fraction`` of the weights still kept (not biases) with the smallest
    magnitude: 0.2 on a network already at 80% prunes to 64% (iterative pruning).

    ``scope="layer"`` prunes that share of every layer's kept weights, the output
    layer ``output_rate`` times that share (Frankle & Carbin 2019 prune LeNet's output
    layer at half the rate: 0.5); ``"global"`` ranks all kept weights together. Exactly
    round(share x kept) weights go: weights of equal magnitude are taken in the
    order they lie (row by row, layer by layer), so a layer of equal weights loses
    the asked share, not all of it. Each layer keeps its mask (1 = kept) and
    re-applies it after every update, so later training keeps the pruned weights at
    zero; the masks are also returned, by parameter name. A schedule of many rounds
    should say where it is going with :func:`prune_to`, whose counts do not drift.
    """
    _check(fraction, scope, output_rate)
    layers = _layers(model)
    kept = [int(_mask(layer).sum()) for layer in layers]
    if scope == "global":
        return _prune_global(model, layers, sum(kept) - round(fraction * sum(kept)))
    shares = [
        fraction * output_rate if i == len(layers) - 1 else fraction for i in range(len(layers))
    ]
    return _prune_layers(model, layers, [k - round(f * k) for k, f in zip(kept, shares)])


def prune_to(
    model: Sequential,
    remaining: float,
    scope: str = "layer",
    output_remaining: float | None = None,
) -> dict[str, np.ndarray]:
    """Prune (smallest magnitude first, ties in the order the weights lie) until
    ``remaining`` of the weights are left: of each layer's weights (``"layer"``; the
    output layer ``output_remaining`` of its own, default the same), or of all of them
    (``"global"``), counted against every weight of W, pruned or not. Round after round
    of a schedule (0.9, 0.81, ... of the weights left) the counts are
    round(size x remaining) each time, so they reach the asked share at the last round
    instead of drifting (0.1 a round of a 10-weight layer rounds to nothing)."""
    if not 0 < remaining <= 1:
        raise ValueError(f"remaining must lie in (0, 1], got {remaining!r}")
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    layers = _layers(model)
    if scope == "global":
        return _prune_global(model, layers, round(remaining * sum(l.W.size for l in layers)))
    last = remaining if output_remaining is None else output_remaining
    keep = [
        round((last if i == len(layers) - 1 else remaining) * layer.W.size)
        for i, layer in enumerate(layers)
    ]
    return _prune_layers(model, layers, keep)


def _check(fraction: float, scope: str, output_rate: float) -> None:
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must lie in [0, 1), got {fraction!r}")
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    if not 0 < output_rate <= 1:
        raise ValueError(f"output_rate must lie in (0, 1], got {output_rate!r}")


def _layers(model: Sequential) -> list:
    layers = model.weighted_layers()
    if not layers:
        raise ValueError("the model has no weighted layers to prune")
    return layers


def _smallest(magnitudes: np.ndarray, count: int) -> np.ndarray:
    """The positions of the ``count`` smallest of ``magnitudes`` (a flat array), equal
    ones taken in the order they lie (a stable sort: the same cut every time)."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.argsort(magnitudes, kind="stable")[:count]


def _prune_layers(model: Sequential, layers: list, keep: list[int]) -> dict[str, np.ndarray]:
    """Keep the ``keep[i]`` largest kept weights of layer i (never more than it has)."""
    masks: dict[str, np.ndarray] = {}
    for layer, wanted in zip(layers, keep):
        mask = _mask(layer).astype(layer.W.dtype).ravel()
        kept = np.flatnonzero(mask)
        cut = kept[_smallest(np.abs(layer.W.ravel()[kept]), len(kept) - max(0, wanted))]
        mask[cut] = 0
        _apply(layer, mask.reshape(layer.W.shape), masks)
    model.refresh_constraints()
    return masks


def _prune_global(model: Sequential, layers: list, keep: int) -> dict[str, np.ndarray]:
    """Keep the ``keep`` largest kept weights of the whole network."""
    flat = [_mask(layer).astype(layer.W.dtype).ravel() for layer in layers]
    positions = [np.flatnonzero(mask) for mask in flat]
    pool = np.concatenate([np.abs(l.W.ravel()[p]) for l, p in zip(layers, positions)])
    owner = np.concatenate([np.full(len(p), i) for i, p in enumerate(positions)])
    where = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    cut = _smallest(pool, len(pool) - max(0, keep))
    for i in np.unique(owner[cut]).tolist():
        flat[i][where[cut][owner[cut] == i]] = 0
    masks: dict[str, np.ndarray] = {}
    for layer, mask in zip(layers, flat):
        _apply(layer, mask.reshape(layer.W.shape), masks)
    model.refresh_constraints()
    return masks


def _apply(layer, mask: np.ndarray, masks: dict[str, np.ndarray]) -> None:
    layer.weight_mask = mask
    layer.W *= mask
    masks[f"{layer.name}.W"] = mask


def _mask(layer: Affine) -> np.ndarray:
    return layer.weight_mask if layer.weight_mask is not None else np.ones_like(layer.W)


def rewind(model: Sequential, parameters: dict[str, np.ndarray]) -> None:
    """Set every parameter to ``parameters`` (e.g. a copy taken at initialization or
    after epoch k), the pruned weights staying zero: the surviving weights get their
    earlier values bit for bit."""
    for name, value in model.parameters().items():
        value[...] = parameters[name]
    for layer in model.weighted_layers():
        if layer.weight_mask is not None:
            layer.W *= layer.weight_mask


def reinitialize(model: Sequential, seed: int) -> None:
    """Draw every weighted layer's W and b afresh from its own initializers (seeded by
    ``seed``), the pruned weights staying zero: the same sparse structure with new
    values (the lottery ticket's control)."""
    rng = np.random.default_rng(seed)
    for layer in model.weighted_layers():
        layer.W[...] = layer.init(layer.W.shape, rng, layer.W.dtype)
        if layer.use_bias:
            layer.b[...] = layer.bias_init(layer.b.shape, rng, layer.b.dtype)
        if layer.weight_mask is not None:
            layer.W *= layer.weight_mask
