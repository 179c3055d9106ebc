"""Reading the playground's WebSocket messages in tests."""

import asyncio
import socket
import subprocess
import sys
import time
import urllib.request


async def receive(socket, kind, timeout=30):
    """The next message of ``kind`` (others are skipped)."""

    async def wait():
        while True:
            message = await socket.receive_json()
            if message["type"] == kind:
                return message

    return await asyncio.wait_for(wait(), timeout)


def start_playground() -> tuple[subprocess.Popen, str]:
    """``actinit playground`` in its own process on a free port, as a user starts it,
    once it answers: (the process, its URL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "actinit.cli", "playground", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the playground did not start")
