"""Saving and loading a :class:`~actinit.engine.model.Sequential` as one ``.npz`` file.

The file holds every parameter (``parameter/<layer>.<name>``) and buffer
(``buffer/<layer>.<name>``) as an array, plus the model's JSON description as the
entry ``config``. No pickle is written or read.

Loading checks the description and the arrays before anything is allocated: every
layer's size is bounded, every array must have the shape the description implies and
finite values, so a damaged or hostile file is refused with a message, never half
loaded.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .arrays import assign_checked
from .model import Sequential
from .model_file import (
    ModelFileError,
    array_headers,
    check_config,
    check_file_sizes,
    load_checked,
    read_config,
)


def save(model: Sequential, path: str | Path) -> Path:
    """Write ``model``'s parameters, buffers and config to ``path`` (``.npz`` added).

    Refuses a model that could not be loaded again (e.g. built from objects that
    have no registered name), instead of writing a file whose load then fails."""
    model._require_built()
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz")
    config = model.config()
    try:
        Sequential.from_config(json.loads(json.dumps(config)))
    except (ValueError, TypeError, KeyError) as error:
        raise ModelFileError(
            f"this model cannot be saved so that it loads again: {error}. Give layers "
            "registered names (see actinit.activations.register)"
        ) from None
    arrays = {f"parameter/{k}": v for k, v in model.parameters().items()}
    arrays.update({f"buffer/{k}": v for k, v in model.buffers().items()})
    arrays.update(
        {
            f"mask/{layer.name}.W": layer.weight_mask
            for layer in model.weighted_layers()
            if layer.weight_mask is not None
        }
    )
    arrays["config"] = np.array(json.dumps(config))
    _write_atomically(path, arrays)
    return path


def _default_mode() -> int:
    """The mode a new file gets under this process's umask (mkstemp's is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez`` into a temporary file beside ``path``, then renamed over it: a
    crash (or a full disk) part-way never leaves a broken file or loses the one that
    was there, even when a model is saved over the file it was loaded from."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.chmod(temporary, path.stat().st_mode if path.exists() else _default_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: str | Path) -> Sequential:
    """Rebuild a model written by :func:`save`; refuses pickled content, a config that
    does not describe a network, and arrays whose shapes or values do not fit it."""
    path = Path(path)
    config, arrays = _read(path)
    try:
        model = Sequential.from_config(config)
    except (ValueError, TypeError, KeyError) as error:
        raise ModelFileError(f"{path}: the config does not describe a network: {error}") from None
    if not model.built:
        raise ModelFileError(f"{path}: the config has no input_dim; the model was never built")
    targets = {f"parameter/{k}": v for k, v in model.parameters().items()}
    targets.update({f"buffer/{k}": v for k, v in model.buffers().items()})
    masks = {key: arrays.pop(key) for key in list(arrays) if key.startswith("mask/")}
    assign_checked(targets, arrays, str(path), ModelFileError)
    _restore_masks(model, masks, path)
    return model


def _restore_masks(model: Sequential, masks: dict[str, np.ndarray], path: Path) -> None:
    """Pruning masks (``mask/<layer>.W``: 1 kept, 0 pruned) back on their layers."""
    layers = {f"mask/{layer.name}.W": layer for layer in model.weighted_layers()}
    for key, mask in masks.items():
        layer = layers.get(key)
        if layer is None or mask.shape != layer.W.shape:
            raise ModelFileError(f"{path}: {key} does not fit a weight of this network")
        if not np.isin(mask, (0, 1)).all():
            raise ModelFileError(f"{path}: {key} is a pruning mask, of zeros and ones only")
        layer.weight_mask = mask.astype(layer.W.dtype)
        layer.W *= layer.weight_mask
    model.refresh_constraints()


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The config and arrays of a model file, every size checked from the headers
    (and the config against them) before any array is read."""
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}")
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise ModelFileError(
                f"{path} is not a saved actinit model: an .npz file is a zip archive, this "
                "file is not one"
            )
    headers = array_headers(path, ModelFileError)
    config = read_config(path, headers)
    check_config(config, path)
    check_file_sizes(path, headers, config)
    arrays = load_checked(path, ModelFileError)  # the headers were checked above
    arrays.pop("config")
    return config, arrays
