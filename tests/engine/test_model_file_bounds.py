"""A model file is judged from its headers and its description before any array is
read: a tiny file describing a huge network, a zip bomb, a description nested past
Python's recursion limit. Each once took gigabytes or a traceback."""

from __future__ import annotations

import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from actinit.engine import Sequential
from actinit.engine.layers import Dense
from actinit.engine.model_file import ModelFileError

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _small_model_file(tmp_path):
    model = Sequential([Dense(3, activation="relu"), Dense(2, activation="softmax")])
    model.build(2)
    return model, model.save(tmp_path / "m.npz")


def _npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _peak_bytes_while(action) -> int:
    tracemalloc.start()
    try:
        action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_small_file_describing_a_huge_network_is_refused_from_its_headers(tmp_path):
    """A 3 KB file whose config described 100M parameters took 1.75 GB and 16 s."""
    model, _ = _small_model_file(tmp_path)
    config = model.config()
    config["input_dim"] = 10_000
    config["layers"][0]["config"]["units"] = 10_000
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.npy", _npy_bytes(np.array(json.dumps(config))))
        for key, value in model.parameters().items():
            archive.writestr(f"parameter/{key}.npy", _npy_bytes(value))
    assert path.stat().st_size < 5_000

    def load():
        with pytest.raises(ModelFileError, match="at least 100,020,000 weights; the file holds 17"):
            Sequential.load(path)

    assert _peak_bytes_while(load) < 20_000_000


def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path):
    """A 975 KB archive of zeros took 992 MB: the check read the size after the fact."""
    _, path = _small_model_file(tmp_path)
    count = 12_500_000  # 100 MB of float64 zeros, deflated to about 100 KB
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (count,)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("buffer/extra.npy", "w", force_zip64=True) as stream:
            np.lib.format.write_array_header_1_0(stream, header)
            chunk = bytes(1_000_000)
            for _ in range(count * 8 // len(chunk)):
                stream.write(chunk)
    assert path.stat().st_size < 1_000_000

    def load():
        with pytest.raises(ModelFileError, match="more than the network its config describes"):
            Sequential.load(path)

    assert _peak_bytes_while(load) < 20_000_000


def test_a_config_nested_past_the_recursion_limit_is_a_refusal(tmp_path):
    path = tmp_path / "nested.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.npy", _npy_bytes(np.array("[" * 100_000 + "]" * 100_000)))
    with pytest.raises(ModelFileError, match="nests deeper than Python can read"):
        Sequential.load(path)


def test_an_oversized_config_entry_is_refused_unread(tmp_path):
    path = tmp_path / "long.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.npy", _npy_bytes(np.array(" " * 2_000_000)))
    with pytest.raises(ModelFileError, match="config entry is larger than"):
        Sequential.load(path)


def test_a_saved_model_still_loads_equal(tmp_path):
    model, path = _small_model_file(tmp_path)
    again = Sequential.load(path)
    for key, value in model.parameters().items():
        np.testing.assert_array_equal(again.parameters()[key], value)
