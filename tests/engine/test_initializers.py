import math

import numpy as np
import pytest
import scipy.linalg
import torch

import actinit as ai
from actinit.engine.initializers import TRUNCATED_NORMAL_STD

FAN_IN, FAN_OUT = 600, 400
SHAPE = (FAN_IN, FAN_OUT)
AVG = (FAN_IN + FAN_OUT) / 2


def sample(spec, seed=0, shape=SHAPE):
    return ai.initializers.get(spec)(shape, np.random.default_rng(seed))


def torch_sample(fill, **kwargs):
    # torch stores a Linear weight as (fan_out, fan_in), the transpose of actinit's.
    weight = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    torch.manual_seed(0)
    fill(weight, **kwargs)
    return weight.numpy()


# (spec, expected std, bound on |w| or None)
FORMULAS = [
    ("random_normal", 1.0, None),
    ("random_normal(mean=0, std=10)", 10.0, None),
    ("random_uniform(low=-0.05, high=0.05)", 0.05 / math.sqrt(3), 0.05),
    ("truncated_normal(std=0.05)", 0.05 * TRUNCATED_NORMAL_STD, 0.1),
    ("xavier_normal", math.sqrt(2 / (FAN_IN + FAN_OUT)), None),
    ("xavier_uniform", math.sqrt(2 / (FAN_IN + FAN_OUT)), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("xavier_normal(gain=1.6667)", 1.6667 * math.sqrt(2 / (FAN_IN + FAN_OUT)), None),
    ("kaiming_normal", math.sqrt(2 / FAN_IN), None),
    ("kaiming_normal(mode=fan_out)", math.sqrt(2 / FAN_OUT), None),
    ("kaiming_normal(a=0.1)", math.sqrt(2 / (1.01 * FAN_IN)), None),
    ("kaiming_uniform", math.sqrt(2 / FAN_IN), math.sqrt(6 / FAN_IN)),
    ("kaiming_uniform(a=2.2360679775)", math.sqrt(1 / (3 * FAN_IN)), 1 / math.sqrt(FAN_IN)),
    ("kaiming_normal(nonlinearity=tanh)", 5 / 3 / math.sqrt(FAN_IN), None),
    ("glorot_normal", math.sqrt(1 / AVG), 2 * math.sqrt(1 / AVG) / TRUNCATED_NORMAL_STD),
    ("glorot_uniform", math.sqrt(1 / AVG), math.sqrt(3 / AVG)),
    ("he_normal", math.sqrt(2 / FAN_IN), 2 * math.sqrt(2 / FAN_IN) / TRUNCATED_NORMAL_STD),
    ("he_uniform", math.sqrt(2 / FAN_IN), math.sqrt(6 / FAN_IN)),
    ("lecun_normal", math.sqrt(1 / FAN_IN), 2 * math.sqrt(1 / FAN_IN) / TRUNCATED_NORMAL_STD),
    ("lecun_uniform", math.sqrt(1 / FAN_IN), math.sqrt(3 / FAN_IN)),
    (
        "variance_scaling(scale=2, mode=fan_avg, distribution=uniform)",
        math.sqrt(2 / AVG),
        math.sqrt(6 / AVG),
    ),
    ("variance_scaling(scale=3, mode=fan_out, distribution=normal)", math.sqrt(3 / FAN_OUT), None),
    ("variance_scaling", math.sqrt(1 / FAN_IN), 2 * math.sqrt(1 / FAN_IN) / TRUNCATED_NORMAL_STD),
    ("orthogonal", math.sqrt(1 / FAN_IN), None),
]


@pytest.mark.parametrize("spec, std, bound", FORMULAS)
def test_sample_statistics_follow_the_formula(spec, std, bound):
    weights = sample(spec)
    assert weights.shape == SHAPE
    # 240,000 draws: the sample std is within 1% of the truth with overwhelming odds.
    assert weights.mean() == pytest.approx(0.0, abs=4 * std / math.sqrt(weights.size) + 1e-12)
    assert weights.std() == pytest.approx(std, rel=0.01)
    if bound is not None:
        assert np.abs(weights).max() <= bound * (1 + 1e-12)
        assert np.abs(weights).max() >= 0.98 * bound


@pytest.mark.parametrize(
    "spec, fill, kwargs",
    [
        ("xavier_normal", torch.nn.init.xavier_normal_, {}),
        ("xavier_uniform", torch.nn.init.xavier_uniform_, {}),
        ("xavier_uniform(gain=2)", torch.nn.init.xavier_uniform_, {"gain": 2}),
        ("kaiming_normal", torch.nn.init.kaiming_normal_, {}),
        ("kaiming_normal(mode=fan_out)", torch.nn.init.kaiming_normal_, {"mode": "fan_out"}),
        ("kaiming_uniform(a=0.2)", torch.nn.init.kaiming_uniform_, {"a": 0.2}),
        (
            "kaiming_normal(nonlinearity=relu)",
            torch.nn.init.kaiming_normal_,
            {"nonlinearity": "relu"},
        ),
        ("random_normal(mean=1, std=2)", torch.nn.init.normal_, {"mean": 1, "std": 2}),
        ("random_uniform(low=-1, high=3)", torch.nn.init.uniform_, {"a": -1, "b": 3}),
        ("truncated_normal", torch.nn.init.trunc_normal_, {}),
        ("orthogonal(gain=1.5)", torch.nn.init.orthogonal_, {"gain": 1.5}),
    ],
)
def test_matches_torch_nn_init_on_a_large_sample(spec, fill, kwargs):
    ours, theirs = sample(spec), torch_sample(fill, **kwargs)
    assert ours.mean() == pytest.approx(theirs.mean(), abs=0.01 * theirs.std() + 1e-3)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.015)
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.25)


@pytest.mark.parametrize(
    "preset, scale, mode",
    [("glorot_normal", 1, "fan_avg"), ("he_normal", 2, "fan_in"), ("lecun_normal", 1, "fan_in")],
)
def test_keras_normals_are_truncated_at_two_std_and_rescaled(preset, scale, mode):
    weights = sample(preset)
    n = {"fan_in": FAN_IN, "fan_avg": AVG}[mode]
    target_std = math.sqrt(scale / n)
    untruncated_std = target_std / TRUNCATED_NORMAL_STD
    assert np.abs(weights).max() <= 2 * untruncated_std
    assert weights.var() == pytest.approx(scale / n, rel=0.02)
    # The PyTorch-convention name for the same variance is a plain (untruncated) normal.
    torch_convention = {"glorot_normal": "xavier_normal", "he_normal": "kaiming_normal"}.get(preset)
    if torch_convention:
        plain = sample(torch_convention)
        assert np.abs(plain).max() > 3 * target_std


def test_orthogonal_columns_are_orthonormal_times_gain():
    tall = sample("orthogonal(gain=2)", shape=(50, 20))
    np.testing.assert_allclose(tall.T @ tall, 4 * np.eye(20), atol=1e-10)
    wide = sample("orthogonal", shape=(20, 50))
    np.testing.assert_allclose(wide @ wide.T, np.eye(20), atol=1e-10)


def test_constants_and_identity():
    assert (sample("zeros", shape=(3, 4)) == 0).all()
    assert (sample("ones", shape=(5,)) == 1).all()
    assert (sample("constant(0.3)", shape=(2, 2)) == 0.3).all()
    np.testing.assert_array_equal(sample("identity(gain=2)", shape=(3, 4)), 2 * np.eye(3, 4))


def test_same_generator_seed_gives_the_same_weights_and_dtype_is_honoured():
    first = ai.initializers.get("he_normal")((30, 20), np.random.default_rng(7), np.float32)
    second = ai.initializers.get("he_normal")((30, 20), np.random.default_rng(7), np.float32)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, second)


def test_names_cover_the_catalogue():
    required = {
        "zeros",
        "ones",
        "constant",
        "random_normal",
        "random_uniform",
        "truncated_normal",
        "xavier_normal",
        "xavier_uniform",
        "glorot_normal",
        "glorot_uniform",
        "he_normal",
        "he_uniform",
        "kaiming_normal",
        "kaiming_uniform",
        "lecun_normal",
        "lecun_uniform",
        "variance_scaling",
        "orthogonal",
        "identity",
        "lsuv",
    }
    assert required <= set(ai.initializers.names())


def test_specs_round_trip():
    for spec, _, _ in FORMULAS:
        initializer = ai.initializers.get(spec)
        rebuilt = ai.initializers.get(initializer.spec())
        np.testing.assert_array_equal(
            rebuilt((4, 3), np.random.default_rng(0)), initializer((4, 3), np.random.default_rng(0))
        )


@pytest.mark.parametrize(
    "spec",
    [
        "variance_scaling(mode=fan_sideways)",
        "variance_scaling(distribution=cauchy)",
        "variance_scaling(scale=-1)",
        "random_normal(std=-1)",
        "he_normal(scale=3)",
        "xavier_normall",
        "kaiming_normal(mode=fan_avg)",
    ],
)
def test_bad_initializer_specs_fail_with_the_choices(spec):
    with pytest.raises(ai.SpecError) as error:
        ai.initializers.get(spec)
    assert spec.split("(")[0] in str(error.value) or "must" in str(error.value)


def test_initializer_needs_a_generator_and_a_positive_shape():
    with pytest.raises(TypeError, match="Generator"):
        ai.initializers.get("he_normal")((3, 3), 42)
    with pytest.raises(ValueError, match="positive"):
        ai.initializers.get("he_normal")((0, 3), np.random.default_rng(0))


# --- The initializers since 2016, each against its paper's rule -------------------------


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((5, 5), lambda: np.eye(5)),
        ((7, 3), lambda: np.eye(7, 3)),  # narrowing: the partial identity
        # widening 3 -> 10: c H_4[:3, :10], m = ceil(log2 10) = 4, c = 2^(-3/2)
        ((3, 10), lambda: 2**-1.5 * scipy.linalg.hadamard(16)[:3, :10]),
    ],
)
def test_zero_hadamard_is_zhao_et_al_s_rule(shape, expected):
    init = ai.initializers.get("zero_hadamard")
    weights = init(shape, np.random.default_rng(0))
    np.testing.assert_array_equal(weights, expected())
    np.testing.assert_array_equal(weights, init(shape, np.random.default_rng(99)))  # no randomness
    assert ai.initializers.get("zer_o").spec() == "zero_hadamard"


@pytest.mark.parametrize("depth, branch_layers, scale", [(16, 2, 0.25), (16, 3, 0.5), (1, 2, 1.0)])
def test_fixup_scales_the_base_draw_by_depth(depth, branch_layers, scale):
    """Zhang et al. 2019: L^(-1 / (2m - 2)) for L branches of m layers."""
    fixup = ai.initializers.get(f"fixup(depth={depth}, branch_layers={branch_layers})")
    base = ai.initializers.get("kaiming_normal")
    drawn = fixup((64, 32), np.random.default_rng(5))
    np.testing.assert_allclose(drawn, scale * base((64, 32), np.random.default_rng(5)), rtol=1e-15)
    assert fixup.variance((64, 32)) == pytest.approx(scale**2 * 2 / 64)
    with pytest.raises(ValueError, match="branch_layers is a whole number >= 2"):
        ai.initializers.get("fixup(depth=4, branch_layers=1)")


@pytest.mark.parametrize(
    "activation, torch_name", [("tanh", "tanh"), ("relu", "relu"), ("selu", "selu")]
)
def test_orthogonal_takes_the_activation_s_gain(activation, torch_name):
    import torch

    layer = ai.Dense(32, activation, init="orthogonal(gain=auto)")
    weights = layer.init((32, 32), np.random.default_rng(0))
    gain = torch.nn.init.calculate_gain(torch_name)
    np.testing.assert_allclose(weights.T @ weights, gain**2 * np.eye(32), atol=1e-10)
    with pytest.raises(ValueError, match="gain of the layer it initializes"):
        ai.initializers.get("orthogonal(gain=auto)")((4, 4), np.random.default_rng(0))


def test_data_dependent_init_gives_every_unit_mean_beta_and_unit_variance():
    """Krähenbühl et al. 2016, within-layer: z_j over the batch has mean beta, std 1."""
    rng = np.random.default_rng(0)
    X = rng.normal(loc=2.0, scale=3.0, size=(256, 5))
    init = "data_dependent(beta=0.5)"
    model = ai.Sequential(
        [ai.Dense(8, "tanh", init=init), ai.Dense(6, "relu", init=init), ai.Dense(1, "sigmoid")],
        seed=0,
    ).build(5)
    ai.engine.initializers.initialize_from_data(model.layers, X)
    inputs = X
    for layer in model.layers[:2]:
        z = inputs @ layer.W + layer.b  # by hand, after the fit
        np.testing.assert_allclose(z.mean(axis=0), 0.5, atol=1e-5)
        np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-5)
        inputs = layer.activation.function(z)


#: Registered initializers checked other than by FORMULAS or torch.nn.init, and where.
CHECKED_ELSEWHERE = {
    "constant": "test_constants_and_identity",
    "ones": "test_constants_and_identity",
    "zeros": "test_constants_and_identity and the symmetry tests",
    "identity": "test_constants_and_identity",
    "zero_hadamard": "test_zero_hadamard_is_zhao_et_al_s_rule",
    "fixup": "test_fixup_scales_the_base_draw_by_depth",
    "data_dependent": "test_data_dependent_init_gives_every_unit_mean_beta_and_unit_variance",
    "lsuv": "test_training_behaviour.py: test_lsuv_gives_unit_variance_pre_activations",
    "critical": "tests/theory/test_theory.py (the edge-of-chaos initializer)",
}


def test_every_registered_initializer_is_checked_somewhere():
    """(A user's own, registered at run time, are left out.) A new initializer fails here until its formula (FORMULAS), torch.nn.init's own
    draw, or a named test checks it."""
    import inspect
    import re

    source = inspect.getsource(
        inspect.getmodule(test_every_registered_initializer_is_checked_somewhere)
    )
    against_torch = re.findall(r'\("([a-z_]+)(?:\([^"]*\))?", torch\.nn\.init', source)
    checked = {ai.initializers.get(spec).name for spec, _, _ in FORMULAS}
    checked |= {ai.initializers.get(spec).name for spec in against_torch}
    ours = set(ai.initializers.names()) - set(ai.initializers.INITIALIZERS.custom)
    missing = ours - checked - set(CHECKED_ELSEWHERE)
    assert not missing, f"check these against a formula or torch: {sorted(missing)}"
