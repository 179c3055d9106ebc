"""Recording what happens inside a network while it trains.

:class:`Recorder` is a callback: at the start of training (epoch 0) and after every
``every`` epochs it measures, on a fixed probe batch, for each weighted layer
(Dense or Maxout; layer 1 is the first):

* ``pre_mean``, ``pre_std``: mean and std of the pre-activations z = x W + b;
* ``act_mean``, ``act_std``: mean and std of the activations f(z);
* ``saturated``: share of activations within 1% of a bound of a bounded activation
  (sigmoid, tanh, hard_tanh, ...), 0 for unbounded ones;
* ``dead``: share of units whose output is exactly 0 for every probe sample (for
  activations whose range starts at 0: ReLU, ReLU6, hard sigmoid, ...);
* ``grad_norm``: the L2 norm of d loss / d W on the probe batch;
* ``backward_rms``: the backward signal, the RMS over samples and units of each
  sample's d loss_i / dz (the pre-activations' gradient): where gradients vanish or
  explode with depth, unlike ``grad_norm`` = ||h^T delta||, in which a shrinking
  forward signal h and a growing delta can cancel;
* ``update_ratio``: ||W_now - W_before|| / ||W_before|| since the last measurement;
* ``unit_spread``: max_j ||W[:, j] - W[:, 0]|| / ||W||, 0 when every unit of the layer
  is the same (symmetry never broken).

It also keeps snapshots of every parameter every ``snapshot_every`` epochs, from which
boundaries, feature spaces and histograms can be drawn later without training again,
and, for small networks, every parameter's value at every measurement.

The metric ``probe_loss`` is the loss on the probe batch at every measurement,
epoch 0 included: how far the loss fell from initialization.

Everything is a plain NumPy array (``Recording.arrays``); nothing is measured unless a
Recorder is passed to ``fit``. Probes run without dropout and with batch norm on the
probe batch's own statistics, as training sees the network (at epoch 0 the running
estimates are still mean 0 and variance 1, so normalizing with them would measure a
network without batch norm); running estimates are left alone, so recording never
changes training.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .callbacks import Callback

LAYER_STATS = (
    "pre_mean",
    "pre_std",
    "act_mean",
    "act_std",
    "saturated",
    "dead",
    "grad_norm",
    "backward_rms",
    "update_ratio",
    "unit_spread",
)
METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")
#: Measured by the Recorder itself on its probe batch, not taken from fit's logs.
PROBE_METRICS = ("probe_loss",)


@dataclass
class Recording:
    """The arrays a Recorder produced.

    ``epochs``: (E,) measurement epochs (0 = before training). Per-layer statistics:
    (E, L) arrays named in ``LAYER_STATS`` (recordings from before a statistic existed
    lack it). Metrics: (E,) arrays, NaN at epoch 0 but for ``probe_loss``.
    ``snapshot_epochs``: (S,); ``snapshots[name]``: (S, *shape) for every parameter.
    ``parameter_trace``: (E, P) every scalar parameter at every measurement (small
    networks only), labelled by ``parameter_labels``. For 2-D inputs and a hidden
    layer of exactly 2 units: ``grid_inputs`` (G*G, 2), a grid over the probe data, and
    ``feature_grid`` (S, G*G, 2), that layer's activations on it at every snapshot.
    """

    layer_names: list[str]
    activations: list[str]
    epochs: np.ndarray
    stats: dict[str, np.ndarray]
    metrics: dict[str, np.ndarray]
    snapshot_epochs: np.ndarray
    snapshots: dict[str, np.ndarray]
    parameter_labels: list[str] = field(default_factory=list)
    parameter_trace: np.ndarray | None = None
    model_config: dict[str, Any] = field(default_factory=dict)
    grid_inputs: np.ndarray | None = None
    feature_grid: np.ndarray | None = None
    #: Accuracy of always answering the probe's most common class (None: regression).
    chance_accuracy: float | None = None

    @property
    def n_layers(self) -> int:
        return len(self.layer_names)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """A flat dict of arrays (for ``numpy.savez``); the inverse is :meth:`from_arrays`."""
        arrays = {
            "epochs": self.epochs,
            "snapshot_epochs": self.snapshot_epochs,
            "meta": np.array(
                json.dumps(
                    {
                        "layer_names": self.layer_names,
                        "activations": self.activations,
                        "parameter_labels": self.parameter_labels,
                        "model_config": self.model_config,
                        "chance_accuracy": self.chance_accuracy,
                    }
                )
            ),
        }
        arrays.update({f"stat/{k}": v for k, v in self.stats.items()})
        arrays.update({f"metric/{k}": v for k, v in self.metrics.items()})
        arrays.update({f"snapshot/{k}": v for k, v in self.snapshots.items()})
        for name in ("parameter_trace", "grid_inputs", "feature_grid"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Recording:
        meta = json.loads(str(arrays["meta"]))

        def optional(name: str) -> np.ndarray | None:
            return np.asarray(arrays[name]) if name in arrays else None

        def section(prefix: str) -> dict[str, np.ndarray]:
            return {
                k[len(prefix) :]: np.asarray(v) for k, v in arrays.items() if k.startswith(prefix)
            }

        return cls(
            layer_names=meta["layer_names"],
            activations=meta["activations"],
            epochs=np.asarray(arrays["epochs"]),
            stats=section("stat/"),
            metrics=section("metric/"),
            snapshot_epochs=np.asarray(arrays["snapshot_epochs"]),
            snapshots=section("snapshot/"),
            parameter_labels=meta["parameter_labels"],
            parameter_trace=optional("parameter_trace"),
            model_config=meta["model_config"],
            grid_inputs=optional("grid_inputs"),
            feature_grid=optional("feature_grid"),
            chance_accuracy=meta.get("chance_accuracy"),
        )

    def snapshot(self, index: int) -> dict[str, np.ndarray]:
        """The parameters at snapshot ``index`` (negative counts from the end)."""
        return {name: values[index] for name, values in self.snapshots.items()}

    def model_at(self, index: int = -1):
        """The network as it was at snapshot ``index``, rebuilt from the recorded
        config (evaluation only: batch-norm running statistics are not recorded)."""
        from .model import Sequential

        model = Sequential.from_config(self.model_config)
        for name, value in model.parameters().items():
            value[...] = self.snapshots[name][index]
        return model


def saturated_fraction(outputs: np.ndarray, output_range: tuple[float, float]) -> float:
    """Share of outputs within 1% of the (finite) bounds of the activation's range."""
    low, high = output_range
    if not (math.isfinite(low) and math.isfinite(high)):
        return 0.0
    margin = 0.01 * (high - low)
    return float(np.mean((outputs <= low + margin) | (outputs >= high - margin)))


def dead_fraction(outputs: np.ndarray) -> float:
    """Share of units (columns) whose output is exactly 0 for every sample."""
    return float(np.mean(np.all(outputs == 0, axis=0)))


def unit_spread(weight: np.ndarray) -> float:
    """max_j ||W[:, j] - W[:, 0]|| / ||W||: 0 when all units have identical weights."""
    scale = float(np.linalg.norm(weight))
    if weight.shape[1] < 2:
        return math.nan
    spread = float(np.linalg.norm(weight - weight[:, :1], axis=0).max())
    return spread / scale if scale > 0 else spread


def chance_accuracy(model, y: np.ndarray) -> float | None:
    """The share of the most common class in ``y`` (class ids or one-hot rows): the
    accuracy of a network that learned nothing. None for regression."""
    if not model.loss.is_classification or len(y) == 0:
        return None
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)
    _, counts = np.unique(labels.ravel(), return_counts=True)
    return float(counts.max() / counts.sum())


def plane_grid(
    points: np.ndarray, resolution: int, margin: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A ``resolution`` x ``resolution`` grid over the box of 2-D ``points`` (n, 2),
    widened by ``margin`` of its size on every side: ``(gx, gy, grid)`` with ``gx``,
    ``gy`` of shape (resolution, resolution) and ``grid`` (resolution**2, 2), rows
    running along x1 first."""
    low, high = points.min(axis=0), points.max(axis=0)
    pad = (high - low) * margin + 1e-9
    gx, gy = np.meshgrid(
        np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
        np.linspace(low[1] - pad[1], high[1] + pad[1], resolution),
    )
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


class Probe(NamedTuple):
    """One pass over the probe batch: each layer's forward record by ``id(layer)``
    (``output``, and for weighted layers ``pre_activation`` and ``backward_rms``),
    the loss gradient of every parameter, and the loss."""

    by_layer: dict
    gradients: dict[str, np.ndarray]
    loss: float


def probe_pass(model, X: np.ndarray, y: np.ndarray) -> Probe:
    """One pass over the probe (X, y) without dropout and with batch norm on the
    batch's own statistics (running estimates untouched). The statistics and
    quantiles below read it."""
    norms = [layer for layer in model.layers if hasattr(layer, "probe_batch_statistics")]
    for layer in norms:
        layer.probe_batch_statistics = True
    try:
        trace = model.forward_trace(X)
        by_layer = {id(layer): record for layer, record in zip(model.layers, trace)}
        loss, gradients = model.loss_and_gradients(X, y, training=False)
    finally:
        for layer in norms:
            layer.probe_batch_statistics = False
    samples = max(len(X), 1)
    for layer in model.weighted_layers():
        delta = getattr(layer, "pre_activation_gradient", None)
        rms = math.nan if delta is None else float(np.sqrt(np.mean(np.square(delta))))
        by_layer[id(layer)]["backward_rms"] = rms * samples  # per sample: the loss is a mean
    return Probe(by_layer, gradients, loss)


def layer_statistics(
    model,
    X: np.ndarray,
    y: np.ndarray,
    previous_weights: list[np.ndarray] | None = None,
    probe: tuple[dict, dict[str, np.ndarray]] | None = None,
) -> dict[str, list[float]]:
    """Every statistic of ``LAYER_STATS`` for each weighted layer, measured on (X, y)
    (``probe``: its :func:`probe_pass`, when already made). ``previous_weights`` (one W
    per layer) gives the update ratio; without it, 0."""
    layers = model.weighted_layers()
    by_layer, gradients, _ = probe or probe_pass(model, X, y)
    row: dict[str, list[float]] = {name: [] for name in LAYER_STATS}
    for index, layer in enumerate(layers):
        record = by_layer[id(layer)]
        z, outputs = record["pre_activation"], record["output"]
        output_range = layer.output_range
        row["pre_mean"].append(float(z.mean()))
        row["pre_std"].append(float(z.std()))
        row["act_mean"].append(float(outputs.mean()))
        row["act_std"].append(float(outputs.std()))
        row["saturated"].append(saturated_fraction(outputs, output_range))
        # Only rectifier-like units (range starting at 0) die; tanh at 0 is merely idle.
        row["dead"].append(dead_fraction(outputs) if output_range[0] == 0 else 0.0)
        row["grad_norm"].append(float(np.linalg.norm(gradients[f"{layer.name}.W"])))
        row["backward_rms"].append(record["backward_rms"])
        before = previous_weights[index] if previous_weights is not None else layer.W
        before_norm = float(np.linalg.norm(before))
        change = float(np.linalg.norm(layer.W - before))
        ratio = change / before_norm if before_norm > 0 else (0.0 if change == 0 else math.inf)
        row["update_ratio"].append(ratio)
        row["unit_spread"].append(unit_spread(layer.W))
    return row


#: The quantiles :func:`layer_quantiles` reports: the 5-95% and 25-75% bands and the median.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def layer_quantiles(
    model,
    X: np.ndarray,
    y: np.ndarray,
    quantiles: tuple[float, ...] = QUANTILES,
    probe: tuple[dict, dict[str, np.ndarray]] | None = None,
) -> dict[str, np.ndarray]:
    """The distribution through depth, measured on (X, y) in evaluation mode: for each
    weighted layer the ``quantiles`` of its pre-activations z = x W + b (``"pre"``),
    of its activations f(z) (``"act"``) and of the magnitudes of its weight
    gradients |d loss / d W| (``"grad"``); each an array (L, len(quantiles)). Vanishing
    shows as gradient quantiles falling layer by layer towards the input, saturation as
    activations piled at the bounds, dead ReLUs as activation quantiles at 0."""
    layers = model.weighted_layers()
    by_layer, gradients, _ = probe or probe_pass(model, X, y)
    result: dict[str, list[np.ndarray]] = {"pre": [], "act": [], "grad": []}
    with np.errstate(all="ignore"):
        for layer in layers:
            record = by_layer[id(layer)]
            result["pre"].append(np.quantile(record["pre_activation"], quantiles))
            result["act"].append(np.quantile(record["output"], quantiles))
            result["grad"].append(np.quantile(np.abs(gradients[f"{layer.name}.W"]), quantiles))
    return {key: np.array(values) for key, values in result.items()}


class Recorder(Callback):
    """Measures a network during ``fit`` on the probe batch ``(X, y)``.

    ``every``: measure every this many epochs. ``snapshot_every``: keep all
    parameters every this many epochs (default: about 60 snapshots over the run).
    ``max_traced``: keep every scalar parameter at every measurement when the
    network has at most this many (the per-parameter update plots). ``quantiles``:
    also keep, in ``latest_quantiles``, the last :func:`layer_quantiles` (from the same
    pass over the probe).

    Outside ``fit`` (a network trained in chunks, as the playground does), call
    :meth:`start` once, :meth:`measure` after each chunk and :meth:`result` for
    the recording so far; ``latest`` holds the last row of statistics.
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        every: int = 1,
        snapshot_every: int | None = None,
        max_traced: int = 200,
        quantiles: bool = False,
        max_probe: int = 2000,
        grid_resolution: int = 25,
    ) -> None:
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self.X = np.asarray(X)[:max_probe]
        self.y = np.asarray(y)[:max_probe]
        self.every = every
        self.snapshot_every = snapshot_every
        self.max_traced = max_traced
        self.grid_resolution = grid_resolution
        self.quantiles = quantiles
        self.latest_quantiles: dict[str, np.ndarray] = {}
        self.recording: Recording | None = None
        self.latest: dict[str, list[float]] = {}

    # -- callback hooks -----------------------------------------------------
    def on_train_begin(self):
        self.start(self.model)

    def on_epoch_end(self, epoch, logs):
        done = epoch + 1
        if done % self.every == 0:
            self.measure(done, logs)
        interval = self.snapshot_every or max(1, self.params.get("epochs", 100) // 60)
        if done % interval == 0:
            self.snapshot(done)

    def on_train_end(self):
        last = self._epochs[-1] if self._epochs else 0
        if self._snapshot_epochs[-1] != last:
            self.snapshot(last)
        self.recording = self.result()

    # -- measuring ------------------------------------------------------------
    def start(self, model) -> None:
        """Forget earlier measurements and measure ``model`` as it is (epoch 0)."""
        self.model = model
        self._layers = model.weighted_layers()
        self._epochs: list[int] = []
        self._stats: dict[str, list[list[float]]] = {name: [] for name in LAYER_STATS}
        self._metrics: dict[str, list[float]] = {name: [] for name in METRICS + PROBE_METRICS}
        self._snapshot_epochs: list[int] = []
        self._snapshots: dict[str, list[np.ndarray]] = {name: [] for name in model.parameters()}
        total = model.count_parameters()
        self._trace: list[np.ndarray] | None = [] if total <= self.max_traced else None
        self._previous = [layer.W.copy() for layer in self._layers]
        two_dimensional = self.X.ndim == 2 and self.X.shape[1] == 2
        self._feature_layer = model.feature_layer_index() if two_dimensional else None
        self._feature_grid: list[np.ndarray] = []
        self._grid_inputs = None
        if self._feature_layer is not None:
            self._grid_inputs = plane_grid(self.X, self.grid_resolution)[2]
        self.measure(0, {})
        self.snapshot(0)

    def measure(self, epoch: int, logs: dict[str, float]) -> None:
        """Measure every layer statistic now and note ``logs`` (the epoch's metrics)."""
        probe = probe_pass(self.model, self.X, self.y)
        row = layer_statistics(self.model, self.X, self.y, self._previous, probe)
        if self.quantiles:
            self.latest_quantiles = layer_quantiles(self.model, self.X, self.y, probe=probe)
        self._previous = [layer.W.copy() for layer in self._layers]
        for name in LAYER_STATS:
            self._stats[name].append(row[name])
        for name in METRICS:
            self._metrics[name].append(float(logs.get(name, math.nan)))
        self._metrics["probe_loss"].append(probe.loss)
        self._epochs.append(epoch)
        self.latest = row
        if self._trace is not None:
            parameters = self.model.parameters().values()
            self._trace.append(np.concatenate([p.ravel() for p in parameters]))

    def snapshot(self, epoch: int) -> None:
        """Keep a copy of every parameter as it is at ``epoch``."""
        self._snapshot_epochs.append(epoch)
        for name, value in self.model.parameters().items():
            self._snapshots[name].append(value.copy())
        if self._feature_layer is not None:
            self._feature_grid.append(
                self.model.forward_layers(self._grid_inputs, stop=self._feature_layer + 1)
            )

    def result(self) -> Recording:
        """Everything measured so far as a :class:`Recording`."""
        model = self.model
        labels = []
        if self._trace is not None:
            for name, value in model.parameters().items():
                labels += [
                    f"{name}{list(i) if value.ndim > 1 else [i[0]]}"
                    for i in np.ndindex(value.shape)
                ]
        return Recording(
            layer_names=[layer.name for layer in self._layers],
            activations=[layer.activation_label for layer in self._layers],
            epochs=np.array(self._epochs),
            stats={name: np.array(values, dtype=float) for name, values in self._stats.items()},
            metrics={name: np.array(values, dtype=float) for name, values in self._metrics.items()},
            snapshot_epochs=np.array(self._snapshot_epochs),
            snapshots={name: np.stack(values) for name, values in self._snapshots.items()},
            parameter_labels=labels,
            parameter_trace=np.stack(self._trace) if self._trace else None,
            model_config=model.config(),
            grid_inputs=self._grid_inputs,
            feature_grid=np.stack(self._feature_grid) if self._feature_grid else None,
            chance_accuracy=chance_accuracy(model, self.y),
        )
