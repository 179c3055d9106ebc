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
import types as _types

from .answer import (
    adaptive,
    analysis,
    calibration,
    conclusions,
    diagnosis,
    differences,
    exports,
    intervals,
    published,
    recorded,
    run_table,
    statistics,
    summary,
    tradeoff,
    trainability,
)
from .answer.diagnosis import Finding, diagnose
from .answer.summary import summarize
from .plan import datasets, dimensions, run_config, settings, study, study_file
from .plan.run_config import RunConfig
from .plan.settings import StudyError
from .plan.study import Study
from .plan.study_file import builtin_names, load_study, parse_study, write_study
from .run import fitting, preflight, pruning, runner, store
from .run.fitting import build_model, dataset_for, model_for
from .run.runner import run_one, run_study
from .run.store import Store


def _former(name: str, *modules: _types.ModuleType) -> _types.ModuleType:
    """The module ``actinit.studies.<name>`` as it was before the wings: the public
    names of the modules it was split into, re-exported (the objects themselves)."""
    former = _types.ModuleType(
        f"{__name__}.{name}", f"Former path of {', '.join(m.__name__ for m in modules)}."
    )
    for module in modules:
        former.__dict__.update(
            {key: value for key, value in vars(module).items() if not key.startswith("__")}
        )
    return former


#: The flat paths of the modules before the wings, for code that imports them.
_FORMER_PATHS = {
    "config": _former("config", fitting, run_config),
    "study": _former("study", settings, study, study_file),
    "summary": _former("summary", exports, published, dimensions, summary),
    "statistics": _former("statistics", intervals, differences, statistics),
    **{
        module.__name__.rsplit(".", 1)[1]: module
        for module in (
            datasets, preflight, pruning, runner, store, adaptive, analysis, calibration,
            conclusions, diagnosis, recorded, run_table, tradeoff, trainability,
        )
    },
}  # fmt: skip
for _name, _module in _FORMER_PATHS.items():
    _sys.modules[f"{__name__}.{_name}"] = _module
    globals()[_name] = _module  # actinit.studies.config, as an attribute too

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
