"""The playground's web server: one page, its static files, and a WebSocket per page.

Protocol (JSON messages over ``/ws``):

* page -> server: ``{"type": "configure", "settings": {...}, "compare": {...}, "id": n}``
  (``compare``, optional: the settings run B changes, trained beside run A on the same
  data from the same draw), ``{"type": "play"}``, ``{"type": "pause"}``,
  ``{"type": "step", "epochs": n}``, ``{"type": "reset"}`` (rewind: the same initial
  weights again), ``{"type": "speed", "epochs_per_second": x}`` (0: as fast as it
  goes), ``{"type": "upload", "name": "file.csv", "text": "..."}`` (a 2-D data set),
  ``{"type": "download"}``.
* server -> page: ``ready`` (data and first state of one run), ``update`` (several
  times a second while playing, one per run), ``state`` (playing or not), ``uploaded``
  (the file was read), ``model`` (base64 .npz), ``error`` (a refused message, with the
  reason). ``ready`` and ``update`` carry the ``id`` of the configure they answer and
  the ``session`` they come from, so a page ignores answers to settings it has since
  changed and to a run it has rewound.

Each WebSocket owns its runs (:class:`Session`) and a worker thread that trains them
(:class:`~.worker.Worker`), off the event loop, so messages are answered while networks
train. A command stops the page's training within one epoch: the worker finishes the
epoch it is in, and nothing else touches the network meanwhile. The workers take turns
(:class:`~.worker.Turns`): one computes at a time and hands on after a slice of
batches when another page waits, so no page waits for another's epoch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import socket
import time
from concurrent.futures import Future
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from ..studies import datasets
from ..studies.plan.study_file import write_study
from .session import Session
from .settings import (
    ALIASES,
    DEFAULT_EXPORT_EPOCHS,
    MAX_EPOCHS,
    MAX_MESSAGE_BYTES,
    MAX_UPLOAD_CHARACTERS,
    Settings,
    SettingsError,
    check_work,
    options,
    parse_settings,
    thumbnails,
)
from .uploads import Uploads, checked_upload
from .worker import TRAINING, TakeTurns, Worker

STATIC = resources.files("actinit.playground") / "static"
UPDATE_SECONDS = 0.2  # aim: five updates a second while playing
#: What run B shares with run A: the data and the draw.
SHARED_SETTINGS = ("dataset", "noise", "samples", "train_ratio", "classes", "seed", "data_file")
log = logging.getLogger("actinit.playground")
CONNECTIONS: web.AppKey[set] = web.AppKey("connections", set)
#: The host names a request may be addressed to (:func:`create_app`).
ALLOWED_HOSTS: web.AppKey[frozenset] = web.AppKey("allowed_hosts", frozenset)
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclasses.dataclass
class Chunk:
    """One chunk of training: its wall time, the CPU time its training and its update
    messages took in the worker thread (building and writing them as JSON), and the
    messages as JSON text."""

    seconds: float
    train_cpu: float
    message_cpu: float
    messages: list[str]

    def next_size(self, epochs: int, pages: int = 1) -> int:
        """The next chunk's epochs, played as fast as it goes. The pages' workers take
        turns on the machine, so with ``pages`` playing each chunk aims at UPDATE_SECONDS /
        pages of training (every page then updates about as often as one alone would
        at its smallest chunks), and never at less than twice the time its update takes
        to build, so that training, not drawing, has most of the machine."""
        target = UPDATE_SECONDS / max(1, pages)
        if self.train_cpu < 2 * self.message_cpu or self.seconds < target / 2:
            return min(epochs * 2, 2000)
        if self.seconds > target * 1.5 and self.train_cpu > 4 * self.message_cpu:
            return max(1, epochs // 2)
        return epochs


def needs_session(handler):
    """Marks a message handler that needs a configured experiment."""
    handler.needs_session = True
    return handler


#: The slowest speed a page may ask for (epochs a second): one epoch every 10 s.
MIN_SPEED = 0.1


class Connection:
    """The state of one page: its runs (A, and B when comparing), and the task that
    trains them.

    Messages are dispatched to the ``on_<type>`` method of their type. ``refusal``
    keeps why the last settings were refused, so a later command says that, not a
    vaguer "configure first" that would hide the first error."""

    def __init__(self, socket_response: web.WebSocketResponse, pages: set | None = None) -> None:
        self.socket = socket_response
        #: Every page of this server (this one too): how many share the training thread.
        self.pages = pages if pages is not None else {self}
        self.runs: list[Session] = []
        self.task: asyncio.Task | None = None
        #: The training chunk the worker has queued or is running for this page.
        self.chunk: Future | None = None
        self.refusal: str | None = None
        self.epochs_per_second = 0.0  # 0: as fast as it goes
        self.uploads = Uploads()
        #: set by stop(): a training loop waiting between chunks wakes at once
        self.pausing = asyncio.Event()
        #: The page's own thread; the pages' threads take turns (:mod:`.worker`).
        self.worker = Worker(f"playground-page-{id(self):x}")

    @property
    def session(self) -> Session | None:
        """Run A."""
        return self.runs[0] if self.runs else None

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_text(json.dumps(message, allow_nan=False))

    async def send_text(self, text: str) -> None:
        if not self.socket.closed:
            await self.socket.send_str(text)

    async def error(self, text: str, fields: dict[str, str] | None = None) -> None:
        """An error for the page; ``fields``: the wrong settings' own messages, by name."""
        await self.send(
            {"type": "error", "message": text, **({"fields": fields} if fields else {})}
        )

    @property
    def playing(self) -> bool:
        return self.task is not None and not self.task.done()

    async def stop(self) -> None:
        """Stop training and wait until the worker has left the network: it ends the
        epoch it is in (the settings bound an epoch's work)."""
        if self.task is None:
            return
        for run in self.runs:
            run.stop_event.set()
        self.pausing.set()  # a loop waiting between chunks (a slow speed) wakes now
        if self.chunk is not None:
            self.chunk.cancel()  # still queued behind the page's commands: it never runs
        try:
            await self.task
        except (asyncio.CancelledError, Exception):
            pass
        self.task = None
        self.pausing.clear()
        for run in self.runs:
            run.stop_event.clear()

    def close(self) -> None:
        self.worker.close()
        self.uploads.close()

    async def in_worker(self, function, *args):
        """``function(*args)`` in the worker thread, ahead of queued training."""
        return await asyncio.wrap_future(self.worker.submit(function, *args))

    async def train_in_worker(self, epochs: int) -> Chunk:
        """A chunk of training, queued after every page's commands."""
        self.chunk = self.worker.submit(self._train_chunk, epochs, kind=TRAINING)
        try:
            return await asyncio.wrap_future(self.chunk)
        finally:
            self.chunk = None

    def _train_chunk(self, epochs: int) -> Chunk:
        """Train run A ``epochs`` epochs (fewer if stopped meanwhile) and run B up to
        the same epoch, in this worker thread, so A and B stay in step; their updates."""
        first, *others = self.runs
        started, cpu = time.perf_counter(), time.thread_time()
        first.train(epochs, interrupt=self.worker.commands_waiting, turns=TakeTurns())
        for run in others:
            run.train(first.epoch - run.epoch, stoppable=False, turns=TakeTurns())
        seconds, train_cpu = time.perf_counter() - started, time.thread_time() - cpu
        messages = [json.dumps(run.update_message(), allow_nan=False) for run in self.runs]
        return Chunk(seconds, train_cpu, time.thread_time() - cpu - train_cpu, messages)

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` between chunks, or less: a pause wakes the loop at once."""
        try:
            await asyncio.wait_for(self.pausing.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _train_loop(self) -> None:
        epochs = 1
        try:
            while not all(run.finished for run in self.runs) and not self.socket.closed:
                if any(run.stop_event.is_set() for run in self.runs):
                    break
                started = time.perf_counter()
                if self.epochs_per_second:
                    epochs = max(1, round(self.epochs_per_second * UPDATE_SECONDS))
                chunk = await self.train_in_worker(epochs)
                for text in chunk.messages:
                    await self.send_text(text)
                if self.epochs_per_second:
                    wanted = epochs / self.epochs_per_second
                    await self._wait(max(0.01, wanted - (time.perf_counter() - started)))
                    continue
                epochs = chunk.next_size(epochs, sum(page.playing for page in self.pages))
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

    def _settings(self, message: dict[str, Any]) -> list[Settings]:
        """Run A's settings, and run B's (A's with ``compare``'s changes, sharing A's
        data) when the message compares."""
        values, compare = message.get("settings", {}), message.get("compare")
        if not isinstance(values, dict):
            raise SettingsError("settings must be an object of name: value")
        first = parse_settings(values)
        if compare is None:
            return [first]
        if not isinstance(compare, dict) or not compare:
            raise SettingsError("compare is an object of the settings run B changes")
        fixed = sorted(
            {ALIASES.get(str(key).lower(), str(key)) for key in compare} & set(SHARED_SETTINGS)
        )
        if fixed:
            raise SettingsError(
                f"run B trains on run A's data from the same seed, so it cannot change "
                f"{', '.join(fixed)}; it may change the network and its training (e.g. "
                "init=he_normal; activation=relu)"
            )
        try:
            second = parse_settings({**first.to_dict(), **compare})
        except SettingsError as problem:
            raise SettingsError(f"run B: {problem}") from None
        shared = {name: getattr(first, name) for name in SHARED_SETTINGS}
        return [first, dataclasses.replace(second, **shared)]

    async def _start(self, all_settings: list[Settings], request_id) -> None:
        """New runs for ``all_settings``, each announced with a ready message."""
        runs = []
        for settings, run in zip(all_settings, "AB"):
            path = self.uploads.path_for(settings)
            runs.append(await self.in_worker(Session, settings, request_id, path, run))
        self.runs = runs
        for run in runs:
            await self.send(await self.in_worker(run.ready_message))

    async def on_configure(self, message: dict[str, Any]) -> None:
        await self.stop()
        request_id = message.get("id")
        if request_id is not None and not isinstance(request_id, (int, str)):
            await self.error("id must be a number or a string")
            return
        try:
            all_settings = self._settings(message)
            for settings in all_settings:
                self.uploads.path_for(settings)
            first = all_settings[0]
            rows = self.uploads.rows(first.data_file) if first.dataset == "csv" else None
            check_work(all_settings, rows)  # the rows really trained on, A and B together
        except SettingsError as problem:
            self.runs, self.refusal = [], str(problem)
            await self.error(str(problem), problem.fields)
            return
        self.refusal = None
        await self._start(all_settings, request_id)

    @needs_session
    async def on_play(self, message: dict[str, Any]) -> None:
        if not self.playing:
            self.task = asyncio.create_task(self._train_loop())
            await self.send({"type": "state", "playing": True})

    async def on_pause(self, message: dict[str, Any]) -> None:
        await self.stop()

    @needs_session
    async def on_step(self, message: dict[str, Any]) -> None:
        """Train 1 to 1000 epochs, in the background like Play: Pause stops it within an
        epoch, and so does the page going away."""
        await self.stop()
        epochs = message.get("epochs", 1)
        if not isinstance(epochs, int) or isinstance(epochs, bool) or not 1 <= epochs <= 1000:
            await self.error("step takes 1 to 1000 epochs")
            return
        self.task = asyncio.create_task(self._step(epochs))

    async def _step(self, epochs: int) -> None:
        try:
            chunk = await self.in_worker(self._train_chunk, epochs)
            for text in chunk.messages:
                await self.send_text(text)
        except asyncio.CancelledError:
            raise
        except Exception as problem:  # the page hears why
            log.exception("step failed")
            await self.error(f"step stopped: {type(problem).__name__}: {problem}")

    @needs_session
    async def on_reset(self, message: dict[str, Any]) -> None:
        """Rewind: every run starts again from the same initial weights."""
        await self.stop()
        await self._start([run.settings for run in self.runs], self.session.request_id)

    async def on_speed(self, message: dict[str, Any]) -> None:
        value = message.get("epochs_per_second")
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (value == 0 or MIN_SPEED <= value <= 1e4)
        ):
            await self.error(
                f"speed is epochs_per_second: 0 (as fast as it goes) or {MIN_SPEED} to 10000, "
                f"got {value!r}"
            )
            return
        self.epochs_per_second = float(value)

    async def on_upload(self, message: dict[str, Any]) -> None:
        """Keep an uploaded CSV file for this page (:class:`~.uploads.Uploads`); refused
        with the reason."""
        try:
            name, text = checked_upload(message.get("name"), message.get("text"))
            path, rows, classes = await self.in_worker(self.uploads.read, name, text)
        except (SettingsError, datasets.DataError) as problem:
            await self.error(f"upload refused: {self.uploads.private(str(problem))}")
            return
        self.uploads.add(name, path, classes, rows)
        await self.send(
            {
                "type": "uploaded",
                "name": name,
                "rows": rows,
                "classes": classes,
                "regression": not classes,
            }
        )

    @needs_session
    async def on_download(self, message: dict[str, Any]) -> None:
        data = await self.in_worker(self.session.model_bytes)
        await self.send({"type": "model", "filename": "actinit-playground-model.npz", "data": data})


def _host_and_port(netloc: str) -> tuple[str, str]:
    """("127.0.0.1", "8765") of "127.0.0.1:8765"; IPv6 brackets dropped."""
    host, _, port = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    if not host or not port.isdigit():
        host, port = netloc, ""
    return host.strip("[]").lower(), port


def same_origin(origin: str, host: str) -> bool:
    """Does a page at ``origin`` (scheme://host:port) come from this server, reached as
    ``host`` (the request's Host header)? The same host and port, or two loopback names
    (localhost and 127.0.0.1) with the same port."""
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:
        return False
    page, server = _host_and_port(netloc), _host_and_port(host)
    if page == server:
        return True
    return page[1] == server[1] and page[0] in LOOPBACK and server[0] in LOOPBACK


@web.middleware
async def guard(request: web.Request, handler):
    """Requests addressed to this server's own host names only: a page elsewhere whose
    name was made to resolve to 127.0.0.1 (DNS rebinding) is refused."""
    allowed = request.app[ALLOWED_HOSTS]
    if _host_and_port(request.host)[0] not in allowed:
        raise web.HTTPForbidden(
            text=f"this playground answers to {', '.join(sorted(allowed))} only "
            "(start it with --allow-host NAME to add a name)"
        )
    return await handler(request)


class PageSocket(web.WebSocketResponse):
    """A page's WebSocket whose close for a too-large message says why in its reason
    (aiohttp sends the code 1009 alone)."""

    async def close(self, *, code: int = WSCloseCode.OK, message: bytes = b"", drain=True):
        if code == WSCloseCode.MESSAGE_TOO_BIG and not message:
            message = (
                f"a message over {MAX_MESSAGE_BYTES // 2**20} MB; uploads are limited to "
                f"{MAX_UPLOAD_CHARACTERS:,} characters"
            ).encode()
        return await super().close(code=code, message=message, drain=drain)


async def websocket(request: web.Request) -> web.WebSocketResponse:
    """One page's WebSocket: refused from another origin (cross-site WebSocket
    hijacking), else each JSON message dispatched to the page's :class:`Connection`
    until the page closes."""
    origin = request.headers.get("Origin")
    if origin is not None and not same_origin(origin, request.host):
        # cross-site WebSocket hijacking: any page the user visits could drive training
        log.warning("refused a WebSocket from %s", origin)
        raise web.HTTPForbidden(text="the playground accepts WebSockets from its own page only")
    response = PageSocket(heartbeat=30, max_msg_size=MAX_MESSAGE_BYTES)
    await response.prepare(request)
    connection = Connection(response, request.app[CONNECTIONS])
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
        connection.close()
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
    """The page itself (``static/index.html``)."""
    return web.Response(text=(STATIC / "index.html").read_text(), content_type="text/html")


async def static_file(request: web.Request) -> web.Response:
    """A flat file of ``static/`` (a script or the style sheet); 404 for anything
    else, a path included."""
    name = request.match_info["name"]
    types = {".js": "application/javascript", ".css": "text/css"}
    suffix = name[name.rfind(".") :]
    if "/" in name or suffix not in types or not (STATIC / name).is_file():
        raise web.HTTPNotFound(text=f"no static file {name!r}")
    return web.Response(text=(STATIC / name).read_text(), content_type=types[suffix])


async def no_icon(request: web.Request) -> web.Response:
    """No favicon: an empty answer, so the browser stops asking."""
    return web.Response(status=204)


async def api_options(request: web.Request) -> web.Response:
    """The settings a page may ask for, as JSON: fields, choices, bounds, defaults
    and limits (:func:`~actinit.playground.settings.options`)."""
    return web.json_response(options())


async def api_thumbnails(request: web.Request) -> web.Response:
    """A few points of every built-in data set, for the page's clickable pictures."""
    return web.json_response(await asyncio.to_thread(thumbnails))


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


def create_app(host: str = "127.0.0.1", allow: tuple[str, ...] = ()) -> web.Application:
    """The playground's web application, for a server bound to ``host``: requests must
    be addressed to a loopback name, to ``host`` itself, to one of ``allow``, or (for a
    server on every interface, 0.0.0.0 or ::) to one of this machine's own names and
    addresses (:func:`own_names`). Any other Host is refused, so DNS rebinding cannot
    reach the server."""
    app = web.Application(middlewares=[guard])
    app[CONNECTIONS] = set()
    names = {host.strip("[]").lower(), *(name.strip("[]").lower() for name in allow)}
    if host in ("0.0.0.0", "::"):
        names |= own_names()
    app[ALLOWED_HOSTS] = frozenset(LOOPBACK | names - {"0.0.0.0", "::"})
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_get("/api/options", api_options)
    app.router.add_get("/api/thumbnails", api_thumbnails)
    app.router.add_get("/api/study", api_study)
    app.router.add_get("/api/settings", api_settings)
    app.router.add_get("/ws", websocket)
    app.router.add_get("/favicon.ico", no_icon)
    app.on_shutdown.append(_close_all)
    return app


def own_names() -> set[str]:
    """This machine's host names and the addresses they resolve to, and the address it
    reaches other machines from (a UDP socket's, which sends nothing)."""
    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        try:
            names |= {info[4][0] for info in socket.getaddrinfo(name, None)}
        except OSError:
            pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: nothing is sent
            names.add(probe.getsockname()[0])
    except OSError:
        pass
    return {name.lower() for name in names if name}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now (the operating system's choice)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def serve(
    host: str = "127.0.0.1", port: int | None = None, announce=print, allow: tuple[str, ...] = ()
) -> None:
    """Run the playground until interrupted; requests addressed to names other than
    this machine's own and ``allow`` are refused (:func:`create_app`)."""
    port = port or free_port(host)
    shown = f"[{host}]" if ":" in host else host
    announce(f"actinit playground: http://{shown}:{port}/  (Ctrl+C to stop)")
    app = create_app(host, allow)
    web.run_app(app, host=host, port=port, print=None, shutdown_timeout=5)
