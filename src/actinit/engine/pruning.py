"""Pruning: removing weights or whole units, judged by accuracy, size and FLOPs.

* :func:`prune_magnitude` zeroes the ``fraction`` of weights with the smallest |w|
  (per layer or over the whole network) and keeps them at zero through further
  training (the masks are re-applied after every update).
* :func:`prune_units` removes the hidden units whose outgoing weights have the smallest
  L2 norm and returns a smaller network that computes nearly the same function.
* :func:`size_report` counts parameters, non-zero weights and FLOPs per sample
  (2 x multiply-adds of the non-zero weights, plus one add per bias).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers import Affine, Dense, Layer
from .model import Sequential


@dataclass
class SizeReport:
    parameters: int
    weights: int
    nonzero_weights: int
    flops_per_sample: int

    @property
    def sparsity(self) -> float:
        return 1 - self.nonzero_weights / self.weights if self.weights else 0.0


def size_report(model: Sequential) -> SizeReport:
    weights = nonzero = flops = 0
    for layer in model.layers:
        if isinstance(layer, Affine):
            count = int(np.count_nonzero(layer.W))
            weights += layer.W.size
            nonzero += count
            flops += 2 * count + (layer.b.size if layer.use_bias else 0)
    return SizeReport(model.count_parameters(), weights, nonzero, flops)


def prune_magnitude(
    model: Sequential, fraction: float, scope: str = "layer"
) -> dict[str, np.ndarray]:
    """Zero the ``fraction`` of weights (not biases) with the smallest magnitude.

    ``scope="layer"`` prunes that share of every layer; ``"global"`` ranks all weights
    together. Each layer keeps its mask (1 = kept) and re-applies it after every
    update, so later training keeps the pruned weights at zero; the masks are also
    returned.
    """
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must lie in [0, 1), got {fraction!r}")
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    layers = model.weighted_layers()
    if not layers:
        raise ValueError("the model has no weighted layers to prune")
    masks: dict[str, np.ndarray] = {}
    if scope == "global":
        magnitudes = np.concatenate([np.abs(layer.W).ravel() for layer in layers])
        threshold = np.quantile(magnitudes, fraction) if fraction > 0 else -np.inf
    for layer in layers:
        if scope == "layer":
            threshold = np.quantile(np.abs(layer.W), fraction) if fraction > 0 else -np.inf
        mask = (np.abs(layer.W) > threshold).astype(layer.W.dtype)
        if layer.weight_mask is not None:
            mask *= layer.weight_mask
        layer.weight_mask = mask
        layer.W *= mask
        masks[f"{layer.name}.W"] = mask
    model.refresh_constraints()
    return masks


def prune_units(model: Sequential, fraction: float) -> Sequential:
    """A new, smaller network without the ``fraction`` of each hidden Dense layer's units
    whose outgoing weights (a row of the next layer's W) have the smallest L2 norm.

    Only Dense layers followed directly by another Dense layer are pruned; the output
    layer keeps all its units.
    """
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must lie in [0, 1), got {fraction!r}")
    layers: list[Layer] = model.layers
    keep: dict[int, np.ndarray] = {}
    for index in range(len(layers) - 1):
        layer, following = layers[index], layers[index + 1]
        if not (isinstance(layer, Dense) and isinstance(following, Dense)):
            continue
        importance = np.linalg.norm(following.W, axis=1)
        removed = int(fraction * layer.units)
        if layer.units - removed < 1:
            removed = layer.units - 1
        order = np.argsort(importance, kind="stable")
        keep[index] = np.sort(order[removed:])
    config = model.config()
    for index, kept in keep.items():
        config["layers"][index]["config"]["units"] = int(len(kept))
    if config["input_dim"] is None:
        raise ValueError("build or train the model before pruning it")
    smaller = Sequential.from_config(config)
    for index, (old, new) in enumerate(zip(layers, smaller.layers, strict=True)):
        for name, value in old.parameters().items():
            source = value
            if name == "W" and index - 1 in keep:  # inputs from a pruned layer
                source = source[keep[index - 1], :]
            if index in keep and source.shape[-1] == old.output_dim:  # this layer's units
                source = source[..., keep[index]]
            new.parameters()[name][...] = source
        if isinstance(old, Affine) and old.weight_mask is not None:
            new.weight_mask = (new.W != 0).astype(new.W.dtype)
        for name, value in old.buffers().items():
            new.buffers()[name][...] = value
    smaller.refresh_constraints()
    return smaller
