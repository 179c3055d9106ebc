"""Named arrays packed into one bytes value for the store (a run's history, a
recording): a deflated ``.npz`` without pickle, read back fast for the one-dimensional
arrays actinit writes, and refused in one line when it is not what actinit wrote."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable

import numpy as np


class DamagedBlobError(RuntimeError):
    """Bytes in the store that are not arrays actinit packed."""


def pack(arrays: dict[str, np.ndarray]) -> bytes:
    """Named arrays as a compressed .npz (no pickle)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return zlib.compress(buffer.getvalue(), 6)


def unpack(blob: bytes | None, keys: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """The inverse of :func:`pack` (only ``keys``, when given); an empty blob is no
    arrays. The one-dimensional arrays actinit writes are read straight from their
    .npy bytes; anything else goes through ``np.load`` (a study's curves read tens of
    thousands of histories: np.load parses each header with ``ast``, 1 ms a run)."""
    if not blob:
        return {}
    try:
        return _unpacked(blob, keys)
    except (zlib.error, zipfile.BadZipFile, ValueError, IndexError, EOFError, OSError) as error:
        raise DamagedBlobError(
            f"a stored history or recording cannot be read ({type(error).__name__}: "
            f"{error}); actinit wrote it otherwise: was the database changed by hand? Run "
            "the study again into a fresh database"
        ) from None


def _unpacked(blob: bytes, keys: Iterable[str] | None) -> dict[str, np.ndarray]:
    raw = zlib.decompress(blob)
    wanted = None if keys is None else set(keys)
    members = _stored_members(raw)
    if members is None:  # not the plain layout np.savez writes: let zipfile read it
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
    arrays = {}
    for name, data in members.items():
        key = name[:-4] if name.endswith(".npy") else name
        if wanted is None or key in wanted:
            arrays[key] = _read_npy(data)
    return arrays


_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


def _stored_members(raw: bytes) -> dict[str, bytes] | None:
    """The members of an uncompressed zip as np.savez writes it (local headers one
    after another, sizes in a zip64 field), or None for any other layout."""
    members, offset = {}, 0
    while raw[offset : offset + 4] == b"PK\x03\x04":
        _, _, flags, method, _, _, _, size, _, name_length, extra_length = (
            _LOCAL_HEADER.unpack_from(raw, offset)
        )
        if method != 0 or flags & 0x08:
            return None
        start = offset + _LOCAL_HEADER.size
        name = raw[start : start + name_length].decode()
        extra = raw[start + name_length : start + name_length + extra_length]
        if size == 0xFFFFFFFF:
            if extra[:2] != b"\x01\x00" or len(extra) < 20:
                return None
            size = int.from_bytes(extra[12:20], "little")  # zip64: original, then stored size
        data_start = start + name_length + extra_length
        members[name] = raw[data_start : data_start + size]
        offset = data_start + size
    return members if members else None


_NPY_HEADER = re.compile(
    rb"\{'descr': '([<>|][a-z]\d+)', 'fortran_order': False, 'shape': \((\d*),?\), \}"
)


def _read_npy(data: bytes) -> np.ndarray:
    """One .npy file's array: a plain 1-D array parsed directly, else ``np.load``."""
    if data[:6] == b"\x93NUMPY" and data[6] == 1:
        length = int.from_bytes(data[8:10], "little")
        match = _NPY_HEADER.match(data[10 : 10 + length].strip())
        if match:
            dtype = np.dtype(match.group(1).decode())
            count = int(match.group(2) or 0) if match.group(2) else 0
            if dtype.kind in "fiub":
                return np.frombuffer(data, dtype=dtype, count=count, offset=10 + length).copy()
    return np.load(io.BytesIO(data), allow_pickle=False)


def encode_history(history: dict[str, list[float]]) -> bytes:
    """Per-epoch metrics as float32 arrays, packed."""
    return pack({key: np.asarray(values, dtype=np.float32) for key, values in history.items()})
