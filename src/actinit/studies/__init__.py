"""Studies: data sets, study files, the parallel runner, the SQLite store, summaries,
and the diagnosis of recorded runs in words."""

from . import datasets
from .config import RunConfig, build_model, dataset_for, model_for
from .diagnosis import Finding, diagnose
from .runner import run_one, run_study
from .store import Store
from .study import Study, StudyError, builtin_names, load_study, parse_study, write_study
from .summary import summarize

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
