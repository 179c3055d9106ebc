"""scikit-learn estimators over actinit's engine: :class:`NetClassifier` and
:class:`NetRegressor`.

They take the names used everywhere in actinit (``hidden``, ``activation``, ``init``,
``optimizer``, ``learning_rate``, ``epochs``, ``batch_size``, ``l2``, ``seed``), with
names and parametrised strings (``"leaky_relu(0.1)"``, ``"random_normal(std=10)"``), and
work in ``Pipeline``, ``GridSearchCV``, ``cross_val_score``, ``clone`` and pickle. A
fitted network is ``estimator.model_`` (a :class:`actinit.Sequential`); saving it to a
file stays actinit's own ``.npz`` format (``estimator.model_.save(path)``).

>>> from actinit.sklearn import NetClassifier
>>> NetClassifier(hidden=(12, 6), activation="relu", init="he_normal").fit(X, y).score(X, y)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .engine import Dense, Sequential, optimizers
from .engine.layers import affine_layer


class _Net(BaseEstimator):
    """What both estimators share: the parameters and the network they build."""

    def __init__(
        self,
        hidden: tuple[int, ...] = (16,),
        activation: str = "relu",
        init: str = "auto",
        optimizer: str = "adam",
        learning_rate: float = 0.01,
        epochs: int = 200,
        batch_size: int | None = 32,
        l2: float = 0.0,
        seed: int | None = 0,
    ) -> None:
        self.hidden = hidden
        self.activation = activation
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.l2 = l2
        self.seed = seed

    def _network(self, outputs: int, output_activation: str) -> Sequential:
        """The network these parameters describe, checked here (at fit, as scikit-learn
        asks: constructors only store their arguments)."""
        hidden = (self.hidden,) if isinstance(self.hidden, int) else tuple(self.hidden)
        if any(not isinstance(u, (int, np.integer)) or u < 1 for u in hidden):
            raise ValueError(f"hidden is a tuple of positive layer sizes, got {self.hidden!r}")
        if not (isinstance(self.l2, (int, float)) and np.isfinite(self.l2) and self.l2 >= 0):
            raise ValueError(f"l2 must be a finite number >= 0, got {self.l2!r}")
        optimizer = optimizers.get(self.optimizer)
        optimizer = optimizers.get(
            {"name": optimizer.name, **optimizer.config(), "lr": self.learning_rate}
        )
        layers = [affine_layer(units, self.activation, init=self.init) for units in hidden]
        layers.append(Dense(outputs, output_activation, init="glorot_uniform"))
        return Sequential(
            layers,
            optimizer=optimizer,
            seed=self.seed,
            regularizer=f"l2({self.l2!r})" if self.l2 else None,
            dtype="float64",
        )

    def _train(self, model: Sequential, X: np.ndarray, y: np.ndarray) -> None:
        history = model.fit(X, y, epochs=self.epochs, batch_size=self.batch_size)
        self.model_ = model
        self.loss_curve_ = list(history.history.get("loss", []))
        broken = [
            name for name, value in model.parameters().items() if not np.isfinite(value).all()
        ]
        if history.diverged or broken:
            where = f" at epoch {history.diverged_epoch}" if history.diverged else ""
            warnings.warn(
                f"{type(self).__name__}: training produced values that are not finite{where}"
                f"{' (in ' + ', '.join(broken[:3]) + ')' if broken else ''}; its predictions "
                "mean nothing. Scale the inputs (e.g. StandardScaler), or use a smaller "
                "initializer or learning rate",
                RuntimeWarning,
                stacklevel=3,
            )


class NetClassifier(ClassifierMixin, _Net):
    """A feedforward network classifier trained by actinit's engine: hidden layers of
    ``activation`` with weights from ``init`` (``"auto"``: the activation's recommended
    initializer), a sigmoid output for two classes or softmax for more, cross-entropy.

    Attributes after fit: ``classes_``, ``n_features_in_``, ``model_``."""

    def fit(self, X: Any, y: Any) -> NetClassifier:
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"NetClassifier needs at least 2 classes in y; got one class ({self.classes_[0]!r})"
            )
        binary = len(self.classes_) == 2
        model = self._network(
            1 if binary else len(self.classes_), "sigmoid" if binary else "softmax"
        )
        self._train(model, X, encoded)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class, shape (n_samples, n_classes), in ``classes_``
        order (two columns for a binary task, as scikit-learn)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        probabilities = self.model_.predict_proba(X)
        if probabilities.ndim == 1 or probabilities.shape[1] == 1:
            positive = probabilities.reshape(-1)
            probabilities = np.column_stack([1 - positive, positive])
        return probabilities

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class NetRegressor(RegressorMixin, _Net):
    """A feedforward network regressor trained by actinit's engine: hidden layers as
    :class:`NetClassifier`, a linear output (one unit per target), mean squared error.

    Attributes after fit: ``n_features_in_``, ``model_``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # one output unit per target column
        return tags

    def fit(self, X: Any, y: Any) -> NetRegressor:
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._single_output = y.ndim == 1
        targets = y.reshape(len(y), -1)
        self._train(self._network(targets.shape[1], "linear"), X, targets)
        return self

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        output = self.model_.predict_output(X)
        return output.reshape(-1) if self._single_output else output
