"""Running a study: every (configuration, seed) is one run, in parallel, stored as it ends.

Runs go through joblib, so they can execute in local processes (``loky``, the
default), in threads, or on a Dask cluster (``backend="dask"``). Results come back
to this process, which alone writes the database, one run at a time as each
finishes: interrupting a study loses only the runs still in flight.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joblib import Parallel, delayed, parallel_config

from ...engine.initializers import custom_components, install_components
from ..plan.run_config import RunConfig
from ..plan.study import Study
from .fitting import dataset_for, fit_run, model_for
from .preflight import DEFAULT_TIME_LIMIT, PlanError, check_size, check_study
from .pruning import run_pruned
from .store import Store


def epochs_to_target(accuracies: list[float], target: float | None) -> int | None:
    """The first epoch (1-based) whose accuracy reaches ``target``, or None."""
    if target is None:
        return None
    for epoch, accuracy in enumerate(accuracies, start=1):
        if accuracy >= target - 1e-12:
            return epoch
    return None


def _finite_or_none(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


#: Every run does its linear algebra in this many BLAS threads, in this process, in a
#: joblib worker or on a Dask worker alike: a matrix product summed by two threads
#: rounds differently from one summed by one, so a (configuration, seed) would store
#: other numbers at -j 1 (all the main process's threads) than at -j 2 (joblib gives
#: each worker a share). One thread everywhere: the same result at any -j.
BLAS_THREADS = 1

_blas = None


def _one_blas_thread():
    """A context in which BLAS uses :data:`BLAS_THREADS` threads (threadpoolctl; the
    controller that finds the loaded libraries is made once per process)."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=BLAS_THREADS, user_api="blas")


def run_one(
    config: RunConfig, seed: int, study: str = "", components: dict | None = None
) -> dict[str, Any]:
    """Train one configuration with one seed; never raises (failures are recorded).
    ``components``: activations and initializers the user registered in the parent
    process (:func:`~actinit.engine.initializers.custom_components`), for workers.
    The run's linear algebra uses :data:`BLAS_THREADS` threads, so that it stores the
    same numbers whatever the process layout."""
    with _one_blas_thread():
        return _run_one(config, seed, study, components)


def _run_one(config: RunConfig, seed: int, study: str, components: dict | None) -> dict[str, Any]:
    started = time.perf_counter()
    if components:
        install_components(components)
    record: dict[str, Any] = {
        "config_key": config.key,
        "seed": seed,
        "study": study,
        "config": config.to_dict(),
    }
    try:
        data = dataset_for(config, seed)
        model = model_for(config, data, seed)
        extras: dict[str, list[float]] = {}
        if config.prune_method:
            model, history, extras = run_pruned(config, data, model, seed)
        else:
            history = fit_run(model, config, data)
        train = model.evaluate(data.X_train, data.y_train)
        test = model.evaluate(data.X_test, data.y_test)
        record.update(
            status="diverged" if history.diverged else "ok",
            train_accuracy=_finite_or_none(train.get("accuracy")),
            test_accuracy=_finite_or_none(test.get("accuracy")),
            train_loss=_finite_or_none(train["loss"]),
            test_loss=_finite_or_none(test["loss"]),
            epochs_run=len(history.epochs),
            epochs_to_target=epochs_to_target(
                history.history.get("val_accuracy", []), config.target_accuracy
            ),
            diverged_epoch=history.diverged_epoch,
            history={**_stored_history(history), **extras},
        )
    except Exception as error:  # a broken run must not stop the study
        record.update(
            status="failed",
            error=f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}",
            history={},
        )
    record["seconds"] = time.perf_counter() - started
    return record


def _stored_history(history) -> dict[str, list[float]]:
    """The per-epoch metrics, and ``val_epoch`` (1-based) when validation figures
    were not taken every epoch."""
    stored = dict(history.history)
    if len(history.val_epochs) != len(history.epochs):
        stored["val_epoch"] = [float(e) for e in history.val_epochs]
    return stored


#: What loky and joblib leave in shared memory when their process is killed (kill -9):
#: semaphores named after the process, and memory-mapping folders.
LEFTOVERS = re.compile(r"^(?:sem\.loky-|loky-|joblib_memmapping_folder_)(\d+)[-_]")


def clean_shared_memory(folder: str | Path = "/dev/shm") -> list[str]:
    """Remove what killed loky and joblib workers left in ``folder`` (they name the
    process that made it): only entries whose process is gone, so a running study's
    are never touched. Returns the names removed."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = LEFTOVERS.match(entry.name)
        if not match or _alive(int(match.group(1))):
            continue
        try:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            removed.append(entry.name)
        except OSError:
            pass  # another user's, or gone meanwhile
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


@dataclass
class RunReport:
    """What a call of :func:`run_study` did: the runs the study has, those already
    stored (skipped), those run now and how many of them diverged or failed, the
    seconds it took, and a note on the workers (or on runs left to another process)."""

    total: int
    skipped: int
    ran: int
    diverged: int
    failed: int
    seconds: float
    #: Why fewer local workers ran than were asked for, or runs were left to another
    #: process ("" when neither).
    note: str = ""
    #: Runs another live process on the same database had taken (left to it).
    elsewhere: int = 0


def local_jobs(asked: int | None, runs: int, backend: str = "loky") -> tuple[int, str]:
    """The local workers to start: every core by default; never more than the cores
    (each run holds BLAS to one thread, so more workers than cores only share them: -j
    256 on 4 runs started some 250 processes) nor than the runs waiting; and a note when
    fewer than asked. Dask places its runs on the cluster's own workers."""
    cores = os.cpu_count() or 1
    if backend == "dask":
        return asked or cores, ""
    jobs = asked or cores
    bounded = max(1, min(jobs, cores, max(runs, 1)))
    note = ""
    if asked and bounded < asked:
        waiting = f"{runs} run{'s are' if runs != 1 else ' is'} waiting"
        why = f"this machine has {cores} cores" if asked > cores else waiting
        note = f"-j {asked}: {bounded} workers, as {why}"
    return bounded, note


def _claimed(store, todo: list[tuple[RunConfig, int]]):
    """(the runs of ``todo`` this process takes, how many another live process on the
    same database has taken): two `actinit run`s of one study share its runs instead of
    each doing all of them. A store that keeps no claims (in memory) gives them all."""
    if not todo or not hasattr(store, "claim"):
        return todo, 0
    by_key = {(config.key, seed): (config, seed) for config, seed in todo}
    mine, others = store.claim(list(by_key))
    return [by_key[run] for run in mine], others


def planned_runs(study: Study, seeds: int) -> list[tuple[RunConfig, int]]:
    """Every (configuration, seed) of ``study`` with ``seeds`` seeds, then its replays
    of the original runs (once each, seed 0)."""
    runs = [(config, seed) for config in study.configs for seed in range(seeds)]
    return runs + [(replay, 0) for replay in study.replays]


def pending_runs(
    study: Study, store: Store, seeds: int, planned: list[tuple[RunConfig, int]] | None = None
) -> list[tuple[RunConfig, int]]:
    """The planned runs (:func:`planned_runs`, unless given) that are not stored yet (a
    failed run counts as not stored)."""
    planned = planned_runs(study, seeds) if planned is None else planned
    done = store.done({config.key for config, _ in planned})
    return [(config, seed) for config, seed in planned if (config.key, seed) not in done]


def run_study(
    study: Study,
    store: Store,
    seeds: int | None = None,
    jobs: int | None = None,
    backend: str = "loky",
    scheduler: str | None = None,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    plan: list[tuple[RunConfig, int]] | None = None,
) -> RunReport:
    """Run every missing (configuration, seed) of ``study`` and store each as it ends.
    ``plan``: these (configuration, seed) runs instead of every configuration's first
    ``seeds`` seeds and the replays (what :mod:`actinit.studies.answer.adaptive` asks for).

    ``jobs``: parallel workers (default: all cores). ``backend``: "loky" (processes),
    "threading", "sequential" or "dask" (with ``scheduler`` = "tcp://host:port", or a
    local cluster when None). ``progress(done, total, result)`` is called per run.
    Before any run, :func:`~actinit.studies.run.preflight.check_study` checks the data,
    the memory and the time (``time_limit`` seconds, None for none); its
    :class:`~actinit.studies.plan.datasets.DataError` or :class:`PlanError` means nothing was run.
    """
    seeds = study.seeds if seeds is None else seeds
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1, got {seeds}")
    if plan is None:
        check_size(len(study.configs), seeds, len(study.replays))
    planned = planned_runs(study, seeds) if plan is None else plan
    todo = pending_runs(study, store, seeds, planned)
    jobs, note = local_jobs(jobs, len(todo), backend)
    check_study(study, todo, jobs, time_limit)
    total = len(planned)
    report = RunReport(total, total - len(todo), 0, 0, 0, 0.0, note)
    todo, others = _claimed(store, todo)
    if others:
        left = f"{others} runs left to another actinit run on this database"
        report.note = "; ".join(filter(None, [report.note, left]))
        report.elsewhere = others
    if not todo:
        return report
    started = time.perf_counter()
    try:
        # closed at once if storing fails or the user interrupts: workers and clients stop
        with contextlib.closing(_results(study, todo, jobs, backend, scheduler)) as results:
            _consume(results, store, report, progress, len(todo))
    finally:
        if hasattr(store, "release"):
            store.release()
    report.seconds = time.perf_counter() - started
    return report


def _results(study: Study, todo, jobs: int, backend: str, scheduler: str | None):
    """Each run of ``todo``'s record as it ends: in this process (``sequential``, or one
    job), else through joblib's ``backend`` (a Dask cluster for ``dask``)."""
    if backend == "sequential" or (jobs == 1 and backend != "dask"):
        yield from (run_one(config, seed, study.name) for config, seed in todo)
        return
    components = custom_components()
    tasks = (delayed(run_one)(config, seed, study.name, components) for config, seed in todo)
    if backend == "loky":
        clean_shared_memory()
    client = None
    if backend == "dask":
        from distributed import Client  # the optional extra actinit[dask]

        client = _dask_client(Client, scheduler)
    try:
        with parallel_config(backend=backend, n_jobs=jobs if backend != "dask" else -1):
            parallel = Parallel(
                return_as="generator_unordered", batch_size=1, pre_dispatch="2*n_jobs"
            )
            yield from parallel(tasks)
    finally:
        if client is not None:
            client.close()


#: The Dask scheduler schemes a --scheduler address may use: the others need a
#: security context (tls, wss), an extra transport (ucx) or this process (inproc).
SCHEDULER_SCHEMES = ("tcp", "ws")
#: Seconds to wait for a scheduler before saying it cannot be reached.
SCHEDULER_TIMEOUT = 10


def check_scheduler(address: str) -> str:
    """``address`` if it reads as a Dask scheduler's (tcp://HOST:PORT), else a
    :class:`PlanError` that says what is wrong and how to start one."""
    from urllib.parse import urlsplit

    how = "start one with `dask scheduler` (it prints its tcp://HOST:8786 address) and workers with `dask worker tcp://HOST:8786`"
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError as error:
        raise PlanError(f"--scheduler {address!r} is not an address ({error}); {how}") from None
    if parts.scheme == "inproc":
        return _in_this_process(address, how)
    if parts.scheme in ("tls", "wss", "ucx"):
        raise PlanError(
            f"--scheduler {address!r}: actinit connects to tcp:// or ws:// schedulers "
            f"({parts.scheme}:// needs security or transport settings it does not pass); "
            "run the scheduler on tcp://, or drop --scheduler for a cluster in this process"
        )
    if parts.scheme not in SCHEDULER_SCHEMES or not parts.hostname or port is None:
        raise PlanError(
            f"--scheduler {address!r} is not a Dask scheduler's address: write "
            f"tcp://HOST:PORT; {how}"
        )
    return address


def _in_this_process(address: str, how: str) -> str:
    """An inproc:// address (a cluster started in this Python process, e.g. by
    ``LocalCluster(processes=False)``), if it names this process; else a PlanError."""
    import os
    import re

    match = re.fullmatch(r"inproc://[^/]+/(\d+)/\d+", address)
    if match is None or int(match.group(1)) != os.getpid():
        raise PlanError(
            f"--scheduler {address!r}: an inproc:// scheduler lives inside one Python "
            f"process and is reached from that process only; {how}"
        )
    return address


def _dask_client(Client, scheduler: str | None):
    """A client of ``scheduler`` (or of a cluster in this process); one line if the
    scheduler cannot be reached."""
    if not scheduler:
        return Client(processes=False)
    try:
        client = Client(check_scheduler(scheduler), timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise PlanError(
            f"cannot reach the Dask scheduler at {scheduler} within {SCHEDULER_TIMEOUT} s "
            f"({type(error).__name__}); start one with `dask scheduler` and workers with "
            f"`dask worker {scheduler}`, or run without --scheduler"
        ) from None
    try:  # runs sent to a scheduler with no workers would wait for ever
        client.wait_for_workers(1, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError):
        client.close()
        raise PlanError(
            f"the Dask scheduler at {scheduler} has no workers (none joined within "
            f"{SCHEDULER_TIMEOUT} s): start one with `dask worker {scheduler}`"
        ) from None
    return client


def _consume(results, store, report, progress, count):
    for done, result in enumerate(results, start=1):
        store.add(result)
        report.ran += 1
        report.diverged += result["status"] == "diverged"
        report.failed += result["status"] == "failed"
        if progress:
            progress(done, count, result)
