"""Running one configuration: the model it describes (:func:`build_model`), its data for
a seed, and its training (:func:`fit_run`)."""

from __future__ import annotations

import functools
import json

from ...engine import Dropout, Sequential, activations, losses
from ...engine.layers import affine_layer
from ..plan import datasets
from ..plan.run_config import DATA_CONTROL_KEYS, RunConfig


def build_model(config: RunConfig, n_classes: int, seed: int) -> Sequential:
    """The network ``config`` describes, for data with ``n_classes`` classes (0 for
    regression), its initial weights drawn from ``seed + config.seed_offset``. Not yet
    built: its first ``fit`` (or ``build(n_features)``) creates the parameters."""
    layers = []
    for units, activation, init in config.hidden_layers():
        if layers and config.dropout:
            layers.append(Dropout(config.dropout))
        layers.append(affine_layer(units, activation, init=init, bias_init=config.bias_init))
    if layers and config.dropout:
        layers.append(Dropout(config.dropout))
    # a loss object of the model's own (the cached one is shared, for reading only)
    loss = losses.get(config.loss) if config.loss else losses.for_output(config.output_activation)
    output_units = loss.output_units(n_classes)
    layers.append(
        affine_layer(
            output_units,
            activations.get(config.output_activation),
            init=config.output_init,
            bias_init=config.bias_init,
        )
    )
    return Sequential(
        layers,
        loss=loss,
        optimizer=config.optimizer,
        seed=seed + config.seed_offset,
        dtype=config.dtype,
        regularizer=config.regularizer,
        starting_point=config.starting_point,
    )


@functools.lru_cache(maxsize=16)
def _cached_dataset(data_json: str, seed: int) -> datasets.Dataset:
    params = json.loads(data_json)
    name = params.pop("name")
    features = params.get("features")
    for key in DATA_CONTROL_KEYS[1:]:
        params.pop(key, None)
    data = datasets.load(name, seed=seed, **params)
    if features:
        data = datasets.with_features(data, datasets.check_features(features, name))
    return data


def data_seed(config: RunConfig, seed: int) -> int:
    """The seed the run's data is drawn with: the run's own if ``vary_with_seed``,
    else the data description's fixed ``seed`` (0 by default)."""
    return seed if config.data.get("vary_with_seed") else int(config.data.get("seed", 0))


def dataset_for(config: RunConfig, seed: int) -> datasets.Dataset:
    """The run's data (cached: runs of one study share their data sets)."""
    return _cached_dataset(json.dumps(config.data, sort_keys=True), data_seed(config, seed))


def model_for(config: RunConfig, data: datasets.Dataset, seed: int) -> Sequential:
    """The network of ``config`` built for ``data``'s features and classes."""
    model = build_model(config, data.n_classes, seed)
    return model.build(data.n_features)


#: A run without callbacks or a target validates often enough for this many points
#: of its validation curve (a 15,000-epoch run: every 30 epochs).
VALIDATION_POINTS = 500


def validation_every(config: RunConfig, callbacks=()) -> int:
    """How often a run evaluates its test data: every epoch when it looks for the
    epoch that reaches a target or a callback watches, else :data:`VALIDATION_POINTS`
    times in all (and after the last epoch)."""
    if callbacks or config.target_accuracy is not None:
        return 1
    return max(1, config.epochs // VALIDATION_POINTS)


def fit_run(model: Sequential, config: RunConfig, data: datasets.Dataset, callbacks=()):
    """Fit ``model`` as ``config`` says (its epochs and batch size), with ``data``'s test
    part as validation data (:func:`validation_every`); returns the History."""
    return model.fit(
        data.X_train,
        data.y_train,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_data=(data.X_test, data.y_test),
        callbacks=callbacks,
        validation_every=validation_every(config, callbacks),
    )
