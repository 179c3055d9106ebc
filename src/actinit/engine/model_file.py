"""What a saved model file is, read without building a model: its format version, the
check of its description (:func:`check_config`, before anything is allocated), reading
its arrays header by header (:func:`read_arrays`), and :class:`ModelFileError`.
Nothing here imports the model, so the model, saving and starting points all read it."""

from __future__ import annotations

import json
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


#: The largest JSON description a model file may hold (a real one is a few KB).
MAX_CONFIG_BYTES = 1_000_000


def array_headers(path: Path, error: type[Exception] = ValueError) -> dict[str, tuple]:
    """Each array of an ``.npz`` file as ``name: (shape, dtype)``, read from the
    headers alone; refuses (with ``error`` naming ``path``) what is not a zip archive
    of plain arrays: pickles, a truncated archive, or a header that declares more data
    than its entry holds (it would allocate petabytes)."""
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise error(f"{path} is not an .npz file (a zip archive of arrays)")
    headers = {}
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
                headers[member.filename.removesuffix(".npy")] = (shape, dtype)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as problem:
        if isinstance(problem, error):
            raise
        raise error(f"{path} is not a readable .npz file of arrays: {problem}") from None
    return headers


def read_arrays(
    path: Path, error: type[Exception] = ValueError, names: tuple[str, ...] | None = None
) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file (only ``names`` if given), after
    :func:`array_headers` has checked every header."""
    array_headers(path, error)
    return load_checked(path, error, names)


def load_checked(
    path: Path, error: type[Exception] = ValueError, names: tuple[str, ...] | None = None
) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file whose headers :func:`array_headers` has checked
    (only ``names`` if given)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files if names is None or key in names}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as problem:
        raise error(f"{path} is not a readable .npz file of arrays: {problem}") from None


def read_config(path: Path, headers: dict[str, tuple]) -> Any:
    """The JSON description a model file holds under ``config``, bounded in size and
    depth before it is parsed."""
    if "config" not in headers:
        raise ModelFileError(f"{path} has no 'config' entry: not an actinit model")
    shape, dtype = headers["config"]
    if math.prod(shape) * dtype.itemsize > MAX_CONFIG_BYTES:
        raise ModelFileError(
            f"{path}: its config entry is larger than {MAX_CONFIG_BYTES:,} bytes; a model "
            "description is a few KB"
        )
    text = str(load_checked(path, ModelFileError, names=("config",))["config"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: its config is not valid JSON ({error})") from None
    except RecursionError:
        raise ModelFileError(
            f"{path}: its config nests deeper than Python can read; not a model description"
        ) from None


def check_file_sizes(path: Path, headers: dict[str, tuple], config: dict[str, Any]) -> None:
    """The arrays' declared sizes against what ``config`` describes, from the headers:
    fewer weights than the network needs, or more data than it could hold (a zip bomb
    inflates only after this check), are refused before any array is read."""
    least, most = parameter_bounds(config)
    held = sum(
        math.prod(shape) for name, (shape, _) in headers.items() if name.startswith("parameter/")
    )
    if held < least:
        raise ModelFileError(
            f"{path}: the config describes a network of at least {least:,} weights; the "
            f"file holds {held:,} parameter values (a damaged or foreign file)"
        )
    data = sum(math.prod(shape) * dtype.itemsize for shape, dtype in headers.values())
    allowed = 3 * 16 * most + MAX_CONFIG_BYTES  # parameters, buffers and masks
    if data > allowed:
        raise ModelFileError(
            f"{path}: the file's arrays hold {data:,} bytes, more than the network its config "
            f"describes could use ({allowed:,}); refusing to read them"
        )


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
    parameter_bounds(config, path)


def parameter_bounds(config: dict[str, Any], path: Path | str = "the config") -> tuple[int, int]:
    """At least how many weights and at most how many parameters the layers of a
    checked ``config`` describe (an unbuilt model counted for one input feature);
    :class:`ModelFileError` past :data:`MAX_PARAMETERS`."""
    width = config.get("input_dim") or 1
    least = most = 0
    for number, entry in enumerate(config["layers"], start=1):
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
        if "units" in values:  # an affine layer: its weight matrix at least
            least += width * units * pieces
        most += (width + 1) * units * pieces
        if most > MAX_PARAMETERS:
            raise ModelFileError(
                f"{path}: the config describes more than {MAX_PARAMETERS:,} parameters; "
                "refusing to allocate them"
            )
        width = units
    return least, most


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < math.inf
