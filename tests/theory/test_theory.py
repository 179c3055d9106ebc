"""Mean-field signal propagation (actinit.theory): closed forms, Monte Carlo on wide
random networks, the edge of chaos, the critical initializer, and the depth study's
direction (issue "Theory beside experiment")."""

import math

import numpy as np
import pytest
from click.testing import CliRunner

import actinit as ai
from actinit import theory
from actinit.cli import main
from actinit.engine.special import erf


def erf_pair():
    return (erf, lambda x: 2 / math.sqrt(math.pi) * np.exp(-(x**2)))


@pytest.mark.parametrize("sigma_w, sigma_b, q", [(1.0, 0.0, 1.0), (1.7, 0.3, 0.4), (0.5, 1.0, 3.0)])
def test_relu_variance_map_is_half_the_input_variance(sigma_w, sigma_b, q):
    expected = sigma_w**2 * q / 2 + sigma_b**2
    assert theory.variance_map("relu", sigma_w, sigma_b, q) == pytest.approx(expected, rel=1e-10)


def test_relu_edge_of_chaos_is_he():
    assert theory.edge_of_chaos("relu") == pytest.approx(math.sqrt(2), rel=1e-8)
    assert theory.chi1("relu", 1.3, 0.2) == pytest.approx(1.3**2 / 2, rel=1e-10)
    depths = theory.variance_through_depth("relu", math.sqrt(2), 0.0, 1.0, 30)
    np.testing.assert_allclose(depths, 1.0, rtol=1e-9)  # He keeps the variance


def test_linear_closed_forms():
    assert theory.variance_map("linear", 0.9, 0.1, 2.0) == pytest.approx(0.81 * 2 + 0.01)
    q, c = theory.fixed_point("linear", 0.9, 0.1)
    assert q == pytest.approx(0.01 / (1 - 0.81), rel=1e-8) and c == 1.0
    assert theory.chi1("linear", 0.9, 0.1) == pytest.approx(0.81)
    xi_q, xi_c = theory.depth_scales("linear", 0.9, 0.1)
    assert xi_q == pytest.approx(-1 / math.log(0.81), rel=1e-4)


@pytest.mark.parametrize("q, c", [(0.3, 0.2), (1.0, 0.7), (4.0, -0.5)])
def test_erf_matches_the_arcsine_kernel(q, c):
    sigma_w, sigma_b = 1.3, 0.2
    pair = erf_pair()
    kernel_qq = 2 / math.pi * math.asin(2 * q / (1 + 2 * q))
    assert theory.variance_map(pair, sigma_w, sigma_b, q) == pytest.approx(
        sigma_w**2 * kernel_qq + sigma_b**2, rel=1e-9
    )
    cross = 2 / math.pi * math.asin(2 * c * q / (1 + 2 * q))
    expected = (sigma_w**2 * cross + sigma_b**2) / (sigma_w**2 * kernel_qq + sigma_b**2)
    assert theory.correlation_map(pair, sigma_w, sigma_b, c, q) == pytest.approx(expected, rel=1e-5)


def test_tanh_edge_of_chaos_at_sigma_w_one_without_bias():
    assert theory.edge_of_chaos("tanh") == pytest.approx(1.0, abs=1e-6)
    assert theory.propagation("tanh", 0.8).phase == "ordered"
    assert theory.propagation("tanh", 1.5).phase == "chaotic"
    assert theory.propagation("tanh", 1.5).c_star < 1
    # a bias moves the edge to larger weights (Poole et al. Fig. 2)
    assert theory.edge_of_chaos("tanh", 0.3) > 1.2


def monte_carlo_variances(activation, sigma_w, sigma_b, q0, depth, width=2000, networks=8):
    """Mean squared pre-activation per layer, averaged over ``networks`` independent
    wide random networks whose first layer is drawn with variance q0."""
    rng = np.random.default_rng(0)
    phi = ai.activations.get(activation).function
    totals = np.zeros(depth + 1)
    for _ in range(networks):
        h = rng.standard_normal((32, width)) * math.sqrt(q0)
        totals[0] += (h**2).mean()
        for layer in range(1, depth + 1):
            W = rng.standard_normal((width, width)) * sigma_w / math.sqrt(width)
            h = phi(h) @ W + rng.standard_normal(width) * sigma_b
            totals[layer] += (h**2).mean()
    return totals / networks


@pytest.mark.parametrize(
    "activation, sigma_w, sigma_b",
    [
        ("tanh", 1.5, 0.3),
        ("relu", 1.2, 0.1),
        ("sigmoid", 4.0, 0.5),
        ("gelu", 1.6, 0.2),
        ("elu", 1.1, 0.0),
    ],
)
def test_variance_through_depth_matches_wide_random_networks(activation, sigma_w, sigma_b):
    predicted = theory.variance_through_depth(activation, sigma_w, sigma_b, 1.0, 5)
    measured = monte_carlo_variances(activation, sigma_w, sigma_b, 1.0, 5)
    np.testing.assert_allclose(measured[1:], predicted[1:], rtol=0.05)


def test_correlation_map_matches_wide_random_networks():
    sigma_w, sigma_b, q = 1.5, 0.3, theory.fixed_q("tanh", 1.5, 0.3)
    rng = np.random.default_rng(1)
    width, c = 4000, 0.6
    z1, z2 = rng.standard_normal((2, width))
    h1, h2 = math.sqrt(q) * z1, math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2)
    W = rng.standard_normal((width, width)) * sigma_w / math.sqrt(width)
    b = rng.standard_normal(width) * sigma_b
    out1, out2 = np.tanh(h1) @ W + b, np.tanh(h2) @ W + b
    measured = (out1 @ out2) / math.sqrt((out1 @ out1) * (out2 @ out2))
    predicted = theory.correlation_map("tanh", sigma_w, sigma_b, c, q)
    assert measured == pytest.approx(predicted, abs=0.03)


def test_depth_scales_diverge_at_the_edge_and_shrink_away_from_it():
    _, at_edge = theory.depth_scales("relu", math.sqrt(2), 0.0)
    _, ordered = theory.depth_scales("relu", 1.0, 0.1)
    _, deep_ordered = theory.depth_scales("relu", 0.5, 0.1)
    assert math.isinf(at_edge) and ordered > deep_ordered > 0
    # ordered with q* > 0: c* = 1 and xi_c = -1 / log chi1, chi1 = sigma_w^2 / 2
    assert ordered == pytest.approx(-1 / math.log(0.5), rel=1e-9)


def test_critical_initializer_puts_any_activation_on_the_edge():
    layer = ai.Dense(64, "tanh", init="critical")
    assert layer.init.spec() == "critical(activation='tanh')"
    weights = layer.init((2000, 64), np.random.default_rng(0))
    assert weights.std() * math.sqrt(2000) == pytest.approx(1.0, rel=0.02)
    sigma_w = ai.initializers.get("critical(activation=tanh, bias_std=0.3)").sigma_w
    assert theory.chi1("tanh", sigma_w, 0.3) == pytest.approx(1.0, abs=1e-6)
    # GELU without bias has no edge (see test_gelu_without_bias_has_no_edge_of_chaos)
    with pytest.raises(theory.NoEdgeError, match="with biases of std 0.5 it has one"):
        ai.initializers.get("critical(activation=gelu)")((4, 4), np.random.default_rng(0))
    sigma_w = ai.initializers.get("critical(activation=gelu, bias_std=0.5)").sigma_w
    assert theory.propagation("gelu", sigma_w, 0.5).phase == "edge of chaos"
    with pytest.raises(ValueError, match="critical needs an activation"):
        ai.initializers.get("critical")((3, 3), np.random.default_rng(0))


def test_a_model_with_critical_weights_saves_and_loads(tmp_path):
    model = ai.Sequential([ai.Dense(8, "tanh", init="critical"), ai.Dense(1, "sigmoid")]).build(2)
    again = ai.load(model.save(tmp_path / "m.npz"))
    assert again.layers[0].init.spec() == "critical(activation='tanh')"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="sigma_w must be a number from 0 to 100"):
        theory.variance_map("tanh", -1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="no edge of chaos"):
        theory.edge_of_chaos("linear", 0.5, high=0.9)


# The depth study's pairs at 50 layers of 32 units: sigma_w = std * sqrt(fan_in).
DEPTH_PAIRS = {
    ("relu", "he"): ("relu", math.sqrt(2)),
    ("relu", "small random"): ("relu", 0.05 * math.sqrt(32)),
    ("sigmoid", "xavier"): ("sigmoid", 1.0),
    ("tanh", "small random"): ("tanh", 0.05 * math.sqrt(32)),
}


def test_trainable_depth_predicts_which_depth_study_pairs_learn_at_50_layers():
    study = ai.studies.load_study("depth", {"seeds": 1, "epochs": 25})
    data = ai.studies.datasets.load("moons", n_train=1000, n_test=500, noise=0.15)
    for (activation, label), (name, sigma_w) in DEPTH_PAIRS.items():
        (config,) = [
            c
            for c in study.configs
            if len(c.hidden) == 50
            and c.init_label == label
            and ai.engine.registry.compact_spec(c.activation) == activation
        ]
        predicted = theory.propagation(name, sigma_w).trainable_depth >= 50
        model = ai.studies.model_for(config, data, 0)
        model.fit(data.X_train, data.y_train, epochs=config.epochs, batch_size=config.batch_size)
        learned = model.evaluate(data.X_test, data.y_test)["accuracy"] > 0.8
        assert learned == predicted, (activation, label)


def test_theory_command_in_words_and_numbers():
    result = CliRunner().invoke(
        main, ["theory", "tanh", "--weights-std", "1.5", "--bias-std", "0.3"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "chaotic" in text and "chi1" in text and "edge of chaos" in text
    relu = CliRunner().invoke(main, ["theory", "relu", "--depth", "5"])
    assert "He" in relu.output or "1.414" in relu.output
    bad = CliRunner().invoke(main, ["theory", "tanhh"])
    assert bad.exit_code == 2 and "tanh" in bad.output


DEEP = """
name = "deep-small"
seeds = 1

[data]
name = "moons"
n_train = 200
n_test = 100

[model]
output_activation = "sigmoid"

[training]
epochs = 3
batch_size = 50
optimizer = "momentum"
learning_rate = 0.01

[grid]
hidden = [[64, 64], [64, 64, 64, 64, 64, 64, 64, 64]]
activations = ["tanh", "relu"]
initializers = [
    { label = "small random", weights = "random_normal(std=0.05)" },
    { label = "xavier", weights = "xavier_normal" },
]
"""


@pytest.fixture
def deep_store(tmp_path):
    from actinit.studies import Store, parse_study, run_study

    study = parse_study(DEEP)
    store = Store(tmp_path / "deep.sqlite")
    run_study(study, store, backend="sequential")
    yield study, store
    store.close()


def test_predicted_variance_follows_a_real_network_at_initialization(deep_store):
    from actinit.studies.answer.recorded import recorded_run
    from actinit.viz.theory import plot_variance_prediction, predicted_variances

    study, store = deep_store
    (config,) = [
        c
        for c in study.configs
        if len(c.hidden) == 8 and c.init_label == "xavier" and c.activation == "tanh"
    ]
    run = recorded_run(store, config, 0)
    measured, predicted = predicted_variances(run)
    assert len(measured) == 9  # 8 hidden layers and the output
    # the 8 hidden layers of 64 units; the 1-unit output layer is no wide layer
    np.testing.assert_allclose(measured[:-1], predicted[:-1], rtol=0.15)
    figure = plot_variance_prediction(run)
    assert "variance through depth" in figure.axes[0].get_title()


def test_depth_picture_marks_the_theory_depth_in_every_row(deep_store):
    from actinit.studies.answer.summary import summarize
    from actinit.viz.theory import depth_predictions, plot_depth_theory

    study, store = deep_store
    summary = summarize(study, store)
    predictions = {(p.activation, p.label): p.depth for p in depth_predictions(summary)}
    assert predictions[("tanh", "small random")] < 8 < predictions[("tanh", "xavier")]
    figure = plot_depth_theory(summary)
    red = [
        line for line in figure.axes[0].lines if line.get_color() == "red" and len(line.get_xdata())
    ]
    assert len(red) == 2  # the two small-random rows end before 8 layers; xavier rows do not
    assert "theory" in figure.axes[0].get_title()


def test_report_of_a_study_over_depths_has_the_theory(deep_store, tmp_path):
    from actinit.viz.report import build_report

    study, store = deep_store
    page = build_report(study, store, recorded=8)
    assert "Theory beside experiment" in page and "variance through depth" in page


def test_phase_diagram_draws_the_edge():
    from actinit.viz.theory import plot_phase_diagram

    figure = plot_phase_diagram("tanh", np.linspace(0.5, 2.5, 6), np.linspace(0, 0.5, 3))
    axis = figure.axes[0]
    assert (
        axis.collections
        and "edge of chaos" in [t.get_text() for t in axis.get_legend().get_texts()][0]
    )


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: theory.fixed_point("tanh", 1e300, 0), "sigma_w must be a number from 0 to 100"),
        (lambda: theory.edge_of_chaos("relu", sigma_b=1e300), "sigma_b must be a number"),
        (lambda: theory.variance_through_depth("tanh", 1, 0, 1, 10**9), "depth is a number"),
        (lambda: theory.variance_through_depth("tanh", 1, 0, 1, 0), "depth is a number"),
        (lambda: theory.variance_through_depth("tanh", 1, 0, 1, -1), "depth is a number"),
        (lambda: theory.variance_map("tanh", 1, 0, float("nan")), "q is a variance"),
        (lambda: theory.variance_map("tanh", 1, 0, -1), "q is a variance"),
        (lambda: theory.chi1("tanh", 1.2, 0.1, q0=float("nan")), "q0 is a variance"),
    ],
)
def test_every_argument_of_the_theory_is_checked(call, words):
    """They raised OverflowError, hung (depth 10^9) or returned numbers (q = nan)."""
    with pytest.raises(ValueError, match=words):
        call()


def hermite_fixed_point(phi, sigma_w, sigma_b, c0, layers=400, nodes=60):
    """An independent computation: Gauss-Hermite quadrature (not actinit's
    Gauss-Legendre panels) of the variance and correlation maps, iterated layer by
    layer from c0; returns (q*, c*) and xi_c = -1 / log(chi_c) at c*."""
    from numpy.polynomial.hermite_e import hermegauss

    z, w = hermegauss(nodes)
    w = w / w.sum()
    q = 1.0
    for _ in range(layers):
        q = sigma_w**2 * float(w @ phi(math.sqrt(q) * z) ** 2) + sigma_b**2
    root = math.sqrt(q)

    def pair_mean(f, g, c):
        u1 = root * z[:, None]
        u2 = root * (c * z[:, None] + math.sqrt(max(1 - c * c, 0.0)) * z[None, :])
        return float(w @ (f(u1) * g(u2)) @ w)

    c = c0
    for _ in range(layers):
        c = (sigma_w**2 * pair_mean(phi, phi, c) + sigma_b**2) / q
    derivative = lambda x: 1 - np.tanh(x) ** 2  # noqa: E731
    slope = sigma_w**2 * pair_mean(derivative, derivative, c)
    return q, c, -1 / math.log(slope)


@pytest.mark.parametrize(
    "sigma_w, sigma_b, expected_c",
    [
        (math.sqrt(2), 0.0, 0.0),  # chaotic, no bias: the stable c* is 0, not -1
        (1.5, 0.3, None),  # chaotic with bias: c* inside (0, 1)
    ],
)
def test_the_chaotic_fixed_point_is_the_stable_one(sigma_w, sigma_b, expected_c):
    """tanh at He's sigma_w = sqrt 2 without bias gave c* = -1 (a fixed point of the
    map, but unstable) and xi_c = inf; the stable c* = 0 has xi_c of about 21.7."""
    q_ref, c_ref, xi_ref = hermite_fixed_point(np.tanh, sigma_w, sigma_b, c0=0.5)
    _, c_from_below, _ = hermite_fixed_point(np.tanh, sigma_w, sigma_b, c0=-0.9)
    assert c_from_below == pytest.approx(c_ref, abs=1e-6)  # stable: reached from both sides
    q_star, c_star = theory.fixed_point("tanh", sigma_w, sigma_b)
    assert q_star == pytest.approx(q_ref, rel=1e-4)
    assert c_star == pytest.approx(c_ref, abs=1e-4)
    if expected_c is not None:
        assert c_star == pytest.approx(expected_c, abs=1e-6)
    _, xi_c = theory.depth_scales("tanh", sigma_w, sigma_b)
    assert xi_c == pytest.approx(xi_ref, rel=1e-3) and math.isfinite(xi_c)
    if sigma_b == 0:
        assert xi_c == pytest.approx(21.7, abs=0.1)


# --- independent computations: closed forms, Gauss-Hermite, plain iteration ------------


def hermite_rule(nodes=80):
    from numpy.polynomial.hermite_e import hermegauss

    z, w = hermegauss(nodes)
    return z, w / w.sum()


def hermite_variance_map(phi, sigma_w, sigma_b, q, nodes=80):
    z, w = hermite_rule(nodes)
    return sigma_w**2 * float(w @ phi(math.sqrt(q) * z) ** 2) + sigma_b**2


def relu_kernel(q, c):
    """E[relu(u1) relu(u2)] (Cho & Saul's arc-cosine kernel of degree 1)."""
    return q / (2 * math.pi) * (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c)


@pytest.mark.parametrize("c", [-0.95, -0.3, 0.0, 0.5, 0.9, 0.999, 0.999999])
def test_pair_expectations_split_at_kinks_match_closed_forms(c):
    """The 2-D quadrature was not split where u2 crosses a kink: E[step step] was off
    by 6.5e-4 at c = 0.5. Closed forms: the arc-cosine kernels of degree 0 and 1 and
    erf's arcsine kernel."""
    step, relu = theory.mean_field._phi("step"), theory.mean_field._phi("relu")
    q = 1.7
    exact_step = (math.pi - math.acos(c)) / (2 * math.pi)
    assert theory.quadrature._pair_mean(
        step.function, step.function, q, c, step.kinks
    ) == pytest.approx(exact_step, abs=1e-9)
    assert theory.quadrature._pair_mean(
        relu.function, relu.function, q, c, relu.kinks
    ) == pytest.approx(relu_kernel(q, c), rel=1e-9)
    from scipy.special import erf

    a = 0.8
    exact_erf = 2 / math.pi * math.asin(2 * a * a * q * c / (1 + 2 * a * a * q))
    scaled = lambda x: erf(a * x)  # noqa: E731
    assert theory.quadrature._pair_mean(scaled, scaled, q, c, (0.0,)) == pytest.approx(
        exact_erf, abs=1e-9
    )
    # the difference form the correlation map uses, against the same closed form
    difference = theory.quadrature._difference_mean(relu.function, q, c, relu.kinks)
    assert difference == pytest.approx(2 * (q / 2 - relu_kernel(q, c)), rel=1e-7, abs=1e-15)


def test_where_the_signal_dies_out_the_correlation_has_no_depth_scale():
    """ReLU at sigma_w = 1 without bias: q* = 0, and xi_c was reported as
    -1 / log chi1 = 1.44, a gradient scale; the correlation (the arc-cosine map,
    independent of sigma_w) does not converge at that rate: from c0 = 0 it is 0.855
    after 9 layers, where e^(-9 / 1.44) would leave 0.998."""
    c = 0.0
    for _ in range(9):
        c = relu_kernel(1.0, c) / 0.5  # E[relu(u)^2] = q / 2
    assert c == pytest.approx(0.855, abs=1e-3)
    result = theory.propagation("relu", 1.0, 0.0)
    assert result.q_star == 0 and result.signal == "dies out"
    assert math.isnan(result.xi_c) and math.isnan(result.c_star)
    assert result.xi_grad == pytest.approx(1 / math.log(2), rel=1e-9)
    assert result.depth_limit == "gradient"
    assert result.trainable_depth == pytest.approx(6 / math.log(2), rel=1e-9)
    # where it explodes (sigma_w = 2): the variance grows by sigma_w^2 / 2 = 2 per layer
    exploding = theory.propagation("relu", 2.0, 0.0)
    assert exploding.signal == "explodes" and math.isnan(exploding.xi_c)
    assert exploding.xi_q == pytest.approx(1 / math.log(2), rel=1e-6)


def test_a_polynomial_approach_is_no_depth_scale():
    """tanh at sigma_w = 1 without bias: q falls like 1 / (2 l), not exponentially;
    'q* = 1.1e-08, xi_q = 45465176.1 layers' meant nothing."""
    q = 1.0
    history = []
    for _ in range(2000):
        q = hermite_variance_map(np.tanh, 1.0, 0.0, q)
        history.append(q)
    assert history[-1] * 2 * 2000 == pytest.approx(1.0, rel=0.05)  # q_l ~ 1 / (2 l)
    assert history[-1] / history[-2] > 0.999  # no fixed rate
    result = theory.propagation("tanh", 1.0, 0.0)
    assert result.q_star == 0 and math.isinf(result.xi_q) and math.isinf(result.xi_grad)
    assert result.phase == "edge of chaos"


def test_gelu_without_bias_has_no_edge_of_chaos():
    """edge_of_chaos gave 1.5335 for GELU: there q = 1 maps to itself but is
    unstable (slope 1.144; from 0.95 or 1.05, q after 50 layers is 4.7e-7 or 118)."""
    from scipy.special import erf

    gelu = lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2)))  # noqa: E731
    sigma_w = 1.5335304411947686
    ends = []
    for q in (0.95, 1.05):
        for _ in range(50):
            q = hermite_variance_map(gelu, sigma_w, 0.0, q)
        ends.append(q)
    assert ends[0] < 1e-5 and ends[1] > 100
    with pytest.raises(theory.NoEdgeError, match="no edge of chaos at sigma_b = 0"):
        theory.edge_of_chaos("gelu")
    # at that sigma_w, q* = 1 is reported as unstable, with its divergence scale
    h = 1e-5
    slope = (
        hermite_variance_map(gelu, sigma_w, 0, 1 + h)
        - hermite_variance_map(gelu, sigma_w, 0, 1 - h)
    ) / (2 * h)
    assert slope == pytest.approx(1.144, abs=1e-3)
    result = theory.propagation("gelu", sigma_w, 0.0)
    assert result.signal == "unstable" and result.q_slope == pytest.approx(slope, rel=1e-6)
    assert result.xi_q == pytest.approx(1 / math.log(slope), rel=1e-5)  # about 7.4 layers


def grid_fixed_point(phi, dphi, sigma_w, sigma_b, low, h=0.02, limit=9.0):
    """q*, c* and chi_c at c*, independently: trapezoid sums on a uniform grid (for a
    smooth phi exponentially accurate; Gauss-Hermite nodes are too sparse for
    sigmoid at q* = 46), q* by iteration, c* by bisection on the correlation map's
    gap in [low, 1), in the difference form."""
    z = np.arange(-limit, limit + h / 2, h)
    w = h * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    q = 1.0
    for _ in range(3000):
        q = sigma_w**2 * float(w @ phi(math.sqrt(q) * z) ** 2) + sigma_b**2
    root = math.sqrt(q)

    def pair(c):
        s = math.sqrt(1 - c * c)
        return root * z[:, None], root * (c * z[:, None] + s * z[None, :])

    def excess(c):  # > 0 where the map lies below the diagonal
        u1, u2 = pair(c)
        return sigma_w**2 * float(w @ (phi(u1) - phi(u2)) ** 2 @ w) / (2 * q) - (1 - c)

    high = 1 - 1e-9
    assert excess(high) > 0 > excess(low)
    for _ in range(45):
        middle = (low + high) / 2
        low, high = (middle, high) if excess(middle) < 0 else (low, middle)
    c = (low + high) / 2
    u1, u2 = pair(c)
    return q, c, sigma_w**2 * float(w @ (dphi(u1) * dphi(u2)) @ w)


def test_near_the_edge_the_phase_follows_chi1_not_the_sign_of_a_small_gap():
    """sigmoid at sigma_b = 0.3 and sigma_w just past the edge: c* = 1 and xi_c = inf
    were reported (the gap's sign flipped in quadrature error); the truth is
    c* = 0.99978 and xi_c of about 1036 layers."""
    from scipy.special import expit

    sigma_b = 0.3
    sigma_w = theory.edge_of_chaos("sigmoid", sigma_b) * 1.001
    dphi = lambda x: expit(x) * (1 - expit(x))  # noqa: E731
    q_ref, c_ref, chi_c = grid_fixed_point(expit, dphi, sigma_w, sigma_b, low=0.99)
    result = theory.propagation("sigmoid", sigma_w, sigma_b)
    assert result.q_star == pytest.approx(q_ref, rel=1e-9)
    assert result.chi1 > 1
    assert 1 - result.c_star == pytest.approx(1 - c_ref, rel=1e-4)
    assert result.c_star == pytest.approx(0.99978, abs=1e-5)
    assert result.xi_c == pytest.approx(-1 / math.log(chi_c), rel=1e-3)
    assert result.xi_c == pytest.approx(1036, rel=0.01)


def test_selu_fixed_point_and_the_gain_that_gives_it_up():
    """SELU at (1, 0): q* = 1, c* = 0, chi1 = 1.0716. With torch's gain 3/4 as
    sigma_w the variance from q0 = 1 settles at 0.023, not 1 (as its docstring now
    says); PReLU's and softmax's gains are not claimed to be torch's."""
    selu = ai.activations.get("selu")
    result = theory.propagation("selu", 1.0, 0.0)
    assert result.q_star == pytest.approx(1.0, abs=1e-6)
    assert result.c_star == pytest.approx(0.0, abs=1e-6)
    assert result.chi1 == pytest.approx(1.0716, abs=1e-4)
    q = 1.0
    for _ in range(3000):
        q = hermite_variance_map(selu.function, 0.75, 0.0, q)
    assert q == pytest.approx(0.023, abs=5e-4)
    assert theory.fixed_q("selu", 0.75, 0.0) == pytest.approx(q, rel=1e-3)
    assert "0.023" in type(selu).__doc__
    import torch

    for name in ("prelu", "softmax"):
        with pytest.raises(ValueError):
            torch.nn.init.calculate_gain(name)
        assert "torch.nn.init.calculate_gain" != ai.activations.get(name).gain_source


@pytest.mark.parametrize(
    "init, width, sigma_w, estimated",
    [
        ("xavier_normal", 32, 1.0, False),  # read 0.99.. from one draw before
        ("glorot_uniform", 32, 1.0, False),
        ("he_normal", 32, math.sqrt(2), False),
        ("random_normal(std=0.05)", 32, 0.05 * math.sqrt(32), False),
        ("truncated_normal(std=0.1)", 64, 0.1 * 0.87962566103423978 * 8, False),
        ("orthogonal(gain=1.5)", 32, 1.5, False),
        ("lsuv", 32, None, True),
    ],
)
def test_weight_scales_use_the_initializers_own_variance(init, width, sigma_w, estimated):
    scales = theory.weight_scales(init, "zeros", width)
    assert scales.estimated == estimated
    if sigma_w is not None:
        assert scales.sigma_w == pytest.approx(sigma_w, rel=1e-12)
    # the rule, against the empirical variance of many draws
    rng, initializer = np.random.default_rng(1), ai.initializers.get(init)
    draws = np.stack([initializer((width, width), rng) for _ in range(100)])
    assert np.mean(draws**2) * width == pytest.approx(scales.sigma_w**2, rel=0.03)


def test_critical_orthogonal_is_orthogonal_at_the_edge():
    layer = ai.Dense(64, "relu", init="critical(distribution=orthogonal)")
    assert layer.init.spec() == "critical(activation='relu', distribution='orthogonal')"
    weights = layer.init((64, 64), np.random.default_rng(0))
    np.testing.assert_allclose(weights.T @ weights, 2.0 * np.eye(64), atol=1e-10)  # gain sqrt 2
    scales = theory.weight_scales(layer.init, "zeros", 64)
    assert scales.sigma_w == pytest.approx(math.sqrt(2), rel=1e-9) and not scales.estimated
    with pytest.raises(ValueError, match="'normal' or 'orthogonal'"):
        ai.initializers.get("critical(distribution=uniform)")


@pytest.mark.parametrize(
    "args, said, unsaid",
    [
        (["tanh"], "only polynomially, with no depth scale", ["45465176", "e-08"]),
        (["sigmoid"], "not bounded by the theory", ["32253191", "5375531"]),
        (["relu", "--weights-std", "1"], "6 xi_grad = 8.7 layers", ["xi_c = 1.4"]),
        (
            ["gelu", "--weights-std", "1.5335304411947686"],
            "maps to itself but is unstable",
            ["edge of chaos at sigma_w = 1.534"],
        ),
    ],
)
def test_the_theory_command_says_in_words_what_numbers_cannot(args, said, unsaid):
    result = CliRunner().invoke(main, ["theory", *args])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert said in text
    for words in unsaid:
        assert words not in text


def test_the_theory_command_says_an_edge_is_not_there_and_describes_the_rest():
    result = CliRunner().invoke(main, ["theory", "gelu"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "no edge of chaos at sigma_b = 0" in text and "bias_std=0.5" in text
    assert "sigma_w = 1.534, the activation's gain" in text


def test_the_phase_diagram_reaches_the_edge_and_fills_every_cell():
    """sigmoid's diagram was blank from sigma_w 4 to 10.6 with an empty legend box."""
    from actinit.viz.theory import plot_phase_diagram

    figure = plot_phase_diagram("sigmoid", sigma_b=np.array([0.0, 0.5]))
    axis = figure.axes[0]
    (mesh,) = [
        c for c in axis.collections if hasattr(c, "get_array") and c.get_array() is not None
    ][:1]
    values = np.asarray(mesh.get_array())
    assert np.all(np.isfinite(values)) and axis.get_xlim()[1] > 10.2
    assert [t.get_text() for t in axis.get_legend().get_texts()][0].startswith("edge of chaos")


def test_plot_jacobian_from_the_command_line(tmp_path):
    result = CliRunner().invoke(main, ["plot", "jacobian", "tanh", "-o", str(tmp_path / "j.png")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "tanh, orthogonal, 64 layers" in text and (tmp_path / "j.png").exists()
    bad = CliRunner().invoke(main, ["plot", "jacobian", "gelu", "-o", str(tmp_path / "g.png")])
    assert bad.exit_code != 0 and "no edge of chaos" in " ".join(bad.output.split())
