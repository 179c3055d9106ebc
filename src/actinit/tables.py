"""Text tables that keep the columns naming a row, whatever the width.

A table has *name* columns (activation, initializer, depth ...: what identifies a row)
and figure columns ranked by how much they matter. To fit a width, the least important
figure columns go first (the table says which went); name columns are never squeezed,
wrapped or dropped. A last column of words (a verdict) wraps over lines before anything
essential goes. When even the names and the essential figures do not fit, each row
becomes a block: its name on one line, its figures below. Headers wrap between words.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

GAP = 2
#: Last columns whose cells are words and may wrap over lines, and the narrowest they go.
WRAPPING = ("verdict",)
MIN_WRAP = 16


@dataclass
class Layout:
    """A table laid out for a width: the columns kept (indices), what was left out,
    and whether rows are printed as blocks."""

    header: list[str]
    body: list[list[str]]
    kept: list[int]
    widths: list[int]
    dropped: list[str] = field(default_factory=list)
    stacked: bool = False
    names: list[int] = field(default_factory=list)
    #: Between a block's name columns: " / " for settings (relu / he), " vs " for the
    #: two sides of a comparison.
    joiner: str = " / "
    #: The last column's cells wrap over lines at its width (a verdict in words).
    wraps: bool = False

    def lines(self, width: int) -> list[str]:
        """The table as plain lines, none longer than ``width`` (the row name of a
        block may be longer when it cannot be cut without losing it)."""
        if self.stacked:
            return self._blocks(width)
        header_lines = _header_lines([self.header[i] for i in self.kept], self.widths)
        rule = (" " * GAP).join("-" * w for w in self.widths)
        rows = []
        for row in self.body:
            cells = [row[i] for i in self.kept]
            pieces = textwrap.wrap(cells[-1], self.widths[-1]) if self.wraps else [cells[-1]]
            rows.append(
                _join([*cells[:-1], pieces[0] if pieces else ""], self.widths, self._numeric)
            )
            indent = " " * (sum(self.widths[:-1]) + GAP * (len(self.widths) - 1))
            rows += [indent + piece for piece in pieces[1:]]
        return header_lines + [rule] + rows

    def _numeric(self, position: int) -> bool:
        return self.kept[position] not in self.names

    def _blocks(self, width: int) -> list[str]:
        lines = []
        for row in self.body:
            name = self.joiner.join(row[i] for i in self.names if row[i])
            lines.append(name)
            figures = [
                f"{self.header[i]}: {row[i]}"
                for i in range(len(self.header))
                if i not in self.names and row[i] not in ("", "-")
            ]
            lines += textwrap.wrap(
                " · ".join(figures), width, initial_indent="  ", subsequent_indent="  "
            )
        return lines


def _header_lines(header: Sequence[str], widths: Sequence[int]) -> list[str]:
    wrapped = [textwrap.wrap(h, w) or [""] for h, w in zip(header, widths)]
    height = max(len(w) for w in wrapped)
    return [
        (" " * GAP)
        .join((w[k] if k < len(w) else "").ljust(width) for w, width in zip(wrapped, widths))
        .rstrip()
        for k in range(height)
    ]


def _join(cells: Sequence[str], widths: Sequence[int], numeric) -> str:
    parts = [
        cell.rjust(width) if numeric(k) and _looks_numeric(cell) else cell.ljust(width)
        for k, (cell, width) in enumerate(zip(cells, widths))
    ]
    return (" " * GAP).join(parts).rstrip()


def _looks_numeric(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell[0] in "-+<≥") and len(cell) < 24


#: Lines a header may wrap over ("test acc %" in two, never "test / acc / %").
HEADER_LINES = 2


def _width_of(column: int, header: Sequence[str], body: Sequence[Sequence[str]]) -> int:
    return max([header_width(header[column])] + [len(row[column]) for row in body])


def header_width(text: str, lines: int = HEADER_LINES) -> int:
    """The narrowest width at which ``text`` wraps between words into ``lines`` lines
    at most."""
    width = max((len(word) for word in text.split()), default=0)
    while len(textwrap.wrap(text, width)) > lines:
        width += 1
    return width


def prose(text: str, width: int, indent: str = "", hanging: str = "  ") -> list[str]:
    """A sentence for people wrapped to ``width``: its first line at ``indent``, the
    rest at ``hanging`` (so a wrapped line never starts at column 0 as if it were a
    new one)."""
    return textwrap.wrap(
        text,
        max(20, width),
        initial_indent=indent,
        subsequent_indent=hanging,
        break_on_hyphens=False,
    ) or [indent]


def lay_out(
    header: Sequence[str],
    body: Sequence[Sequence[str]],
    width: int,
    names: Sequence[str],
    drop_order: Sequence[str] = (),
    joiner: str = " / ",
) -> Layout:
    """Fit a table into ``width`` characters. ``names``: the header names of the
    columns that identify a row (kept whole); ``drop_order``: figure columns that may
    go, the first to go first. Other columns are essential: if they and the names do
    not fit, the table becomes one block per row."""
    header, body = list(header), [list(row) for row in body]
    name_index = [i for i, h in enumerate(header) if h in names]
    kept = list(range(len(header)))
    widths = {i: _width_of(i, header, body) for i in kept}
    dropped: list[str] = []

    def total() -> int:
        return sum(widths[i] for i in kept) + GAP * (len(kept) - 1)

    for name in drop_order:
        if total() <= width:
            break
        if name in header and header.index(name) in kept:
            kept.remove(header.index(name))
            dropped.append(name)
    last = kept[-1]
    wraps = total() > width and header[last] in WRAPPING and last not in name_index
    if wraps:  # the verdict wraps into the room the other columns leave
        longest_word = max((len(w) for row in body for w in row[last].split()), default=1)
        room = width - (total() - widths[last])
        if room >= max(MIN_WRAP, longest_word, header_width(header[last])):
            widths[last] = room
        else:
            wraps = False
    if total() > width:
        return Layout(header, body, kept, [widths[i] for i in kept], [], True, name_index, joiner)
    for i in kept:  # room to spare: whole headers, narrowest first
        grown = max(widths[i], len(header[i]))
        if total() - widths[i] + grown <= width:
            widths[i] = grown
    return Layout(
        header,
        body,
        kept,
        [widths[i] for i in kept],
        dropped,
        names=name_index,
        joiner=joiner,
        wraps=wraps,
    )


def render(
    header: Sequence[str],
    body: Sequence[Sequence[str]],
    width: int,
    names: Sequence[str],
    drop_order: Sequence[str] = (),
    joiner: str = " / ",
) -> list[str]:
    """:func:`lay_out` and its lines, with a last line naming the columns left out."""
    layout = lay_out(header, body, width, names, drop_order, joiner)
    lines = layout.lines(width)
    if layout.dropped:
        lines.extend(
            textwrap.wrap(
                f"(left out to fit {width} columns: {', '.join(layout.dropped)}; "
                "a wider terminal or `actinit export` shows them)",
                width,
            )
        )
    return lines
