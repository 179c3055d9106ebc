"""Only the playground's own page may drive it: a WebSocket from another origin
(cross-site WebSocket hijacking) and a request addressed to another host name (DNS
rebinding) are refused with 403."""

import aiohttp
import pytest

from actinit.playground.server import create_app, same_origin


async def test_a_websocket_from_another_site_is_refused(client):
    host = f"{client.host}:{client.port}"
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    for origin in (f"http://{host}", f"http://localhost:{client.port}"):
        async with client.ws_connect("/ws", headers={"Origin": origin}) as socket:
            await socket.send_json({"type": "speed", "epochs_per_second": 5})
    async with client.ws_connect("/ws") as socket:  # no Origin: not a browser page
        await socket.send_json({"type": "speed", "epochs_per_second": 5})
    with pytest.raises(aiohttp.WSServerHandshakeError):  # the same host, another port
        await client.ws_connect("/ws", headers={"Origin": f"http://localhost:{client.port + 1}"})


async def test_a_request_for_another_host_name_is_refused(client):
    rebound = await client.get("/api/options", headers={"Host": f"evil.example:{client.port}"})
    assert rebound.status == 403 and "answers to" in await rebound.text()
    assert (await client.get("/api/options")).status == 200


async def test_a_server_on_every_interface_answers_its_own_names_only(aiohttp_client):
    """With --host 0.0.0.0, DNS rebinding reached the server (only a warning): now the
    machine's own names and addresses, and --allow-host names, are answered."""
    import socket

    open_client = await aiohttp_client(create_app("0.0.0.0", allow=("lab.example",)))
    for name in (socket.gethostname(), "lab.example", "127.0.0.1", "LOCALHOST"):
        reply = await open_client.get("/api/options", headers={"Host": f"{name}:8000"})
        assert reply.status == 200, name
    rebound = await open_client.get("/api/options", headers={"Host": "evil.example:8000"})
    assert rebound.status == 403 and "--allow-host" in await rebound.text()


def test_an_empty_host_is_refused_in_one_line():
    from click.testing import CliRunner

    from actinit.cli import main

    result = CliRunner().invoke(main, ["playground", "--host", ""])
    assert result.exit_code != 0 and "--host is empty" in result.output
    assert "http://:" not in result.output


async def test_a_message_over_the_limit_closes_with_its_reason(client):
    """The 4 MB close had a code and no reason text."""
    socket = await client.ws_connect("/ws")
    try:
        await socket.send_str("x" * (4 * 1024 * 1024 + 10))
    except (ConnectionError, aiohttp.ClientError):
        pass  # the server may close before the whole message is sent
    closed = await socket.receive()
    assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 1009
    assert "over 4 MB" in closed.extra and "characters" in closed.extra


def test_same_origin_by_hand():
    assert same_origin("http://127.0.0.1:8765", "127.0.0.1:8765")
    assert same_origin("http://localhost:8765", "127.0.0.1:8765")
    assert same_origin("http://[::1]:8765", "localhost:8765")
    assert not same_origin("http://127.0.0.1:8766", "127.0.0.1:8765")
    assert not same_origin("https://evil.example", "127.0.0.1:8765")
    assert not same_origin("http://[::", "127.0.0.1:8765")
    assert not same_origin("null", "127.0.0.1:8765")


async def test_the_page_says_the_upload_limit_and_why_a_large_message_closed(client):
    options = await (await client.get("/api/options")).json()
    assert options["limits"]["message_bytes"] == 4 * 1024 * 1024
    script = await (await client.get("/static/socket.js")).text()
    assert "event.code === 1009" in script and "upload_characters" in script
