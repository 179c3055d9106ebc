"""actinit: a laboratory for activation functions and weight initialization.

>>> import actinit as ai
>>> model = ai.Sequential([ai.Dense(12, activation="relu", init="he_normal"),
...                        ai.Dense(1, activation="sigmoid")],
...                       loss="binary_crossentropy", optimizer="sgd(lr=0.01)", seed=0)

The public API is the engine's (``actinit.engine``) and the theory of signal
propagation (``actinit.theory``); studies, pictures, the playground and the command
line live in their own subpackages.
"""

from . import theory
from .engine import *  # noqa: F403
from .engine import __all__ as _engine_all

__all__ = [*_engine_all, "theory"]

__version__ = "0.1.0"
