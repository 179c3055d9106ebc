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
import math
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .arrays import assign_checked
from .layers import LAYERS
from .model import FORMAT_VERSION, Sequential

#: The most scalars one model file may describe (about 4 GB of float64).
MAX_PARAMETERS = 500_000_000


class ModelFileError(ValueError):
    """A file that is not a model actinit can load; the message says why."""


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
    check_config(config, path)
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


def _array_header(stream) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype an .npy stream declares, read without its data."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:  # 3.0: a UTF-8 header, read the way numpy itself does
        shape, _, dtype = np.lib.format._read_array_header(stream, version)
    return shape, dtype


def read_arrays(path: Path, error: type[Exception] = ValueError) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, refusing (with ``error`` naming ``path``) what is
    not a zip archive of plain arrays: pickles, a truncated archive, or an array whose
    header declares more data than the file holds (it would allocate petabytes)."""
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise error(f"{path} is not an .npz file (a zip archive of arrays)")
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                with archive.open(member) as stream:
                    shape, dtype = _array_header(stream)
                if dtype.hasobject:
                    raise error(f"{path}: {member.filename} holds Python objects (pickled)")
                needed = math.prod(shape) * dtype.itemsize
                if needed > member.file_size:
                    raise error(
                        f"{path}: {member.filename} declares a {shape} array "
                        f"({needed:,} bytes) but holds {member.file_size:,} bytes"
                    )
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as problem:
        if isinstance(problem, error):
            raise
        raise error(f"{path} is not a readable .npz file of arrays: {problem}") from None


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}")
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise ModelFileError(
                f"{path} is not a saved actinit model: an .npz file is a zip archive, this "
                "file is not one"
            )
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as error:
        raise ModelFileError(f"{path} is not a saved actinit model (.npz): {error}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ModelFileError(f"{path} is a single .npy array, not a saved actinit model (.npz)")
    with archive:
        if "config" not in archive.files:
            raise ModelFileError(f"{path} has no 'config' entry: not an actinit model")
    arrays = read_arrays(path, ModelFileError)  # every header checked before any allocation
    text = str(arrays.pop("config"))
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: its config is not valid JSON ({error})") from None
    return config, arrays


def check_config(config: Any, path: Path | str = "the config") -> None:
    """The JSON description's shape and sizes, before any array is allocated; raises
    :class:`ModelFileError` naming ``path`` (the file, or where the config came from)."""
    if not isinstance(config, dict):
        raise ModelFileError(
            f"{path}: the config must be a JSON object, got {type(config).__name__}"
        )
    if "format_version" not in config:
        raise ModelFileError(
            f"{path}: no format_version: not a model description written by actinit "
            "(Sequential.config() or save)"
        )
    if config.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: unsupported format version {config.get('format_version')!r} "
            f"(this actinit reads version {FORMAT_VERSION})"
        )
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ModelFileError(f"{path}: 'layers' must be a non-empty list of layer descriptions")
    width = config.get("input_dim")
    if width is not None and not _is_count(width):
        raise ModelFileError(f"{path}: input_dim must be a positive integer, got {width!r}")
    names = config.get("feature_names")
    if names is not None and (
        not isinstance(names, list)
        or not all(isinstance(n, str) for n in names)
        or (width is not None and len(names) != width)
    ):
        raise ModelFileError(
            f"{path}: feature_names must be a list of {width} names (one per input column)"
        )
    width = width or 1  # an unbuilt model: sizes counted as if for one input feature
    total = 0
    for number, entry in enumerate(layers, start=1):
        if not (isinstance(entry, dict) and isinstance(entry.get("config"), dict)):
            raise ModelFileError(
                f"{path}: layer {number} must be {{'kind': ..., 'config': {{...}}}}"
            )
        kind, values = entry.get("kind"), entry["config"]
        if kind not in LAYERS:
            raise ModelFileError(
                f"{path}: layer {number} has unknown kind {kind!r}; known: {', '.join(LAYERS)}"
            )
        units = values.get("units", width)
        pieces = values.get("pieces", 2 if kind == "gated" else 1)
        if not (_is_count(units) and _is_count(pieces)):
            raise ModelFileError(
                f"{path}: layer {number} units and pieces must be positive integers"
            )
        total += (width + 1) * units * pieces
        if total > MAX_PARAMETERS:
            raise ModelFileError(
                f"{path}: the config describes more than {MAX_PARAMETERS:,} parameters; "
                "refusing to allocate them"
            )
        width = units


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < math.inf
