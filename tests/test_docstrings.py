"""Every public function and class of every public module says what it is: the API
reference is made from these docstrings, so a name without one would be a blank entry."""

import importlib
import inspect
import pkgutil

import actinit


def public_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(actinit.__path__, "actinit.")
        if not any(part.startswith("_") for part in info.name.split(".")[1:])
    ]


def test_every_public_function_and_class_has_a_docstring():
    missing = []
    for name in public_modules():
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if attribute.startswith("_") or getattr(value, "__module__", None) != name:
                continue
            if (inspect.isfunction(value) or inspect.isclass(value)) and not value.__doc__:
                missing.append(f"{name}.{attribute}")
    assert not missing, missing


def test_the_modules_are_many_and_documented():
    modules = public_modules()
    assert len(modules) > 80
    undocumented = [m for m in modules if not importlib.import_module(m).__doc__]
    assert not undocumented, undocumented
