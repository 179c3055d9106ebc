"""A data set from a CSV file the user points to: numbers only, a label column for
classes or values, refused with the line and column of what cannot be read."""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

import numpy as np

from .base import DataError, Dataset, _regression_split, _split, register


@register("csv")
def csv_file(
    seed: int = 0,
    path: str | None = None,
    label: str | int = -1,
    test_size: float = 0.25,
    standardize: bool = False,
    regression: bool = False,
) -> Dataset:
    """Any CSV file: feature columns plus one label column (``label``: a header name or
    a column index, default the last). A header row is detected; labels may be
    strings (mapped to 0..k-1 in sorted order). With ``regression`` the label column
    is a number to predict (``n_classes`` 0) rather than a class."""
    if not path:
        raise DataError("the csv data set needs path = 'file.csv'")
    file = Path(path).expanduser()
    header, rows = _read_csv_rows(file)
    width = len(header or rows[0])
    label_index = _label_column(file, header, label, width)
    features, labels = [], []
    for line_number, row in enumerate(rows, start=2 if header else 1):
        if len(row) != width:
            raise DataError(f"{file}, line {line_number}: {len(row)} cells, expected {width}")
        features.append(_numbers(file, line_number, header, row, label_index))
        labels.append(row[label_index].strip())
    if len(rows) < 4:
        raise DataError(f"{file} has only {len(rows)} data rows; need at least 4 to split")
    X = np.array(features, dtype=float)
    if not np.isfinite(X).all():
        raise DataError(f"{file} contains NaN or infinite feature values")
    if standardize:
        X = _standardized(X)
    if regression:
        return _regression_split(
            file.stem, X, _targets(file, labels, 2 if header else 1), seed, test_size
        )
    _check_class_labels(file, labels, 2 if header else 1)
    y, names = _class_ids(labels)
    if y.max() == 0:
        raise DataError(
            f"{file}: every label is {labels[0]!r}; a classifier needs at least two classes "
            "(is the label column the right one? set label = 'name' or a column index)"
        )
    # A stratified split needs two of every class and a class's worth of rows each side.
    n_test = math.ceil(test_size * len(y))
    stratify = bool(np.bincount(y).min() >= 2 and min(n_test, len(y) - n_test) > y.max())
    data = _split(file.stem, X, y, test_size, seed, stratify=stratify)
    return dataclasses.replace(data, class_names=names)


MISSING = ("", "nan", "na", "null")


def _check_class_labels(file: Path, labels: list[str], first_line: int) -> None:
    """An empty or "nan" class label would become a class of its own: refused with its
    line. (A column of fractional numbers is a regression target, whose gaps the
    regression reading names.)"""
    present = [label for label in labels if label.lower() not in MISSING]
    if len(present) == len(labels):
        return
    if (
        present
        and all(is_number(v) for v in present)
        and not all(float(v).is_integer() for v in present)
    ):
        return
    index = next(i for i, label in enumerate(labels) if label.lower() in MISSING)
    raise DataError(
        f"{file}, line {first_line + index}: the label is {labels[index] or 'empty'!r}, which "
        "would become a class of its own; fill it in or drop the row"
    )


def _standardized(X: np.ndarray) -> np.ndarray:
    """Each column shifted to mean 0 and scaled to standard deviation 1 (if not constant)."""
    return (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1)


#: The largest size of a value a network can train on in float32: its square (a
#: squared error, a variance) must stay below float32's largest, about 3.4e38.
LARGEST_VALUE = 1e15


def _too_large(value: float) -> bool:
    return abs(value) > LARGEST_VALUE


def _targets(file: Path, labels: list[str], first_line: int) -> np.ndarray:
    """A regression label column as finite numbers; the first bad cell is named."""
    for line_number, value in enumerate(labels, start=first_line):
        if not is_number(value) or not math.isfinite(float(value)):
            raise DataError(
                f"{file}, line {line_number}: the target {value!r} is not a finite number "
                "(regression = true predicts a number; leave it out for classes)"
            )
        if _too_large(float(value)):
            raise DataError(
                f"{file}, line {line_number}: the target {value} is too large to train on "
                f"(beyond {LARGEST_VALUE:g}, its squared error overflows float32); rescale "
                "the column"
            )
    return np.array([float(value) for value in labels])


def _read_csv_rows(file: Path) -> tuple[list[str] | None, list[list[str]]]:
    """(header or None, data rows) of a CSV file, blank lines skipped."""
    if not file.is_file():
        raise DataError(f"CSV file not found: {file}")
    try:
        with open(file, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if row and any(c.strip() for c in row)]
    except UnicodeDecodeError as error:
        raise DataError(
            f"{file} is not UTF-8 text (byte {error.start} cannot be read); save it as a "
            "UTF-8 CSV file"
        ) from None
    except csv.Error as error:
        raise DataError(f"{file} is not a CSV file: {error}") from None
    if not rows:
        raise DataError(f"{file} is empty")
    first = rows[0]
    if not is_number(first[0]) or not all(is_number(c) for c in first if c != first[-1]):
        return [cell.strip() for cell in first], rows[1:]
    return None, rows


def _label_column(file: Path, header: list[str] | None, label: str | int, width: int) -> int:
    if isinstance(label, str):
        if header is None or label not in header:
            raise DataError(f"{file}: no column named {label!r}; columns: {header}")
        return header.index(label)
    if not -width <= label < width:
        raise DataError(
            f"{file}: label column {label} does not exist; the file has {width} columns "
            f"(0 to {width - 1}, or -1 for the last)"
        )
    return label % width


def _numbers(file: Path, line_number: int, header, row: list[str], label_index: int) -> list[float]:
    values = []
    for column, cell in enumerate(row):
        if column == label_index:
            continue
        name = header[column] if header else f"column {column + 1}"
        try:
            value = float(cell)
        except ValueError:
            raise DataError(
                f"{file}, line {line_number}, {name}: {cell!r} is not a number"
            ) from None
        if math.isfinite(value) and _too_large(value):
            raise DataError(
                f"{file}, line {line_number}, {name}: {cell.strip()} is too large to train on "
                f"(beyond {LARGEST_VALUE:g}; float32 overflows); rescale the column"
            )
        values.append(value)
    return values


def _class_ids(labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels as class ids 0..k-1 (whole numbers in numeric order, else strings sorted)
    and the label each id stands for."""
    if all(is_number(value) for value in labels) and all(float(v).is_integer() for v in labels):
        y = np.array([int(float(value)) for value in labels])
        values = np.unique(y)
        return np.searchsorted(values, y), tuple(str(v) for v in values.tolist())
    values, y = np.unique(np.array(labels), return_inverse=True)
    return y, tuple(values.tolist())


def is_number(text: str) -> bool:
    """Whether a CSV cell reads as a number (``nan`` and ``inf`` included)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
