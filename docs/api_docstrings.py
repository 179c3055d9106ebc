"""A Griffe extension for the API pages: the docstrings are written for the terminal
(``help()``) in reST habits, and the site renders Markdown. Before rendering, each
docstring's cross-references (``:class:`Sequential```, ``:func:`~.summary.summarize```,
``:mod:`.run_table```) become links to the object's own entry, resolved the way Python
resolves the name in the docstring's module (its own members, its imports, relative
paths, the package), and its ``>>>`` examples become Python code blocks. A target the
site does not show is written as code, never as a raw role."""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?P<kind>class|func|meth|mod|attr|data|exc|obj):`(?P<target>[^`]+)`")


class ReadableDocstrings(griffe.Extension):
    """Rewrites every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = readable(obj.docstring.value, obj)


def _walk(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)


def readable(text: str, obj: griffe.Object) -> str:
    """``text`` with links for its roles and code blocks for its examples."""
    text = ROLE.sub(lambda match: _link(match["target"], obj), text)
    return _fence_examples(text)


def _link(target: str, obj: griffe.Object) -> str:
    """An autorefs link to ``target`` as seen from ``obj`` (optional: a target the
    site does not show stays code, with no warning)."""
    short = target.startswith("~")
    name = target.lstrip("~").removesuffix("()")
    shown = name.rsplit(".", 1)[-1] if short or name.startswith(".") else name
    suffix = "()" if target.endswith("()") else ""
    title = f"<code>{shown}{suffix}</code>"
    path = _resolve(name, obj)
    if path is None:
        return title
    return f'<autoref identifier="{path}" optional>{title}</autoref>'


def _resolve(name: str, obj: griffe.Object) -> str | None:
    """The full path ``name`` stands for in ``obj``'s docstring, or None."""
    module = obj if obj.is_module else obj.module
    if name.startswith("."):
        dots = len(name) - len(name.lstrip("."))
        package = module if module.is_init_module else module.parent
        for _ in range(dots - 1):
            package = package.parent if package is not None else None
        if package is None:
            return None
        return _existing(f"{package.path}.{name.lstrip('.')}", obj)
    first, _, rest = name.partition(".")
    scopes = [obj, obj.parent, module] if not obj.is_module else [obj]
    for scope in scopes:
        if scope is not None and first in scope.members:
            return _existing(f"{scope.path}.{name}", obj)
    if first in module.imports:
        return _existing(".".join(filter(None, (module.imports[first], rest))), obj)
    return _existing(name, obj)


def _existing(path: str, obj: griffe.Object) -> str | None:
    """``path`` with aliases followed, if the loaded package holds it."""
    root = obj.package
    if path != root.path and not path.startswith(root.path + "."):
        return None
    try:
        found = root[path[len(root.path) + 1 :]] if path != root.path else root
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    try:
        return found.final_target.path if found.is_alias else found.path
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _fence_examples(text: str) -> str:
    """Runs of ``>>>`` lines (with their ``...`` continuations and output, up to a
    blank line) as fenced ``pycon`` blocks; Markdown would read ``>>>`` as quotes."""
    out: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while index < len(lines) and lines[index].strip():
                block.append(lines[index].removeprefix(indent))
                index += 1
            out += [f"{indent}```pycon", *(indent + b for b in block), f"{indent}```"]
            continue
        out.append(line)
        index += 1
    return "\n".join(out)
