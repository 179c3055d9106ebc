"""The playground's one worker thread: commands go ahead of queued training."""

import threading

import pytest

from actinit.playground.worker import COMMAND, TRAINING, Worker


def blocked(worker: Worker) -> threading.Event:
    """Keep ``worker`` busy until the returned event is set."""
    release, started = threading.Event(), threading.Event()

    def hold():
        started.set()
        release.wait(10)

    worker.submit(hold, kind=TRAINING)
    assert started.wait(10)
    return release


def test_a_command_goes_ahead_of_training_other_pages_queued():
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
