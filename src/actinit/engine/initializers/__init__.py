"""Weight initializers: ``init(shape, rng, dtype) -> ndarray``.

A weight has shape ``(fan_in, fan_out)`` (rows are inputs, as ``X @ W``); a bias has
shape ``(units,)``, for which fan_in = fan_out = units. Randomness only comes from
the ``numpy.random.Generator`` passed in.

Two conventions for "normal" live side by side and are named apart:

* **PyTorch** (``torch.nn.init``): ``xavier_normal``, ``xavier_uniform``,
  ``kaiming_normal``, ``kaiming_uniform`` draw from a plain normal (or uniform), with
  a ``gain`` from the nonlinearity.
* **Keras** (``keras.initializers``): ``glorot_normal``, ``he_normal``,
  ``lecun_normal`` draw from a normal truncated at two standard deviations and
  rescaled by 1/0.8796256610342398 so the variance after truncation is still the
  target; ``glorot_uniform``, ``he_uniform``, ``lecun_uniform`` are uniform.

All variance-based initializers are :class:`VarianceScaling` with fixed arguments,
so the formula lives in one place: variance = scale / n, with n = fan_in, fan_out or
(fan_in + fan_out) / 2 by ``mode``.

The initializers live by family: :mod:`.scaled` (independent draws at a scale) and
:mod:`.structured` (whole matrices, data-dependent); :mod:`.base` holds the base
class and the registry. A new initializer is one class in the module of its family.
"""

from .base import (
    DISTRIBUTIONS,
    INITIALIZERS,
    MODES,
    TRUNCATED_NORMAL_STD,
    Initializer,
    custom_components,
    fans,
    get,
    install_components,
    names,
    register,
    truncated_standard_normal,
)
from .scaled import (
    Constant,
    KaimingNormal,
    KaimingUniform,
    Ones,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    XavierNormal,
    XavierUniform,
    Zeros,
    calculate_gain,
)
from .structured import (
    LSUV,
    DataDependent,
    Fixup,
    Identity,
    Orthogonal,
    ZerO,
    initialize_from_data,
    lsuv_initialize,
)

__all__ = [
    "TRUNCATED_NORMAL_STD",
    "MODES",
    "DISTRIBUTIONS",
    "Initializer",
    "INITIALIZERS",
    "get",
    "register",
    "custom_components",
    "install_components",
    "names",
    "fans",
    "truncated_standard_normal",
    "Zeros",
    "Ones",
    "Constant",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "XavierNormal",
    "XavierUniform",
    "KaimingNormal",
    "KaimingUniform",
    "calculate_gain",
    "Orthogonal",
    "Identity",
    "LSUV",
    "DataDependent",
    "initialize_from_data",
    "lsuv_initialize",
    "ZerO",
    "Fixup",
]
