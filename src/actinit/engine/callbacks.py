"""Callbacks on ``fit``: hooks called at the start and end of training, of each epoch
and (for callbacks that define :meth:`Callback.on_batch_end`) after each batch.

``logs`` is the dict of the epoch's metrics: ``loss``, ``accuracy`` and, with
validation data, ``val_loss`` and ``val_accuracy``. A callback stops training by
setting ``model.stop_training = True``.
"""

from __future__ import annotations

import math
import sys
from typing import Any, TextIO


class Callback:
    """Base class. ``fit`` sets ``model`` and ``params`` (epochs, batch_size, samples)
    before ``on_train_begin``."""

    model: Any = None
    params: dict[str, int] = {}  # replaced per fit, never mutated

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_train_begin(self) -> None:
        pass

    def on_epoch_begin(self, epoch: int) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        pass

    def on_batch_end(self, batch: int) -> None:
        """After each update, ``batch`` counting from 0 within the epoch. Called only
        for callbacks that override it: the others cost nothing per batch."""

    def on_train_end(self) -> None:
        pass


class CallbackList:
    """Several callbacks called as one, in order."""

    def __init__(self, callbacks, model: Any, params: dict[str, int]) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.params = params
        #: The callbacks that act after each batch (None when none does).
        self.batch_listeners = [
            c for c in self.callbacks if type(c).on_batch_end is not Callback.on_batch_end
        ] or None

    def on_train_begin(self) -> None:
        for callback in self.callbacks:
            callback.on_train_begin()

    def on_epoch_begin(self, epoch: int) -> None:
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_batch_end(self, batch: int) -> None:
        for callback in self.batch_listeners or ():
            callback.on_batch_end(batch)

    def on_train_end(self) -> None:
        for callback in self.callbacks:
            callback.on_train_end()


class History(Callback):
    """Per-epoch metrics: ``history.history["loss"]`` is a list with one value per epoch.

    ``diverged`` is True when the loss became NaN or infinite (training stops there,
    at ``diverged_epoch``); ``stopped_epoch`` is set when a callback stopped it early.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epochs: list[int] = []
        #: The epochs (1-based) whose logs hold validation figures.
        self.val_epochs: list[int] = []
        self.diverged = False
        self.diverged_epoch: int | None = None
        self.stopped_epoch: int | None = None

    def on_epoch_end(self, epoch, logs):
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def last(self, key: str, default: float = math.nan) -> float:
        values = self.history.get(key)
        return values[-1] if values else default

    def to_dict(self) -> dict[str, Any]:
        return {
            "epochs": list(self.epochs),
            "metrics": {key: list(values) for key, values in self.history.items()},
            "diverged": self.diverged,
            "diverged_epoch": self.diverged_epoch,
            "stopped_epoch": self.stopped_epoch,
        }


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs (Keras's rule). ``mode`` is "min", "max" or "auto"
    (max for accuracies). With ``restore_best_weights`` the parameters of the best
    epoch are put back at the end."""

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = abs(min_delta)
        self.maximize = mode == "max" or (mode == "auto" and "acc" in monitor)
        self.restore_best_weights = restore_best_weights
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None

    def on_train_begin(self):
        self.best = -math.inf if self.maximize else math.inf
        self.wait = 0
        self.best_weights = None

    def _improved(self, value: float) -> bool:
        if self.maximize:
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta

    def on_epoch_end(self, epoch, logs):
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, which is not among the metrics "
                f"{sorted(logs)}; pass validation_data to fit or monitor 'loss'"
            )
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = {k: v.copy() for k, v in self.model.parameters().items()}
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self):
        if self.restore_best_weights and self.best_weights is not None:
            for name, value in self.model.parameters().items():
                value[...] = self.best_weights[name]


class ProgressPrinter(Callback):
    """Prints one line per epoch (``fit(verbose=1)``)."""

    def __init__(self, epochs: int, stream: TextIO | None = None) -> None:
        self.epochs = epochs
        self.stream = stream or sys.stdout

    def on_epoch_end(self, epoch, logs):
        metrics = "  ".join(f"{key}={value:.4f}" for key, value in logs.items())
        print(f"epoch {epoch + 1}/{self.epochs}  {metrics}", file=self.stream)


class LambdaCallback(Callback):
    """A callback from a plain function ``on_epoch_end(epoch, logs)``."""

    def __init__(self, on_epoch_end) -> None:
        self._on_epoch_end = on_epoch_end

    def on_epoch_end(self, epoch, logs):
        self._on_epoch_end(epoch, logs)
