"""The playground's web server: one page, its static files, and a WebSocket per page.

Protocol (JSON messages over ``/ws``):

* page -> server: ``{"type": "configure", "settings": {...}, "id": n}``, ``{"type": "play"}``,
  ``{"type": "pause"}``, ``{"type": "step", "epochs": n}``, ``{"type": "reset"}``,
  ``{"type": "download"}``.
* server -> page: ``ready`` (data and first state), ``update`` (several times a second
  while playing), ``state`` (playing or not), ``model`` (base64 .npz), ``error``
  (a refused message, with the reason). ``ready`` and ``update`` carry the ``id`` of the
  configure they answer, so a page can ignore answers to settings it has since changed.

Each WebSocket owns one :class:`Session`; training runs in a worker thread so pages do
not block each other, and stops when its page closes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from importlib import resources
from typing import Any

from aiohttp import WSMsgType, web

from ..studies.study import write_study
from .session import Session
from .settings import (
    DEFAULT_EXPORT_EPOCHS,
    MAX_EPOCHS,
    SettingsError,
    options,
    parse_settings,
)

STATIC = resources.files("actinit.playground") / "static"
UPDATE_SECONDS = 0.2  # aim: five updates a second while playing
MAX_MESSAGE_BYTES = 16 * 1024
log = logging.getLogger("actinit.playground")
CONNECTIONS: web.AppKey[set] = web.AppKey("connections", set)


def needs_session(handler):
    """Marks a message handler that needs a configured experiment."""
    handler.needs_session = True
    return handler


class Connection:
    """The state of one page: its session, and the task that trains it.

    Messages are dispatched to the ``on_<type>`` method of their type. ``refusal``
    keeps why the last settings were refused, so a later command says that, not a
    vaguer "configure first" that would hide the first error."""

    def __init__(self, socket_response: web.WebSocketResponse) -> None:
        self.socket = socket_response
        self.session: Session | None = None
        self.task: asyncio.Task | None = None
        self.lock = asyncio.Lock()
        self.refusal: str | None = None

    async def send(self, message: dict[str, Any]) -> None:
        if not self.socket.closed:
            await self.socket.send_str(json.dumps(message, allow_nan=False))

    async def error(self, text: str) -> None:
        await self.send({"type": "error", "message": text})

    @property
    def playing(self) -> bool:
        return self.task is not None and not self.task.done()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass
            self.task = None

    async def in_worker(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    async def _train_loop(self) -> None:
        epochs = 1
        session = self.session
        try:
            while not session.finished and not self.socket.closed:
                async with self.lock:
                    seconds = await self.in_worker(session.train, epochs)
                    message = await self.in_worker(session.update_message)
                await self.send(message)
                # Adapt the chunk so that each update takes about UPDATE_SECONDS.
                if seconds < UPDATE_SECONDS / 2:
                    epochs = min(epochs * 2, 2000)
                elif seconds > UPDATE_SECONDS * 1.5 and epochs > 1:
                    epochs = max(1, epochs // 2)
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            raise
        except Exception as problem:  # the page hears why training stopped
            log.exception("training failed")
            await self.error(f"training stopped: {type(problem).__name__}: {problem}")
        finally:
            if not self.socket.closed:
                await self.send({"type": "state", "playing": False})

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        handler = getattr(self, f"on_{kind}", None) if isinstance(kind, str) else None
        if handler is None:
            names = ", ".join(name[3:] for name in dir(self) if name.startswith("on_"))
            await self.error(f"unknown message type {kind!r}; use {names}")
            return
        if getattr(handler, "needs_session", False) and self.session is None:
            if self.refusal:
                await self.error(f"cannot {kind}: the settings were refused: {self.refusal}")
            else:
                await self.error(f"cannot {kind}: configure the experiment first")
            return
        await handler(message)

    async def on_configure(self, message: dict[str, Any]) -> None:
        await self.stop()
        values, request_id = message.get("settings", {}), message.get("id")
        if request_id is not None and not isinstance(request_id, (int, str)):
            await self.error("id must be a number or a string")
            return
        try:
            if not isinstance(values, dict):
                raise SettingsError("settings must be an object of name: value")
            settings = parse_settings(values)
        except SettingsError as problem:
            self.session, self.refusal = None, str(problem)
            await self.error(str(problem))
            return
        self.refusal = None
        self.session = await self.in_worker(Session, settings, request_id)
        await self.send(await self.in_worker(self.session.ready_message))

    @needs_session
    async def on_play(self, message: dict[str, Any]) -> None:
        if not self.playing:
            self.task = asyncio.create_task(self._train_loop())
            await self.send({"type": "state", "playing": True})

    async def on_pause(self, message: dict[str, Any]) -> None:
        await self.stop()

    @needs_session
    async def on_step(self, message: dict[str, Any]) -> None:
        await self.stop()
        epochs = message.get("epochs", 1)
        if not isinstance(epochs, int) or isinstance(epochs, bool) or not 1 <= epochs <= 1000:
            await self.error("step takes 1 to 1000 epochs")
            return
        async with self.lock:
            await self.in_worker(self.session.train, epochs)
            await self.send(await self.in_worker(self.session.update_message))

    @needs_session
    async def on_reset(self, message: dict[str, Any]) -> None:
        await self.stop()
        settings, request_id = self.session.settings, self.session.request_id
        self.session = await self.in_worker(Session, settings, request_id)
        await self.send(await self.in_worker(self.session.ready_message))

    @needs_session
    async def on_download(self, message: dict[str, Any]) -> None:
        async with self.lock:
            data = await self.in_worker(self.session.model_bytes)
        await self.send({"type": "model", "filename": "actinit-playground-model.npz", "data": data})


async def websocket(request: web.Request) -> web.WebSocketResponse:
    response = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_MESSAGE_BYTES)
    await response.prepare(request)
    connection = Connection(response)
    request.app[CONNECTIONS].add(connection)
    try:
        async for raw in response:
            if raw.type == WSMsgType.TEXT:
                try:
                    message = json.loads(raw.data)
                except (ValueError, RecursionError) as problem:
                    await connection.error(
                        f"messages must be JSON objects: {_json_problem(problem)}"
                    )
                    continue
                if not isinstance(message, dict):
                    await connection.error("messages must be JSON objects")
                    continue
                try:
                    await connection.handle(message)
                except Exception as problem:  # never a server error for the page
                    log.exception("message failed")
                    await connection.error(f"could not do that: {problem}")
            elif raw.type == WSMsgType.ERROR:
                break
    finally:
        await connection.stop()
        request.app[CONNECTIONS].discard(connection)
    return response


def _json_problem(problem: Exception) -> str:
    """Why a message could not be read, in words (Python's own text for deep nesting
    or a number of thousands of digits says nothing to the page's user)."""
    if isinstance(problem, RecursionError):
        return "nested too deeply"
    if "digits" in str(problem) or "integer string conversion" in str(problem):
        return "a number has too many digits"
    return str(problem)


async def index(request: web.Request) -> web.Response:
    return web.Response(text=(STATIC / "index.html").read_text(), content_type="text/html")


async def static_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    types = {".js": "application/javascript", ".css": "text/css"}
    suffix = name[name.rfind(".") :]
    if "/" in name or suffix not in types or not (STATIC / name).is_file():
        raise web.HTTPNotFound(text=f"no static file {name!r}")
    return web.Response(text=(STATIC / name).read_text(), content_type=types[suffix])


async def no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def api_options(request: web.Request) -> web.Response:
    return web.json_response(options())


async def api_study(request: web.Request) -> web.Response:
    """The study file for the settings in the query string (what the page's URL holds),
    training ``epochs`` epochs (the page sends the epochs it has trained) for ``seeds``
    seeds."""
    query = dict(request.query)
    try:
        epochs = _integer_parameter(query.pop("epochs", None), DEFAULT_EXPORT_EPOCHS, MAX_EPOCHS)
        seeds = _integer_parameter(query.pop("seeds", None), 1, 1000)
        settings = parse_settings(query)
    except SettingsError as problem:
        return web.json_response({"error": str(problem)}, status=400)
    return web.Response(
        text=write_study(settings.study(epochs=epochs, seeds=seeds)),
        content_type="text/plain",
        headers={"Content-Disposition": 'attachment; filename="playground.toml"'},
    )


def _integer_parameter(raw: str | None, default: int, high: int) -> int:
    if raw is None or raw == "" or raw == "0":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise SettingsError(f"expected a whole number from 1 to {high}, got {raw!r}")
    return int(raw)


async def api_settings(request: web.Request) -> web.Response:
    """Validate settings from a query string: normalized settings, or the reason."""
    try:
        settings = parse_settings(dict(request.query))
    except SettingsError as problem:
        return web.json_response({"error": str(problem)}, status=400)
    return web.json_response({"settings": settings.to_dict(), "query": settings.query()})


async def _close_all(app: web.Application) -> None:
    for connection in list(app[CONNECTIONS]):
        await connection.stop()
        await connection.socket.close()


def create_app() -> web.Application:
    app = web.Application()
    app[CONNECTIONS] = set()
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_get("/api/options", api_options)
    app.router.add_get("/api/study", api_study)
    app.router.add_get("/api/settings", api_settings)
    app.router.add_get("/ws", websocket)
    app.router.add_get("/favicon.ico", no_icon)
    app.on_shutdown.append(_close_all)
    return app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def serve(host: str = "127.0.0.1", port: int | None = None, announce=print) -> None:
    """Run the playground until interrupted."""
    port = port or free_port(host)
    announce(f"actinit playground: http://{host}:{port}/  (Ctrl+C to stop)")
    web.run_app(create_app(), host=host, port=port, print=None)
