"""The PyTorch counterparts of actinit's activations and models, for tests only."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
import torch.nn.functional as F

from actinit.engine.activations import Activation
from actinit.engine.layers import BatchNorm, Dense, Dropout, GatedLinear, Maxout

torch.set_default_dtype(torch.float64)


def torch_activation(activation: Activation):
    """A torch function computing the same activation, or None if torch has none."""
    name = activation.name
    config = {f.name: getattr(activation, f.name) for f in dataclasses.fields(activation) if f.init}
    table = {
        "linear": lambda x: x,
        # heaviside has no autograd rule; its derivative is 0 wherever it exists.
        "binary_step": lambda x: torch.heaviside(x.detach(), torch.ones_like(x)) + 0 * x,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softsign": F.softsign,
        "hard_sigmoid": F.hardsigmoid,
        "hard_tanh": lambda x: F.hardtanh(x, config.get("min_val", -1), config.get("max_val", 1)),
        "relu": F.relu,
        "relu6": F.relu6,
        "leaky_relu": lambda x: F.leaky_relu(x, config.get("negative_slope", 0.01)),
        "prelu": lambda x: F.prelu(x, torch.tensor([config["init"]], dtype=x.dtype)),
        "rrelu": lambda x: F.rrelu(x, config["lower"], config["upper"], training=False),
        "elu": lambda x: F.elu(x, config["alpha"]),
        "selu": F.selu,
        "celu": lambda x: F.celu(x, config["alpha"]),
        "gelu": lambda x: F.gelu(x, approximate=config["approximate"]),
        "swish": lambda x: x * torch.sigmoid(config["beta"] * x),
        "mish": F.mish,
        "softplus": lambda x: F.softplus(x, config["beta"], config["threshold"]),
        "hard_swish": F.hardswish,
        "sine": torch.sin,
        "gaussian": lambda x: torch.exp(-(x**2)),
        "softmax": lambda x: F.softmax(x, dim=-1),
        "squared_relu": lambda x: F.relu(x) ** 2,
    }
    if name in LEARNED and name not in table:
        values = {
            k: torch.tensor(v, dtype=torch.float64) for k, v in activation.parameters().items()
        }
        return lambda x: LEARNED[name](x, values)
    return table.get(name)


def _rational(x, values):
    """The safe Pade unit, P(x) / (1 + |sum_k b_k x^k|)."""
    a, b = values["numerator"], values["denominator"]
    numerator = sum(a[j] * x**j for j in range(len(a)))
    inner = sum(b[k - 1] * x**k for k in range(1, len(b) + 1))
    return numerator / (1 + torch.abs(inner))


#: torch expressions of the activations with learned parameters, given those parameters.
LEARNED = {
    "prelu": lambda x, values: torch.where(x >= 0, x, x * values["slope"]),
    "snake": lambda x, values: x + torch.sin(values["frequency"] * x) ** 2 / values["frequency"],
    "rational": _rational,
}


#: torch's gate for each gated linear unit (Shazeer 2020's GLU variants).
GATES_IN_TORCH = {
    "glu": torch.sigmoid,
    "reglu": F.relu,
    "geglu": F.gelu,
    "swiglu": F.silu,
    "bilinear": lambda x: x,
}


def torch_output(model, X: np.ndarray, parameters: dict[str, torch.Tensor], training: bool = True):
    """Forward pass of an actinit model written with torch ops on ``parameters``."""
    output = torch.as_tensor(X, dtype=torch.float64)
    for layer in model.layers:
        prefix = layer.name + "."
        if isinstance(layer, Dense):
            z = output @ parameters[prefix + "W"]
            if layer.use_bias:
                z = z + parameters[prefix + "b"]
            learned = layer.activation.parameters()
            if learned:
                values = {key: parameters[prefix + key] for key in learned}
                output = LEARNED[layer.activation.name](z, values)
            else:
                output = torch_activation(layer.activation)(z)
        elif isinstance(layer, GatedLinear):
            z = output @ parameters[prefix + "W"] + parameters[prefix + "b"]
            pieces = z.reshape(len(z), layer.units, 2)
            output = GATES_IN_TORCH[layer.gate](pieces[:, :, 0]) * pieces[:, :, 1]
        elif isinstance(layer, Maxout):
            z = output @ parameters[prefix + "W"] + parameters[prefix + "b"]
            output = z.reshape(len(z), layer.units, layer.pieces).max(dim=2).values
        elif isinstance(layer, BatchNorm):
            running = (
                (None, None)
                if training
                else (torch.tensor(layer.running_mean), torch.tensor(layer.running_var))
            )
            output = F.batch_norm(
                output,
                *running,
                parameters[prefix + "gamma"],
                parameters[prefix + "beta"],
                training=training,
                eps=layer.eps,
            )
        elif isinstance(layer, Dropout):
            assert layer.rate == 0 or not training
        else:
            raise TypeError(layer)
    return output


def torch_loss(model, output: torch.Tensor, y: np.ndarray) -> torch.Tensor:
    name = model.loss.name
    if name == "binary_crossentropy":
        target = torch.as_tensor(np.asarray(y, dtype=float).reshape(output.shape))
        return F.binary_cross_entropy(output, target)
    if name == "categorical_crossentropy":
        return F.nll_loss(torch.log(output), torch.as_tensor(np.asarray(y), dtype=torch.long))
    target = torch.as_tensor(np.asarray(y, dtype=float).reshape(output.shape))
    return F.mse_loss(output, target)


def torch_loss_and_gradients(model, X, y, training=True):
    parameters = {
        name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
        for name, value in model.parameters().items()
    }
    loss = torch_loss(model, torch_output(model, X, parameters, training), y)
    loss.backward()
    return loss.item(), {name: p.grad.numpy() for name, p in parameters.items()}
