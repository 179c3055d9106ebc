import math

import numpy as np
import pytest
import torch

import actinit as ai
from actinit.engine.activations.base import _numerical_gain
from torch_reference import torch_activation

EVERY_SPEC = [
    "linear",
    "binary_step",
    "sigmoid",
    "tanh",
    "softsign",
    "hard_sigmoid",
    "hard_tanh",
    "hard_tanh(min_val=-2, max_val=0.5)",
    "relu",
    "relu6",
    "leaky_relu",
    "leaky_relu(0.1)",
    "prelu",
    "rrelu",
    "elu",
    "elu(alpha=0.5)",
    "selu",
    "celu",
    "celu(alpha=2)",
    "gelu",
    "gelu(approximate=tanh)",
    "swish",
    "swish(beta=2)",
    "mish",
    "softplus",
    "softplus(beta=2, threshold=10)",
    "hard_swish",
    "sine",
    "gaussian",
    "squared_relu",
    "snake",
    "snake(init=5)",
    "rational",
    "rational(approximates=tanh)",
    "rational(approximates=gelu, numerator_degree=3, denominator_degree=2)",
]
KINKS = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, -2.0, 0.5]
LARGE = [-1e4, -1e3, -100.0, -50.0, -25.0, 25.0, 50.0, 100.0, 1e3, 1e4]
POINTS = np.concatenate([np.linspace(-12, 12, 2401), KINKS, LARGE])


def test_catalogue_is_complete():
    required = {
        "linear",
        "binary_step",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "prelu",
        "rrelu",
        "elu",
        "selu",
        "celu",
        "gelu",
        "swish",
        "mish",
        "softplus",
        "softsign",
        "hard_sigmoid",
        "hard_tanh",
        "hard_swish",
        "softmax",
        "sine",
        "gaussian",
    }
    assert required <= set(ai.activations.names())
    assert ai.activations.get("silu").name == "swish"


@pytest.mark.parametrize("spec", EVERY_SPEC)
def test_forward_and_derivative_match_torch(spec):
    activation = ai.activations.get(spec)
    # torch evaluates the hard_* functions with single-precision constants (1/6) even in
    # float64, so it is only good to ~3e-8 there; actinit's values are the exact ones.
    rtol = 1e-7 if spec in ("hard_sigmoid", "hard_swish") else 1e-12
    reference = torch_activation(activation)
    x = torch.tensor(POINTS, requires_grad=True)
    expected = reference(x)
    expected.sum().backward()
    np.testing.assert_allclose(activation(POINTS), expected.detach().numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(activation.derivative(POINTS), x.grad.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("spec", EVERY_SPEC)
def test_derivative_matches_finite_differences(spec):
    activation = ai.activations.get(spec)
    x = np.linspace(-6, 6, 1201)
    x = x[np.min(np.abs(x[:, None] - np.array(KINKS + [-0.5, 5.0])), axis=1) > 1e-3]
    step = 1e-6
    numeric = (activation(x + step) - activation(x - step)) / (2 * step)
    np.testing.assert_allclose(activation.derivative(x), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("spec", EVERY_SPEC + ["softmax"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_huge_inputs(spec, dtype):
    activation = ai.activations.get(spec)
    x = np.array([LARGE + [0.0, 1e-30, -1e-30]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = activation(x)
        derivative = activation.derivative(x)
    assert y.dtype == dtype and derivative.dtype == dtype
    assert np.isfinite(y).all() and np.isfinite(derivative).all()


@pytest.mark.parametrize("spec", EVERY_SPEC)
def test_float32_agrees_with_torch_float32(spec):
    activation = ai.activations.get(spec)
    x32 = POINTS.astype(np.float32)
    expected = torch_activation(activation)(torch.tensor(x32)).numpy()
    np.testing.assert_allclose(activation(x32), expected, rtol=2e-6, atol=2e-6)


def test_softmax_and_its_jacobian_match_torch(rng):
    softmax = ai.activations.get("softmax")
    x = rng.normal(scale=5, size=(7, 4))
    x[0] = [1e4, -1e4, 0, 3]
    tensor = torch.tensor(x, requires_grad=True)
    probabilities = torch.softmax(tensor, dim=-1)
    np.testing.assert_allclose(softmax(x), probabilities.detach().numpy(), rtol=1e-12, atol=1e-15)
    upstream = rng.normal(size=x.shape)
    probabilities.backward(torch.tensor(upstream))
    y = softmax(x)
    np.testing.assert_allclose(softmax.backward(upstream, x, y), tensor.grad.numpy(), atol=1e-12)
    jacobian = softmax.jacobian(x)
    np.testing.assert_allclose(
        np.einsum("nij,ni->nj", jacobian, upstream), tensor.grad.numpy(), atol=1e-12
    )


def test_rrelu_draws_slopes_while_training_and_uses_mean_otherwise(rng):
    rrelu = ai.activations.get("rrelu(lower=0.1, upper=0.3)")
    x = -np.ones(10_000)
    trained = rrelu.forward(x, training=True, rng=rng)
    slopes = -trained
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005
    assert np.allclose(rrelu.forward(x, training=False), -0.2)


@pytest.mark.parametrize(
    "spec, torch_name, parameter",
    [
        ("linear", "linear", None),
        ("sigmoid", "sigmoid", None),
        ("tanh", "tanh", None),
        ("relu", "relu", None),
        ("leaky_relu", "leaky_relu", None),
        ("leaky_relu(0.2)", "leaky_relu", 0.2),
        ("selu", "selu", None),
    ],
)
def test_gain_is_torch_calculate_gain(spec, torch_name, parameter):
    activation = ai.activations.get(spec)
    assert activation.gain == pytest.approx(torch.nn.init.calculate_gain(torch_name, parameter))
    assert activation.gain_source == "torch.nn.init.calculate_gain"


def test_numerical_gain_recovers_known_values():
    # 1 / sqrt(E[relu(z)^2]) = sqrt 2, and for leaky units sqrt(2 / (1 + a^2)).
    assert _numerical_gain(ai.activations.get("relu")) == pytest.approx(math.sqrt(2), rel=1e-6)
    leaky = ai.activations.get("leaky_relu(0.3)")
    assert _numerical_gain(leaky) == pytest.approx(math.sqrt(2 / 1.09), rel=1e-6)
    assert ai.activations.get("gelu").gain_source.startswith("numerical")


def test_facts_describe_range_and_centring():
    tanh, relu = ai.activations.get("tanh"), ai.activations.get("relu")
    assert tanh.zero_centred and not relu.zero_centred
    assert tanh.output_range == (-1.0, 1.0) and relu.output_range == (0.0, math.inf)
    assert ai.activations.get("binary_step").blocks_gradient
    facts = ai.activations.get("elu(alpha=0.5)").facts()
    assert facts["output_range"] == (-0.5, math.inf) and facts["spec"] == "elu(alpha=0.5)"
    for name in ai.activations.names():
        activation = ai.activations.get(name)
        low, high = activation.output_range
        values = activation(np.linspace(-50, 50, 10_001)[None, :])
        assert values.min() >= low - 1e-3 and values.max() <= high + 1e-9, name
        if activation.zero_centred:
            z = np.linspace(-5, 5, 101)
            np.testing.assert_allclose(activation(-z), -activation(z), atol=1e-12)


def test_spec_strings_round_trip():
    for spec in EVERY_SPEC:
        activation = ai.activations.get(spec)
        again = ai.activations.get(activation.spec())
        assert again.config() == activation.config() and again.name == activation.name


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ai.SpecError) as error:
        ai.activations.get("relux")
    message = str(error.value)
    assert "'relu'" in message and "tanh" in message and "Did you mean" in message


@pytest.mark.parametrize(
    "spec",
    [
        "elu(alpha=1, beta=2)",
        "leaky_relu(1, 2)",
        "softplus(beta=-1)",
        "gelu(approximate=fast)",
        "relu(",
        42,
    ],
)
def test_bad_activation_parameters_fail_clearly(spec):
    with pytest.raises(ai.SpecError):
        ai.activations.get(spec)


def test_sine_and_gaussian_gradients_through_a_network():
    """The two activations TensorFlow Playground users asked for, checked by finite
    differences inside a model (the gaussian's backward works from its output)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    model = ai.Sequential(
        [ai.Dense(5, "gaussian"), ai.Dense(4, "sine"), ai.Dense(1, "sigmoid")],
        dtype="float64",
        seed=1,
    ).build(3)
    _, gradients = model.loss_and_gradients(X, y)
    step = 1e-6
    for name, parameter in model.parameters().items():
        for index in [(0,) * parameter.ndim, tuple(s - 1 for s in parameter.shape)]:
            keep = parameter[index]
            parameter[index] = keep + step
            up, _ = model.loss_and_gradients(X, y)
            parameter[index] = keep - step
            down, _ = model.loss_and_gradients(X, y)
            parameter[index] = keep
            assert gradients[name][index] == pytest.approx((up - down) / (2 * step), abs=1e-7)
    assert ai.activations.get("sin").name == "sine"
    assert ai.activations.get("gaussian").output_range == (0.0, 1.0)


def test_every_registered_activation_is_checked_against_torch():
    """EVERY_SPEC was kept by hand: a new activation could be registered and never be
    compared with PyTorch or with finite differences. Softmax normalises over a layer
    (its Jacobian is checked against torch above)."""
    checked = {ai.activations.get(spec).name for spec in EVERY_SPEC} | {"softmax"}
    ours = set(ai.activations.names()) - set(ai.activations.ACTIVATIONS.custom)
    missing = ours - checked
    assert not missing, f"add to EVERY_SPEC (and torch_reference): {sorted(missing)}"
