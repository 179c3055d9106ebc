"""Recorded runs: one (configuration, seed) trained with a Recorder, kept in the store.

Pictures of a run (boundaries, feature spaces, gradient heatmaps) need its recording.
The first request trains the run with a Recorder and stores the arrays; later ones
read them back, so plots never train twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...engine import Recorder, Recording, Sequential
from ..plan import datasets
from ..plan.dimensions import hidden_label
from ..plan.run_config import RunConfig, normalize_activation
from ..plan.study import Study
from ..run.fitting import dataset_for, fit_run, model_for
from ..run.store import Store


@dataclass
class RecordedRun:
    """One run trained with a :class:`~actinit.engine.recording.Recorder`: its
    configuration, seed and data, and the recording (weights, activations and
    gradients per layer over the epochs) that pictures and diagnoses read."""

    config: RunConfig
    seed: int
    data: datasets.Dataset
    recording: Recording

    def model(self, index: int = -1) -> Sequential:
        return self.recording.model_at(index)

    @property
    def label(self) -> str:
        """Names the run whatever the grid: activation / initializer, depth and data."""
        hidden = hidden_label(self.config.hidden)
        return (
            f"{self.config.label}, hidden {hidden}, {self.config.data['name']} (seed {self.seed})"
        )


def record(config: RunConfig, seed: int) -> tuple[datasets.Dataset, Recording]:
    """Train ``config`` on ``seed`` with a Recorder watching (about 300 measurements
    whatever the length of the run): (its data, the recording)."""
    data = dataset_for(config, seed)
    model = model_for(config, data, seed)
    # About 300 measurements whatever the length of the run.
    recorder = Recorder(data.X_train, data.y_train, every=max(1, config.epochs // 300))
    fit_run(model, config, data, callbacks=[recorder])
    return data, recorder.recording


def recorded_run(store: Store, config: RunConfig, seed: int = 0) -> RecordedRun:
    """The recording of ``config`` at ``seed`` from the store, made and kept there
    first if it is not (the same run as the study's), with its data and model."""
    arrays = store.recording(config.key, seed)
    if arrays is None:
        data, recording = record(config, seed)
        store.add_recording(config.key, seed, recording.to_arrays())
    else:
        data, recording = dataset_for(config, seed), Recording.from_arrays(arrays)
    return RecordedRun(config, seed, data, recording)


def select(
    study: Study,
    activation: str | None = None,
    initializer: str | None = None,
    dimensions: dict[str, str] | None = None,
    **match: str,
) -> list[RunConfig]:
    """The configurations of a study matching an activation and/or initializer label,
    and any other grid dimension as pictures label it (``dimensions``:
    ``{"hidden": "50x32"}``, ``{"hidden": "50"}`` for 50 layers, ``{"data": "spiral"}``)."""
    chosen = []
    wanted = normalize_activation(activation) if activation else None
    for config in study.configs:
        if wanted and config.activation != wanted:
            continue
        if initializer and initializer not in (config.init_label, config.init):
            continue
        if any(str(getattr(config, key)) != str(value) for key, value in match.items()):
            continue
        chosen.append(config)
    if not dimensions or not chosen:
        return chosen
    from .selection import SelectionError, select_configs

    try:  # hidden=50: a layer of 50 units where there is one, else 50 layers
        return [chosen[i] for i in select_configs(chosen, dimensions)]
    except SelectionError:
        return []
