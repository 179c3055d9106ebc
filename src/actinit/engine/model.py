"""``Sequential``: a feedforward network, trained by backpropagation.

Data is row-major: ``X`` has shape ``(n_samples, n_features)``. Labels are class
ids ``(n,)`` for classification (one-hot ``(n, k)`` accepted) or floats for
regression; see :mod:`actinit.engine.losses`.

Randomness comes from one integer ``seed``, split with ``numpy.random.SeedSequence``
into three independent streams (weights, shuffling, dropout/RReLU noise), so a run
repeats bit for bit and changing, say, the batch size does not change the initial
weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import initializers as initializers_module
from . import losses as losses_module
from . import optimizers as optimizers_module
from . import regularizers as regularizers_module
from . import starting_points
from .arrays import assign_checked
from .callbacks import Callback, CallbackList, History, ProgressPrinter
from .layers import Affine, Dense, Layer, layer_from_config
from .model_file import FORMAT_VERSION, check_config

DTYPES = ("float32", "float64")


class InputError(ValueError):
    """Data that the network cannot take (wrong shape, NaN, wrong dtype)."""


def quiet_floats() -> np.errstate:
    """Floating-point overflow and invalid results pass silently: a diverging run is
    detected from its non-finite loss and reported as divergence, not as warnings."""
    return np.errstate(all="ignore")


class Sequential:
    """A stack of layers with a loss and an optimizer.

    >>> model = Sequential([Dense(12, "relu", init="he_normal"), Dense(1, "sigmoid")],
    ...                    loss="binary_crossentropy", optimizer="sgd(lr=0.01)", seed=0)

    ``loss=None`` picks the loss from the output activation (sigmoid: binary
    cross-entropy; softmax: categorical cross-entropy; otherwise mean squared error).
    ``regularizer`` and ``max_norm`` apply to every Dense/Maxout layer that does not
    set its own. ``dtype`` is "float32" (default) or "float64". ``starting_point``
    (:mod:`actinit.engine.starting_points`, e.g. ``"numpy_legacy(seed=0, scale=he)"``)
    replaces the initializers' draws with another program's exact initial parameters.
    """

    def __init__(
        self,
        layers: Iterable[Layer] = (),
        loss: Any = None,
        optimizer: Any = "sgd(lr=0.01)",
        seed: int | None = 0,
        dtype: str = "float32",
        regularizer: Any = None,
        max_norm: float | None = None,
        starting_point: Any = None,
    ) -> None:
        self.layers: list[Layer] = []
        self.input_dim: int | None = None
        #: The input columns' names, for people (saved with the model): which features,
        #: in which order, ``predict`` expects, e.g. ("x1", "x2", "x1^2").
        self.feature_names: tuple[str, ...] | None = None
        for layer in layers:
            self.add(layer)
        self.loss: losses_module.Loss | None = losses_module.get(loss) if loss is not None else None
        self.optimizer = optimizers_module.get(optimizer)
        if str(dtype) not in DTYPES:
            raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
        self.dtype = np.dtype(str(dtype))
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        self.seed = int(seed)
        init_seed, shuffle_seed, noise_seed = np.random.SeedSequence(self.seed).spawn(3)
        self.init_rng = np.random.default_rng(init_seed)
        self.shuffle_rng = np.random.default_rng(shuffle_seed)
        self.noise_rng = np.random.default_rng(noise_seed)
        self.regularizer = regularizers_module.get(regularizer)
        self.max_norm = max_norm
        self.starting_point = (
            starting_points.get(starting_point) if starting_point is not None else None
        )
        self.stop_training = False
        self._data_dependent_init_done = False

    # ------------------------------------------------------------------
    # Construction
    # ------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential takes layers (Dense, Maxout, GatedLinear, Dropout, BatchNorm), got {layer!r}"
            )
        if self.built:
            raise RuntimeError("cannot add a layer to a model that is already built")
        self.layers.append(layer)

    @property
    def built(self) -> bool:
        return self.input_dim is not None

    @property
    def output_dim(self) -> int:
        return self.layers[-1].output_dim

    def planned_sizes(self, input_dim: int) -> list[tuple[int, int]]:
        """Per layer, (parameters, output width) for inputs of ``input_dim`` features,
        without allocating anything: what a caller checks before building."""
        sizes = []
        for layer in self.layers:
            size = layer.planned_size(input_dim)
            sizes.append(size)
            input_dim = size[1]
        return sizes

    def build(self, input_dim: int | tuple[int | None, ...]) -> Sequential:
        """Create all parameters for inputs of ``input_dim`` features (or a Keras-style
        shape whose last entry is the features: ``build((None, 2))``)."""
        if isinstance(input_dim, (tuple, list)) and input_dim:
            input_dim = input_dim[-1]
        if self.built:
            if input_dim != self.input_dim:
                raise InputError(
                    f"the model was built for {self.input_dim} input features, got {input_dim}"
                )
            return self
        if not self.layers:
            raise ValueError("the model has no layers; pass a list of layers to Sequential")
        if not isinstance(input_dim, (int, np.integer)) or input_dim < 1:
            raise ValueError(f"input_dim must be a positive integer, got {input_dim!r}")
        counts: dict[str, int] = {}
        dimension = int(input_dim)
        for layer in self.layers:
            if layer.name is None:
                layer.name = f"{layer.kind}{counts.get(layer.kind, 0)}"
            counts[layer.kind] = counts.get(layer.kind, 0) + 1
            if isinstance(layer, Affine):
                if layer.regularizer is None:
                    layer.regularizer = self.regularizer
                if layer.max_norm is None:
                    layer.max_norm = self.max_norm
            dimension = layer.build(dimension, self.init_rng, self.dtype)
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique, got {names}")
        self.input_dim = int(input_dim)
        self._finish_build()
        if self.starting_point is not None:
            starting_points.apply(self, self.starting_point)
        return self

    def _finish_build(self) -> None:
        last = self.layers[-1]
        if self.loss is None:
            self.loss = losses_module.for_output(getattr(last, "activation_label", "linear"))
        if isinstance(self.loss, losses_module.CategoricalCrossentropy) and last.output_dim < 2:
            raise ValueError(
                "categorical cross-entropy needs an output layer of at least 2 units (one per "
                "class); for two classes use Dense(1, 'sigmoid') with binary_crossentropy"
            )
        self._fused = isinstance(last, Dense) and last.activation.name == self.loss.fused_activation
        # The first trainable layer's input is the data: no gradient needed there.
        for layer in self.layers:
            layer.needs_input_gradient = True
        for layer in self.layers:
            if layer.parameters():
                layer.needs_input_gradient = False
                break
            layer.needs_input_gradient = False
        self._parameters: dict[str, np.ndarray] = {}
        self._gradients: dict[str, np.ndarray] = {}
        for layer in self.layers:
            for key, value in layer.parameters().items():
                self._parameters[f"{layer.name}.{key}"] = value
                self._gradients[f"{layer.name}.{key}"] = layer.gradients()[key]
        self._regularized = [l for l in self.layers if getattr(l, "regularizer", None)]
        self.refresh_constraints()
        self._hidden_layers = self.layers[:-1]
        self._backward_layers = list(reversed(self._hidden_layers))

    def refresh_constraints(self) -> None:
        """Find again the layers with a constraint (max-norm, pruning mask) to apply
        after every update."""
        self._constrained = [layer for layer in self.layers if getattr(layer, "constrained", False)]

    def _require_built(self) -> None:
        if not self.built:
            raise RuntimeError("the model is not built yet: call build(input_dim) or fit first")

    def parameters(self) -> dict[str, np.ndarray]:
        """Trainable parameters, name -> array (live: the model's own arrays), in
        layer order: ``{"dense0.W": ..., "dense0.b": ..., "dense1.W": ...}``."""
        self._require_built()
        return self._parameters

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trained state (batch-norm running statistics), name -> array."""
        self._require_built()
        return {
            f"{layer.name}.{key}": value
            for layer in self.layers
            for key, value in layer.buffers().items()
        }

    def weighted_layers(self) -> list[Affine]:
        """The layers with weights (Dense, Maxout), in order: "layer 1" is the first."""
        return [layer for layer in self.layers if isinstance(layer, Affine)]

    def feature_layer_index(self) -> int | None:
        """Index in ``layers`` of the last hidden weighted layer with exactly 2 units
        (whose outputs can be drawn as a plane), or None."""
        found = [
            index
            for index, layer in enumerate(self.layers[:-1])
            if isinstance(layer, Affine) and layer.output_dim == 2
        ]
        return found[-1] if found else None

    def count_parameters(self) -> int:
        return sum(value.size for value in self.parameters().values())

    count_params = count_parameters  # Keras's name

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every trainable parameter, in layer order (Keras's habit)."""
        return [value.copy() for value in self.parameters().values()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set every trainable parameter from a list in :meth:`get_weights`' order;
        the count, shapes and finite values are checked before anything changes."""
        names = list(self.parameters())
        if len(weights) != len(names):
            raise ValueError(f"set_weights needs {len(names)} arrays ({names}), got {len(weights)}")
        assign_checked(self.parameters(), dict(zip(names, weights)), "set_weights")

    def __call__(self, X: Any) -> np.ndarray:
        """The network's output on ``X`` (``predict_output``), as Keras and PyTorch
        models are called."""
        return self.predict_output(X)

    def summary(self, print_fn: Any = print) -> str:
        """A text table of the layers, their output sizes and parameter counts; printed
        with ``print_fn`` (None: not printed) and returned."""
        text = self._summary_text()
        if print_fn is not None:
            print_fn(text)
        return text

    def _repr_html_(self) -> str:
        """The model as an HTML table in a notebook (its summary once built)."""
        from html import escape

        if not self.built:
            names = ", ".join(escape(layer.kind) for layer in self.layers)
            return f"<p>Sequential (not built yet): {names}</p>"
        lines = self._summary_text().splitlines()
        rows = "".join(f"<tr><td><pre>{escape(line)}</pre></td></tr>" for line in lines)
        return f"<table>{rows}</table>"

    def _summary_text(self) -> str:
        self._require_built()
        rows = [f"{'layer':<14}{'output':>8}{'parameters':>12}  details"]
        for layer in self.layers:
            count = sum(value.size for value in layer.parameters().values())
            details = ", ".join(
                f"{k}={v}" for k, v in layer.config().items() if k not in ("name", "units")
            )
            rows.append(f"{layer.name:<14}{layer.output_dim:>8}{count:>12}  {details}")
        rows.append(
            f"total parameters: {self.count_parameters()}; loss: {self.loss.spec()}; "
            f"optimizer: {self.optimizer.spec()}"
        )
        return "\n".join(rows)

    # ------------------------------------------------------------------
    # Input checks
    # ------------------------------------------------------------------
    def _prepare_inputs(self, X: Any) -> np.ndarray:
        array = np.asarray(X)
        if array.dtype.kind not in "biuf":
            raise InputError(f"X must be numeric, got dtype {array.dtype}")
        if array.ndim != 2:
            hint = " (use X.reshape(-1, 1) for a single feature)" if array.ndim == 1 else ""
            raise InputError(
                f"X must be 2-D with shape (n_samples, n_features), got shape {array.shape}{hint}"
            )
        if len(array) == 0:
            raise InputError("X has no samples")
        array = np.ascontiguousarray(array, dtype=self.dtype)
        # One float64 reduction finds any NaN or infinity without a full boolean copy.
        if not np.isfinite(np.add.reduce(array, axis=None, dtype=np.float64)):
            bad_cells = np.argwhere(~np.isfinite(array))
            if len(bad_cells) == 0:  # finite values whose sum overflowed
                return self._checked_dimensions(array)
            bad = bad_cells[0]
            raise InputError(
                f"X contains NaN or infinity (first at row {bad[0]}, column {bad[1]}); "
                "remove or impute those values"
            )
        return self._checked_dimensions(array)

    def _checked_dimensions(self, array: np.ndarray) -> np.ndarray:
        if not self.built:
            self.build(array.shape[1])
        elif array.shape[1] != self.input_dim:
            named = ""
            if self.feature_names:
                named = (
                    f" ({', '.join(self.feature_names)}): compute those columns from your "
                    "data first (for 2-D points: actinit.studies.plan.datasets.feature_map)"
                )
            raise InputError(
                f"X has {array.shape[1]} features but the model was built for "
                f"{self.input_dim}{named}"
            )
        return array

    def _prepare(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        inputs = self._prepare_inputs(X)
        targets = self.loss.targets(y, self.output_dim, self.dtype)
        if len(targets) != len(inputs):
            raise InputError(f"X has {len(inputs)} samples but y has {len(targets)}")
        return inputs, targets

    # ------------------------------------------------------------------
    # Forward and backward
    # ------------------------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """The network's output for prepared inputs, ``(n, output_dim)``."""
        output = X
        rng = self.noise_rng if training else None
        for layer in self.layers:
            output = layer.forward(output, training, rng)
        return output

    def _per_sample_losses(self, output: np.ndarray, targets: np.ndarray) -> np.ndarray:
        if self._fused:
            return self.loss.per_sample_from_logits(self.layers[-1].pre_activation, targets)
        return self.loss.per_sample(output, targets)

    def _backward(self, output: np.ndarray, targets: np.ndarray) -> None:
        last = self.layers[-1]
        if self._fused:
            gradient = last.backward_from_pre_activation(
                self.loss.logit_gradient(output.copy(), targets)
            )
        else:
            gradient = last.backward(self.loss.gradient(output, targets))
        self._backward_hidden(gradient)

    def _backward_hidden(self, gradient: np.ndarray) -> None:
        for layer in self._backward_layers:
            gradient = layer.backward(gradient)
        for layer in self._regularized:
            layer.add_penalty_gradients()

    def penalty(self) -> float:
        """Total regularization penalty of the current weights."""
        return sum(layer.penalty() for layer in self._regularized)

    def loss_and_gradients(
        self, X: Any, y: Any, training: bool = True
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Mean loss over the samples (plus any regularization penalty) and its
        gradient with respect to every parameter (a new dict of copies, same keys as
        :meth:`parameters`). Nothing is updated."""
        inputs, targets = self._prepare(X, y)
        with quiet_floats():
            output = self.forward(inputs, training)
            loss = float(self._per_sample_losses(output, targets).mean()) + self.penalty()
            self._backward(output, targets)
        return loss, {name: grad.copy() for name, grad in self._gradients.items()}

    def _train_step(self, inputs: np.ndarray, targets: np.ndarray) -> tuple[float, int]:
        """One update on one batch; returns (sum of per-sample losses, correct count)."""
        if self._fused:
            # The output activation and the loss share one pass over the logits.
            hidden = inputs
            for layer in self._hidden_layers:
                hidden = layer.forward(hidden, True, self.noise_rng)
            last = self.layers[-1]
            output, loss_sum = self.loss.fused_forward(last.affine_forward(hidden), targets)
            correct = self.loss.correct(output, targets)
            gradient = self.loss.logit_gradient(output, targets)
            self._backward_hidden(last.backward_from_pre_activation(gradient))
        else:
            output = self.forward(inputs, training=True)
            loss_sum = float(self._per_sample_losses(output, targets).sum())
            correct = self.loss.correct(output, targets) if self.loss.is_classification else 0
            self._backward(output, targets)
        self.optimizer.step(self._parameters, self._gradients)
        for layer in self._constrained:
            layer.apply_constraints()
        return loss_sum, correct

    # ------------------------------------------------------------------
    # Training
    # ------------------------------------------------------------------
    def fit(
        self,
        X: Any,
        y: Any,
        epochs: int = 1,
        batch_size: int | None = 32,
        shuffle: bool = True,
        validation_data: tuple[Any, Any] | None = None,
        callbacks: Sequence[Callback] = (),
        verbose: int = 0,
        stop_on_divergence: bool = True,
        validation_split: float = 0.0,
        validation_every: int = 1,
    ) -> History:
        """Train for ``epochs`` passes over the data in batches of ``batch_size``
        (None: the full batch, i.e. plain gradient descent). Returns the
        :class:`History` of per-epoch ``loss``/``accuracy`` (the mean over the
        epoch's batches, as Keras) and ``val_loss``/``val_accuracy``.

        A loss that becomes NaN or infinite stops training (``history.diverged``)
        unless ``stop_on_divergence=False``. ``validation_split`` holds out that share
        of the samples, the last ones, as validation data (as Keras).
        ``validation_every``: evaluate the validation data only every that many epochs
        and after the last one (``history.val_epochs`` lists which, 1-based): a long
        run of a tiny network otherwise spends about 40% of its time validating.
        """
        _check_count("epochs", epochs, minimum=0)
        _check_count("validation_every", validation_every, minimum=1)
        if batch_size is not None:
            _check_count("batch_size", batch_size, minimum=1, extra=" or None")
        inputs, targets, validation, batch = self._fit_data(
            X, y, batch_size, validation_data, validation_split
        )
        n = len(inputs)
        history = History()
        listeners = [history, *callbacks] + ([ProgressPrinter(epochs)] if verbose else [])
        hooks = CallbackList(
            listeners, self, {"epochs": int(epochs), "batch_size": batch, "samples": n}
        )
        hooks.on_train_begin()
        self.stop_training = False
        with quiet_floats():
            for epoch in range(epochs):
                hooks.on_epoch_begin(epoch)
                after_batch = hooks.on_batch_end if hooks.batch_listeners else None
                logs = self._run_epoch(inputs, targets, batch, shuffle, after_batch)
                due = (epoch + 1) % validation_every == 0 or epoch + 1 == epochs
                if validation is not None and (due or not math.isfinite(logs["loss"])):
                    evaluated = self._evaluate_prepared(*validation)
                    logs.update({f"val_{k}": v for k, v in evaluated.items()})
                    history.val_epochs.append(epoch + 1)
                hooks.on_epoch_end(epoch, logs)
                if stop_on_divergence and not math.isfinite(logs["loss"]):
                    history.diverged, history.diverged_epoch = True, epoch
                    break
                if self.stop_training:
                    history.stopped_epoch = epoch
                    break
        hooks.on_train_end()
        return history

    def _fit_data(self, X, y, batch_size, validation_data, validation_split):
        """(inputs, targets, validation pair or None, batch size) for ``fit``, checked;
        a data-dependent initializer (LSUV) is applied to the first batch here."""
        inputs, targets = self._prepare(X, y)
        validation = self._prepare_validation(validation_data)
        inputs, targets, validation = _split_off(inputs, targets, validation, validation_split)
        n = len(inputs)
        batch = n if batch_size is None else min(int(batch_size), n)
        if self._needs_data_dependent_init():
            initializers_module.initialize_from_data(self.layers, inputs[: max(batch, min(n, 256))])
            self._data_dependent_init_done = True
        return inputs, targets, validation, batch

    def _prepare_validation(self, validation_data: Any) -> tuple[np.ndarray, np.ndarray] | None:
        if validation_data is None:
            return None
        if len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        return self._prepare(*validation_data)

    def _run_epoch(
        self,
        inputs: np.ndarray,
        targets: np.ndarray,
        batch_size: int,
        shuffle: bool,
        after_batch: Callable[[int], None] | None = None,
    ) -> dict[str, float]:
        n = len(inputs)
        total_loss, total_correct = 0.0, 0
        if batch_size >= n:
            total_loss, total_correct = self._train_step(inputs, targets)
            if after_batch is not None:
                after_batch(0)
        else:
            order = self.shuffle_rng.permutation(n) if shuffle else np.arange(n)
            for number, start in enumerate(range(0, n, batch_size)):
                rows = order[start : start + batch_size]
                loss_sum, correct = self._train_step(inputs[rows], targets[rows])
                total_loss += loss_sum
                total_correct += correct
                if after_batch is not None:
                    after_batch(number)
        logs = {"loss": total_loss / n}
        if self.loss.is_classification:
            logs["accuracy"] = total_correct / n
        if self._regularized:
            logs["penalty"] = self.penalty()
        return logs

    def _needs_data_dependent_init(self) -> bool:
        if self._data_dependent_init_done:
            return False
        return any(
            getattr(getattr(layer, "init", None), "data_dependent", False) for layer in self.layers
        )

    # ------------------------------------------------------------------
    # Inference
    # ------------------------------------------------------------------
    def _evaluate_prepared(self, inputs: np.ndarray, targets: np.ndarray) -> dict[str, float]:
        output = self.forward(inputs, training=False)
        metrics = {"loss": float(self._per_sample_losses(output, targets).mean())}
        if self.loss.is_classification:
            metrics["accuracy"] = self.loss.correct(output, targets) / len(inputs)
        return metrics

    def evaluate(self, X: Any, y: Any) -> dict[str, float]:
        """``{"loss": mean loss over samples, "accuracy": share correct}`` in evaluation
        mode (no dropout; batch norm uses running statistics). Regression has no
        accuracy. The loss excludes any regularization penalty."""
        self._require_built()
        inputs, targets = self._prepare(X, y)
        with quiet_floats():
            return self._evaluate_prepared(inputs, targets)

    def per_sample_loss(self, X: Any, y: Any) -> np.ndarray:
        """Loss of each sample, shape ``(n,)``, in evaluation mode."""
        self._require_built()
        inputs, targets = self._prepare(X, y)
        with quiet_floats():
            return self._per_sample_losses(self.forward(inputs), targets)

    def predict_output(self, X: Any) -> np.ndarray:
        """The raw network output ``(n, output_dim)`` in evaluation mode."""
        self._require_built()
        with quiet_floats():
            return self.forward(self._prepare_inputs(X), training=False)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n, n_classes)`` (scikit-learn's convention: a single
        sigmoid output gives two columns, P(class 0) and P(class 1))."""
        output = self.predict_output(X)
        activation = getattr(self.layers[-1], "activation", None)
        name = activation.name if activation is not None else None
        if name == "softmax":
            return output
        if name == "sigmoid" and output.shape[1] == 1:
            return np.hstack([1 - output, output])
        raise TypeError(
            f"predict_proba needs a sigmoid (one unit) or softmax output; this model ends in "
            f"{name!r}. Use predict_output for raw outputs"
        )

    def predict(self, X: Any) -> np.ndarray:
        """Class ids ``(n,)`` for a classifier; outputs for regression (``(n,)`` for a
        single output, else ``(n, k)``)."""
        output = self.predict_output(X)
        if self.loss.is_classification:
            return self.loss.predicted_class(output)
        return output[:, 0] if output.shape[1] == 1 else output

    def forward_layers(self, X: Any, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Evaluation-mode output of ``layers[start:stop]`` for inputs ``X`` of that
        slice's input width (e.g. points of a hidden layer's feature space)."""
        output = np.ascontiguousarray(X, dtype=self.dtype)
        with quiet_floats():
            for layer in self.layers[start:stop]:
                output = layer.forward(output, False, None)
        return output

    def forward_trace(self, X: Any) -> list[dict[str, np.ndarray]]:
        """Evaluation-mode forward pass that keeps every layer's values: a list, one
        dict per layer, with ``output`` and (for Dense/Maxout) ``pre_activation``."""
        inputs = self._prepare_inputs(X)
        trace = []
        output = inputs
        with quiet_floats():
            for layer in self.layers:
                output = layer.forward(output, False, None)
                record = {"output": output}
                if isinstance(layer, Affine):
                    record["pre_activation"] = layer.pre_activation
                trace.append(record)
        return trace

    # ------------------------------------------------------------------
    # Describing and saving (file I/O lives in actinit.engine.saving)
    # ------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        """Everything needed to rebuild this network (not its parameters)."""
        return {
            "format_version": FORMAT_VERSION,
            "layers": [{"kind": layer.kind, "config": layer.config()} for layer in self.layers],
            "loss": self.loss.spec() if self.loss is not None else None,
            "optimizer": self.optimizer.spec(),
            "seed": self.seed,
            "dtype": self.dtype.name,
            "input_dim": self.input_dim,
            **({"feature_names": list(self.feature_names)} if self.feature_names else {}),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """The model a :meth:`config` describes (built if it names ``input_dim``);
        the description is checked first (:func:`actinit.engine.saving.check_config`)."""

        check_config(config)
        layers = [layer_from_config(entry["kind"], entry["config"]) for entry in config["layers"]]
        model = cls(
            layers,
            loss=config.get("loss"),
            optimizer=config.get("optimizer", "sgd"),
            seed=config.get("seed", 0),
            dtype=config.get("dtype", "float32"),
        )
        if config.get("input_dim"):
            model.build(config["input_dim"])
        names = config.get("feature_names")
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            model.feature_names = tuple(names)
        return model

    def save(self, path: str | Path) -> Path:
        """Write the model to a ``.npz`` (see :func:`actinit.engine.saving.save`)."""
        from .saving import save

        return save(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Sequential:
        """Read a model written by :meth:`save` (see :func:`actinit.engine.saving.load`)."""
        from .saving import load

        return load(path)


def _split_off(inputs, targets, validation, share: float):
    """(training inputs, targets, validation pair): the last ``share`` of the samples
    held out when ``share`` > 0 (and no validation data was given)."""
    if not share:
        return inputs, targets, validation
    if not (isinstance(share, (int, float)) and 0 < share < 1):
        raise ValueError(f"validation_split is a share in (0, 1), got {share!r}")
    if validation is not None:
        raise ValueError("give validation_data or validation_split, not both")
    cut = len(inputs) - int(round(share * len(inputs)))
    if cut < 1 or cut == len(inputs):
        raise ValueError(
            f"validation_split={share} of {len(inputs)} samples leaves no training or no "
            "validation samples"
        )
    return inputs[:cut], targets[:cut], (inputs[cut:], targets[cut:])


def _check_count(name: str, value: Any, minimum: int, extra: str = "") -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        kind = "a non-negative integer" if minimum == 0 else "a positive integer"
        raise ValueError(f"{name} must be {kind}{extra}, got {value!r}")
