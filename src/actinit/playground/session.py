"""One page's experiment: its data, its network, and what the page is shown of it.

The network is the one :func:`~actinit.studies.config.build_model` makes from the
settings' :class:`~actinit.studies.config.RunConfig` (what ``actinit run`` trains on
the exported study); per-layer statistics come from the engine's
:class:`~actinit.engine.Recorder`, measured after every chunk of training.
"""

from __future__ import annotations

import base64
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import Recorder
from ..engine.model import quiet_floats
from ..engine.recording import plane_grid
from ..studies.config import dataset_for, model_for
from ..studies.diagnosis import diagnose
from ..studies.study import write_study
from .settings import DEFAULT_EXPORT_EPOCHS, MAX_EPOCHS, Settings

BOUNDARY_RESOLUTION = 50
FEATURE_RESOLUTION = 30
UNIT_RESOLUTION = 16
MAX_UNIT_MAPS = 32


def rounded(values: np.ndarray, digits: int = 4) -> list:
    """Values for JSON: rounded, NaN as None, infinities clipped to +-1e9."""
    array = np.round(np.clip(values.astype(float), -1e9, 1e9), digits)
    return np.where(np.isnan(array), None, array).tolist()


def finite_or_none(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


class Session:
    """Trains ``settings``' network in chunks and describes it for the page."""

    def __init__(self, settings: Settings, request_id: int | str | None = None) -> None:
        self.settings = settings
        self.request_id = request_id
        self.config = settings.run_config()
        self.data = dataset_for(self.config, 0)
        self.model = model_for(self.config, self.data, 0)
        self.epoch = 0
        self.diverged = False
        self.history: dict[str, list[float]] = {
            k: [] for k in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
        }
        self.recorder = Recorder(self.data.X_train, self.data.y_train, max_traced=0)
        points = np.concatenate([self.data.X_train, self.data.X_test])
        gx, gy, self._grid = plane_grid(points, BOUNDARY_RESOLUTION)
        self.bounds = [float(gx.min()), float(gx.max()), float(gy.min()), float(gy.max())]
        self._unit_grid = plane_grid(points, UNIT_RESOLUTION)[2]
        self.recorder.start(self.model)
        self._evaluate()

    @property
    def batch_size(self) -> int | None:
        return self.config.batch_size

    @property
    def finished(self) -> bool:
        return self.diverged or self.epoch >= MAX_EPOCHS

    def train(self, epochs: int) -> float:
        """Train ``epochs`` more epochs (bounded by the session limit); returns seconds."""
        started = time.perf_counter()
        epochs = min(epochs, MAX_EPOCHS - self.epoch)
        if epochs <= 0 or self.diverged:
            return 0.0
        history = self.model.fit(
            self.data.X_train, self.data.y_train, epochs=epochs, batch_size=self.batch_size
        )
        self.epoch += len(history.epochs)
        self.diverged = history.diverged
        self._evaluate()
        self.recorder.measure(self.epoch, {"loss": self.history["train_loss"][-1]})
        return time.perf_counter() - started

    def _evaluate(self) -> None:
        for prefix, X, y in (
            ("train", self.data.X_train, self.data.y_train),
            ("test", self.data.X_test, self.data.y_test),
        ):
            metrics = self.model.evaluate(X, y)
            self.history[f"{prefix}_loss"].append(metrics["loss"])
            self.history[f"{prefix}_accuracy"].append(metrics["accuracy"])

    def study_text(self, seeds: int = 1) -> str:
        """The study file that trains this page's run: its settings, the epochs trained
        so far (or the default when none), ``seeds`` seeds starting at the page's."""
        study = self.settings.study(epochs=self.epoch or DEFAULT_EXPORT_EPOCHS, seeds=seeds)
        return write_study(study)

    # -- what the page is shown ----------------------------------------------
    def ready_message(self) -> dict[str, Any]:
        return {
            **self.update_message(),
            "type": "ready",
            "settings": self.settings.to_dict(),
            "query": self.settings.query(),
            "bounds": self.bounds,
            "train": {"x": rounded(self.data.X_train), "y": self.data.y_train.tolist()},
            "test": {"x": rounded(self.data.X_test), "y": self.data.y_test.tolist()},
            "layer_sizes": [layer.output_dim for layer in self.model.weighted_layers()],
            "resolution": BOUNDARY_RESOLUTION,
        }

    def update_message(self) -> dict[str, Any]:
        latest = self.recorder.latest
        message: dict[str, Any] = {
            "type": "update",
            "id": self.request_id,
            "epoch": self.epoch,
            "diverged": self.diverged,
            "finished": self.finished,
            "metrics": {key: finite_or_none(values[-1]) for key, values in self.history.items()},
            "boundary": rounded(self.model.predict_output(self._grid)[:, 0], 3),
            "layers": [
                {
                    key: finite_or_none(latest[key][i])
                    for key in ("grad_norm", "saturated", "dead", "act_std")
                }
                for i in range(len(latest["grad_norm"]))
            ],
            "diagnosis": [
                {"kind": f.kind, "severity": f.severity, "message": f.message}
                for f in diagnose(self.recorder.result())
            ],
        }
        features = self._feature_space()
        if features:
            message["feature_space"] = features
        units = self._unit_maps()
        if units:
            message["units"] = units
        return message

    def _feature_space(self) -> dict[str, Any] | None:
        index = self.model.feature_layer_index()
        if index is None:
            return None
        hidden = self.model.forward_layers(self.data.X_train, stop=index + 1)
        if not np.isfinite(hidden).all():
            return None
        fx, fy, grid = plane_grid(hidden, FEATURE_RESOLUTION, margin=0.15)
        output = self.model.forward_layers(grid, start=index + 1)[:, 0]
        return {
            "layer": index + 1,
            "box": [float(fx.min()), float(fx.max()), float(fy.min()), float(fy.max())],
            "points": rounded(hidden, 3),
            "grid": rounded(output, 3),
            "resolution": FEATURE_RESOLUTION,
        }

    def _unit_maps(self) -> list[list[list[float]]] | None:
        if sum(self.settings.hidden) > MAX_UNIT_MAPS:
            return None
        maps = []
        output = np.ascontiguousarray(self._unit_grid, dtype=self.model.dtype)
        with quiet_floats():
            for layer in self.model.layers[:-1]:
                output = layer.forward(output, False, None)
                if layer not in self.model.weighted_layers():
                    continue
                scale = np.abs(output).max(axis=0)
                scale[~(scale > 0)] = 1
                maps.append([rounded(output[:, j] / scale[j], 2) for j in range(output.shape[1])])
        return maps

    def model_bytes(self) -> str:
        """The trained model as a base64 ``.npz`` (actinit's save format)."""
        with tempfile.TemporaryDirectory() as folder:
            path = self.model.save(Path(folder) / "playground-model.npz")
            return base64.b64encode(path.read_bytes()).decode()
