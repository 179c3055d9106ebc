"""Reading the playground's WebSocket messages in tests."""

import asyncio


async def receive(socket, kind, timeout=30):
    """The next message of ``kind`` (others are skipped)."""

    async def wait():
        while True:
            message = await socket.receive_json()
            if message["type"] == kind:
                return message

    return await asyncio.wait_for(wait(), timeout)
