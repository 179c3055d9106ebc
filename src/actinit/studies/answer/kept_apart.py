"""Runs a study stored that its file no longer describes: runs are keyed by their
configuration, the contents of the data files they read included, so an edited CSV
file (or an edited grid) makes new runs and leaves the old ones stored under their own
keys. :func:`kept_apart` says so in one sentence, so a table never looks complete or
stale without a word."""

from __future__ import annotations

import json

from ..plan.study import Study


def kept_apart(study: Study, store) -> str:
    """A sentence on the stored runs of ``study`` (by its name) that none of its
    configurations now has: those that read other contents of one of its data files,
    and those of configurations its grid no longer holds. Empty when there are none."""
    if not hasattr(store, "configurations_of"):
        return ""
    current = {config.key for config in (*study.configs, *study.replays)}
    files_now = {_file_of(config.data): _digest(config.data) for config in study.configs}
    other_data = other_grid = 0
    changed: set[str] = set()
    for key, text, runs in store.configurations_of(study.name):
        if key in current:
            continue
        data = json.loads(text).get("data", {})
        path = _file_of(data)
        if path is not None and path in files_now and files_now[path] != _digest(data):
            other_data += runs
            changed.add(path)
        else:
            other_grid += runs
    parts = []
    if other_data:
        parts.append(
            f"{other_data} stored runs of {study.name} read earlier contents of "
            f"{', '.join(sorted(changed))} (the file changed since): they are of other data, "
            "kept under their own keys and not counted here"
        )
    if other_grid:
        parts.append(
            f"{other_grid} stored runs of {study.name} are of configurations its file no "
            "longer describes: kept, not counted here"
        )
    return "; ".join(parts)


def _file_of(data: dict) -> str | None:
    return data.get("path") if isinstance(data, dict) else None


def _digest(data: dict) -> str | None:
    return data.get("digest") if isinstance(data, dict) else None
