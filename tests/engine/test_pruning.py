import numpy as np
import pytest
from sklearn.datasets import make_moons

import actinit as ai


@pytest.fixture(scope="module")
def trained():
    X, y = make_moons(n_samples=400, noise=0.15, random_state=0)
    model = ai.Sequential(
        [
            ai.Dense(32, "relu", init="kaiming_normal"),
            ai.Dense(16, "relu", init="kaiming_normal"),
            ai.Dense(1, "sigmoid"),
        ],
        optimizer="adam(lr=0.01)",
        seed=0,
    )
    model.fit(X, y, epochs=60)
    return model, X, y


def copy_of(model):
    clone = ai.Sequential.from_config(model.config())
    for name, value in model.parameters().items():
        clone.parameters()[name][...] = value
    return clone


def test_magnitude_pruning_zeroes_the_smallest_weights_and_keeps_them_zero(trained):
    model, X, y = trained
    pruned = copy_of(model)
    before = ai.size_report(pruned)
    masks = ai.prune_magnitude(pruned, 0.5)
    after = ai.size_report(pruned)
    assert after.sparsity == pytest.approx(0.5, abs=0.02)
    assert after.flops_per_sample < before.flops_per_sample
    kept = np.abs(model.layers[0].W[masks["dense0.W"] == 1]).min()
    removed = np.abs(model.layers[0].W[masks["dense0.W"] == 0]).max()
    assert removed <= kept
    pruned.fit(X, y, epochs=5)  # fine-tuning does not bring pruned weights back
    assert np.all(pruned.layers[0].W[masks["dense0.W"] == 0] == 0)
    assert pruned.evaluate(X, y)["accuracy"] > 0.9


def test_global_pruning_ranks_all_weights_together(trained):
    model, _, _ = trained
    pruned = copy_of(model)
    ai.prune_magnitude(pruned, 0.7, scope="global")
    assert ai.size_report(pruned).sparsity == pytest.approx(0.7, abs=0.02)
    with pytest.raises(ValueError, match="fraction"):
        ai.prune_magnitude(pruned, 1.5)


def test_unit_pruning_shrinks_layers_and_keeps_the_function(trained):
    model, X, y = trained
    smaller = ai.prune_units(model, 0.25, X=X)
    assert [layer.output_dim for layer in smaller.layers] == [24, 12, 1]
    assert smaller.count_parameters() < model.count_parameters()
    # Removing nothing gives back exactly the same network.
    same = ai.prune_units(model, 0.0, "weight_norm")
    np.testing.assert_array_equal(same.predict_proba(X), model.predict_proba(X))
    assert smaller.evaluate(X, y)["accuracy"] > model.evaluate(X, y)["accuracy"] - 0.1


# --- every method against hand-computed masks and independent arithmetic ------------


def tiny(weights, activation="relu"):
    """A 2-3-1 network with the given first-layer weights and hand-set others."""
    model = ai.Sequential(
        [ai.Dense(3, activation), ai.Dense(1, "sigmoid")], seed=0, dtype="float64"
    ).build(2)
    model.layers[0].W[...] = weights
    model.layers[0].b[...] = 0.0
    model.layers[1].W[...] = [[1.0], [-2.0], [0.5]]
    model.layers[1].b[...] = 0.1
    return model


def test_magnitude_masks_by_hand_and_iterative_pruning():
    model = tiny([[0.1, -3.0, 0.5], [2.0, -0.2, 0.05]])
    masks = ai.prune_magnitude(model, 0.5)  # per layer: round(0.5 n) smallest |w| go
    np.testing.assert_array_equal(masks["dense0.W"], [[0, 1, 1], [1, 0, 0]])
    np.testing.assert_array_equal(masks["dense1.W"], [[0], [1], [0]])  # round(1.5) = 2 go
    # 0.5 again prunes half of what is left (iterative pruning), not nothing
    ai.prune_magnitude(model, 0.5)
    np.testing.assert_array_equal(model.layers[0].weight_mask, [[0, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_iterative_magnitude_pruning_is_torch_s(scope):
    """Against torch.nn.utils.prune (l1_unstructured / global_unstructured), whose
    repeated calls also prune a share of the weights still kept."""
    import torch
    from torch.nn.utils import prune

    rng = np.random.default_rng(4)
    model = ai.Sequential([ai.Dense(7, "relu"), ai.Dense(5, "relu"), ai.Dense(2)], seed=0).build(6)
    linears = []
    for layer in model.weighted_layers():
        layer.W[...] = rng.normal(size=layer.W.shape)
        linear = torch.nn.Linear(*layer.W.shape)
        linear.weight.data = torch.tensor(layer.W.T.copy())
        linears.append(linear)
    for amount in (0.2, 0.2, 0.5):
        ai.prune_magnitude(model, amount, scope=scope)
        if scope == "layer":
            for linear in linears:
                prune.l1_unstructured(linear, "weight", amount=amount)
        else:
            prune.global_unstructured(
                [(linear, "weight") for linear in linears], prune.L1Unstructured, amount=amount
            )
        for layer, linear in zip(model.weighted_layers(), linears):
            np.testing.assert_array_equal(layer.weight_mask, linear.weight_mask.numpy().T)


def test_flops_count_weights_biases_activations_batch_norm_and_maxout():
    model = ai.Sequential(
        [
            ai.Dense(4, "tanh"),
            ai.BatchNorm(),
            ai.Maxout(3, pieces=2),
            ai.GatedLinear(2, "swiglu"),
            ai.Dense(1, "sigmoid"),
        ],
        seed=0,
    ).build(5)
    ai.prune_magnitude(model, 0.5, scope="global")
    nonzero = [int(np.count_nonzero(layer.W)) for layer in model.weighted_layers()]
    expected = (
        2 * nonzero[0]
        + 4
        + 4  # dense: weights, biases, tanh per unit
        + 4 * 4  # batch norm: 4 per output
        + 2 * nonzero[1]
        + 6
        + 3 * (2 - 1)  # maxout: 6 biases, one comparison per unit
        + 2 * nonzero[2]
        + 4
        + 2 * 2  # gated: 4 biases, gate and product per unit
        + 2 * nonzero[3]
        + 1
        + 1
    )
    assert ai.size_report(model).flops_per_sample == expected


def test_masks_survive_save_load_and_training(tmp_path):
    X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
    model = ai.Sequential([ai.Dense(8, "relu"), ai.Dense(1, "sigmoid")], seed=0)
    model.fit(X, y, epochs=2)
    masks = ai.prune_magnitude(model, 0.6)
    again = ai.load(model.save(tmp_path / "pruned.npz"))
    np.testing.assert_array_equal(again.layers[0].weight_mask, masks["dense0.W"])
    again.fit(X, y, epochs=3)
    assert np.all(again.layers[0].W[masks["dense0.W"] == 0] == 0)
    assert (
        ai.size_report(again).compressed_bytes
        < ai.size_report(
            ai.Sequential([ai.Dense(8, "relu"), ai.Dense(1, "sigmoid")], seed=0).build(2)
        ).compressed_bytes
        * 2
    )


def test_rewind_is_the_original_draw_bit_for_bit_and_reinit_draws_afresh():
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    model = ai.Sequential(
        [ai.Dense(64, "relu", init="kaiming_normal"), ai.Dense(1, "sigmoid")], seed=3
    ).build(2)
    initial = {name: value.copy() for name, value in model.parameters().items()}
    model.fit(X, y, epochs=3)
    masks = ai.prune_magnitude(model, 0.8)
    ai.rewind(model, initial)
    kept = masks["dense0.W"] == 1
    assert np.array_equal(model.layers[0].W[kept], initial["dense0.W"][kept])  # bit for bit
    assert np.all(model.layers[0].W[~kept] == 0)
    ai.reinitialize(model, seed=11)
    fresh = model.layers[0].W[kept]
    assert not np.allclose(fresh, initial["dense0.W"][kept])
    assert np.all(model.layers[0].W[~kept] == 0)
    # the He draw: std sqrt(2 / fan_in) = 1, here over the kept entries of a 2 x 64 W
    big = ai.Sequential([ai.Dense(400, "relu", init="kaiming_normal")], seed=0).build(200)
    ai.prune_magnitude(big, 0.5)
    ai.reinitialize(big, seed=5)
    kept_values = big.layers[0].W[big.layers[0].weight_mask == 1]
    assert kept_values.std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)


def test_the_scaled_criterion_sees_through_a_rescaled_relu_unit(trained):
    """The audit: rescaling a ReLU unit (in x100, out /100) leaves the function
    unchanged, yet outgoing-norm ranking then drops it; ||w_out|| RMS(h) does not."""
    model, X, y = trained
    rescaled = copy_of(model)
    unit = int(np.argmax(np.linalg.norm(model.layers[1].W, axis=1)))  # an important unit
    rescaled.layers[0].W[:, unit] *= 100
    rescaled.layers[0].b[unit] *= 100
    rescaled.layers[1].W[unit] /= 100
    np.testing.assert_allclose(rescaled.predict_proba(X), model.predict_proba(X), rtol=1e-4)
    by_norm = ai.prune_units(rescaled, 0.5, "weight_norm")
    scaled = ai.prune_units(rescaled, 0.5, "scaled", X=X)
    original = ai.prune_units(model, 0.5, "scaled", X=X)
    np.testing.assert_allclose(scaled.predict_proba(X), original.predict_proba(X), rtol=1e-3)
    assert scaled.evaluate(X, y)["accuracy"] >= by_norm.evaluate(X, y)["accuracy"]


def test_removing_a_constant_unit_folds_it_into_the_bias_exactly():
    X = np.random.default_rng(0).normal(size=(50, 2))
    model = tiny([[1.0, 0.0, 0.3], [0.5, 0.0, -0.7]])
    model.layers[0].b[...] = [0.0, 0.8, 0.0]  # unit 1: relu(0.8) = 0.8 on every input
    model.layers[1].W[1] = 0.01  # tiny outgoing weight: ranked least important
    smaller = ai.prune_units(model, 0.34, "scaled", X=X)  # one of three goes
    assert smaller.layers[0].units == 2
    np.testing.assert_allclose(smaller.predict_proba(X), model.predict_proba(X), rtol=1e-12)


def test_redundant_units_merge_exactly_when_one_is_a_linear_copy():
    X = np.random.default_rng(1).normal(size=(80, 2))
    model = tiny([[1.0, 2.0, 0.3], [0.5, 1.0, -0.7]], activation="linear")
    model.layers[0].b[...] = [0.0, 1.0, 0.0]  # unit 1 = 2 * unit 0 + 1
    smaller = ai.prune_units(model, 0.34, "redundant", X=X)
    assert smaller.layers[0].units == 2
    np.testing.assert_allclose(smaller.predict_proba(X), model.predict_proba(X), rtol=1e-9)


def test_units_prune_through_batch_norm_into_maxout_and_gated_layers():
    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    model = ai.Sequential(
        [
            ai.Dense(8, "prelu(per_unit=True)"),
            ai.BatchNorm(),
            ai.Maxout(6, pieces=3),
            ai.GatedLinear(4, "geglu"),
            ai.Dense(1, "sigmoid"),
        ],
        optimizer="adam(lr=0.01)",
        seed=0,
    )
    model.fit(X, y, epochs=20)
    smaller = ai.prune_units(model, 0.5, "scaled", X=X)
    assert [layer.output_dim for layer in smaller.layers] == [4, 4, 3, 2, 1]
    assert smaller.layers[0].activation.slope.shape == (4,)
    assert smaller.evaluate(X, y)["accuracy"] > 0.6
    with pytest.raises(ValueError, match="give X"):
        ai.prune_units(model, 0.5, "scaled")


def test_the_prune_command_prints_before_and_after(tmp_path):
    from click.testing import CliRunner

    from actinit.cli import main
    from actinit.studies import datasets

    data = datasets.load("moons")
    model = ai.Sequential(
        [ai.Dense(32, "relu"), ai.Dense(32, "relu"), ai.Dense(1, "sigmoid")],
        optimizer="adam(lr=0.01)",
        seed=0,
    )
    model.fit(data.X_train, data.y_train, epochs=30)
    path = model.save(tmp_path / "model.npz")
    args = ["prune", str(path), "--amount", "0.8", "--rounds", "2", "--fine-tune", "3"]
    result = CliRunner().invoke(
        main, [*args, "--data", "moons", "-o", str(tmp_path / "p.npz")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    pruned = ai.load(tmp_path / "p.npz")
    report = ai.size_report(pruned)
    assert report.remaining == pytest.approx(0.2, abs=0.01)  # 1 - 0.8, in two rounds
    for words in ("test accuracy", "non-zero weights", "FLOPs per sample", "saved size"):
        assert words in result.output
    assert f"{report.nonzero_weights:,}" in result.output
    units = CliRunner().invoke(
        main,
        [
            "prune",
            str(path),
            "--method",
            "units-scaled",
            "--amount",
            "0.5",
            "-o",
            str(tmp_path / "u.npz"),
        ],
    )
    assert units.exit_code != 0 and "needs data" in units.output


def test_unit_criteria_keep_the_units_computed_by_hand():
    """2-3-1 linear network on four inputs: unit 0 has the smallest outgoing weight,
    unit 1 the smallest activations, unit 2 the smallest product of the two."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    model = tiny([[3.0, 0.1, 0.5], [3.0, 0.1, 0.5]], activation="linear")
    model.layers[1].W[...] = [[0.2], [5.0], [0.8]]
    h = X @ model.layers[0].W  # each unit j gives +-w_j: mean |h| = RMS = 3, 0.1, 0.5
    outgoing = np.abs(model.layers[1].W[:, 0])
    expected = {
        "weight_norm": np.argmin(outgoing),  # 0.2 -> unit 0
        "mean_activation": np.argmin(np.abs(h).mean(axis=0)),  # unit 1
        "scaled": np.argmin(outgoing * np.sqrt((h**2).mean(axis=0))),  # 0.6, 0.5, 0.4
    }
    assert expected == {"weight_norm": 0, "mean_activation": 1, "scaled": 2}
    for criterion, gone in expected.items():
        smaller = ai.prune_units(model, 0.34, criterion, X=X)
        kept = [u for u in range(3) if u != gone]
        np.testing.assert_array_equal(smaller.layers[0].W, model.layers[0].W[:, kept])
        np.testing.assert_array_equal(smaller.layers[1].W, model.layers[1].W[kept])
