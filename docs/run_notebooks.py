"""Run the example notebooks for the documentation site, each with the small budget of
:data:`QUICK`, into ``docs/examples/`` with their outputs and a banner that says the
budget: ``python docs/run_notebooks.py`` (``make docs`` does it). A notebook is run
again only when its source changed since (a digest of it is kept in the run's
metadata); the tests read these runs rather than running every notebook a second
time."""

from __future__ import annotations

import hashlib
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


#: Where the site's readers find the studies run at their full budget.
FULL_NUMBERS = "../studies.html"


def banner(name: str) -> str:
    """The note above a notebook run for the site: its budget, and where the full
    numbers are."""
    seeds, epochs = QUICK[name]
    return (
        f"> **Run for this site at a toy budget: {seeds} seed{'s' if seeds > 1 else ''}, "
        f"{epochs} epoch{'s' if epochs > 1 else ''}.** The numbers and pictures below show "
        "what the notebook does, not what the study finds. Run it yourself for its own "
        "budget (its parameters cell: every seed of the study, into `make reproduce`'s "
        f"database), and see [the classic studies]({FULL_NUMBERS}) for the full numbers."
    )


def digest(source: Path) -> str:
    """A digest of a notebook's source and of the budget it runs with here."""
    text = source.read_text() + repr(QUICK[source.stem]) + banner(source.stem)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def quick(notebook: nbformat.NotebookNode, name: str, folder: Path) -> nbformat.NotebookNode:
    """``notebook`` run with its quick budget (its "parameters" cell replaced) in
    ``folder``: its outputs kept in the cells, the budget's banner above them."""
    (parameters,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    seeds, epochs = QUICK[name]
    parameters.source = f'SEEDS = {seeds}\nEPOCHS = {epochs}\nDB = "notebook.sqlite"\nJOBS = 1'
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(banner(name)))
    return notebook


def current(source: Path) -> bool:
    """Whether ``docs/examples`` holds a run of this source at today's budget."""
    target = OUT / source.name
    if not target.exists():
        return False
    ran = nbformat.read(target, as_version=4)
    return ran.metadata.get("actinit", {}).get("source_digest") == digest(source)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for source in sorted(SOURCES.glob("*.ipynb")):
        if current(source):
            continue
        with tempfile.TemporaryDirectory() as folder:
            notebook = quick(nbformat.read(source, as_version=4), source.stem, Path(folder))
        notebook.metadata["actinit"] = {"source_digest": digest(source)}
        target = OUT / source.name
        write_text_atomically(target, nbformat.writes(notebook))  # never half a notebook
        print(f"ran {source.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
