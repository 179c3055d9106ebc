"""Optimizer trajectories against torch.optim on the same objective."""

import numpy as np
import pytest
import torch

import actinit as ai

STEPS = 12


def objective_gradient(p):
    # f(p) = 0.5 |p|^2 * 0.3 + sum cos(3 p): non-convex, curvature varies by entry.
    return 0.3 * p - 3 * np.sin(3 * p)


CASES = [
    ("sgd(lr=0.05)", torch.optim.SGD, {"lr": 0.05}),
    ("sgd(lr=0.05, weight_decay=0.1)", torch.optim.SGD, {"lr": 0.05, "weight_decay": 0.1}),
    ("momentum(lr=0.05)", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    (
        "sgd(lr=0.05, momentum=0.5, dampening=0.2)",
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.5, "dampening": 0.2},
    ),
    ("nesterov(lr=0.05)", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (
        "nag(lr=0.02, momentum=0.7)",
        torch.optim.SGD,
        {"lr": 0.02, "momentum": 0.7, "nesterov": True},
    ),
    ("adagrad(lr=0.1)", torch.optim.Adagrad, {"lr": 0.1}),
    (
        "adagrad(lr=0.1, initial_accumulator_value=0.5)",
        torch.optim.Adagrad,
        {"lr": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("rmsprop(lr=0.01)", torch.optim.RMSprop, {"lr": 0.01}),
    (
        "rmsprop(lr=0.01, alpha=0.9, momentum=0.5)",
        torch.optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.5},
    ),
    ("adam(lr=0.05)", torch.optim.Adam, {"lr": 0.05}),
    (
        "adam(lr=0.05, beta1=0.8, beta2=0.9, eps=1e-6)",
        torch.optim.Adam,
        {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6},
    ),
    ("adam(lr=0.05, weight_decay=0.1)", torch.optim.Adam, {"lr": 0.05, "weight_decay": 0.1}),
    ("adamw(lr=0.05)", torch.optim.AdamW, {"lr": 0.05}),
    ("adamw(lr=0.05, weight_decay=0.3)", torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.3}),
]


@pytest.mark.parametrize("spec, torch_class, kwargs", CASES)
def test_trajectory_matches_torch_optim(spec, torch_class, kwargs):
    rng = np.random.default_rng(0)
    start = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=3)}
    ours = {name: value.copy() for name, value in start.items()}
    theirs = {name: torch.tensor(value, requires_grad=True) for name, value in start.items()}
    optimizer = ai.optimizers.get(spec)
    torch_optimizer = torch_class(list(theirs.values()), **kwargs)
    for _ in range(STEPS):
        optimizer.step(ours, {name: objective_gradient(value) for name, value in ours.items()})
        torch_optimizer.zero_grad()
        for tensor in theirs.values():
            tensor.grad = torch.tensor(objective_gradient(tensor.detach().numpy()))
        torch_optimizer.step()
        for name in ours:
            np.testing.assert_allclose(
                ours[name], theirs[name].detach().numpy(), rtol=1e-10, atol=1e-12
            )


def test_clip_norm_matches_torch_clip_grad_norm():
    rng = np.random.default_rng(1)
    gradients = {"a": rng.normal(size=(5, 5)) * 10, "b": rng.normal(size=5)}
    tensors = [
        torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in gradients.values()
    ]
    for tensor, gradient in zip(tensors, gradients.values()):
        tensor.grad = torch.tensor(gradient)
    torch.nn.utils.clip_grad_norm_(tensors, 1.0)
    params = {name: np.zeros_like(g) for name, g in gradients.items()}
    ai.optimizers.get("sgd(lr=1, clip_norm=1.0)").step(params, gradients)
    for value, tensor in zip(params.values(), tensors):
        np.testing.assert_allclose(value, -tensor.grad.numpy(), rtol=1e-12)


def test_clip_value_bounds_every_entry():
    params = {"w": np.zeros(4)}
    ai.optimizers.get("sgd(lr=1, clip_value=0.5)").step(
        params, {"w": np.array([-3.0, -0.2, 0.1, 9.0])}
    )
    np.testing.assert_allclose(params["w"], [0.5, 0.2, -0.1, -0.5])


def test_defaults_follow_torch():
    adam = ai.optimizers.get("adam")
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps) == (0.001, 0.9, 0.999, 1e-8)
    rmsprop = ai.optimizers.get("rmsprop")
    assert (rmsprop.lr, rmsprop.alpha, rmsprop.eps) == (0.01, 0.99, 1e-8)
    assert ai.optimizers.get("adagrad").eps == 1e-10
    assert ai.optimizers.get("adamw").weight_decay == 0.01


def test_optimizer_specs_round_trip():
    for spec, _, _ in CASES:
        optimizer = ai.optimizers.get(spec)
        assert ai.optimizers.get(optimizer.spec()).config() == optimizer.config()


@pytest.mark.parametrize(
    "spec",
    [
        "sgd(lr=-0.1)",
        "sgd(lr=0)",
        "adam(beta1=1.5)",
        "sgd(momentum=-1)",
        "sgd(nesterov=True)",
        "rmsprop(alpha=2)",
        "sgd(lr=0.1, clip_norm=0)",
        "adamx",
        "sgd(learning_rate=0.1)",
    ],
)
def test_bad_optimizer_settings_fail_clearly(spec):
    with pytest.raises(ai.SpecError):
        ai.optimizers.get(spec)
