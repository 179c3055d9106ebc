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
    smaller = ai.prune_units(model, 0.25)
    assert [layer.output_dim for layer in smaller.layers] == [24, 12, 1]
    assert smaller.count_parameters() < model.count_parameters()
    # Removing nothing gives back exactly the same network.
    same = ai.prune_units(model, 0.0)
    np.testing.assert_array_equal(same.predict_proba(X), model.predict_proba(X))
    assert smaller.evaluate(X, y)["accuracy"] > model.evaluate(X, y)["accuracy"] - 0.1
