"""actinit: a laboratory for activation functions and weight initialization.

>>> import actinit as ai
>>> model = ai.Sequential([ai.Dense(12, activation="relu", init="he_normal"),
...                        ai.Dense(1, activation="sigmoid")],
...                       loss="binary_crossentropy", optimizer="sgd(lr=0.01)", seed=0)
"""

from .engine import (
    BatchNorm,
    Callback,
    Dense,
    Dropout,
    EarlyStopping,
    Finding,
    History,
    InputError,
    LambdaCallback,
    Layer,
    Maxout,
    Recorder,
    Recording,
    Sequential,
    SpecError,
    activations,
    diagnose,
    initializers,
    losses,
    lsuv_initialize,
    optimizers,
    prune_magnitude,
    prune_units,
    regularizers,
    size_report,
)

__version__ = "0.1.0"

__all__ = [
    "BatchNorm",
    "Callback",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Finding",
    "Recorder",
    "Recording",
    "diagnose",
    "History",
    "InputError",
    "LambdaCallback",
    "Layer",
    "Maxout",
    "Sequential",
    "SpecError",
    "activations",
    "initializers",
    "losses",
    "lsuv_initialize",
    "optimizers",
    "prune_magnitude",
    "prune_units",
    "regularizers",
    "size_report",
]
