"""Writing a file so that it is never half written: into a temporary file beside it,
then renamed over it. A full disk, a kill or an error part-way leaves the old file as it
was (or no file) and no stub; the new file keeps the old one's permissions."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _default_mode() -> int:
    """The mode a new file gets under this process's umask (mkstemp's is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``, with the same suffix (so that writers that
    read the format off the name, matplotlib's and Pillow's, write the right one), to
    write into; renamed over ``path`` when the block ends without an error, removed
    when it does not."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}"
    )
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, path.stat().st_mode if path.exists() else _default_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomically(path: str | Path, text: str) -> Path:
    """``path.write_text(text)``, never half written."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)
