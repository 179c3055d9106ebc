"""Whole-model gradients against PyTorch autograd and against finite differences."""

import numpy as np
import pytest
import torch

import actinit as ai
from torch_reference import torch_loss_and_gradients

HIDDEN_ACTIVATIONS = [
    "tanh",
    "relu",
    "leaky_relu(0.1)",
    "elu",
    "selu",
    "celu(alpha=0.7)",
    "gelu",
    "gelu(approximate=tanh)",
    "swish(beta=1.5)",
    "mish",
    "softplus",
    "softsign",
    "sigmoid",
    "hard_tanh",
    "prelu",
    "prelu(per_unit=True)",
    "rrelu",
    "hard_swish",
    "squared_relu",
    "snake",
    "snake(init=3, per_unit=False)",
    "rational",
    "rational(approximates=tanh)",
]


def random_architecture(rng, output, n_inputs):
    layers = []
    for _ in range(rng.integers(1, 4)):
        activation = HIDDEN_ACTIVATIONS[rng.integers(len(HIDDEN_ACTIVATIONS))]
        layers.append(
            ai.Dense(
                int(rng.integers(2, 7)),
                activation=activation,
                init="xavier_normal",
                bias_init="random_normal(std=0.1)",
            )
        )
        if rng.random() < 0.3:
            layers.append(ai.BatchNorm())
        if rng.random() < 0.3:
            gate = ["glu", "reglu", "geglu", "swiglu", "bilinear"][rng.integers(5)]
            layers.append(
                ai.GatedLinear(
                    int(rng.integers(2, 6)),
                    gate,
                    init="xavier_normal",
                    bias_init="random_normal(std=0.1)",
                )
            )
        if rng.random() < 0.25:
            layers.append(
                ai.Maxout(
                    int(rng.integers(2, 5)), pieces=int(rng.integers(2, 4)), init="xavier_normal"
                )
            )
    layers.append(output)
    return layers


def data_for(loss, rng, n=24, n_inputs=3, n_classes=4):
    X = rng.normal(size=(n, n_inputs))
    if loss == "binary_crossentropy":
        return X, rng.integers(0, 2, size=n)
    if loss == "categorical_crossentropy":
        return X, rng.integers(0, n_classes, size=n)
    return X, rng.normal(size=(n, 2))


OUTPUTS = {
    "binary_crossentropy": lambda: ai.Dense(1, "sigmoid"),
    "categorical_crossentropy": lambda: ai.Dense(4, "softmax"),
    "mean_squared_error": lambda: ai.Dense(2, "linear"),
}


@pytest.mark.parametrize("loss", list(OUTPUTS))
@pytest.mark.parametrize("case", range(8))
def test_gradients_match_torch_autograd(loss, case):
    rng = np.random.default_rng(100 * case + len(loss))
    X, y = data_for(loss, rng)
    model = ai.Sequential(
        random_architecture(rng, OUTPUTS[loss](), X.shape[1]), loss=loss, seed=case, dtype="float64"
    )
    model.build(X.shape[1])
    # RReLU is random while training; compare in its deterministic (evaluation) form.
    training = not any(
        getattr(l, "activation", None) is not None and l.activation.name == "rrelu"
        for l in model.layers
    )
    loss_value, gradients = model.loss_and_gradients(X, y, training=training)
    expected_loss, expected_gradients = torch_loss_and_gradients(model, X, y, training)
    assert loss_value == pytest.approx(expected_loss, rel=1e-10)
    assert gradients.keys() == expected_gradients.keys()
    for name in gradients:
        # Batch norm over nearly constant units magnifies rounding: compare at 1e-8 of scale.
        scale = np.abs(expected_gradients[name]).max() + 1e-3
        np.testing.assert_allclose(
            gradients[name], expected_gradients[name], rtol=1e-7, atol=1e-8 * scale, err_msg=name
        )


@pytest.mark.parametrize("loss", list(OUTPUTS))
def test_gradients_match_finite_differences(loss):
    rng = np.random.default_rng(7)
    X, y = data_for(loss, rng, n=10)
    model = ai.Sequential(
        [
            ai.Dense(5, "tanh", init="xavier_normal"),
            ai.Dense(4, "elu", init="xavier_normal"),
            ai.BatchNorm(),
            ai.Dense(3, "gelu"),
            OUTPUTS[loss](),
        ],
        loss=loss,
        dtype="float64",
        seed=3,
        regularizer="l2(0.01)",
    )
    model.build(X.shape[1])
    _, gradients = model.loss_and_gradients(X, y)
    step = 1e-6
    for name, parameter in model.parameters().items():
        numeric = np.zeros_like(parameter)
        for index in np.ndindex(parameter.shape):
            original = parameter[index]
            parameter[index] = original + step
            plus, _ = model.loss_and_gradients(X, y)
            parameter[index] = original - step
            minus, _ = model.loss_and_gradients(X, y)
            parameter[index] = original
            numeric[index] = (plus - minus) / (2 * step)
        np.testing.assert_allclose(gradients[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_one_hot_labels_give_the_same_loss_and_gradients():
    rng = np.random.default_rng(0)
    X, y = data_for("categorical_crossentropy", rng)
    model = ai.Sequential([ai.Dense(5, "relu"), ai.Dense(4, "softmax")], dtype="float64")
    loss_ids, grads_ids = model.loss_and_gradients(X, y)
    loss_onehot, grads_onehot = model.loss_and_gradients(X, np.eye(4)[y])
    assert loss_ids == pytest.approx(loss_onehot)
    for name in grads_ids:
        np.testing.assert_allclose(grads_ids[name], grads_onehot[name])


def test_cross_entropy_from_logits_never_takes_log_of_zero():
    model = ai.Sequential([ai.Dense(1, "sigmoid", init="constant(100)")], dtype="float32")
    X = np.array([[10.0], [-10.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, gradients = model.loss_and_gradients(X, [0, 1])
    assert loss == pytest.approx(1000.0, rel=1e-5)  # |z| = 1000, wrong side: loss = |z|
    assert all(np.isfinite(g).all() for g in gradients.values())


def test_unfused_binary_crossentropy_matches_torch():
    # A hard-sigmoid output is not fused with the loss: the gradient goes through
    # d loss / d p and the activation's derivative (probabilities kept away from the clip).
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 2, size=30)
    model = ai.Sequential(
        [
            ai.Dense(4, "tanh", init="xavier_normal"),
            ai.Dense(1, "hard_sigmoid", init="random_normal(std=0.3)"),
        ],
        loss="binary_crossentropy",
        dtype="float64",
        seed=1,
    )
    model.build(3)
    assert not model._fused
    loss, gradients = model.loss_and_gradients(X, y)
    import torch.nn.functional as F

    def torch_hard_sigmoid_model(parameters):
        hidden = torch.tanh(torch.as_tensor(X) @ parameters["dense0.W"] + parameters["dense0.b"])
        return F.hardsigmoid(hidden @ parameters["dense1.W"] + parameters["dense1.b"])

    parameters = {k: torch.tensor(v, requires_grad=True) for k, v in model.parameters().items()}
    expected = F.binary_cross_entropy(
        torch_hard_sigmoid_model(parameters), torch.as_tensor(y, dtype=torch.float64)[:, None]
    )
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-7)
    for name, parameter in parameters.items():
        np.testing.assert_allclose(gradients[name], parameter.grad.numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("gate", ["glu", "reglu", "geglu", "swiglu", "bilinear"])
def test_every_gated_unit_matches_torch(gate):
    """act(x W + b) * (x V + c), both maps' gradients, against torch expressions."""
    rng = np.random.default_rng(3)
    X, y = data_for("categorical_crossentropy", rng)
    model = ai.Sequential(
        [ai.GatedLinear(5, gate, bias_init="random_normal(std=0.3)"), ai.Dense(4, "softmax")],
        loss="categorical_crossentropy",
        dtype="float64",
        seed=1,
    ).build(X.shape[1])
    loss_value, gradients = model.loss_and_gradients(X, y)
    expected_loss, expected = torch_loss_and_gradients(model, X, y, True)
    assert loss_value == pytest.approx(expected_loss, rel=1e-12)
    for name in gradients:
        np.testing.assert_allclose(gradients[name], expected[name], rtol=1e-9, atol=1e-12)
    assert model.count_parameters() == (3 + 1) * 10 + (5 + 1) * 4  # two maps per unit
