import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
async def client(aiohttp_client):
    """A test client of a fresh playground server."""
    from actinit.playground.server import create_app

    return await aiohttp_client(create_app())


#: Test files whose every test is ``slow``: the site and the notebooks (they build and
#: run them), the browser, theory checked against wide random networks, processes and
#: clusters, simulated error rates. `pytest -m "not slow"` is the quick inner loop.
SLOW_FILES = {
    "test_docs_site.py",
    "test_notebooks.py",
    "test_playground_browser.py",
    "test_theory.py",
    "test_trainability.py",
    "test_same_numbers.py",
    "test_calibration.py",
    "test_large_studies.py",
    "test_replay.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
