"""Optimizers with ``torch.optim``'s update rules and defaults.

``optimizer.step(parameters, gradients)`` updates the arrays of ``parameters``
(a dict name -> ndarray) in place from ``gradients`` (same keys). State (momentum
buffers, moment estimates) is kept per name. Every optimizer also takes:

* ``weight_decay``: L2 added to the gradient, g += weight_decay * p (torch's
  coupled weight decay; AdamW decouples it).
* ``clip_norm``: rescale all gradients together so their global L2 norm is at most
  this (``torch.nn.utils.clip_grad_norm_``).
* ``clip_value``: clip every gradient entry to [-clip_value, clip_value]
  (``clip_grad_value_``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .registry import Configurable, Registry

Arrays = dict[str, np.ndarray]


@dataclass(eq=False)
class Optimizer(Configurable):
    """Base of every optimizer: ``step(parameters, gradients)`` updates each array in
    place from its gradient. ``lr``: the learning rate; ``weight_decay``: L2 decay
    added to the gradient (w <- w - lr (g + weight_decay w)); ``clip_norm``: the
    gradients' global L2 norm is scaled down to at most this; ``clip_value``: each
    gradient entry clipped to [-clip_value, clip_value]. ``state`` holds each
    parameter's buffers (momenta, averages) by name; ``steps`` counts the updates."""

    lr: float = 0.01
    weight_decay: float = 0.0
    clip_norm: float | None = None
    clip_value: float | None = None
    state: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)
    steps: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        _check_positive("lr", self.lr)
        _check_non_negative("weight_decay", self.weight_decay)
        if self.clip_norm is not None:
            _check_positive("clip_norm", self.clip_norm)
        if self.clip_value is not None:
            _check_positive("clip_value", self.clip_value)

    def config(self) -> dict[str, Any]:
        # The learning rate is always written out: "adam(lr=0.001)".
        return {"lr": self.lr, **super().config()}

    def step(self, parameters: Arrays, gradients: Arrays) -> None:
        self.steps += 1
        if self.clip_norm is not None:
            clip_by_global_norm(gradients, self.clip_norm)
        if self.clip_value is not None:
            for gradient in gradients.values():
                np.clip(gradient, -self.clip_value, self.clip_value, out=gradient)
        for name, parameter in parameters.items():
            gradient = gradients[name]
            if self.weight_decay and not self.decoupled_weight_decay:
                gradient = gradient + self.weight_decay * parameter
            self.update(name, parameter, gradient)

    decoupled_weight_decay = False

    def update(self, name: str, parameter: np.ndarray, gradient: np.ndarray) -> None:
        raise NotImplementedError


OPTIMIZERS: Registry[Optimizer] = Registry("optimizer", Optimizer)


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name, a ``"name(args)"`` string (``"adam(lr=0.01)"``), a
    dict or an Optimizer object."""
    return OPTIMIZERS.get(identifier)


def names() -> list[str]:
    """The registered optimizers' canonical names."""
    return OPTIMIZERS.names()


def _check_positive(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _check_non_negative(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


def _check_fraction(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and 0 <= value < 1):
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")


def global_norm(gradients: Arrays) -> float:
    """sqrt(sum of squares of all gradient entries)."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in gradients.values()))


def clip_by_global_norm(gradients: Arrays, max_norm: float) -> float:
    """Scale all gradients in place by max_norm / (norm + 1e-6) when norm > max_norm
    (torch's formula). Returns the norm before clipping."""
    norm = global_norm(gradients)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for gradient in gradients.values():
            gradient *= scale
    return norm


@OPTIMIZERS.register("sgd", "gd")
@dataclass(eq=False)
class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (torch.optim.SGD).

    v = momentum v + (1 - dampening) g (v = g at the first step); then
    p -= lr v, or p -= lr (g + momentum v) with ``nesterov=True``.
    Full batch or mini-batch is chosen by ``fit``'s ``batch_size``.
    """

    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False

    def __post_init__(self):
        super().__post_init__()
        _check_fraction("momentum", self.momentum)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov needs momentum > 0 and dampening = 0")

    def update(self, name, parameter, gradient):
        if self.momentum == 0:
            parameter -= self.lr * gradient
            return
        state = self.state.setdefault(name, {})
        velocity = state.get("velocity")
        if velocity is None:
            velocity = state["velocity"] = np.array(gradient, copy=True)
        else:
            velocity *= self.momentum
            velocity += (1 - self.dampening) * gradient
        if self.nesterov:
            parameter -= self.lr * (gradient + self.momentum * velocity)
        else:
            parameter -= self.lr * velocity


def _momentum(lr: float = 0.01, momentum: float = 0.9, **options: Any) -> SGD:
    """SGD with momentum 0.9 (classical momentum)."""
    return SGD(lr=lr, momentum=momentum, **options)


def _nesterov(lr: float = 0.01, momentum: float = 0.9, **options: Any) -> SGD:
    """SGD with Nesterov momentum 0.9 (NAG)."""
    return SGD(lr=lr, momentum=momentum, nesterov=True, **options)


OPTIMIZERS.add("momentum", _momentum)
OPTIMIZERS.add("nesterov", _nesterov, "nag")


@OPTIMIZERS.register("adagrad")
@dataclass(eq=False)
class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al. 2011), torch defaults: s += g^2; p -= lr g / (sqrt(s) + eps),
    eps = 1e-10, lr = 0.01."""

    eps: float = 1e-10
    initial_accumulator_value: float = 0.0

    def update(self, name, parameter, gradient):
        state = self.state.setdefault(name, {})
        if "sum" not in state:
            state["sum"] = np.full_like(parameter, self.initial_accumulator_value)
        accumulated = state["sum"]
        accumulated += gradient * gradient
        parameter -= self.lr * gradient / (np.sqrt(accumulated) + self.eps)


@OPTIMIZERS.register("rmsprop")
@dataclass(eq=False)
class RMSProp(Optimizer):
    """RMSProp (Hinton 2012), torch defaults: s = alpha s + (1 - alpha) g^2;
    p -= lr g / (sqrt(s) + eps); alpha = 0.99, eps = 1e-8, lr = 0.01.
    (Keras uses rho = 0.9, eps = 1e-7, lr = 0.001.)"""

    alpha: float = 0.99
    eps: float = 1e-8
    momentum: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        _check_fraction("alpha", self.alpha)
        _check_fraction("momentum", self.momentum)

    def update(self, name, parameter, gradient):
        state = self.state.setdefault(name, {})
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(parameter)
        square_avg = state["square_avg"]
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * gradient * gradient
        step = gradient / (np.sqrt(square_avg) + self.eps)
        if self.momentum:
            buffer = state.setdefault("momentum_buffer", np.zeros_like(parameter))
            buffer *= self.momentum
            buffer += step
            step = buffer
        parameter -= self.lr * step


@OPTIMIZERS.register("adam")
@dataclass(eq=False)
class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), torch defaults lr = 0.001, beta1 = 0.9, beta2 = 0.999,
    eps = 1e-8:  m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    (Keras puts eps = 1e-7 outside the bias correction.)"""

    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        super().__post_init__()
        _check_fraction("beta1", self.beta1)
        _check_fraction("beta2", self.beta2)

    def update(self, name, parameter, gradient):
        state = self.state.setdefault(name, {})
        if "exp_avg" not in state:
            state["exp_avg"] = np.zeros_like(parameter)
            state["exp_avg_sq"] = np.zeros_like(parameter)
            state["step"] = 0
        state["step"] += 1
        step = state["step"]
        if self.decoupled_weight_decay and self.weight_decay:
            parameter *= 1 - self.lr * self.weight_decay
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg *= self.beta1
        exp_avg += (1 - self.beta1) * gradient
        exp_avg_sq *= self.beta2
        exp_avg_sq += (1 - self.beta2) * gradient * gradient
        bias_correction1 = 1 - self.beta1**step
        bias_correction2 = 1 - self.beta2**step
        denominator = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + self.eps
        parameter -= (self.lr / bias_correction1) * exp_avg / denominator


@OPTIMIZERS.register("adamw")
@dataclass(eq=False)
class AdamW(Adam):
    """AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay,
    p *= 1 - lr * weight_decay before the Adam step; torch default weight_decay 0.01."""

    weight_decay: float = 0.01
    decoupled_weight_decay = True
