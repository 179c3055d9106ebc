"""Activation functions with their exact derivatives.

Every activation is one small dataclass registered by name where it is defined;
adding an activation means adding one class to the module of its family
(:mod:`.squashing`, :mod:`.rectifiers`, :mod:`.learned`). Definitions, defaults and the
derivative at kinks follow PyTorch (``torch.nn.functional``); where Keras differs
the docstring says so.

Shapes: every function is elementwise, ``x`` of any shape in, the same shape out,
except :class:`Softmax`, which normalises over the last axis of an
``(n_samples, n_classes)`` array.

Each activation also states facts a study needs:

* ``output_range``: the (lower, upper) bounds of f.
* ``zero_centred``: True when f is odd (f(-x) = -f(x)), so outputs are centred on 0
  for inputs symmetric about 0.
* ``gain``: the factor that keeps activation variance stable through a layer. Where
  ``torch.nn.init.calculate_gain`` defines one, that value; otherwise computed
  numerically as 1 / sqrt(E[f(z)^2]), z ~ N(0, 1) (``gain_source`` says which).
"""

from .base import (
    ACTIVATIONS,
    INF,
    Activation,
    check_derivative,
    get,
    names,
    register,
)
from .learned import (
    Rational,
    Snake,
)
from .rectifiers import (
    CELU,
    ELU,
    GELU,
    SELU,
    HardSwish,
    LeakyReLU,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Softplus,
    SquaredReLU,
    Swish,
)
from .squashing import (
    BinaryStep,
    Gaussian,
    HardSigmoid,
    HardTanh,
    Linear,
    Sigmoid,
    Sine,
    Softmax,
    Softsign,
    Tanh,
)

__all__ = [
    "ACTIVATIONS",
    "INF",
    "Activation",
    "check_derivative",
    "get",
    "names",
    "register",
    "Linear",
    "BinaryStep",
    "Sigmoid",
    "Tanh",
    "Softsign",
    "Sine",
    "Gaussian",
    "HardSigmoid",
    "HardTanh",
    "Softmax",
    "ReLU",
    "SquaredReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "RReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "Swish",
    "Mish",
    "Softplus",
    "HardSwish",
    "Snake",
    "Rational",
]
