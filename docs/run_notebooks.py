"""Run the example notebooks for the documentation site, each with the small budget of
:data:`QUICK` (the tests use the same), into ``docs/examples/`` with their outputs:
``python docs/run_notebooks.py`` (``make docs`` does it). A notebook is run again only
when its source changed since."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from actinit.files import write_text_atomically

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "notebooks"
OUT = HERE / "examples"
#: Seeds and epochs each notebook runs with here and in the tests.
QUICK = {
    "s0_blobs": (3, 20),
    "s1_mnist": (1, 1),
    "s2_moons": (2, 150),
    "s3_parabola": (2, 20),
    "s4_circles": (2, 150),
    "depth": (1, 3),
    "theory": (1, 1),
}


def quick(notebook: nbformat.NotebookNode, name: str, folder: Path) -> nbformat.NotebookNode:
    """``notebook`` run with its quick budget (its "parameters" cell replaced) in
    ``folder``: its outputs kept in the cells."""
    (parameters,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    seeds, epochs = QUICK[name]
    parameters.source = f'SEEDS = {seeds}\nEPOCHS = {epochs}\nDB = "notebook.sqlite"\nJOBS = 1'
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return notebook


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for source in sorted(SOURCES.glob("*.ipynb")):
        target = OUT / source.name
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        with tempfile.TemporaryDirectory() as folder:
            notebook = quick(nbformat.read(source, as_version=4), source.stem, Path(folder))
        write_text_atomically(target, nbformat.writes(notebook))  # never half a notebook
        print(f"ran {source.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
