"""The playground's worker threads: a page's commands go ahead of its queued
training, and the pages' workers take turns, one computing at a time."""

import threading
import time

import pytest

from actinit.playground.worker import COMMAND, TRAINING, Turns, Worker


def blocked(worker: Worker) -> threading.Event:
    """Keep ``worker`` busy until the returned event is set."""
    release, started = threading.Event(), threading.Event()

    def hold():
        started.set()
        release.wait(10)

    worker.submit(hold, kind=TRAINING)
    assert started.wait(10)
    return release


def test_a_command_goes_ahead_of_the_training_its_page_queued():
    worker, ran = Worker("test"), []
    release = blocked(worker)
    chunks = [worker.submit(ran.append, f"chunk {i}", kind=TRAINING) for i in range(3)]
    command = worker.submit(ran.append, "step", kind=COMMAND)
    later = worker.submit(ran.append, "reset")
    release.set()
    for future in [*chunks, command, later]:
        future.result(timeout=10)
    # The commands waited for the chunk in progress only, and kept their own order.
    assert ran == ["step", "reset", "chunk 0", "chunk 1", "chunk 2"]


def test_a_chunk_cancelled_while_queued_never_runs():
    worker, ran = Worker("test"), []
    release = blocked(worker)
    paused = worker.submit(ran.append, "paused page's chunk", kind=TRAINING)
    other = worker.submit(ran.append, "other page's chunk", kind=TRAINING)
    assert paused.cancel()
    release.set()
    other.result(timeout=10)
    assert ran == ["other page's chunk"] and paused.cancelled()


def test_errors_reach_the_caller_and_the_worker_goes_on():
    worker = Worker("test")
    with pytest.raises(ZeroDivisionError):
        worker.submit(lambda: 1 / 0).result(timeout=10)
    assert worker.submit(sum, [1, 2]).result(timeout=10) == 3
    with pytest.raises(ValueError, match="COMMAND"):
        worker.submit(sum, [1], kind=5)


def test_a_command_interrupts_the_training_chunk_in_progress():
    """A chunk that would train for seconds ends after its current epoch when a command
    comes: the command waits for about one epoch (a 50 x 256 page's Pause took 2-8 s
    under load)."""
    from actinit.playground.session import Session
    from actinit.playground.settings import parse_settings

    worker = Worker("interrupt-test")
    session = Session(parse_settings({"hidden": "64,64,64", "samples": 2000}))
    session.train(1)
    one = session.train(3) / 3  # seconds per epoch
    chunk = worker.submit(session.train, 100_000, True, worker.commands_waiting, kind=TRAINING)
    time.sleep(max(0.2, 3 * one))
    asked = time.perf_counter()
    answered = worker.submit(time.perf_counter).result(timeout=60)
    waited = answered - asked
    trained = chunk.result(timeout=60)
    assert session.epoch < 1000 and trained < 30
    assert waited < 10 * one + 2, (waited, one)  # an epoch or so, not the whole chunk
    assert not worker.commands_waiting.is_set()


def test_the_flag_stays_up_while_commands_are_queued():
    worker = Worker("flag-test")
    gate = threading.Event()
    first = worker.submit(gate.wait, 5)
    time.sleep(0.05)
    second = worker.submit(lambda: "done")
    assert worker.commands_waiting.is_set()
    gate.set()
    assert first.result(timeout=5) and second.result(timeout=5) == "done"
    time.sleep(0.05)
    assert not worker.commands_waiting.is_set()


def test_workers_take_turns_and_one_computes_at_a_time():
    """A call that computes for seconds hands the baton on after its slice when
    another page's worker waits: that page waits for a slice, not for the call."""
    turns = Turns(slice_seconds=0.05)
    slow, quick = Worker("slow", turns), Worker("quick", turns)
    inside, overlaps = [], []

    def compute(seconds, share):
        inside.append(1)
        overlaps.append(len(inside))
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            if share:
                inside.pop(), turns.share(), inside.append(1)
        inside.pop()
        return time.perf_counter()

    long = slow.submit(compute, 2.0, True, kind=TRAINING)
    time.sleep(0.2)
    asked = time.perf_counter()
    answered = quick.submit(compute, 0.01, False).result(timeout=10)
    assert answered - asked < 0.5 and long.result(timeout=10) > answered
    assert max(overlaps) == 1  # never two at once
    for worker in (slow, quick):
        worker.close()
        worker._thread.join(timeout=5)
        assert not worker._thread.is_alive()
