"""The floor plan holds: every module's top-level imports form no circle, each floor
imports only the floors below it, the studies' wings run one way (plan -> run ->
answer), no source file outgrows 700 lines (no script 400), and the public names
users import are still there."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from repository import ROOT

PACKAGE = ROOT / "src" / "actinit"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    """The actinit modules ``path`` imports when it is imported (not inside a
    function, not only for type checking)."""
    tree = ast.parse(path.read_text())
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    )
    found = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in [node] if not isinstance(node, (ast.If, ast.Try)) else ast.walk(node):
            if isinstance(sub, ast.ImportFrom):
                if sub.level:
                    base = package.split(".")[: len(package.split(".")) - sub.level + 1]
                    target = ".".join(base + ([sub.module] if sub.module else []))
                else:
                    target = sub.module or ""
                names = [f"{target}.{alias.name}" for alias in sub.names]
                modules = [n for n in names if _is_module(n)]
                found.update(modules)
                if len(modules) < len(names):
                    found.add(target)
            elif isinstance(sub, ast.Import):
                found.update(alias.name for alias in sub.names)
    return {m for m in found if m == "actinit" or m.startswith("actinit.")}


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").exists()


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in modules.items():
        targets = set()
        for target in top_level_imports(path):
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                targets.add(target)
        edges[name] = targets
    return edges


def test_no_import_circle():
    """No set of modules imports each other at the top, however indirectly (Tarjan's
    strongly connected components of the import graph)."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    assert not circles, circles


@pytest.mark.parametrize(
    "lower, higher",
    [
        ("actinit.engine", ("actinit.theory", "actinit.studies", "actinit.viz", "actinit.playground", "actinit.cli")),
        ("actinit.studies", ("actinit.viz", "actinit.playground", "actinit.cli")),
        ("actinit.viz", ("actinit.playground", "actinit.cli")),
        ("actinit.studies.plan", ("actinit.studies.run", "actinit.studies.answer")),
        ("actinit.studies.run", ("actinit.studies.answer",)),
    ],
)  # fmt: skip
def test_each_floor_imports_only_the_floors_below(lower, higher):
    upward = [
        (name, target)
        for name, targets in graph().items()
        if name == lower or name.startswith(lower + ".")
        for target in targets
        if any(target == h or target.startswith(h + ".") for h in higher)
        and not (lower == "actinit.studies" and name == "actinit.studies")
    ]
    assert not upward, upward


def test_no_source_file_outgrows_its_room():
    long = {
        str(path.relative_to(PACKAGE)): count
        for path in list(PACKAGE.rglob("*.py")) + list(PACKAGE.rglob("*.js"))
        if (count := len(path.read_text().splitlines())) > (400 if path.suffix == ".js" else 700)
    }
    assert not long, long


#: The package faces: the public API (other module paths are internal).
PUBLIC = {
    "actinit": ["Sequential", "Dense", "theory", "activations", "initializers"],
    "actinit.engine": ["Sequential", "Dense", "activations", "initializers", "losses"],
    "actinit.engine.activations": ["get", "register", "ReLU", "Snake", "Activation"],
    "actinit.engine.initializers": ["get", "register", "Initializer"],
    "actinit.studies": [
        "RunConfig", "Store", "Study", "StudyError", "build_model", "builtin_names",
        "dataset_for", "model_for", "diagnose", "Finding", "load_study", "parse_study",
        "run_one", "run_study", "summarize", "write_study", "datasets",
    ],
    "actinit.theory": ["mean_field"],
    "actinit.viz": [],
    "actinit.sklearn": ["NetClassifier", "NetRegressor"],
    "actinit.playground": ["serve"],
    "actinit.cli": ["main"],
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_imports_keep_working(module):
    loaded = importlib.import_module(module)
    missing = [name for name in PUBLIC[module] if not hasattr(loaded, name)]
    assert not missing, missing


@pytest.mark.parametrize(
    "former", ["summary", "statistics", "config", "study", "store", "runner", "analysis"]
)
def test_former_flat_paths_are_gone(former):
    """actinit.studies.summary and 17 more were copies of the modules registered under
    their old names: patching through one silently missed. 0.1.0 drops them."""
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"actinit.studies.{former}")
    import actinit.studies

    with pytest.raises(AttributeError, match="public names"):
        getattr(actinit.studies, former)


def test_the_store_imports_without_the_statistics():
    """Importing the store (what the CLI, the playground and every worker do) loaded
    88 actinit modules and scipy.stats through the studies face."""
    code = (
        "import sys, time; t = time.perf_counter(); import actinit.studies.run.store; "
        "print(time.perf_counter() - t); "
        "print(sorted(m for m in sys.modules if m.startswith(('scipy', 'actinit.studies.answer'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[1] == "[]", out[1]


def test_a_registry_imports_the_module_that_provides_a_name(tmp_path, monkeypatch):
    """A name defined above the engine (the edge-of-chaos initializer needs mean-field
    theory) is declared by the engine with the module that defines it; the registry
    imports that module the first time the name is asked for, so nothing has to
    import it beforehand."""
    import sys

    from actinit.engine.initializers import INITIALIZERS

    (tmp_path / "registry_home.py").write_text(
        "from actinit.engine.registry import Registry\n"
        "class Thing:\n    pass\n"
        "THINGS = Registry('thing', Thing)\n"
        "THINGS.provided_by('thing_provider', 'gizmo', 'widget')\n"
    )
    (tmp_path / "thing_provider.py").write_text(
        "from registry_home import THINGS, Thing\n"
        "@THINGS.register('gizmo', 'widget')\n"
        "class Gizmo(Thing):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import registry_home

    assert "thing_provider" not in sys.modules
    assert "widget" in registry_home.THINGS
    assert type(registry_home.THINGS.get("gizmo")).__name__ == "Gizmo"
    assert "thing_provider" in sys.modules
    assert INITIALIZERS._providers["critical"] == "actinit.theory"
    assert (
        type(INITIALIZERS.get("critical(activation='tanh')")).__module__
        == "actinit.theory.critical"
    )


def test_the_quick_loop_leaves_out_the_slow_files():
    """The slow marker was declared and never used: there was no quick inner loop."""
    from conftest import SLOW_FILES

    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not slow", "-p", "no:cacheprovider"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout  # fmt: skip
    counts = dict(
        line.rsplit(": ", 1) for line in collected.splitlines() if line.startswith("tests/")
    )
    assert sum(int(n) for n in counts.values()) > 500  # a file per line: "path: tests"
    assert not [path for path in counts if path.rsplit("/", 1)[-1] in SLOW_FILES]
    for folder in ("engine", "studies", "playground", "cli", "docs"):
        assert (ROOT / "tests" / folder).is_dir()  # the tests mirror the source
