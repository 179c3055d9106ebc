"""Studies, in three wings that data flows through one way:

- :mod:`.plan`: what to run. Data sets, the study file (its settings, grid and
  published figures), a run's configuration, the metrics.
- :mod:`.run`: running it. The parallel runner, the SQLite store, pruning runs, the
  checks made before any work.
- :mod:`.answer`: what the stored runs say. Summaries across seeds, statistics,
  rankings and effects, published figures and conclusions judged, adaptive seeds,
  diagnoses of recorded runs.

A wing imports only the wings before it. The names below are this package's public
face; each is imported when first used, so that importing the store or the runner
(what every worker process does) does not import the statistics. Other modules are
reached by their own paths (``actinit.studies.answer.ranking``).
"""

from __future__ import annotations

import importlib
from typing import Any

#: Each public name and the module it lives in.
_PUBLIC = {
    "Finding": "answer.diagnosis",
    "diagnose": "answer.diagnosis",
    "summarize": "answer.summary",
    "RunConfig": "plan.run_config",
    "StudyError": "plan.settings",
    "Study": "plan.study",
    "builtin_names": "plan.study_file",
    "load_study": "plan.study_file",
    "parse_study": "plan.study_file",
    "write_study": "plan.study_file",
    "build_model": "run.fitting",
    "dataset_for": "run.fitting",
    "model_for": "run.fitting",
    "run_one": "run.runner",
    "run_study": "run.runner",
    "Store": "run.store",
}
#: The modules reached from here as attributes: the data sets, and the three wings.
_MODULES = {"datasets": "plan.datasets", "plan": "plan", "run": "run", "answer": "answer"}

__all__ = sorted([*_PUBLIC, *_MODULES])


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    elif name in _MODULES:
        value = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    else:
        raise AttributeError(
            f"module {__name__!r} has no attribute {name!r}; its public names: "
            f"{', '.join(__all__)} (other modules by their own paths, e.g. "
            f"actinit.studies.answer.ranking)"
        )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
