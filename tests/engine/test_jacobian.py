"""The hidden layers' input-output Jacobian and its spectrum (dynamical isometry)."""

import math

import numpy as np
import pytest
import torch

import actinit as ai
from actinit.engine.jacobian import hidden_jacobians, jacobian_singular_values


def network(activation, init, depth, width, seed=0):
    layers = [
        ai.Dense(width, activation, init=init, bias_init="random_normal(std=0.01)")
        for _ in range(depth)
    ]
    return ai.Sequential(layers + [ai.Dense(1, "sigmoid")], seed=seed).build(width)


@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu", "sigmoid"])
def test_the_jacobian_is_torch_autograds(activation):
    model = network(activation, "xavier_normal", depth=4, width=6)
    X = np.random.default_rng(1).standard_normal((3, 6))
    ours = hidden_jacobians(model, X)
    functions = {
        "tanh": torch.tanh,
        "relu": torch.relu,
        "gelu": torch.nn.functional.gelu,
        "sigmoid": torch.sigmoid,
    }
    phi = functions[activation]
    hidden = model.layers[:-1]
    weights = [
        (torch.tensor(layer.W, dtype=torch.float64), torch.tensor(layer.b, dtype=torch.float64))
        for layer in hidden
    ]

    def deep(h):
        for W, b in weights[1:]:
            h = phi(h @ W + b)
        return h

    for i, x in enumerate(X):
        W1, b1 = weights[0]
        h1 = phi(torch.tensor(x) @ W1 + b1)
        expected = torch.autograd.functional.jacobian(deep, h1).numpy()
        # ours maps a row vector: d h_L / d h_1 as (in, out), torch's as (out, in)
        np.testing.assert_allclose(ours[i], expected.T, rtol=1e-5, atol=1e-7)


def test_orthogonal_tanh_at_the_edge_is_isometric_and_gaussian_is_not():
    """Pennington et al. 2017: at depth 64 (width 128) Gaussian weights spread the
    singular values over orders of magnitude, orthogonal ones keep them together;
    ReLU loses rank with either (each layer zeroes about half its units)."""
    X = np.random.default_rng(0).standard_normal((8, 128))
    spread = {}
    for name, init in (
        ("gaussian", "random_normal(std=0.08838834764831845)"),
        ("orthogonal", "orthogonal"),
    ):
        values = jacobian_singular_values(network("tanh", init, 64, 128), X)
        assert values.shape == (8, 128) and np.all(np.diff(values, axis=1) <= 1e-12)
        spread[name] = np.log10(values).std()
    assert spread["orthogonal"] < 0.5 < 3 < spread["gaussian"]
    relu = jacobian_singular_values(network("relu", f"orthogonal(gain={math.sqrt(2)})", 64, 128), X)
    assert np.mean(relu < 1e-6) > 0.4


def test_networks_it_does_not_cover_are_refused():
    X = np.zeros((2, 4))
    one = ai.Sequential([ai.Dense(4, "tanh"), ai.Dense(1, "sigmoid")]).build(4)
    with pytest.raises(ValueError, match="at least 2 hidden layers"):
        hidden_jacobians(one, X)
    uneven = ai.Sequential([ai.Dense(4, "tanh"), ai.Dense(5, "tanh"), ai.Dense(1)]).build(4)
    with pytest.raises(ValueError, match="share one width"):
        hidden_jacobians(uneven, X)
    normed = ai.Sequential(
        [ai.Dense(4, "tanh"), ai.BatchNorm(), ai.Dense(4, "tanh"), ai.Dense(1)]
    ).build(4)
    with pytest.raises(ValueError, match="no batch norm"):
        hidden_jacobians(normed, X)


def test_where_the_orthogonal_tanh_singular_values_sit_is_what_the_docstring_says():
    """The docstring once said "near 1": at sigma_b = 0 with unit-variance inputs they
    cluster around 0.13 at 64 layers; started near q = 0 they sit near 1."""
    import math

    from actinit import engine
    from actinit.engine import jacobian
    from actinit.engine.jacobian import jacobian_singular_values

    def median(depth, scale):
        X = np.random.default_rng(0).standard_normal((8, 128)) * scale
        layers = [engine.Dense(128, "tanh", init="orthogonal(gain=1.0)") for _ in range(depth)]
        model = engine.Sequential([*layers, engine.Dense(1)], seed=0).build(128)
        return float(np.median(jacobian_singular_values(model, X)))

    assert median(64, 1.0) == pytest.approx(0.13, abs=0.02)
    assert median(16, 1.0) == pytest.approx(0.27, abs=0.03)
    assert median(64, math.sqrt(1e-3)) == pytest.approx(0.95, abs=0.02)
    assert "0.13 at 64" in jacobian.__doc__ and "near 1" not in jacobian.__doc__.split("\n\n")[1]
