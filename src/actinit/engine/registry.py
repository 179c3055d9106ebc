"""Names for everything a user picks: ``"leaky_relu(0.1)"``, ``"elu(alpha=0.5)"``.

One parser and one registry class serve activations, initializers, losses and
optimizers alike. A specification is a name, optionally called with literal
arguments::

    "relu"
    "leaky_relu(0.1)"
    "variance_scaling(scale=2, mode=fan_avg, distribution=uniform)"

Values are read with :func:`ast.literal_eval` (never ``eval``); a bare word such as
``fan_avg`` is taken as the string ``"fan_avg"`` so command lines need no quoting.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import functools
import importlib
import inspect
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class SpecError(ValueError):
    """A name or its parameters could not be understood."""


def _literal(node: ast.AST, spec: str) -> Any:
    if isinstance(node, ast.Name):  # TOML's and JSON's spellings too: true, false, null
        constants = {"true": True, "false": False, "none": None, "null": None}
        return constants.get(node.id.lower(), node.id)
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise SpecError(
            f"cannot read the value {ast.unparse(node)!r} in {spec!r}: use numbers, "
            "quoted strings, True/False/None, tuples or bare words"
        ) from None


def parse_spec(spec: str) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """Split ``"name(arg, key=value)"`` into ``(name, args, kwargs)``.

    >>> parse_spec("elu(alpha=0.5)")
    ('elu', (), {'alpha': 0.5})
    """
    text = spec.strip()
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise SpecError(
            f"cannot parse {spec!r}: expected a name such as 'relu' or a call such as "
            "'leaky_relu(0.1)' or 'elu(alpha=0.5)'"
        ) from None
    if isinstance(tree, ast.Name):
        return tree.id.lower(), (), {}
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        args = tuple(_literal(arg, spec) for arg in tree.args)
        names = [kw.arg for kw in tree.keywords if kw.arg]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise SpecError(
                f"{spec!r} gives {', '.join(twice)} more than once; give each parameter once"
            )
        kwargs = {kw.arg: _literal(kw.value, spec) for kw in tree.keywords if kw.arg}
        return tree.func.id.lower(), args, kwargs
    raise SpecError(
        f"cannot parse {spec!r}: expected a name such as 'relu' or a call such as 'leaky_relu(0.1)'"
    )


def format_spec(name: str, params: Mapping[str, Any]) -> str:
    """The inverse of :func:`parse_spec`: ``format_spec("elu", {"alpha": 0.5})``."""
    if not params:
        return name
    inner = ", ".join(f"{key}={value!r}" for key, value in params.items())
    return f"{name}({inner})"


@functools.lru_cache(maxsize=4096)
def compact_spec(spec: str) -> str:
    """A short form for tables: ``"leaky_relu(negative_slope=0.1)"`` -> ``"leaky_relu(0.1)"``
    (cached: tables of thousands of rows name the same few specs)."""
    name, args, kwargs = parse_spec(spec)
    values = [
        *map(repr, args),
        *(repr(v) if len(kwargs) == 1 and not args else f"{k}={v!r}" for k, v in kwargs.items()),
    ]
    return f"{name}({', '.join(values)})" if values else name


class Configurable:
    """Mixin for dataclasses that can describe themselves and be rebuilt from that.

    ``obj.config()`` returns its parameters (those not at their default);
    ``obj.spec()`` the string form that the registry reads back, e.g.
    ``"leaky_relu(negative_slope=0.1)"``.
    """

    name: str = ""

    def config(self) -> dict[str, Any]:
        """Parameters that differ from their defaults (so specs stay short and one
        setting has one spelling: ``"leaky_relu(negative_slope=0.1)"``, ``"gelu"``)."""
        values = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            if not field.init:
                continue
            value = getattr(self, field.name)
            if field.default is not dataclasses.MISSING and value == field.default:
                continue
            values[field.name] = value
        return values

    def spec(self) -> str:
        return format_spec(self.name, self.config())

    def __str__(self) -> str:
        return self.spec()


#: What a parameter annotated with a simple type accepts (bool is not a number here).
_NOT_FINITE = {"nan", "inf", "infinity"}
_ACCEPTS: dict[str, tuple[type, ...]] = {
    "float": (int, float),
    "int": (int,),
    "bool": (bool,),
    "str": (str,),
}


#: The largest size of a number a spec may give (leaky_relu(1e308) overflowed its gain,
#: sqrt(2 / (1 + slope^2)), into a traceback).
LARGEST_PARAMETER = 1e9


def _type_problem(factory: Callable[..., Any], arguments: Mapping[str, Any]) -> str | None:
    """A sentence naming the first argument whose type does not match the parameter's
    annotation (``float``, ``int``, ``bool``, ``str``, optionally ``| None``), or None.
    Annotations of other forms are not checked."""
    parameters = inspect.signature(factory).parameters
    for key, value in arguments.items():
        annotation = parameters[key].annotation if key in parameters else None
        if not isinstance(annotation, str):
            annotation = getattr(annotation, "__name__", None)
        if not annotation:
            continue
        parts = [part.strip() for part in annotation.split("|")]
        if value is None and "None" in parts:
            continue
        allowed = [_ACCEPTS[part] for part in parts if part in _ACCEPTS]
        if len(allowed) != len([p for p in parts if p != "None"]):
            continue  # a form not checked here
        is_bool = isinstance(value, bool)
        if not any(
            isinstance(value, kinds) and (bool in kinds or not is_bool) for kinds in allowed
        ):
            if "float" in parts and str(value).lower().lstrip("+-") in _NOT_FINITE:
                return f"{key} must be a finite number, got {value}"
            return f"{key} must be {' or '.join(parts)}, got {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{key} must be a finite number, got {value}"
        if isinstance(value, (int, float)) and not is_bool and abs(value) > LARGEST_PARAMETER:
            return (
                f"{key} = {value:g} is beyond any setting a network can use (its square "
                f"overflows a float); give a value of at most {LARGEST_PARAMETER:g} in size"
            )
    return None


class Registry(Generic[T]):
    """Maps names to factories and builds objects from names, strings, dicts or objects.

    ``kind`` names what is registered ("activation", "initializer", ...) in messages.
    """

    def __init__(self, kind: str, base: type) -> None:
        self.kind = kind
        self.base = base
        self._factories: dict[str, Callable[..., T]] = {}
        self._canonical: dict[str, str] = {}
        #: Components users registered at run time, name -> class.
        self.custom: dict[str, Callable[..., T]] = {}
        #: Names whose class a module above the engine defines, name -> that module.
        self._providers: dict[str, str] = {}

    def register(self, name: str, *aliases: str) -> Callable[[type], type]:
        """Class decorator: ``@ACTIVATIONS.register("relu")``; sets ``cls.name``."""

        def decorate(cls: type) -> type:
            cls.name = name
            for key in (name, *aliases):
                if key in self._factories:
                    raise ValueError(f"{self.kind} name {key!r} registered twice")
                self._factories[key] = cls
                self._canonical[key] = name
            return cls

        return decorate

    def add_custom(self, name: str, factory: Callable[..., T]) -> None:
        """Register a user's component under ``name`` (kept in :attr:`custom` so that
        worker processes can be given it too); refuses a name already in use."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"a {self.kind} name is a Python identifier, got {name!r}")
        if name in self._factories:
            raise ValueError(f"{self.kind} name {name!r} is already registered; choose another")
        factory.name = name  # type: ignore[attr-defined]
        self._factories[name] = factory
        self._canonical[name] = name
        self.custom[name] = factory

    def install(self, custom: Mapping[str, Callable[..., T]]) -> None:
        """Register the user's components another process registered (see
        :attr:`custom`), skipping those already known here."""
        for name, factory in custom.items():
            if name not in self._factories:
                self.add_custom(name, factory)

    def add(self, name: str, factory: Callable[..., T], *aliases: str) -> None:
        """Register a factory function (used for preset variants of one class)."""
        for key in (name, *aliases):
            if key in self._factories:
                raise ValueError(f"{self.kind} name {key!r} registered twice")
            self._factories[key] = factory
            self._canonical[key] = name

    def provided_by(self, module: str, *names: str) -> None:
        """Declare ``names`` as defined in ``module``, a module above the engine that
        registers them when imported (the "critical" initializer needs mean-field
        theory): the module is imported the first time one of them, or the whole list
        of names, is asked for. Importing the engine imports nothing above it."""
        for name in names:
            self._providers[name] = module

    def _load_providers(self, name: str | None = None) -> None:
        wanted = [m for n, m in self._providers.items() if name is None or n == name]
        for module in dict.fromkeys(wanted):
            importlib.import_module(module)

    def names(self, aliases: bool = False) -> list[str]:
        """Canonical names in registration order (with aliases if asked)."""
        self._load_providers()
        if aliases:
            return list(self._factories)
        return list(dict.fromkeys(self._canonical.values()))

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str) and name.lower() in self._providers:
            self._load_providers(name.lower())
        return isinstance(name, str) and name.lower() in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def describe(self, name: str) -> str:
        """The first sentence-paragraph of what ``name`` was registered with (its
        class's or factory's docstring), on one line: what ``actinit list`` shows."""
        doc = inspect.getdoc(self.factory(name)) or ""
        return " ".join(doc.split("\n\n")[0].split()).replace("``", "")

    def factory(self, name: str) -> Callable[..., T]:
        key = name.lower()
        if key not in self._factories and key in self._providers:
            self._load_providers(key)
        if key not in self._factories:
            close = difflib.get_close_matches(key, self._factories, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise SpecError(
                f"unknown {self.kind} {name!r}.{hint} Valid {self.kind}s: "
                f"{', '.join(self.names(aliases=True))}"
            )
        return self._factories[key]

    def get(self, identifier: Any) -> T:
        """Build from a name, a ``"name(args)"`` string, a ``{"name": ..., **params}``
        dict, or return an object that already is one."""
        if isinstance(identifier, self.base):
            return identifier  # type: ignore[return-value]
        if isinstance(identifier, str):
            name, args, kwargs = parse_spec(identifier)
            return self.create(name, *args, source=identifier, **kwargs)
        if isinstance(identifier, Mapping):
            params = dict(identifier)
            if "name" not in params:
                raise SpecError(f"a {self.kind} given as a dict needs a 'name' key: {identifier!r}")
            name = params.pop("name")
            return self.create(name, source=repr(identifier), **params)
        raise SpecError(
            f"cannot make a {self.kind} from {identifier!r} ({type(identifier).__name__}); "
            f"give a name such as {self.names()[0]!r}, a 'name(args)' string, a dict, or a "
            f"{self.base.__name__} object"
        )

    def create(self, name: str, *args: Any, source: str | None = None, **kwargs: Any) -> T:
        factory = self.factory(name)
        try:
            bound = inspect.signature(factory).bind(*args, **kwargs)
        except TypeError as error:
            raise SpecError(
                f"bad parameters for {self.kind} {name!r} in {source or name!r}: {error}. "
                f"Signature: {name}{self.signature(name)}"
            ) from None
        problem = _type_problem(factory, bound.arguments)
        if problem:
            raise SpecError(
                f"bad parameters for {self.kind} {source or name!r}: {problem}. "
                f"Signature: {name}{self.signature(name)}"
            )
        try:
            return factory(*args, **kwargs)
        except (TypeError, ValueError) as error:
            raise SpecError(f"bad parameters for {self.kind} {source or name!r}: {error}") from None

    def signature(self, name: str) -> str:
        """The parameters a name accepts, as a user writes them: ``(alpha=1.0)``."""
        parts = []
        for parameter in inspect.signature(self.factory(name)).parameters.values():
            if parameter.kind is parameter.VAR_KEYWORD:
                parts.append(f"**{parameter.name}")
            elif parameter.default is parameter.empty:
                parts.append(parameter.name)
            else:
                parts.append(f"{parameter.name}={parameter.default!r}")
        return f"({', '.join(parts)})"
