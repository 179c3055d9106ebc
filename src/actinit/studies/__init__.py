"""Studies, in three wings that data flows through one way:

- :mod:`.plan`: what to run. Data sets, the study file (its settings, grid and
  published figures), a run's configuration, the metrics.
- :mod:`.run`: running it. The parallel runner, the SQLite store, pruning runs, the
  checks made before any work.
- :mod:`.answer`: what the stored runs say. Summaries across seeds, statistics,
  rankings and effects, published figures and conclusions judged, adaptive seeds,
  diagnoses of recorded runs.

A wing imports only the wings before it. The names below are the public ones; the
modules' old flat paths (``actinit.studies.summary`` ...) still import.
"""

import sys as _sys

from .answer import (
    adaptive,
    analysis,
    calibration,
    conclusions,
    diagnosis,
    recorded,
    run_table,
    statistics,
    summary,
    tradeoff,
    trainability,
)
from .answer.diagnosis import Finding, diagnose
from .answer.summary import summarize
from .plan import datasets, run_config, study
from .plan.run_config import RunConfig
from .plan.study import Study, StudyError, builtin_names, load_study, parse_study, write_study
from .run import preflight, pruning, runner, store
from .run.fitting import build_model, dataset_for, model_for
from .run.runner import run_one, run_study
from .run.store import Store

#: The flat paths of the modules before the wings, for code that imports them.
_FORMER_PATHS = {
    "config": run_config,
    **{
        module.__name__.rsplit(".", 1)[1]: module
        for module in (
            datasets, study, preflight, pruning, runner, store, adaptive, analysis,
            calibration, conclusions, diagnosis, recorded, run_table, statistics, summary,
            tradeoff, trainability,
        )
    },
}  # fmt: skip
for _name, _module in _FORMER_PATHS.items():
    _sys.modules[f"{__name__}.{_name}"] = _module

__all__ = [
    "Finding",
    "RunConfig",
    "Store",
    "Study",
    "StudyError",
    "build_model",
    "builtin_names",
    "dataset_for",
    "datasets",
    "diagnose",
    "load_study",
    "model_for",
    "parse_study",
    "run_one",
    "run_study",
    "summarize",
    "write_study",
]
