"""The engine: a feedforward network written from scratch in NumPy.

Arrays in, arrays out. Nothing here knows of data sets, result files, plots or the
command line.
"""

from . import activations, initializers, losses, optimizers, regularizers, starting_points
from .callbacks import Callback, EarlyStopping, History, LambdaCallback
from .initializers import initialize_from_data, lsuv_initialize
from .layers import Affine, BatchNorm, Dense, Dropout, GatedLinear, Layer, Maxout
from .model import InputError, Sequential
from .model_file import ModelFileError
from .pruning import prune_magnitude, prune_to, reinitialize, rewind, size_report
from .recording import Recorder, Recording
from .registry import SpecError, parse_spec
from .saving import load
from .unit_pruning import prune_units

__all__ = [
    "Affine",
    "BatchNorm",
    "Callback",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Recorder",
    "Recording",
    "History",
    "InputError",
    "LambdaCallback",
    "Layer",
    "Maxout",
    "GatedLinear",
    "ModelFileError",
    "Sequential",
    "SpecError",
    "activations",
    "initializers",
    "load",
    "losses",
    "initialize_from_data",
    "lsuv_initialize",
    "optimizers",
    "parse_spec",
    "reinitialize",
    "rewind",
    "prune_magnitude",
    "prune_to",
    "prune_units",
    "size_report",
    "starting_points",
    "regularizers",
]
