"""One page's experiment: its data, its network, and what the page is shown of it."""

from __future__ import annotations

import base64
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import Dense, Dropout, Recording, Sequential, diagnose
from ..engine.recording import LAYER_STATS, layer_statistics, weighted_layers
from ..viz.boundaries import feature_layer_index
from .settings import LIMITS, OUTPUT_ACTIVATION, OUTPUT_INIT, Settings

BOUNDARY_RESOLUTION = 50
FEATURE_RESOLUTION = 30
UNIT_RESOLUTION = 16
MAX_UNIT_MAPS = 32


def _rounded(values: np.ndarray, digits: int = 4) -> list:
    return np.round(
        np.nan_to_num(values.astype(float), nan=0.0, posinf=1e9, neginf=-1e9), digits
    ).tolist()


class Session:
    """Trains ``settings``' network in chunks and describes it for the page."""

    def __init__(self, settings: Settings, request_id: int | str | None = None) -> None:
        self.settings = settings
        self.request_id = request_id
        self.data = settings.load_data()
        layers = []
        for units in settings.hidden:
            layers.append(Dense(units, settings.activation, init=settings.init))
            if settings.dropout:
                layers.append(Dropout(settings.dropout))
        layers.append(Dense(1, OUTPUT_ACTIVATION, init=OUTPUT_INIT))
        self.model = Sequential(
            layers,
            loss="binary_crossentropy",
            optimizer=settings.optimizer_spec(),
            seed=settings.seed,
            regularizer=settings.regularizer_spec(),
        )
        self.model.build(2)
        self.epoch = 0
        self.diverged = False
        self.history: dict[str, list[float]] = {
            k: [] for k in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
        }
        self._stats: dict[str, list[list[float]]] = {name: [] for name in LAYER_STATS}
        self._epochs: list[int] = []
        self._previous = [layer.W.copy() for layer in weighted_layers(self.model)]
        X = np.concatenate([self.data.X_train, self.data.X_test])
        low, high = X.min(axis=0), X.max(axis=0)
        pad = (high - low) * 0.1 + 1e-6
        self.bounds = [
            float(low[0] - pad[0]),
            float(high[0] + pad[0]),
            float(low[1] - pad[1]),
            float(high[1] + pad[1]),
        ]
        xs = np.linspace(self.bounds[0], self.bounds[1], BOUNDARY_RESOLUTION)
        ys = np.linspace(self.bounds[2], self.bounds[3], BOUNDARY_RESOLUTION)
        gx, gy = np.meshgrid(xs, ys)
        self._grid = np.column_stack([gx.ravel(), gy.ravel()])
        ux, uy = np.meshgrid(
            np.linspace(self.bounds[0], self.bounds[1], UNIT_RESOLUTION),
            np.linspace(self.bounds[2], self.bounds[3], UNIT_RESOLUTION),
        )
        self._unit_grid = np.column_stack([ux.ravel(), uy.ravel()])
        self._measure()

    @property
    def batch_size(self) -> int | None:
        return self.settings.batch_size or None

    @property
    def finished(self) -> bool:
        return self.diverged or self.epoch >= LIMITS["epochs"]

    def train(self, epochs: int) -> float:
        """Train ``epochs`` more epochs (bounded by the session limit); returns seconds."""
        started = time.perf_counter()
        epochs = min(epochs, LIMITS["epochs"] - self.epoch)
        if epochs <= 0 or self.diverged:
            return 0.0
        history = self.model.fit(
            self.data.X_train, self.data.y_train, epochs=epochs, batch_size=self.batch_size
        )
        self.epoch += len(history.epochs)
        self.diverged = history.diverged
        self._measure()
        return time.perf_counter() - started

    def _measure(self) -> None:
        train = self.model.evaluate(self.data.X_train, self.data.y_train)
        test = self.model.evaluate(self.data.X_test, self.data.y_test)
        for prefix, metrics in (("train", train), ("test", test)):
            self.history[f"{prefix}_loss"].append(metrics["loss"])
            self.history[f"{prefix}_accuracy"].append(metrics["accuracy"])
        row = layer_statistics(self.model, self.data.X_train, self.data.y_train, self._previous)
        self._previous = [layer.W.copy() for layer in weighted_layers(self.model)]
        for name in LAYER_STATS:
            self._stats[name].append(row[name])
        self._epochs.append(self.epoch)
        self.last_row = row

    def recording(self) -> Recording:
        """What has been measured so far, in the form ``diagnose`` reads."""
        loss = np.array([math.nan, *self.history["train_loss"][1:]])
        return Recording(
            layer_names=[layer.name for layer in weighted_layers(self.model)],
            activations=[layer.activation.spec() for layer in weighted_layers(self.model)],
            epochs=np.array(self._epochs),
            stats={k: np.array(v, dtype=float) for k, v in self._stats.items()},
            metrics={"loss": loss},
            snapshot_epochs=np.array([self.epoch]),
            snapshots={k: v[None] for k, v in self.model.parameters().items()},
        )

    # -- what the page is shown ----------------------------------------------
    def ready_message(self) -> dict[str, Any]:
        return {
            **self.update_message(),
            "type": "ready",
            "settings": self.settings.to_dict(),
            "query": self.settings.query(),
            "bounds": self.bounds,
            "train": {"x": _rounded(self.data.X_train), "y": self.data.y_train.tolist()},
            "test": {"x": _rounded(self.data.X_test), "y": self.data.y_test.tolist()},
            "layer_sizes": [layer.output_dim for layer in weighted_layers(self.model)],
            "resolution": BOUNDARY_RESOLUTION,
        }

    def update_message(self) -> dict[str, Any]:
        output = self.model.predict_output(self._grid)[:, 0]
        message: dict[str, Any] = {
            "type": "update",
            "id": self.request_id,
            "epoch": self.epoch,
            "diverged": self.diverged,
            "finished": self.finished,
            "metrics": {key: values[-1] for key, values in self.history.items()},
            "boundary": _rounded(output, 3),
            "layers": [
                {
                    "grad_norm": self.last_row["grad_norm"][i],
                    "saturated": self.last_row["saturated"][i],
                    "dead": self.last_row["dead"][i],
                    "act_std": self.last_row["act_std"][i],
                }
                for i in range(len(self.last_row["grad_norm"]))
            ],
            "diagnosis": [
                {"kind": f.kind, "severity": f.severity, "message": f.message}
                for f in diagnose(self.recording())
            ],
        }
        for key, value in message["metrics"].items():
            if not math.isfinite(value):
                message["metrics"][key] = None
        features = self._feature_space()
        if features:
            message["feature_space"] = features
        units = self._unit_maps()
        if units:
            message["units"] = units
        return message

    def _feature_space(self) -> dict[str, Any] | None:
        try:
            index = feature_layer_index(self.model)
        except ValueError:
            return None
        hidden = self.model.forward_layers(self.data.X_train, stop=index + 1)
        low, high = hidden.min(axis=0), hidden.max(axis=0)
        pad = (high - low) * 0.15 + 1e-3
        box = [
            float(low[0] - pad[0]),
            float(high[0] + pad[0]),
            float(low[1] - pad[1]),
            float(high[1] + pad[1]),
        ]
        fx, fy = np.meshgrid(
            np.linspace(box[0], box[1], FEATURE_RESOLUTION),
            np.linspace(box[2], box[3], FEATURE_RESOLUTION),
        )
        grid = np.column_stack([fx.ravel(), fy.ravel()])
        output = self.model.forward_layers(grid, start=index + 1)[:, 0]
        return {
            "layer": index + 1,
            "box": box,
            "points": _rounded(hidden, 3),
            "grid": _rounded(output, 3),
            "resolution": FEATURE_RESOLUTION,
        }

    def _unit_maps(self) -> list[list[list[float]]] | None:
        if sum(self.settings.hidden) > MAX_UNIT_MAPS:
            return None
        maps = []
        output = np.ascontiguousarray(self._unit_grid, dtype=self.model.dtype)
        with np.errstate(all="ignore"):
            for layer in self.model.layers[:-1]:
                output = layer.forward(output, False, None)
                if not isinstance(layer, Dense):
                    continue
                scale = np.abs(output).max(axis=0)
                scale[scale == 0] = 1
                maps.append([_rounded(output[:, j] / scale[j], 2) for j in range(output.shape[1])])
        return maps

    def model_bytes(self) -> str:
        """The trained model as a base64 ``.npz`` (actinit's save format)."""
        with tempfile.TemporaryDirectory() as folder:
            path = self.model.save(Path(folder) / "playground-model.npz")
            return base64.b64encode(path.read_bytes()).decode()
