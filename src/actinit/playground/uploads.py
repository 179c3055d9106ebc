"""A page's uploaded data files: each kept in a folder of the page's own, read as
``actinit run`` reads a csv data set (two feature columns and a label, 2 to
MAX_CLASSES classes or numbers to predict), at most :data:`MAX_UPLOADS` at once (the
oldest goes when another comes), and removed with the page."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..studies import datasets
from .settings import MAX_CLASSES, MAX_UPLOAD_CHARACTERS, Settings, SettingsError

#: Uploaded files a page keeps at once (the oldest goes when another comes).
MAX_UPLOADS = 5


def upload_name(name: str) -> str:
    """A safe file name for an upload: letters, digits, ``._-`` and spaces, no leading
    dot, at most 80 characters; ``data.csv`` when nothing is left. The page's own name
    (``..``, a NUL byte, a path, 300 characters) never reaches the file system."""
    kept = re.sub(r"[^A-Za-z0-9._ -]", "_", Path(name.replace("\\", "/")).name).lstrip(". ")
    kept = kept[:80].strip()
    return kept if kept and kept not in (".", "..") else "data.csv"


def checked_upload(name: object, text: object) -> tuple[str, str]:
    """(a safe file name, the text) of an upload message, or :class:`SettingsError`."""
    if not isinstance(text, str) or not isinstance(name, str):
        raise SettingsError("an upload has a file name and its text")
    if len(text) > MAX_UPLOAD_CHARACTERS:
        raise SettingsError(
            f"{name}: {len(text):,} characters; the playground takes files up to "
            f"{MAX_UPLOAD_CHARACTERS:,}"
        )
    return upload_name(name), text


class Uploads:
    """One page's files, by name, oldest first: (the server's copy, its number of
    classes (0: regression), its rows)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, int, int]] = {}
        self.folder: tempfile.TemporaryDirectory | None = None

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __contains__(self, name: object) -> bool:
        return name in self.files

    def read(self, name: str, text: str) -> tuple[str, int, int]:
        """Write the file into the page's folder and read it: (its path, rows, classes),
        classes 0 when its labels are numbers to predict (:func:`holds_targets`). A
        refused file is deleted and leaves an accepted file of its name as it was. Slow:
        run it off the event loop."""
        if self.folder is None:
            self.folder = tempfile.TemporaryDirectory(prefix="actinit-playground-")
        path = Path(self.folder.name) / name
        incoming = path.with_name(f".incoming-{name}")
        try:
            rows, classes = _checked_file(name, incoming, text)
        except BaseException:
            incoming.unlink(missing_ok=True)
            raise
        os.replace(incoming, path)
        return str(path), rows, classes

    def add(self, name: str, path: str, classes: int, rows: int) -> None:
        """Keep a file :meth:`read` accepted; the oldest go beyond :data:`MAX_UPLOADS` (a
        page could otherwise fill the disk one file at a time)."""
        self.files.pop(name, None)
        while len(self.files) >= MAX_UPLOADS:
            oldest = next(iter(self.files))
            old_path, _, _ = self.files.pop(oldest)
            Path(old_path).unlink(missing_ok=True)
        self.files[name] = (path, classes, rows)

    def rows(self, name: str) -> int:
        return self.files[name][2]

    def path_for(self, settings: Settings) -> str | None:
        """The file a csv data set of ``settings`` reads (None for other data sets);
        refused when this page has no such file or its classes differ."""
        if settings.dataset != "csv":
            return None
        if settings.data_file not in self.files:
            raise SettingsError(
                f"no uploaded file {settings.data_file!r} on this page; upload it again "
                "(files stay with the page that uploaded them)"
            )
        path, classes, _ = self.files[settings.data_file]
        if settings.classes != classes:
            holds = f"{classes} classes" if classes else "numbers to predict (regression)"
            raise SettingsError(f"{settings.data_file} has {holds}; set classes = {classes}")
        return path

    def private(self, message: str) -> str:
        """``message`` without the page's folder: the page knows its files by name."""
        where = self.folder.name if self.folder is not None else None
        return message.replace(where + "/", "").replace(".incoming-", "") if where else message

    def close(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()


def holds_targets(data: datasets.Dataset) -> bool:
    """Whether an uploaded file's labels (as read for classes) are numbers to predict:
    all numbers, and some not whole or more distinct values than MAX_CLASSES; or more
    than MAX_CLASSES distinct labels, mostly numbers (a number column with a gap, which
    the regression reader then names by its line)."""
    names = data.class_names
    values = [float(name) for name in names if datasets.is_number(name)]
    if len(values) < len(names):
        return len(names) > MAX_CLASSES and len(values) > len(names) / 2
    return len(values) > MAX_CLASSES or not all(v.is_integer() for v in values)


def _checked_file(name: str, path: Path, text: str) -> tuple[int, int]:
    """(rows, classes) of an upload written to ``path``, or :class:`SettingsError` /
    :class:`~actinit.studies.plan.datasets.DataError` saying what the playground cannot use."""
    try:
        path.write_text(text, encoding="utf-8")
    except UnicodeEncodeError as problem:  # a lone surrogate: not text a file can hold
        raise SettingsError(
            f"{name}: character {problem.start + 1} is not valid text (a lone UTF-16 "
            "surrogate); save the file as UTF-8"
        ) from None
    data = datasets.load("csv", path=str(path))
    if holds_targets(data):
        data = datasets.load("csv", path=str(path), regression=True)
    if data.n_features != 2:
        raise SettingsError(
            f"{name} has {data.n_features} feature columns; the playground draws a plane: "
            "give two feature columns (x1, x2) and a label column"
        )
    if data.n_classes > MAX_CLASSES:
        raise SettingsError(
            f"{name} has {data.n_classes} classes; the playground tells at most "
            f"{MAX_CLASSES} apart (is the label column the last one?)"
        )
    return len(data.X_train) + len(data.X_test), data.n_classes
