"""One page's experiment: its data, its network, and what the page is shown of it.

The network is the one :func:`~actinit.studies.run.fitting.build_model` makes from the
settings' :class:`~actinit.studies.plan.run_config.RunConfig` (what ``actinit run`` trains on
the exported study); per-layer statistics come from the engine's
:class:`~actinit.engine.Recorder`, measured after every chunk of training, and the
distributions through depth from :func:`~actinit.engine.recording.layer_quantiles`.

Points are drawn in the plane of the data's two columns x1, x2; the network sees
the input features the settings choose (x1^2, sin(x1), ...), computed from them by
:func:`~actinit.studies.plan.datasets.feature_map`, as a study file's ``features`` does.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import math
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import Recorder
from ..engine.callbacks import Callback
from ..engine.model import quiet_floats
from ..engine.recording import QUANTILES, plane_grid
from ..studies import datasets
from ..studies.answer.diagnosis import diagnose, fused_output
from ..studies.run.fitting import dataset_for, model_for
from .settings import MAX_EPOCHS, Settings

BOUNDARY_RESOLUTION = 60
FEATURE_RESOLUTION = 30
UNIT_RESOLUTION = 16
#: Unit tiles drawn at most (a wider network shows the first units of each layer).
MAX_TILES = 256
_session_ids = itertools.count(1)


def rounded(values: np.ndarray, digits: int = 4) -> list:
    """Values for JSON: rounded, NaN as None, infinities clipped to +-1e9."""
    array = np.round(np.clip(np.asarray(values, dtype=float), -1e9, 1e9), digits)
    return np.where(np.isnan(array), None, array).tolist()


def significant(values: np.ndarray, digits: int = 3) -> list:
    """Values for JSON to ``digits`` significant digits (gradients span decades)."""
    array = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        text = np.char.mod(f"%.{digits}g", np.clip(array, -1e30, 1e30))
    return [None if not math.isfinite(v) else v for v in text.astype(float).ravel().tolist()]


def unit_map(values: np.ndarray) -> list | None:
    """A unit's outputs over the plane stretched to [-1, 1] (its lowest to its highest),
    so that what it computes shows whatever its scale; None for a unit whose output is
    the same everywhere (dead, saturated, or not a number): the page draws it grey."""
    values = values.astype(float)
    low, high = values.min(), values.max()
    if not (np.isfinite(low) and np.isfinite(high)) or high - low <= 1e-6 * max(1.0, abs(high)):
        return None
    return rounded((values - low) / (high - low) * 2 - 1, 2)


def unit_range(values: np.ndarray) -> list | None:
    """A unit's lowest and highest output over the plane (None if not finite): with
    :func:`unit_map` the page rebuilds its outputs on any shared scale."""
    low, high = float(np.min(values)), float(np.max(values))
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return significant(np.array([low, high]), 6)


def shared_scale(layers: list[dict[str, Any]], per: str = "network") -> list[list[float] | None]:
    """The scale each hidden layer's tiles are drawn on, (low, high) per layer: the
    lowest and highest output of any of its shown units (``per="layer"``) or of any
    hidden unit of the network (``per="network"``, TensorFlow Playground's way). The
    page does the same; this is its rule, written once more for tests and exports."""
    spans = [
        [r for r in layer.get("ranges", []) if r is not None] for layer in layers if "maps" in layer
    ]
    per_layer = [[min(r[0] for r in s), max(r[1] for r in s)] if s else None for s in spans]
    if per == "layer":
        return per_layer
    known = [span for span in per_layer if span is not None]
    whole = [min(s[0] for s in known), max(s[1] for s in known)] if known else None
    return [whole if span is not None else None for span in per_layer]


def link_weights(layer, sources: list[int], units: list[int]) -> np.ndarray:
    """The weights from input ``sources`` to ``units`` of a weighted layer, (sources,
    units). A maxout unit has one weight per piece (W's columns are unit-major:
    unit j's pieces are columns j * pieces ...): the one largest in size stands for
    the link."""
    pieces = getattr(layer, "pieces", 1)
    weights = layer.W.reshape(layer.W.shape[0], -1, pieces)[np.ix_(sources, units)]
    strongest = np.abs(weights).argmax(axis=2)[..., None]
    return np.take_along_axis(weights, strongest, axis=2)[..., 0]


def finite_or_none(value: float | None) -> float | None:
    """``value`` as a float, or None when it is None or not finite (JSON has no NaN)."""
    return float(value) if value is not None and math.isfinite(value) else None


class StopWhenSet(Callback):
    """Ends ``fit`` after the epoch in which any of ``events`` was set (a paused page,
    another page's command waiting for the worker)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = [event for event in events if event is not None]

    def on_epoch_end(self, epoch, logs):
        if any(event.is_set() for event in self.events):
            self.model.stop_training = True


class Session:
    """Trains ``settings``' network in chunks and describes it for the page.

    ``csv_path``: the server's copy of an uploaded file (data set ``csv``). Every
    session has its own ``id``; messages carry it so a page ignores the answers of
    a session it has replaced. ``run`` names it on the page ("A", or "B" beside it).
    """

    def __init__(
        self,
        settings: Settings,
        request_id: int | str | None = None,
        csv_path: str | None = None,
        run: str = "A",
    ) -> None:
        self.settings, self.request_id, self.csv_path, self.run = (
            settings,
            request_id,
            csv_path,
            run,
        )
        self.id = next(_session_ids)
        self.config = settings.run_config(csv_path=csv_path)
        plane_config = dataclasses.replace(
            self.config, data={k: v for k, v in self.config.data.items() if k != "features"}
        )
        self.plane = dataset_for(plane_config, 0)  # the points as drawn: x1, x2
        self.data = datasets.with_features(self.plane, settings.features)
        self.model = model_for(self.config, self.data, 0)
        self.epoch = 0
        self.diverged = False
        self.stop_event = threading.Event()
        #: Held while the network trains or is read in a worker thread.
        self.lock = threading.Lock()
        self.history: dict[str, list[float | None]] = {
            k: [] for k in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
        }
        self.recorder = Recorder(self.data.X_train, self.data.y_train, max_traced=0, quantiles=True)
        points = np.concatenate([self.plane.X_train, self.plane.X_test])
        gx, gy, grid = plane_grid(points, BOUNDARY_RESOLUTION)
        self.bounds = [float(gx.min()), float(gx.max()), float(gy.min()), float(gy.max())]
        self._grid = self.inputs(grid)
        self._unit_plane = plane_grid(points, UNIT_RESOLUTION)[2]
        self._unit_grid = self.inputs(self._unit_plane)
        self.recorder.start(self.model)
        self._evaluate()
        self.depth_at_start = self._depth()

    def inputs(self, points: np.ndarray) -> np.ndarray:
        """The network's inputs for plane points (n, 2)."""
        return datasets.feature_map(self.settings.features, points.astype(float))

    @property
    def batch_size(self) -> int | None:
        return self.config.batch_size

    @property
    def finished(self) -> bool:
        return self.diverged or self.epoch >= MAX_EPOCHS

    def train(
        self,
        epochs: int,
        stoppable: bool = True,
        interrupt: threading.Event | None = None,
        turns: Callback | None = None,
    ) -> float:
        """Train ``epochs`` more epochs (bounded by the session limit; fewer when
        ``stoppable`` and :attr:`stop_event`, or ``interrupt``, is set meanwhile);
        ``turns``: a callback after each batch (the workers' turns); returns seconds."""
        started = time.perf_counter()
        epochs = min(epochs, MAX_EPOCHS - self.epoch)
        if epochs <= 0 or self.diverged:
            return 0.0
        callbacks = [StopWhenSet(self.stop_event, interrupt)] if stoppable else []
        callbacks += [turns] if turns is not None else []
        with self.lock:
            history = self.model.fit(
                self.data.X_train,
                self.data.y_train,
                epochs=epochs,
                batch_size=self.batch_size,
                callbacks=callbacks,
            )
            self.epoch += len(history.epochs)
            self.diverged = history.diverged
            self._evaluate()
            latest = {key: values[-1] for key, values in self.history.items()}
            logs = {  # what the diagnosis reads: the loss and accuracy, train and test
                "loss": latest["train_loss"],
                "accuracy": latest["train_accuracy"],
                "val_loss": latest["test_loss"],
                "val_accuracy": latest["test_accuracy"],
            }
            self.recorder.measure(self.epoch, {k: v for k, v in logs.items() if v is not None})
        return time.perf_counter() - started

    def _evaluate(self) -> None:
        for prefix, X, y in (
            ("train", self.data.X_train, self.data.y_train),
            ("test", self.data.X_test, self.data.y_test),
        ):
            metrics = self.model.evaluate(X, y)
            self.history[f"{prefix}_loss"].append(metrics["loss"])
            self.history[f"{prefix}_accuracy"].append(metrics.get("accuracy"))

    # -- what the page is shown ----------------------------------------------
    def ready_message(self) -> dict[str, Any]:
        return {
            **self.update_message(),
            "type": "ready",
            "settings": self.settings.to_dict(),
            "query": self.settings.query(),
            "regression": self.settings.regression,
            "classes": 0 if self.settings.regression else self.settings.classes,
            "class_names": self._class_names(),
            "bounds": self.bounds,
            "train": {"x": rounded(self.plane.X_train), "y": rounded(self.plane.y_train)},
            "test": {"x": rounded(self.plane.X_test), "y": rounded(self.plane.y_test)},
            "target_range": self._target_range(),
            "layer_sizes": [layer.output_dim for layer in self.model.weighted_layers()],
            "layer_labels": self._layer_labels(),
            "resolution": BOUNDARY_RESOLUTION,
            "unit_resolution": UNIT_RESOLUTION,
            "input_maps": self._input_maps(),
            "depth_at_start": self.depth_at_start,
            "quantiles": list(QUANTILES),
        }

    def update_message(self) -> dict[str, Any]:
        latest = self.recorder.latest
        recording = self.recorder.result()
        message: dict[str, Any] = {
            "type": "update",
            "id": self.request_id,
            "session": self.id,
            "run": self.run,
            "epoch": self.epoch,
            "diverged": self.diverged,
            "finished": self.finished,
            "metrics": {key: finite_or_none(values[-1]) for key, values in self.history.items()},
            **self._field("boundary", self.model.predict_output(self._grid)),
            "layers": self._layer_rows(latest, recording),
            "diagnosis": [
                {"kind": f.kind, "severity": f.severity, "message": f.message}
                for f in diagnose(recording)
            ],
            "depth": self._depth(),
            "graph": self._graph(),
        }
        features = self._feature_space()
        if features:
            message["feature_space"] = features
        return message

    @staticmethod
    def _layer_rows(latest: dict[str, Any], recording) -> list[dict[str, Any]]:
        """Each layer's latest statistics, as the diagnosis reads them: an output fused
        with its loss is marked, since its saturation is no problem (the diagnosis
        leaves it out, and the table says why)."""
        rows = [
            {
                key: finite_or_none(latest[key][i])
                for key in ("grad_norm", "saturated", "dead", "act_std")
            }
            for i in range(len(latest["grad_norm"]))
        ]
        if rows and fused_output(recording):
            rows[-1]["fused"] = True
        return rows

    def _target_range(self) -> list[float]:
        """The colour scale's ends: classes 0 and 1, or the regression targets' range."""
        if not self.settings.regression:
            return [0.0, 1.0]
        targets = np.concatenate([self.plane.y_train, self.plane.y_test])
        return [float(targets.min()), float(targets.max())]

    def _class_names(self) -> list[str]:
        """What each class id stands for: an uploaded file's labels, else the ids."""
        if self.settings.regression:
            return []
        return list(self.plane.class_names) or [str(c) for c in range(self.settings.classes)]

    def _layer_labels(self) -> list[dict[str, str]]:
        hidden = [
            {"activation": activation, "init": init}
            for _, activation, init in self.config.hidden_layers()
        ]
        output = {"activation": self.config.output_activation, "init": self.config.output_init}
        return [*hidden, output]

    def _depth(self) -> dict[str, list]:
        """The last measurement's quantiles through depth (see the Recorder)."""
        quantiles = self.recorder.latest_quantiles
        return {key: [significant(row) for row in values] for key, values in quantiles.items()}

    def _feature_space(self) -> dict[str, Any] | None:
        index = self.model.feature_layer_index()
        if index is None:
            return None
        hidden = self.model.forward_layers(self.data.X_train, stop=index + 1)
        if not np.isfinite(hidden).all():
            return None
        fx, fy, grid = plane_grid(hidden, FEATURE_RESOLUTION, margin=0.15)
        output = self.model.forward_layers(grid, start=index + 1)
        return {
            "layer": index + 1,
            "box": [float(fx.min()), float(fx.max()), float(fy.min()), float(fy.max())],
            "points": rounded(hidden, 3),
            **self._field("grid", output),
            "resolution": FEATURE_RESOLUTION,
        }

    @staticmethod
    def _field(name: str, output: np.ndarray) -> dict[str, list]:
        """The network's output (n, units) over a grid as the page colours it: the one
        output unit's value under ``name``; with several classes, the most probable
        class under ``name + "_class"`` and its probability under ``name``."""
        if output.shape[1] == 1:
            return {name: rounded(output[:, 0], 3)}
        finite = np.isfinite(output).all(axis=1)
        best = np.where(finite, np.argmax(np.where(finite[:, None], output, 0), axis=1), -1)
        return {name: rounded(output.max(axis=1), 3), f"{name}_class": best.tolist()}

    def shown_units(self) -> list[list[int]]:
        """Which units of each hidden layer get a tile: all of them up to
        :data:`MAX_TILES` in all, else the first units of every layer."""
        sizes = self.settings.hidden
        per_layer = max(sizes, default=0)
        if sum(sizes) > MAX_TILES:
            per_layer = max(1, MAX_TILES // len(sizes))
        return [list(range(min(size, per_layer))) for size in sizes]

    def _input_maps(self) -> list[dict[str, Any]]:
        """Each input feature over the plane, scaled to [-1, 1]."""
        values = self._unit_grid
        scale = np.abs(values).max(axis=0)
        scale[~(scale > 0)] = 1
        return [
            {"name": name, "map": rounded(values[:, j] / scale[j], 2)}
            for j, name in enumerate(self.settings.features)
        ]

    def _graph(self) -> dict[str, Any]:
        """The network as the page draws it: for each hidden layer its shown units'
        outputs over the plane (each scaled to [-1, 1]) and the weights of the links
        into them (from the shown units of the layer before, or every input), and the
        weights into the output units (with several classes, each one's probability
        over the plane)."""
        shown = self.shown_units()
        layers, output = [], np.ascontiguousarray(self._unit_grid, dtype=self.model.dtype)
        previous = list(range(len(self.settings.features)))
        position = {id(layer): i for i, layer in enumerate(self.model.weighted_layers())}
        with quiet_floats():
            for layer in self.model.layers:
                output = layer.forward(output, False, None)
                if id(layer) not in position:
                    continue
                index = position[id(layer)]
                units = shown[index] if index < len(shown) else list(range(layer.output_dim))
                entry: dict[str, Any] = {
                    "units": units,
                    "size": layer.output_dim,
                    "weights": rounded(link_weights(layer, previous, units), 3),
                    "pieces": getattr(layer, "pieces", 1),
                }
                if index < len(shown):
                    entry["maps"] = [unit_map(output[:, unit]) for unit in units]
                    # each unit's lowest and highest output, so that the page can put
                    # every tile on one scale (the layer's or the network's)
                    entry["ranges"] = [unit_range(output[:, unit]) for unit in units]
                elif len(units) > 1:  # each class's probability over the plane
                    entry["probabilities"] = [rounded(output[:, unit], 2) for unit in units]
                layers.append(entry)
                previous = units
        return {"layers": layers}

    def model_bytes(self) -> str:
        """The trained model as a base64 ``.npz`` (actinit's save format)."""
        with self.lock, tempfile.TemporaryDirectory() as folder:
            # the inputs it was trained on (x1, x2, x1^2 ...), so that predict can say
            self.model.feature_names = tuple(self.settings.features)
            path = self.model.save(Path(folder) / "playground-model.npz")
            return base64.b64encode(path.read_bytes()).decode()
