"""What every initializer is: the :class:`Initializer` base class, the registry that
names them, fans, and the truncated normal the Keras family draws from."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..activations import ACTIVATIONS
from ..registry import Configurable, Registry

#: Std of a standard normal truncated to [-2, 2]: the Keras rescaling constant.
TRUNCATED_NORMAL_STD = 0.87962566103423978

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")


class Initializer(Configurable):
    """Base class: ``init(shape, rng, dtype=np.float64)`` returns a new array."""

    #: True for initializers that need data after building (LSUV).
    data_dependent: bool = False

    def __call__(
        self, shape: tuple[int, ...] | int, rng: np.random.Generator, dtype: Any = np.float64
    ) -> np.ndarray:
        shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
        if any(s <= 0 for s in shape):
            raise ValueError(f"cannot initialize a weight of shape {shape}: sizes must be positive")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"initializers need a numpy.random.Generator, got {type(rng).__name__}; "
                "use numpy.random.default_rng(seed)"
            )
        return self.sample(shape, rng).astype(dtype, copy=False)

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def variance(self, shape: tuple[int, ...]) -> float | None:
        """Var(w) of each entry of a weight of this ``shape``, where the initializer
        draws entries of mean 0 from a distribution that fixes it; None where it
        does not (a non-zero mean, a data-dependent or deterministic matrix)."""
        return None

    def bind(self, activation: Any) -> Initializer:
        """This initializer for a layer of ``activation``: itself, unless it depends on
        the activation it feeds and was not told one (``critical``)."""
        return self


INITIALIZERS: Registry[Initializer] = Registry("initializer", Initializer)
# The edge-of-chaos initializer needs mean-field theory, a floor above the engine.
INITIALIZERS.provided_by("actinit.theory", "critical", "edge_of_chaos")


def get(identifier: Any) -> Initializer:
    """An initializer from a name, a ``"name(args)"`` string, a dict or an object."""
    return INITIALIZERS.get(identifier)


def register(name: str, sample: Any = None):
    """Add an initializer to the catalogue, usable by name everywhere (models, study
    files, the playground, saved model files). From a function of (shape, rng)::

        ai.initializers.register("plus_minus_one", lambda shape, rng: rng.choice([-1.0, 1.0], shape))

    or as a class decorator on an :class:`Initializer` dataclass with a ``sample``
    method (for parameters)."""
    if sample is None:

        def decorate(cls: type) -> type:
            INITIALIZERS.add_custom(name, cls)
            return cls

        return decorate
    if not callable(sample):
        raise TypeError(f"register({name!r}, sample) needs a function of (shape, rng)")
    namespace = {"sample": lambda self, shape, rng: np.asarray(sample(shape, rng), dtype=float)}
    cls = dataclass(eq=False)(type(f"Custom_{name}", (Initializer,), namespace))
    _check_registered(name, sample)
    INITIALIZERS.add_custom(name, cls)
    return cls


def _check_registered(name: str, sample: Any) -> None:
    """Draw once from a newly registered initializer, so that a function of the wrong
    shape, type or arity fails here, named, not deep inside NumPy during a run."""
    try:
        drawn = np.asarray(sample((4, 3), np.random.default_rng(0)))
    except Exception as error:
        raise TypeError(
            f"initializer {name!r}: a function of (shape, rng) is needed; called with "
            f"((4, 3), rng) it raised {type(error).__name__}: {error}"
        ) from None
    if drawn.shape != (4, 3) or drawn.dtype.kind not in "fiub":
        raise TypeError(
            f"initializer {name!r}: asked for shape (4, 3) it returned {drawn.dtype} of "
            f"shape {drawn.shape}; return numbers of the shape asked for"
        )
    if not np.isfinite(drawn.astype(float)).all():
        raise ValueError(f"initializer {name!r}: its draw is not finite: {drawn.ravel()}")


def custom_components() -> dict[str, dict[str, Any]]:
    """Every activation and initializer users registered in this process, to hand to
    worker processes (which import actinit afresh)."""
    return {"activations": dict(ACTIVATIONS.custom), "initializers": dict(INITIALIZERS.custom)}


def install_components(components: dict[str, dict[str, Any]]) -> None:
    """Register in this process what :func:`custom_components` gave."""
    ACTIVATIONS.install(components.get("activations", {}))
    INITIALIZERS.install(components.get("initializers", {}))


def names() -> list[str]:
    """The registered initializers' canonical names, in registration order."""
    return INITIALIZERS.names()


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape ``(fan_in, fan_out, ...)``; a 1-D shape
    ``(n,)`` has fan_in = fan_out = n. Extra axes multiply both (receptive field)."""
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[2:])
    return shape[0] * receptive, shape[1] * receptive


def truncated_standard_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard normal draws with every value outside [-2, 2] drawn again."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return values
