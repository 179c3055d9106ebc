"""Pruning a trained network and measuring what it costs and keeps.

:func:`prune_model` applies one of :data:`PRUNING_METHODS` in one shot or in rounds, with
optional fine-tuning after each round, and :func:`measure` gives the numbers a
pruned state is judged by: accuracy and loss, parameters, non-zero weights, FLOPs,
the saved size and the measured inference time. The command ``actinit prune`` prints
them before and after.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np

from ...engine import (
    LambdaCallback,
    Sequential,
    prune_to,
    prune_units,
    reinitialize,
    rewind,
    size_report,
)
from ..plan.datasets import Dataset
from ..plan.run_config import PRUNING_METHODS
from .fitting import fit_run

#: Repeats of an inference pass whose median is the measured time.
TIMING_REPEATS = 5


@dataclass
class PrunedState:
    """A network's numbers: ``None`` where there is no data to measure them on."""

    test_accuracy: float | None
    train_accuracy: float | None
    test_loss: float | None
    parameters: int
    weights: int
    nonzero_weights: int
    flops_per_sample: int
    compressed_bytes: int
    milliseconds_per_1000: float | None

    @property
    def remaining(self) -> float:
        return self.nonzero_weights / self.weights if self.weights else 1.0


def measure(model: Sequential, data: Dataset | None = None, timed: bool = True) -> PrunedState:
    """Accuracy and loss on ``data`` (test and train), size counts, and (``timed``) the
    median time of an inference pass over 1,000 of its test inputs."""
    report = size_report(model)
    accuracy = train = loss = timing = None
    if data is not None:
        test = model.evaluate(data.X_test, data.y_test)
        accuracy, loss = test.get("accuracy"), test["loss"]
        train = model.evaluate(data.X_train, data.y_train).get("accuracy")
        timing = inference_time(model, data.X_test) if timed else None
    return PrunedState(
        accuracy,
        train,
        loss,
        report.parameters,
        report.weights,
        report.nonzero_weights,
        report.flops_per_sample,
        report.compressed_bytes,
        timing,
    )


def inference_time(model: Sequential, X: np.ndarray) -> float:
    """Milliseconds for one inference pass over 1,000 inputs (``X`` repeated to that
    many): the median of :data:`TIMING_REPEATS` passes after one warm-up pass."""
    return inference_times([model], X)[0]


def inference_times(
    models: list[Sequential], X: np.ndarray, repeats: int = TIMING_REPEATS
) -> list[float]:
    """:func:`inference_time` of several models measured together: a warm-up pass of
    each, then ``repeats`` rounds that time each model once in turn (interleaved, so
    a busy moment of a shared machine falls on all of them), the median per model."""
    inputs = np.resize(X, (1000, X.shape[1]))
    for model in models:
        _infer(model, inputs)
    times: list[list[float]] = [[] for _ in models]
    for _ in range(repeats):
        for model, measured in zip(models, times):
            start = time.perf_counter()
            _infer(model, inputs)
            measured.append(time.perf_counter() - start)
    return [1000 * float(np.median(measured)) for measured in times]


def _infer(model: Sequential, inputs: np.ndarray) -> None:
    model.predict_proba(inputs) if model.loss.is_classification else model.predict(inputs)


def prune_step(
    model: Sequential,
    method: str,
    share: float,
    X: np.ndarray | None,
    output_rate: float = 1.0,
    number: int = 1,
) -> Sequential:
    """Round ``number`` (from 1) of ``method``, each round removing ``share`` of what is
    left (the output layer ``output_rate`` times that share, per-layer magnitude
    pruning): weights in place (``model`` is returned), units into a new, smaller
    network. Weights are pruned to the schedule's own target, (1 - share)^number of
    each layer's weights, so that many rounds of a small layer reach it instead of
    rounding to nothing each round."""
    kind, how = PRUNING_METHODS[method]
    if kind == "weights":
        rate = output_rate if how == "layer" else 1.0
        prune_to(
            model,
            (1 - share) ** number,
            scope=how,
            output_remaining=(1 - rate * share) ** number,
        )
        return model
    return prune_units(model, share, how, X)


def prune_model(
    model: Sequential,
    method: str,
    amount: float,
    rounds: int = 1,
    fine_tune: int = 0,
    data: Dataset | None = None,
    batch_size: int = 32,
) -> Sequential:
    """``model`` pruned by ``method`` until ``amount`` of its weights (or units) are
    gone: in ``rounds`` equal steps, each removing 1 - (1 - amount)^(1 / rounds) of
    what is left, and ``fine_tune`` epochs of training on ``data`` after each. Weight
    pruning changes ``model`` in place (and returns it); unit pruning returns a new,
    smaller network."""
    if method not in PRUNING_METHODS:
        raise ValueError(f"method is one of {', '.join(PRUNING_METHODS)}; got {method!r}")
    if not 0 <= amount < 1:
        raise ValueError(f"amount is the share to remove, from 0 to below 1; got {amount!r}")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds is a whole number >= 1, got {rounds!r}")
    kind, how = PRUNING_METHODS[method]
    if data is None and (fine_tune or (kind == "units" and how != "weight_norm")):
        raise ValueError(f"{method} with fine-tuning or on activations needs data (--data)")
    step = 1 - (1 - amount) ** (1 / rounds)
    for number in range(1, rounds + 1):
        model = prune_step(model, method, step, None if data is None else data.X_train, 1.0, number)
        if fine_tune:
            model.fit(data.X_train, data.y_train, epochs=fine_tune, batch_size=batch_size)
    return model


#: The numbers a pruned run stores beside its history (one value each, or one per
#: round for ``round_test_accuracy``).
PRUNING_NUMBERS = (
    "dense_test_accuracy",
    "remaining",
    "parameters",
    "flops_per_sample",
    "compressed_bytes",
    "epochs_to_dense",
    "round_test_accuracy",
    "nonzero_weights",
    "ms_per_1000",
    "dense_ms_per_1000",
)


def run_pruned(config, data: Dataset, model: Sequential, seed: int):
    """A study's pruned run: train the dense network as ``config`` says, then prune
    in ``config.prune_rounds`` rounds, each followed by ``config.fine_tune`` epochs of
    training from the survivors' trained values, or (``rewind``) from their original
    draws or their values after epoch k (then ``fine_tune`` or, when 0, the config's
    epochs of training: iterative magnitude pruning with rewinding, Frankle & Carbin
    2019). ``reinit`` is the paper's control: the winning ticket is found as with
    ``init``, and at each round a copy of it, its mask kept and its survivors drawn
    afresh, is trained and measured. Returns (the pruned model, its last History, the
    :data:`PRUNING_NUMBERS`)."""

    history, rewound = _train_dense(config, data, model)
    dense = model.evaluate(data.X_test, data.y_test).get("accuracy")
    dense_model = copy.deepcopy(model)  # timed beside the pruned one at the end
    dense_weights = size_report(model).weights
    count, step = config.pruning_schedule
    retrain = config.fine_tune or (0 if config.rewind == "trained" else config.epochs)

    def train(network: Sequential):
        return network.fit(
            data.X_train,
            data.y_train,
            epochs=retrain,
            batch_size=config.batch_size,
            validation_data=(data.X_test, data.y_test),
        )

    rounds = []
    for number in range(count):
        model = prune_step(
            model, config.prune_method, step, data.X_train, config.prune_output_rate, number + 1
        )
        if rewound is not None:
            rewind(model, rewound)
        if retrain:
            history = train(model)
        measured, measured_history = model, history
        if config.rewind == "reinit":  # the ticket's control: its own mask, fresh draws
            measured = copy.deepcopy(model)
            reinitialize(measured, seed + config.seed_offset + 1_000_003 * (number + 1))
            measured_history = train(measured) if retrain else history
        rounds.append(measured.evaluate(data.X_test, data.y_test).get("accuracy"))
        if number == count - 1:
            model, history = measured, measured_history
    numbers = _pruning_numbers(model, history, dense, rounds, dense_weights)
    pruned_time, dense_time = inference_times([model, dense_model], data.X_test)
    numbers["ms_per_1000"] = [pruned_time]
    numbers["dense_ms_per_1000"] = [dense_time]
    return model, history, numbers


def _train_dense(config, data: Dataset, model: Sequential):
    """Train the dense network as ``config`` says: (its History, the values a rewind
    goes back to: the initial draw, or the values after epoch k; None without one)."""

    initial = {name: value.copy() for name, value in model.parameters().items()}
    kept: dict[str, dict] = {}
    callbacks = []
    if config.rewind.startswith("epoch:"):
        epoch = int(config.rewind.split(":")[1])

        def keep(done, logs):
            if done + 1 == epoch:
                kept["values"] = {k: v.copy() for k, v in model.parameters().items()}

        callbacks.append(LambdaCallback(on_epoch_end=keep))
    history = fit_run(model, config, data, callbacks)
    if config.rewind == "trained":
        return history, None
    return history, kept.get("values", initial)


def _pruning_numbers(model, history, dense, rounds, dense_weights) -> dict[str, list[float]]:
    """The stored numbers; ``remaining`` is the non-zero weights' share of the dense
    network's weights (a network cut to fewer units has fewer weights, all non-zero)."""
    report = size_report(model)
    curve = history.history.get("val_accuracy", [])
    reached = next(
        (i + 1 for i, value in enumerate(curve) if dense is not None and value >= dense - 1e-12),
        None,
    )
    nan = float("nan")
    return {
        "dense_test_accuracy": [nan if dense is None else float(dense)],
        "remaining": [report.nonzero_weights / dense_weights],
        "parameters": [float(report.parameters)],
        "flops_per_sample": [float(report.flops_per_sample)],
        "compressed_bytes": [float(report.compressed_bytes)],
        "epochs_to_dense": [nan if reached is None else float(reached)],
        "round_test_accuracy": [nan if value is None else float(value) for value in rounds],
        "nonzero_weights": [float(report.nonzero_weights)],
    }
