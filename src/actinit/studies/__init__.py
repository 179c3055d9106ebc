"""Studies: data sets, study files, the parallel runner, the SQLite store, summaries."""

from . import datasets
from .runner import run_one, run_study
from .store import Store
from .study import RunConfig, Study, StudyError, builtin_names, load_study, parse_study
from .summary import summarize

__all__ = [
    "RunConfig",
    "Store",
    "Study",
    "StudyError",
    "builtin_names",
    "datasets",
    "load_study",
    "parse_study",
    "run_one",
    "run_study",
    "summarize",
]
