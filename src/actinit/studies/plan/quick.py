"""A study made from the command line, without a study file: two settings of activation
and initializer compared on a data set (``actinit compare --data moons --a gelu/he_normal
--b relu/he_normal``). It is an ordinary study: its runs are stored and kept under its
name (so they are reused and ``show`` reads them), its name says what it holds."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from . import datasets
from .settings import StudyError
from .study import Study
from .study_file import parse_study

#: The network and training a quick comparison uses unless told otherwise.
QUICK_DEFAULTS: dict[str, Any] = {
    "hidden": [16, 16],
    "epochs": 100,
    "optimizer": "adam(lr=0.01)",
    "batch_size": 32,
}


def _side(text: str, which: str) -> tuple[str, str]:
    """(activation, initializer) of ``"gelu/he_normal"`` or
    ``"activation=gelu,initializer=he_normal"``."""
    if "/" in text and "=" not in text.split("/")[0]:
        activation, _, initializer = (s.strip() for s in text.partition("/"))
    else:
        pairs = dict(p.split("=", 1) for p in text.split(",") if "=" in p)
        pairs = {k.strip(): v.strip() for k, v in pairs.items()}
        activation, initializer = pairs.pop("activation", ""), pairs.pop("initializer", "")
        if pairs:
            raise StudyError(
                f"--{which} {text!r}: a comparison without a study file varies the "
                f"activation and the initializer only, not {', '.join(pairs)}; write "
                "ACTIVATION/INITIALIZER, or put the grid in a study file"
            )
    if not activation or not initializer:
        raise StudyError(
            f"--{which} {text!r}: give both, ACTIVATION/INITIALIZER (e.g. gelu/he_normal)"
        )
    return activation, initializer


def _output_for(data: str) -> list[str]:
    """The output layer and loss the data set asks for: a sigmoid for two classes,
    a softmax for more, a linear output with the squared error for numbers."""
    if data == "csv":
        raise StudyError(
            "--data csv reads a file: write a study file with [data] path = 'file.csv' "
            "(see `actinit list datasets`)"
        )
    try:
        classes = datasets.load(data, seed=0).n_classes
    except KeyError:
        raise StudyError(
            f"--data {data!r}: no such data set; data sets: {', '.join(datasets.DATASETS)}"
        ) from None
    except datasets.DataError as error:
        raise StudyError(f"--data {data!r}: {error}") from None
    if classes == 0:
        return ['output_activation = "linear"', 'loss = "mean_squared_error"']
    if classes > 2:
        return ['output_activation = "softmax"']
    return ['output_activation = "sigmoid"']


def two_settings(
    data: str, a: str, b: str, seeds: int = 10, **training: Any
) -> tuple[Study, tuple[str, str], tuple[str, str]]:
    """The study that compares settings ``a`` and ``b`` (``"gelu/he_normal"``) on the
    data set ``data`` over ``seeds`` seeds, with :data:`QUICK_DEFAULTS` overridden by
    ``training`` (hidden, epochs, optimizer, batch_size); and the two settings read.
    Its grid is the activations x initializers the two name (four configurations when
    both differ)."""
    first, second = _side(a, "a"), _side(b, "b")
    if first == second:
        raise StudyError(f"--a and --b are the same setting ({a}); compare two different ones")
    settings = {**QUICK_DEFAULTS, **{k: v for k, v in training.items() if v is not None}}
    output = _output_for(data)
    activations = list(dict.fromkeys([first[0], second[0]]))
    initializers = list(dict.fromkeys([first[1], second[1]]))
    identity = json.dumps([data, activations, initializers, settings], sort_keys=True)
    name = f"compare-{data}-{hashlib.sha256(identity.encode()).hexdigest()[:8]}"
    text = "\n".join(
        [
            f'name = "{name}"',
            f'title = "{first[0]}/{first[1]} vs {second[0]}/{second[1]} on {data}"',
            f"seeds = {int(seeds)}",
            "[data]",
            f"name = {json.dumps(data)}",
            "[model]",
            f"hidden = {json.dumps(list(settings['hidden']))}",
            *output,
            "[training]",
            f"epochs = {int(settings['epochs'])}",
            f"optimizer = {json.dumps(settings['optimizer'])}",
            f"batch_size = {int(settings['batch_size'])}",
            "[grid]",
            f"activations = {json.dumps(activations)}",
            f"initializers = {json.dumps(initializers)}",
        ]
    )
    study = parse_study(text, source="the compare command's settings")
    return study, first, second
