"""The threads that train the pages' networks: one per page, taking turns.

Each page has a :class:`Worker`, a thread of its own that runs the page's calls in
order, commands (configure, step, rewind, download) before the page's queued
training chunks; a chunk in progress ends after its epoch when one of the page's
commands waits (:attr:`Worker.commands_waiting`), and a chunk still queued when its
page pauses is cancelled and never runs.

Only one worker computes at a time: it holds the :class:`Turns` baton for the whole of
a call and, while training, hands it on after each batch once it has held it for
:data:`SLICE_SECONDS` and another page waits (:class:`TakeTurns`). A page's Step
therefore waits for a slice and a batch of another page, not for its epoch (one page
at the slowest settings made every other page wait 2-6 s), and the pages never
compete for Python's GIL through the engine's many small NumPy calls (with 10 pages
at depth 50, six free threads trained half the epochs a second that one does).
"""

from __future__ import annotations

import collections
import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from ..engine.callbacks import Callback

COMMAND, TRAINING = 0, 1
#: How long a worker computes while another waits before handing the baton on.
SLICE_SECONDS = 0.05
_CLOSE = 2  # sorts after every command and chunk: the worker ends when it is reached


class Turns:
    """A baton for the workers: one holds it at a time. The others queue for it in
    the order they asked, a worker running a page's command (``urgent``) ahead of
    those that train, so that Pause and Step are answered first."""

    def __init__(self, slice_seconds: float = SLICE_SECONDS) -> None:
        self.slice_seconds = slice_seconds
        self._changed = threading.Condition()
        self._queues: tuple[collections.deque[int], ...] = (
            collections.deque(),
            collections.deque(),
        )
        self._holder: int | None = None
        self._since = 0.0

    def take(self, urgent: bool = False) -> None:
        """Wait for the baton, behind every worker that asked before (every urgent one,
        when not ``urgent``)."""
        me, line = threading.get_ident(), self._queues[0 if urgent else 1]
        with self._changed:
            line.append(me)
            while self._holder is not None or self._next() != me:
                self._changed.wait()
            line.popleft()
            self._holder, self._since = me, time.perf_counter()

    def _next(self) -> int | None:
        urgent, training = self._queues
        return urgent[0] if urgent else training[0] if training else None

    def give(self) -> None:
        with self._changed:
            self._holder = None
            self._changed.notify_all()

    def share(self) -> None:
        """Hand the baton on (and queue for it again, as training) if another worker
        waits and this one has held it for a slice; else nothing."""
        if self.waiting and time.perf_counter() - self._since >= self.slice_seconds:
            self.give()
            self.take()

    @property
    def waiting(self) -> int:
        return len(self._queues[0]) + len(self._queues[1])


#: The baton every page's worker takes turns with.
TURNS = Turns()


class TakeTurns(Callback):
    """Shares the baton (:meth:`Turns.share`) after each batch of a training run."""

    def __init__(self, turns: Turns = TURNS) -> None:
        self.turns = turns

    def on_batch_end(self, batch: int) -> None:
        self.turns.share()


class Worker:
    """One page's daemon thread running submitted calls, each holding ``turns``:
    commands first, then training chunks, each kind in the order it came."""

    def __init__(self, name: str = "playground", turns: Turns = TURNS) -> None:
        self.name = name
        self.turns = turns
        #: Set while a command waits: a training chunk in progress ends after its
        #: current epoch, so that the command waits for about an epoch, not a chunk.
        self.commands_waiting = threading.Event()
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def submit(self, function: Callable[..., Any], *args: Any, kind: int = COMMAND) -> Future:
        """``function(*args)`` in the worker thread; its result (or exception) in the
        returned future. ``kind``: COMMAND, or TRAINING (after every queued command)."""
        if kind not in (COMMAND, TRAINING):
            raise ValueError(f"kind is COMMAND ({COMMAND}) or TRAINING ({TRAINING}), got {kind!r}")
        future: Future = Future()
        self._queue.put((kind, next(self._order), future, function, args))
        if kind == COMMAND:
            self.commands_waiting.set()
        self._start()
        return future

    def close(self) -> None:
        """End the thread once the calls queued now have run (or been cancelled)."""
        if self._thread is not None:
            self._queue.put((_CLOSE, next(self._order), None, None, ()))

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            kind, _, future, function, args = self._queue.get()
            if kind == _CLOSE:
                return
            with self._queue.mutex:  # a command still queued keeps the flag up
                if not (self._queue.queue and self._queue.queue[0][0] == COMMAND):
                    self.commands_waiting.clear()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            self.turns.take(urgent=kind == COMMAND)
            try:
                result = function(*args)
            except BaseException as problem:  # the caller hears it through the future
                future.set_exception(problem)
            else:
                future.set_result(result)
            finally:
                self.turns.give()
