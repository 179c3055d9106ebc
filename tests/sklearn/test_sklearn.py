"""actinit's estimators in scikit-learn: its own estimator checks, pipelines, grid
search over activation x initializer, cross-validation, clone and pickle (issue "Where
its users already work")."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_moons, make_regression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks

from actinit.engine.registry import SpecError
from actinit.sklearn import NetClassifier, NetRegressor


@parametrize_with_checks([NetClassifier(epochs=50), NetRegressor(epochs=50)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_the_only_skipped_check_is_named_with_its_reason():
    for estimator in (NetClassifier(epochs=20), NetRegressor(epochs=20)):
        results = check_estimator(estimator, on_fail=None)
        skipped = {
            r["check_name"]: str(r["exception"]) for r in results if r["status"] == "skipped"
        }
        # array API input is checked only with SCIPY_ARRAY_API=1; actinit is NumPy only
        assert set(skipped) <= {"check_array_api_input"}, skipped
        assert all(r["status"] != "failed" for r in results)


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=200, noise=0.2, random_state=0)


def test_grid_search_over_activation_and_initializer_in_a_pipeline(moons):
    X, y = moons
    pipeline = make_pipeline(StandardScaler(), NetClassifier(hidden=(12, 6), epochs=60))
    grid = GridSearchCV(
        pipeline,
        {
            "netclassifier__activation": ["relu", "tanh", "leaky_relu(0.1)"],
            "netclassifier__init": ["zeros", "he_normal", "random_normal(std=1)"],
        },
        cv=3,
    )
    grid.fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 9 and grid.best_score_ > 0.9
    assert grid.best_params_["netclassifier__init"] != "zeros"
    zeros = [
        s for s, p in zip(scores, grid.cv_results_["params"]) if p["netclassifier__init"] == "zeros"
    ]
    assert max(zeros) < 0.9  # zero init never breaks symmetry


def test_cross_val_score_clone_and_pickle(moons):
    X, y = moons
    estimator = NetClassifier(hidden=(8,), activation="tanh", init="xavier_normal", epochs=80)
    assert cross_val_score(estimator, X, y, cv=3).mean() > 0.8
    fitted = clone(estimator).fit(X, y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    assert fitted.predict_proba(X).shape == (len(X), 2)
    assert set(fitted.classes_) == {0, 1} and fitted.n_features_in_ == 2


def test_string_labels_and_the_same_seed_repeats(moons):
    X, y = moons
    labels = np.array(["no", "yes"])[y]
    first = NetClassifier(epochs=30, seed=3).fit(X, labels)
    second = NetClassifier(epochs=30, seed=3).fit(X, labels)
    assert set(first.predict(X)) <= {"no", "yes"}
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_regressor_learns_a_linear_target():
    X, y = make_regression(n_samples=200, n_features=3, noise=1.0, random_state=0)
    model = make_pipeline(
        StandardScaler(), NetRegressor(hidden=(16,), activation="relu", epochs=300)
    )
    y_scaled = (y - y.mean()) / y.std()
    assert model.fit(X, y_scaled).score(X, y_scaled) > 0.95


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"activation": "rellu"}, "relu"),
        ({"init": "he_nromal"}, "he_normal"),
        ({"hidden": (4, 0)}, "positive layer sizes"),
        ({"l2": -1.0}, "l2 must be"),
        ({"optimizer": "adamm"}, "adam"),
    ],
)
def test_bad_parameters_are_refused_at_fit(moons, params, expected):
    X, y = moons
    with pytest.raises((ValueError, SpecError), match=expected):
        NetClassifier(epochs=1, **params).fit(X, y)


@pytest.mark.parametrize(
    "estimator, scale",
    [
        (lambda: NetRegressor(epochs=5), 1e300),
        (lambda: NetClassifier(epochs=5, init="random_normal(std=1e9)"), 1e300),
    ],
)
def test_training_that_breaks_down_warns_instead_of_predicting_nothing_silently(estimator, scale):
    """NetRegressor on X x 1e300 predicted [nan, nan], and a classifier of huge weights
    all zeros, silently (1e308 weights are refused at the door now: beyond 1e9)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.warns(RuntimeWarning, match="not finite.*Scale the inputs"):
        estimator().fit(X * scale, y)
