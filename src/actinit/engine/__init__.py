"""The engine: a feedforward network written from scratch in NumPy.

Arrays in, arrays out. Nothing here knows of data sets, result files, plots or the
command line.
"""

from . import activations, initializers, losses, optimizers, regularizers
from .callbacks import Callback, EarlyStopping, History, LambdaCallback
from .diagnosis import Finding, diagnose
from .layers import BatchNorm, Dense, Dropout, Layer, Maxout
from .model import InputError, Sequential, lsuv_initialize
from .pruning import prune_magnitude, prune_units, size_report
from .recording import Recorder, Recording
from .registry import SpecError, parse_spec

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
    "parse_spec",
    "prune_magnitude",
    "prune_units",
    "size_report",
    "regularizers",
]
