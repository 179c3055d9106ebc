"""What a saved model file is, read without building a model: its format version, the
check of its description (:func:`check_config`, before anything is allocated), reading
its arrays header by header (:func:`read_arrays`), and :class:`ModelFileError`.
Nothing here imports the model, so the model, saving and starting points all read it."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .layers import LAYERS

FORMAT_VERSION = 1

#: The most scalars one model file may describe (about 4 GB of float64).
MAX_PARAMETERS = 500_000_000


class ModelFileError(ValueError):
    """A file that is not a model actinit can load; the message says why."""


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
