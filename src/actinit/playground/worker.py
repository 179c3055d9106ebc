"""The one thread that trains every page's networks, commands before training.

Every page's work runs here in turn, off the event loop. A page's command (configure,
step, rewind, download) goes ahead of the training chunks other pages have queued, so
it waits for at most the epoch in progress (a chunk ends early when a command waits,
:attr:`Worker.commands_waiting`), however many pages are playing; a chunk still
queued when its page pauses is cancelled and never runs.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

COMMAND, TRAINING = 0, 1


class Worker:
    """One daemon thread running submitted calls: commands first, then training
    chunks, each kind in the order it came."""

    def __init__(self, name: str = "playground") -> None:
        self.name = name
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

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            _, _, future, function, args = self._queue.get()
            with self._queue.mutex:  # a command still queued keeps the flag up
                if not (self._queue.queue and self._queue.queue[0][0] == COMMAND):
                    self.commands_waiting.clear()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            try:
                result = function(*args)
            except BaseException as problem:  # the caller hears it through the future
                future.set_exception(problem)
            else:
                future.set_result(result)
