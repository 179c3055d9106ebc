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
