"""A sequence whose items are made when first read: a summary, a ranking or a batch of
comparisons computes the figures of thousands of configurations as arrays, and makes a
Python object only for what is read (printed, drawn, compared)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class LazySequence(Sequence, Generic[T]):
    """``length`` items; item i is made by :meth:`_make` the first time it is read,
    then kept (reading it again gives the same object)."""

    def __init__(self, length: int) -> None:
        self._made: list[T | None] = [None] * length

    def _make(self, index: int) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self._made))[index]  # negative, or IndexError, as a list's
        made = self._made[index]
        if made is None:
            made = self._made[index] = self._make(index)
        return made

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} items)"
