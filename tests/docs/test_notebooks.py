"""The example notebooks in docs/notebooks run from top to bottom (with a smaller budget
than their own, set in their "parameters" cell), so they never rot. The tests read the
runs the site is built from (docs/examples, made by `make docs`, which `make test` runs
first): each notebook runs once, and a run older than its source is made again here."""

import importlib.util

import nbformat
import pytest

from repository import ROOT

DOCS = ROOT / "docs"
NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("run_notebooks", DOCS / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_notebooks)
#: Seeds and epochs for the test run of each notebook (the site's runs use the same).
QUICK = run_notebooks.QUICK


def test_every_notebook_is_listed_and_stored_without_outputs():
    assert {path.stem for path in NOTEBOOKS} == set(QUICK)
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


@pytest.fixture(scope="module")
def site_runs():
    """The site's runs of every notebook, made now where missing or stale."""
    run_notebooks.main()
    return run_notebooks.OUT


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, site_runs):
    assert run_notebooks.current(path), "the site's run is of this source"
    notebook = nbformat.read(site_runs / path.name, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and "toy budget" in first.source
    assert "../studies.html" in first.source
    seeds, epochs = QUICK[path.stem]
    assert f"{seeds} seed" in first.source and f"{epochs} epoch" in first.source
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert html or path.stem == "theory", "summaries, diagnoses and frames show as HTML"
    assert images or path.stem == "s1_mnist", "pictures show inline"
    shown = str([o.get("data", {}).get("text/html", "") for o in html])
    assert "https://" not in shown and "http://" not in shown, "everything works offline"


def test_notebooks_share_the_command_line_s_database_and_cores():
    """By default a notebook runs on every core into the database `make reproduce`
    fills (from docs/notebooks, the repository's actinit-results.sqlite)."""
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        (parameters,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        assert "SEEDS = None" in parameters.source and "JOBS = None" in parameters.source
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        assert "sequential" not in code
        if path.stem != "theory":
            assert 'DB = "../../actinit-results.sqlite"' in parameters.source
            assert "Store(DB)" in code and "jobs=JOBS" in code
