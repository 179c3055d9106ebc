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
    layer at half the rate: 0.5); ``"global"`` ranks all kept weights together. Each
    layer keeps its mask (1 = kept) and re-applies it after every update, so later
    training keeps the pruned weights at zero; the masks are also returned, by
    parameter name.
    """
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must lie in [0, 1), got {fraction!r}")
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    if not 0 < output_rate <= 1:
        raise ValueError(f"output_rate must lie in (0, 1], got {output_rate!r}")
    layers = model.weighted_layers()
    if not layers:
        raise ValueError("the model has no weighted layers to prune")
    kept = {id(layer): _mask(layer).astype(bool) for layer in layers}
    if scope == "global":
        pool = np.concatenate([np.abs(layer.W)[kept[id(layer)]] for layer in layers])
        threshold = _threshold(pool, fraction)
    masks: dict[str, np.ndarray] = {}
    for layer in layers:
        if scope == "layer":
            share = fraction * output_rate if layer is layers[-1] else fraction
            threshold = _threshold(np.abs(layer.W)[kept[id(layer)]], share)
        mask = (kept[id(layer)] & (np.abs(layer.W) > threshold)).astype(layer.W.dtype)
        layer.weight_mask = mask
        layer.W *= mask
        masks[f"{layer.name}.W"] = mask
    model.refresh_constraints()
    return masks


def _mask(layer: Affine) -> np.ndarray:
    return layer.weight_mask if layer.weight_mask is not None else np.ones_like(layer.W)


def _threshold(magnitudes: np.ndarray, fraction: float) -> float:
    """The magnitude at or below which the ``fraction`` smallest of ``magnitudes`` lie."""
    count = int(round(fraction * magnitudes.size))
    if count == 0 or magnitudes.size == 0:
        return -np.inf
    return float(np.partition(magnitudes, count - 1)[count - 1])


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
