"""Losses: the mean over samples of a per-sample loss, and its gradient.

Shapes: the network output is ``(n_samples, n_outputs)``. Targets are prepared once
by :meth:`Loss.targets`, which validates the labels a user gives and converts them:

* binary cross-entropy: labels 0/1, shape ``(n,)`` or ``(n, n_outputs)`` -> float
  ``(n, n_outputs)``;
* categorical cross-entropy: class ids ``(n,)`` in [0, k) -> int ``(n,)``, or one-hot
  or probability rows ``(n, k)`` (exact one-hot rows become ids);
* mean squared error: floats ``(n,)`` or ``(n, n_outputs)`` -> float ``(n, n_outputs)``.

When the output activation is the loss's natural partner (sigmoid for binary
cross-entropy, softmax for categorical cross-entropy) the two are fused: the loss
is computed from the pre-activation ``z`` (the logits) with a stable formula, and
the gradient with respect to ``z`` is simply (p - y) / n.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .registry import Configurable, Registry


class LabelError(ValueError):
    """Labels that do not fit the network's output."""


class Loss(Configurable):
    """Base class. ``fused_activation`` names the output activation it fuses with."""

    fused_activation: str | None = None
    is_classification: bool = True

    def targets(self, y: Any, n_outputs: int, dtype: np.dtype) -> np.ndarray:
        raise NotImplementedError

    # From the output of the network, y_pred = f(z).
    def per_sample(self, y_pred: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Loss of each sample, shape ``(n,)``."""
        raise NotImplementedError

    def gradient(self, y_pred: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """d(mean loss) / d y_pred, shape of ``y_pred``."""
        raise NotImplementedError

    # From the logits z, when fused with the output activation.
    def per_sample_from_logits(self, z: np.ndarray, targets: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def fused_forward(self, z: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
        """The output activation and the summed per-sample loss from the logits ``z`` in
        one pass, sharing the exponentials: ``(probabilities, sum of losses)``."""
        raise NotImplementedError

    def logit_gradient(self, y_pred: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """d(mean loss) / dz for the fused pair, given the probabilities y_pred = f(z).
        Overwrites and returns ``y_pred``."""
        raise NotImplementedError

    def correct(self, y_pred: np.ndarray, targets: np.ndarray) -> int:
        """Number of correctly classified samples."""
        raise NotImplementedError

    def predicted_class(self, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def output_units(self, n_classes: int) -> int:
        """Units the output layer needs for ``n_classes`` classes (0 for regression:
        one target column)."""
        return n_classes if n_classes > 2 else 1


LOSSES: Registry[Loss] = Registry("loss", Loss)


def get(identifier: Any) -> Loss:
    """A loss from a name, a ``"name(args)"`` string, a dict or a Loss object."""
    return LOSSES.get(identifier)


def names() -> list[str]:
    """The registered losses' canonical names."""
    return LOSSES.names()


def for_output(activation: str) -> Loss:
    """The loss that goes with an output activation: binary cross-entropy after a
    sigmoid, categorical cross-entropy after a softmax, mean squared error otherwise."""
    name = activation.split("(")[0].strip()
    for loss_name in names():
        if get(loss_name).fused_activation == name:
            return get(loss_name)
    return get("mean_squared_error")


def _as_columns(y: Any, n_outputs: int, hint: str) -> np.ndarray:
    """Targets as ``(n, n_outputs)``: a vector becomes one column; ``hint`` says what to
    do when the columns do not match the output layer."""
    array = _check_targets_array(y)
    if array.ndim == 1:
        array = array[:, None]
    if array.shape[1] != n_outputs:
        raise LabelError(
            f"targets have {array.shape[1]} column(s) but the output layer has {n_outputs} "
            f"unit(s); {hint}"
        )
    return array


def _check_targets_array(y: Any) -> np.ndarray:
    array = np.asarray(y)
    if array.dtype.kind not in "biuf":
        raise LabelError(f"labels must be numbers, got dtype {array.dtype}")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise LabelError("labels contain NaN or infinity; remove or fill those samples")
    if array.ndim not in (1, 2):
        raise LabelError(f"labels must be 1-D (n,) or 2-D (n, k), got shape {array.shape}")
    return array


@LOSSES.register("binary_crossentropy", "bce", "log_loss", "binary_cross_entropy")
@dataclass(eq=False)
class BinaryCrossentropy(Loss):
    """L = -[y log p + (1 - y) log(1 - p)], averaged over samples and outputs.

    Fused with a sigmoid output it is computed from the logit z as
    max(z, 0) - z y + log(1 + e^-|z|), which never takes log(0). Otherwise the
    probabilities are clipped to [eps, 1 - eps], eps = 1e-7 (as Keras).
    """

    fused_activation = "sigmoid"

    def output_units(self, n_classes):
        if n_classes > 2:
            raise LabelError(
                f"binary cross-entropy takes 2 classes; the data has {n_classes}: use a "
                "softmax output with categorical cross-entropy"
            )
        return 1

    EPSILON = 1e-7

    def targets(self, y, n_outputs, dtype):
        array = _as_columns(
            y, n_outputs, "for k classes use a softmax output with categorical_crossentropy"
        )
        if ((array < 0) | (array > 1)).any():
            values = np.unique(array)
            raise LabelError(
                f"binary labels must be 0 or 1 (or probabilities in [0, 1]); got values "
                f"{values[:10].tolist()}. For more than two classes use a softmax output with "
                "as many units as classes and categorical_crossentropy"
            )
        return np.ascontiguousarray(array, dtype=dtype)

    def per_sample(self, y_pred, targets):
        p = np.clip(y_pred, self.EPSILON, 1 - self.EPSILON)
        return -(targets * np.log(p) + (1 - targets) * np.log1p(-p)).mean(axis=1)

    def gradient(self, y_pred, targets):
        p = np.clip(y_pred, self.EPSILON, 1 - self.EPSILON)
        return (p - targets) / (p * (1 - p)) / targets.size

    def per_sample_from_logits(self, z, targets):
        return (np.maximum(z, 0) - z * targets + np.log1p(np.exp(-np.abs(z)))).mean(axis=1)

    def fused_forward(self, z, targets):
        exp_neg_abs = np.exp(-np.abs(z))
        probabilities = np.where(z >= 0, 1.0, exp_neg_abs).astype(z.dtype, copy=False)
        probabilities /= 1 + exp_neg_abs
        losses = np.maximum(z, 0) - z * targets + np.log1p(exp_neg_abs)
        return probabilities, float(losses.sum()) / targets.shape[1]

    def logit_gradient(self, y_pred, targets):
        y_pred -= targets
        y_pred *= 1.0 / targets.size
        return y_pred

    def correct(self, y_pred, targets):
        return int(np.count_nonzero((y_pred >= 0.5) == (targets >= 0.5)))

    def predicted_class(self, y_pred):
        return (
            (y_pred >= 0.5).astype(np.int64).squeeze(axis=1)
            if y_pred.shape[1] == 1
            else (y_pred >= 0.5).astype(np.int64)
        )


@LOSSES.register(
    "categorical_crossentropy", "cce", "cross_entropy", "sparse_categorical_crossentropy"
)
@dataclass(eq=False)
class CategoricalCrossentropy(Loss):
    """L = -sum_k y_k log p_k, averaged over samples (torch ``CrossEntropyLoss``).

    Fused with softmax it is computed from the logits as logsumexp(z) - z_y, and
    its gradient with respect to z is (p - y) / n. Without softmax the
    probabilities are clipped to [1e-7, 1] (as Keras).
    """

    fused_activation = "softmax"

    def output_units(self, n_classes):
        return max(n_classes, 2)

    EPSILON = 1e-7

    def targets(self, y, n_outputs, dtype):
        array = _check_targets_array(y)
        if array.ndim == 2:
            if array.shape[1] != n_outputs:
                raise LabelError(
                    f"one-hot labels have {array.shape[1]} columns but the output layer has "
                    f"{n_outputs} units; make them equal"
                )
            if ((array < 0) | (array > 1)).any() or not np.allclose(array.sum(axis=1), 1):
                raise LabelError("2-D labels must be one-hot rows (or probabilities summing to 1)")
            if np.isin(array, (0, 1)).all():
                return array.argmax(axis=1).astype(np.intp)
            return np.ascontiguousarray(array, dtype=dtype)
        if array.dtype.kind == "f":
            if not np.array_equal(array, np.round(array)):
                raise LabelError("class labels must be whole numbers (class ids 0 .. k-1)")
        ids = array.astype(np.intp)
        if ids.size and (ids.min() < 0 or ids.max() >= n_outputs):
            raise LabelError(
                f"class ids must lie in [0, {n_outputs - 1}] for an output layer of {n_outputs} "
                f"units; got ids from {ids.min()} to {ids.max()}. Give the last layer as many "
                "units as there are classes"
            )
        return ids

    def _one_hot(self, targets, shape, dtype):
        if targets.ndim == 2:
            return targets
        one_hot = np.zeros(shape, dtype=dtype)
        one_hot[np.arange(shape[0]), targets] = 1
        return one_hot

    def per_sample(self, y_pred, targets):
        log_p = np.log(np.clip(y_pred, self.EPSILON, 1.0))
        if targets.ndim == 1:
            return -log_p[np.arange(len(targets)), targets]
        return -(targets * log_p).sum(axis=1)

    def gradient(self, y_pred, targets):
        one_hot = self._one_hot(targets, y_pred.shape, y_pred.dtype)
        return -one_hot / np.clip(y_pred, self.EPSILON, 1.0) / len(y_pred)

    def per_sample_from_logits(self, z, targets):
        shift = z.max(axis=1, keepdims=True)
        log_sum_exp = np.log(np.exp(z - shift).sum(axis=1)) + shift[:, 0]
        if targets.ndim == 1:
            return log_sum_exp - z[np.arange(len(targets)), targets]
        return log_sum_exp - (targets * z).sum(axis=1)

    def fused_forward(self, z, targets):
        shifted = z - z.max(axis=1, keepdims=True)
        probabilities = np.exp(shifted)
        total = probabilities.sum(axis=1, keepdims=True)
        probabilities /= total
        log_total = float(np.log(total).sum())
        if targets.ndim == 1:
            return probabilities, log_total - float(shifted[np.arange(len(z)), targets].sum())
        return probabilities, log_total - float((targets * shifted).sum())

    def logit_gradient(self, y_pred, targets):
        if targets.ndim == 1:
            y_pred[np.arange(len(y_pred)), targets] -= 1
        else:
            y_pred -= targets
        y_pred *= 1.0 / len(y_pred)
        return y_pred

    def correct(self, y_pred, targets):
        truth = targets if targets.ndim == 1 else targets.argmax(axis=1)
        return int(np.count_nonzero(y_pred.argmax(axis=1) == truth))

    def predicted_class(self, y_pred):
        return y_pred.argmax(axis=1)


@LOSSES.register("mean_squared_error", "mse", "squared_error")
@dataclass(eq=False)
class MeanSquaredError(Loss):
    """L = mean_k (y_pred_k - y_k)^2, averaged over samples (torch ``MSELoss``)."""

    is_classification = False

    def targets(self, y, n_outputs, dtype):
        array = _as_columns(y, n_outputs, "make them equal")
        return np.ascontiguousarray(array, dtype=dtype)

    def per_sample(self, y_pred, targets):
        return np.square(y_pred - targets).mean(axis=1)

    def gradient(self, y_pred, targets):
        return (2.0 / targets.size) * (y_pred - targets)
