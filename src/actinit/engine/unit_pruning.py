"""Pruning whole hidden units: a smaller dense network, judged by importance.

A hidden unit u of a weighted layer feeds the next weighted layer through row u of its
W (with only batch norm or dropout between them). The criteria
(:data:`UNIT_CRITERIA`), given the inputs h (samples, units) that the next layer
receives on training data X:

* ``weight_norm``: ||W_next[u]||, the L2 norm of the unit's outgoing weights. It
  depends on how the network is parametrized: a ReLU unit scaled by 100 on the way in
  and 1/100 on the way out computes the same, yet ranks 100 times lower.
* ``mean_activation``: mean |h_u| over X.
* ``scaled`` (default): ||W_next[u]|| RMS(h_u), the size of the unit's contribution
  to the next layer: invariant to that rescaling.
* ``redundant``: units whose outputs are nearly collinear are merged: the most
  correlated pair (u, v) goes first; h_v ~ alpha h_u + beta by least squares, so v's
  outgoing weights move to u (W_next[u] += alpha W_next[v]) and its mean to the bias.

With data, a removed unit's mean contribution is folded into the next layer's bias
(b_next += mean(h_u) W_next[u]): a unit that was constant on the data is removed
without changing the function at all.
"""

from __future__ import annotations

import numpy as np

from .layers import Affine, BatchNorm, Dropout, Layer
from .model import Sequential

UNIT_CRITERIA = ("weight_norm", "mean_activation", "scaled", "redundant")


def prune_units(
    model: Sequential, fraction: float, criterion: str = "scaled", X: np.ndarray | None = None
) -> Sequential:
    """A new, smaller network without the ``fraction`` of each hidden weighted
    layer's units that ``criterion`` ranks least important (see the module). Every
    criterion but ``weight_norm`` needs the training inputs ``X``. The output layer
    keeps its units; a layer keeps at least one."""
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must lie in [0, 1), got {fraction!r}")
    if criterion not in UNIT_CRITERIA:
        raise ValueError(f"criterion is one of {', '.join(UNIT_CRITERIA)}; got {criterion!r}")
    if criterion != "weight_norm" and X is None:
        raise ValueError(f"the {criterion} criterion measures units on data: give X")
    if model.config()["input_dim"] is None:
        raise ValueError("build or train the model before pruning it")
    plans = {}
    for index, following in _pairs(model):
        inputs = None if X is None else model.forward_layers(X, stop=following)
        plans[index] = _plan(model, index, following, fraction, criterion, inputs)
    return _smaller(model, plans)


def _pairs(model: Sequential) -> list[tuple[int, int]]:
    """(index of a hidden weighted layer, index of the weighted layer it feeds), where
    only batch norm or dropout lies between them."""
    layers = model.layers
    pairs = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, Affine):
            continue
        following = index + 1
        while following < len(layers) and isinstance(layers[following], (BatchNorm, Dropout)):
            following += 1
        if following < len(layers) and isinstance(layers[following], Affine):
            pairs.append((index, following))
    return pairs


def _plan(model, index: int, following: int, fraction, criterion, inputs) -> dict:
    """Which units of layer ``index`` stay, and what moves into layer ``following``."""
    layer, target = model.layers[index], model.layers[following]
    units = layer.units
    removed = min(int(fraction * units), units - 1)
    outgoing = np.linalg.norm(target.W, axis=1)
    weight_shift = np.zeros_like(target.W)
    if criterion == "redundant":
        keep, weight_shift, bias_shift = _merge_redundant(inputs, target.W, outgoing, removed)
        return {"keep": keep, "weight_shift": weight_shift, "bias_shift": bias_shift}
    if criterion == "weight_norm":
        importance = outgoing
    elif criterion == "mean_activation":
        importance = np.abs(inputs).mean(axis=0)
    else:
        importance = outgoing * np.sqrt(np.mean(inputs**2, axis=0))
    order = np.argsort(importance, kind="stable")
    keep = np.sort(order[removed:])
    gone = order[:removed]
    bias_shift = np.zeros(target.W.shape[1])
    if inputs is not None:
        bias_shift = inputs[:, gone].mean(axis=0) @ target.W[gone]
    return {"keep": keep, "weight_shift": weight_shift, "bias_shift": bias_shift}


def _merge_redundant(inputs, weights, outgoing, removed):
    """Greedy merging of the most correlated pairs; (kept units, W shift, b shift)."""
    units = inputs.shape[1]
    alive = list(range(units))
    weight_shift = np.zeros_like(weights)
    bias_shift = np.zeros(weights.shape[1])
    centred = inputs - inputs.mean(axis=0)
    spread = np.sqrt((centred**2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = np.abs(centred.T @ centred / np.outer(spread, spread))
    correlation = np.where(np.isfinite(correlation), correlation, 1.0)  # constant: redundant
    np.fill_diagonal(correlation, -np.inf)
    scale = outgoing * np.sqrt(np.mean(inputs**2, axis=0))
    for _ in range(removed):
        sub = correlation[np.ix_(alive, alive)]
        a, b = np.unravel_index(np.argmax(sub), sub.shape)
        u, v = alive[a], alive[b]
        if scale[v] > scale[u]:
            u, v = v, u  # v, the smaller contribution, goes
        design = np.column_stack([inputs[:, u], np.ones(len(inputs))])
        alpha, beta = np.linalg.lstsq(design, inputs[:, v], rcond=None)[0]
        moving = weights[v] + weight_shift[v]
        weight_shift[u] += alpha * moving
        bias_shift += beta * moving
        weight_shift[v] = -weights[v]
        alive.remove(v)
    return np.array(sorted(alive)), weight_shift, bias_shift


def _smaller(model: Sequential, plans: dict[int, dict]) -> Sequential:
    """The network with each planned layer's units cut to ``keep``."""
    config = model.config()
    pairs = dict(_pairs(model))
    for index, plan in plans.items():
        config["layers"][index]["config"]["units"] = int(len(plan["keep"]))
    smaller = Sequential.from_config(config)
    kept_inputs: dict[int, np.ndarray] = {}
    for index, plan in plans.items():
        for between in range(index + 1, pairs[index] + 1):
            kept_inputs[between] = plan["keep"]
    for index, (old, new) in enumerate(zip(model.layers, smaller.layers, strict=True)):
        _copy_layer(old, new, plans.get(index), kept_inputs.get(index), plans, pairs, index)
    smaller.refresh_constraints()
    return smaller


def _copy_layer(old: Layer, new: Layer, own_plan, inputs_kept, plans, pairs, index) -> None:
    """Copy ``old``'s parameters into the smaller ``new``: rows of W for the inputs
    that stay, columns (and per-unit values) for its own units that stay, plus what
    the pruned units of the layer feeding it moved into it."""
    feeding = next((i for i, j in pairs.items() if j == index and i in plans), None)
    own_keep = own_plan["keep"] if own_plan is not None else None
    if isinstance(old, BatchNorm):
        own_keep = inputs_kept  # batch norm's units are its inputs
    per_unit = getattr(getattr(old, "activation", None), "per_unit", False)
    for name, value in old.parameters().items():
        source = value
        if feeding is not None and name in ("W", "b"):
            shift = plans[feeding]["weight_shift" if name == "W" else "bias_shift"]
            source = value + shift
        if name == "W" and inputs_kept is not None and isinstance(old, Affine):
            source = source[inputs_kept, :]
        if own_keep is not None and (name in ("W", "b", "gamma", "beta") or per_unit):
            source = _columns(old, source, own_keep)
        new.parameters()[name][...] = source
    for name, value in old.buffers().items():
        new.buffers()[name][...] = value if own_keep is None else value[own_keep]
    if isinstance(old, Affine) and old.weight_mask is not None:
        mask = old.weight_mask if inputs_kept is None else old.weight_mask[inputs_kept, :]
        new.weight_mask = mask if own_keep is None else _columns(old, mask, own_keep)
        new.W *= new.weight_mask


def _columns(layer: Layer, value: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The entries of a per-unit parameter (W's columns, b, a per-unit activation
    parameter, batch norm's gamma and beta) that belong to the ``keep`` units; a
    layer of k pieces has k columns per unit, unit-major."""
    pieces = getattr(layer, "pieces", 1)
    if pieces > 1 and value.shape[-1] == _units(layer) * pieces:
        columns = (keep[:, None] * pieces + np.arange(pieces)[None, :]).ravel()
        return value[..., columns]
    return value[..., keep]


def _units(layer: Layer) -> int:
    return getattr(layer, "units", None) or layer.output_dim
