"""Study files: reading one (:func:`parse_study`, each error naming its file, line and
key), finding a built-in one by name (:func:`load_study`), and writing a study back as
TOML (:func:`write_study`)."""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomlkit

from ...engine.registry import SpecError
from . import datasets
from .metrics import METRICS
from .run_config import (
    PRUNING_METHODS,
)
from .settings import (
    GRID_KEYS,
    MAX_SEEDS,
    REQUIRED,
    SECTION_KEYS,
    SETTINGS,
    SUMMARY_KEYS,
    TOP_KEYS,
    InitChoice,
    Setting,
    StudyError,
    _positive_int,
)
from .study import (
    CLAIMS,
    CONCLUSION_FIELDS,
    DEFAULT_TOLERANCE,
    MATCH_KEYS,
    PUBLISHED_FIELDS,
    Conclusion,
    Published,
    Study,
)

BUILTIN_PACKAGE = "actinit.studies.builtin"


def builtin_names() -> list[str]:
    """The names of the built-in studies (``actinit run NAME``), sorted."""
    folder = resources.files(BUILTIN_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_study(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> Study:
    """A built-in study by name, or a study file by path."""
    text_name = str(name_or_path)
    if text_name in builtin_names():
        resource = resources.files(BUILTIN_PACKAGE) / f"{text_name}.toml"
        return parse_study(
            resource.read_text(), source=f"built-in study {text_name!r}", overrides=overrides
        )
    path = Path(name_or_path)
    if not path.is_file():
        close = difflib.get_close_matches(text_name, builtin_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "."
        raise StudyError(
            f"no built-in study named {text_name!r} and no such file{hint} Built-in studies: "
            f"{', '.join(builtin_names())}"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise StudyError(
            f"{path} is not a UTF-8 TOML file (byte {error.start} cannot be read); a study "
            "file is text, see `actinit run --help`"
        ) from None
    study = parse_study(text, source=str(path), overrides=overrides)
    study.path = str(path)
    return study


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """The line number (1-based) where ``key`` is set, inside ``[section]`` if given."""
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\[?\s*([\w.]+)\s*\]\]?", line)
        if header:
            current = header.group(1)
            if current == (key if section is None else f"{section}.{key}"):
                return number  # a table, or the first of an array of tables
            continue
        if re.match(rf"\s*{re.escape(key)}\s*=", line) and (section is None or section == current):
            return number
    return None


class _Reader:
    """Reads sections of a parsed TOML document, with errors that point at lines."""

    def __init__(self, document: dict[str, Any], text: str, source: str) -> None:
        self.document, self.text, self.source = document, text, source

    def fail(self, section: str | None, key: str, message: str) -> StudyError:
        line = _line_of(self.text, key, section)
        where = f"line {line}" if line else "(not set)"
        name = f"{section}.{key}" if section else key
        return StudyError(f"{self.source}, {where}, key '{name}': {message}")

    def table(self, section: str) -> dict[str, Any]:
        value = self.document.get(section, {})
        if not isinstance(value, dict):
            raise self.fail(None, section, f"must be a table [{section}]")
        return value

    def get(self, section: str | None, key: str, default: Any, kind: type | tuple) -> Any:
        source = self.document if section is None else self.table(section)
        value = source.get(key, default)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(section, key, f"expected {names}, got {value!r}")
        return value

    def check_keys(self, section: str | None, allowed: set[str]) -> None:
        source = self.document if section is None else self.table(section)
        for key in source:
            if key not in allowed:
                raise self.fail(section, key, f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def normalized(self, section: str | None, key: str, normalize, value: Any) -> Any:
        try:
            return normalize(value)
        except (SpecError, ValueError, TypeError) as error:
            if section == "data" and getattr(error, "key", None):
                key = error.key  # the data parameter at fault, not the data set's name
            raise self.fail(section, key, str(error)) from None


def parse_study(
    text: str, source: str = "<study>", overrides: dict[str, Any] | None = None
) -> Study:
    """Parse and validate a study; ``overrides`` (e.g. ``{"epochs": 5, "seeds": 2}``)
    replace settings for every configuration."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StudyError(f"{source}: not valid TOML: {error}") from None
    except RecursionError:
        raise StudyError(f"{source}: not valid TOML: arrays nested too deeply") from None
    reader = _Reader(document, text, source)
    reader.check_keys(None, TOP_KEYS)
    for section, allowed in (*SECTION_KEYS.items(), ("grid", GRID_KEYS), ("summary", SUMMARY_KEYS)):
        reader.check_keys(section, allowed)
    overrides = dict(overrides or {})
    header = _read_header(reader, overrides.pop("seeds", None))
    summary = _read_summary(reader)
    study = Study(
        **header,
        datasets=_read_datasets(reader),
        axes={setting.key: _read_axis(reader, setting, overrides) for setting in SETTINGS},
        **summary,
        published=_read_published(reader),
        conclusions=_read_conclusions(reader),
    )
    _check_per_layer(reader, study)
    _check_pruning(reader, study)
    _check_output(reader, study)
    if not overrides:  # a grid narrowed from outside may leave a figure's configuration out
        _check_named_configurations(reader, study)
    return study


def _check_named_configurations(reader: _Reader, study: Study) -> None:
    """A published figure or a conclusion that names no configuration of the grid would
    wait for runs for ever ("no runs yet"): refused, with the grid's values."""
    from .study import matches

    if not study.published and not study.conclusions:
        return
    configs = study.configs
    sides = [("published", p.match) for p in study.published]
    sides += [("conclusion", side) for c in study.conclusions for side in (c.a, *c.b)]
    for section, side in sides:
        if side and not any(matches(config, side) for config in configs):
            there = "; ".join(
                f"{key}: {', '.join(sorted({_value_of(config, key) for config in configs}))}"
                for key in side
            )
            raise reader.fail(
                None,
                section,
                f"{', '.join(f'{k} = {v!r}' for k, v in side.items())} names no configuration "
                f"of the grid, so it would wait for runs for ever; the grid has {there}",
            )


def _value_of(config, key: str) -> str:
    if key == "initializer":
        return config.init_label
    return str(getattr(config, key, None))


#: Output activations whose values a loss reads as it must: binary cross-entropy a
#: probability in (0, 1) per unit, categorical cross-entropy a distribution over units.
PROBABILITY_OUTPUTS = {
    "binary_crossentropy": ("sigmoid", "hard_sigmoid"),
    "categorical_crossentropy": ("softmax",),
}


def _check_output(reader: _Reader, study: Study) -> None:
    """An output activation a loss cannot read is refused before any run: tanh, ReLU or
    linear outputs under binary cross-entropy (a probability must lie in (0, 1)), a
    softmax under it (one unit of softmax is always 1: it can never learn), a sigmoid
    under categorical cross-entropy (its units do not sum to 1)."""
    from ...engine import losses

    for output in study.axes["output_activation"]:
        for loss in study.axes["loss"]:
            resolved = losses.get(loss) if loss else losses.for_output(output)
            name = resolved.name
            allowed = PROBABILITY_OUTPUTS.get(name)
            activation = str(output).split("(")[0].strip()
            if allowed and activation not in allowed:
                raise reader.fail(
                    "model",
                    "output_activation",
                    f"{name.replace('_', ' ')} reads the output as "
                    + (
                        "a probability in (0, 1) per unit"
                        if name == "binary_crossentropy"
                        else "a distribution over the units (they sum to 1)"
                    )
                    + f"; a {activation} output cannot be one"
                    + (
                        " (one softmax unit is always 1: it can never learn)"
                        if activation == "softmax"
                        else ""
                    )
                    + f': use output_activation = "{allowed[0]}"',
                )


def _check_pruning(reader: _Reader, study: Study) -> None:
    """Whole units cannot be rewound: the smaller network has no earlier values; a
    rewind to epoch k needs k epochs of training; a schedule is rounds or a share per
    round, not both, and a share per round above 0."""

    section = reader.table("pruning")
    if "rounds" in section and "per_round" in section:
        raise reader.fail(
            "pruning",
            "per_round",
            "give rounds (that many equal steps) or per_round (the share of what is left "
            "pruned each round), not both",
        )
    if "per_round" in section and study.axes["prune_per_round"] == [0.0]:
        raise reader.fail(
            "pruning", "per_round", "must be above 0 (the share pruned each round), e.g. 0.2"
        )
    for rewind in study.axes["rewind"]:
        if rewind.startswith("epoch:"):
            epoch = int(rewind.split(":")[1])
            trained = min(study.axes["epochs"])
            if epoch > trained:
                raise reader.fail(
                    "pruning",
                    "rewind",
                    f"rewind {rewind} is past the {trained} epochs trained: give an epoch "
                    f"from 1 to {trained}",
                )
    units = [m for m in study.axes["prune_method"] if m and PRUNING_METHODS[m][0] == "units"]
    rewinds = [r for r in study.axes["rewind"] if r != "trained"]
    if units and rewinds:
        raise reader.fail(
            "pruning",
            "rewind",
            f"{units[0]} removes whole units, which cannot be rewound ({rewinds[0]}): rewind "
            "with magnitude or global pruning, or use rewind = 'trained' (fine-tuning)",
        )


def _check_per_layer(reader: _Reader, study: Study) -> None:
    """Per-layer activations and initializers give one value per hidden layer."""
    for key in ("layer_activations", "layer_inits"):
        for given in study.axes[key]:
            for hidden in study.axes["hidden"]:
                if given and len(given) != len(hidden):
                    raise reader.fail(
                        "model",
                        key,
                        f"{len(given)} value(s) for {len(hidden)} hidden layer(s) {list(hidden)}; "
                        "give one per hidden layer",
                    )


def _read_header(reader: _Reader, seeds_override: int | None) -> dict[str, Any]:
    name = reader.get(None, "name", None, str)
    if not name or not name.strip():
        raise reader.fail(None, "name", 'every study needs a name, e.g. name = "my-study"')
    seeds = reader.get(None, "seeds", 3, int) if seeds_override is None else seeds_override
    try:
        seeds = _positive_int(seeds, MAX_SEEDS)
    except ValueError as error:
        raise reader.fail(None, "seeds", f"the number of seeds per configuration {error}") from None
    return {
        "name": name,
        "title": reader.get(None, "title", name, str),
        "seeds": seeds,
        "description": reader.get(None, "description", "", str).strip(),
        "source": reader.get(None, "source", "", str),
        "replay_note": reader.get(None, "replay_note", "", str).strip(),
    }


def _read_datasets(reader: _Reader) -> list[dict[str, Any]]:
    data = dict(reader.table("data"))
    if "name" not in data:
        raise reader.fail(None, "data", "needs name = one of " + ", ".join(datasets.names()))
    base = reader.normalized("data", "name", datasets.check_description, data)
    options = reader.table("grid").get("datasets")
    if options is None:
        return [_with_digest(base)]
    if not isinstance(options, list) or not options:
        raise reader.fail("grid", "datasets", "must be a non-empty list of data set names")
    return [
        _with_digest(
            reader.normalized(
                "grid",
                "datasets",
                datasets.check_description,
                {**data, "name": option} if isinstance(option, str) else {**data, **option},
            )
        )
        for option in options
    ]


def _with_digest(description: dict[str, Any]) -> dict[str, Any]:
    """A data description that reads a file (``path``) with the digest of what is
    there now: the digest is part of every run's key, so runs are of the data's
    content, not of where it lay (edit the file and its runs are new; two files of one
    name in two folders keep their runs apart). Where the file is not there, a digest
    the description already carries (a stored study's) is kept."""
    path = description.get("path")
    if not isinstance(path, str) or not path:
        return description
    digest = datasets.content_digest(path)
    if digest is None:
        return description
    return {**description, "digest": digest}


def _read_axis(reader: _Reader, setting: Setting, overrides: dict[str, Any]) -> list[Any]:
    """The values a setting takes: an override, its grid list, its single value in
    its section, or its default."""
    grid, section = reader.table("grid"), reader.table(setting.section)
    where = (setting.section, setting.name)
    if setting.key in overrides:
        values = [overrides[setting.key]]
    elif setting.grid and setting.grid in grid:
        values, where = grid[setting.grid], ("grid", setting.grid)
        if not isinstance(values, list) or not values:
            raise reader.fail("grid", setting.grid, "must be a non-empty list")
    elif setting.name in section:
        values = [section[setting.name]]
    elif setting.default is REQUIRED:
        raise reader.fail(setting.section, setting.name, f"needs a value: set {setting.where}")
    else:
        values = [setting.default]
    normalized = [reader.normalized(*where, setting.normalize, value) for value in values]
    seen = []
    for value, raw in zip(normalized, values):
        if value in seen:
            same = "" if raw == value or isinstance(value, InitChoice) else f" (as {value!r})"
            raise reader.fail(
                *where,
                f"lists {raw!r} twice{same}: every value makes its own configurations, so "
                "each may appear once",
            )
        seen.append(value)
    return normalized


def _fraction(low_open: bool):
    def check(value: Any) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not (0 < value <= 1 if low_open else 0 <= value <= 1):
            raise ValueError(f"must be a number in {'(0, 1]' if low_open else '[0, 1]'}")
        return float(value)

    return check


def _read_summary(reader: _Reader) -> dict[str, Any]:
    summary = reader.table("summary")
    target = summary.get("target_accuracy")
    if target is not None:
        target = reader.normalized("summary", "target_accuracy", _fraction(True), target)
    threshold = summary.get("learned_threshold", 0.6)
    threshold = reader.normalized("summary", "learned_threshold", _fraction(False), threshold)
    return {"learned_threshold": threshold, "target_accuracy": target}


def _read_published(reader: _Reader) -> list[Published]:
    entries = reader.document.get("published", [])
    if not isinstance(entries, list):
        raise reader.fail(None, "published", "use [[published]] tables, one per figure")
    published = []
    for number, item in enumerate(entries, start=1):
        if not isinstance(item, dict) or "value" not in item:
            raise reader.fail(None, "published", f"entry {number} needs a value")
        metric = item.get("metric", "test_accuracy")
        if metric not in METRICS:
            raise reader.fail(
                "published", "metric", f"unknown metric {metric!r}; use {', '.join(METRICS)}"
            )
        match = {k: v for k, v in item.items() if k not in PUBLISHED_FIELDS}
        unknown = set(match) - MATCH_KEYS
        if unknown:
            raise reader.fail(
                "published",
                sorted(unknown)[0],
                f"entry {number}: cannot match on {sorted(unknown)}",
            )
        value = reader.normalized("published", "value", _finite, item["value"])
        for key in ("note", "data", "caveat", "differs"):
            if key in item and not isinstance(item[key], str):
                raise reader.fail("published", key, f"entry {number}: must be a string")
        published.append(
            Published(
                value,
                metric,
                match,
                item.get("note", ""),
                item.get("tolerance"),
                item.get("data"),
                item.get("caveat", ""),
                item.get("differs", ""),
            )
        )
    return published


def _read_conclusions(reader: _Reader) -> list[Conclusion]:
    """``[[conclusion]]`` tables: text, metric, a = {...}, b = {...} or [{...}, ...],
    claim ("better" or "equal") and margin."""
    entries = reader.document.get("conclusion", [])
    if not isinstance(entries, list):
        raise reader.fail(None, "conclusion", "use [[conclusion]] tables, one per claim")
    conclusions = []
    for number, item in enumerate(entries, start=1):
        if not isinstance(item, dict):
            raise reader.fail(None, "conclusion", f"entry {number} must be a table")
        unknown = set(item) - set(CONCLUSION_FIELDS)
        if unknown:
            raise reader.fail("conclusion", sorted(unknown)[0], f"entry {number}: unknown key")
        for key in ("text", "a", "b"):
            if key not in item:
                raise reader.fail("conclusion", key, f"entry {number} needs {key}")
        metric = item.get("metric", "test_accuracy")
        claim = item.get("claim", "better")
        if metric not in METRICS:
            raise reader.fail("conclusion", "metric", f"unknown metric {metric!r}")
        if claim not in CLAIMS:
            raise reader.fail("conclusion", "claim", f"claim must be one of {CLAIMS}")
        sides = [item["a"]] + (item["b"] if isinstance(item["b"], list) else [item["b"]])
        for side in sides:
            if not isinstance(side, dict) or set(side) - MATCH_KEYS:
                raise reader.fail(
                    "conclusion",
                    "a",
                    f"entry {number}: a and b match settings, e.g. "
                    '{ activation = "relu", initializer = "he" }',
                )
        margin = reader.normalized("conclusion", "margin", _finite, item.get("margin", 0.01))
        conclusions.append(
            Conclusion(
                str(item["text"]),
                dict(item["a"]),
                [dict(s) for s in sides[1:]],
                metric,
                claim,
                margin,
            )
        )
    return conclusions


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value!r}")
    return float(value)


def _toml_value(value: Any) -> Any:
    if isinstance(value, InitChoice):
        parts = {"label": value.label, "weights": value.weights, "biases": value.biases}
        parts.update(output=value.output, replay=value.replay)
        parts = {k: v for k, v in parts.items() if v is not None}
        return value.weights if set(parts) == {"weights"} else _inline(parts)
    if isinstance(value, tuple):
        return list(value)
    return value


def _inline(values: dict[str, Any]) -> Any:
    table = tomlkit.inline_table()
    table.update(values)
    return table


def study_document(study: Study) -> tomlkit.TOMLDocument:
    """The study as a TOML document (what :func:`write_study` prints)."""
    document = tomlkit.document()
    document["name"] = study.name
    document["title"] = study.title
    if study.description:
        document["description"] = tomlkit.string(study.description + "\n", multiline=True)
    if study.source:
        document["source"] = study.source
    document["seeds"] = study.seeds
    if study.replay_note:
        document["replay_note"] = tomlkit.string(study.replay_note + "\n", multiline=True)
    document["data"] = study.datasets[0]
    sections = {name: tomlkit.table() for name in ("model", "training", "pruning", "grid")}
    for setting in SETTINGS:
        values = [_toml_value(setting.write(value)) for value in study.axes[setting.key]]
        if len(values) > 1:
            sections["grid"][setting.grid] = values
        elif values[0] is not None and values[0] != _toml_value(setting.write(setting.default)):
            sections[setting.section][setting.name] = values[0]
    if len(study.datasets) > 1:
        sections["grid"]["datasets"] = _dataset_options(study.datasets)
    for name, table in sections.items():
        if table:
            document[name] = table
    summary = {"learned_threshold": study.learned_threshold}
    if study.target_accuracy is not None:
        summary["target_accuracy"] = study.target_accuracy
    document["summary"] = summary
    if study.published:
        document["published"] = [_published_entry(p) for p in study.published]
    if study.conclusions:
        document["conclusion"] = [
            {
                "text": c.text,
                "metric": c.metric,
                "claim": c.claim,
                "margin": c.margin,
                "a": _inline(c.a),
                "b": [_inline(b) for b in c.b],
            }
            for c in study.conclusions
        ]
    return document


def _dataset_options(options: list[dict[str, Any]]) -> list[Any]:
    base = options[0]
    if all({**option, "name": base["name"]} == base for option in options):
        return [option["name"] for option in options]
    return [_inline(option) for option in options]


def _published_entry(published: Published) -> dict[str, Any]:
    entry = {**published.match, "metric": published.metric, "value": published.value}
    for key in ("note", "data", "caveat", "differs"):
        if getattr(published, key):
            entry[key] = getattr(published, key)
    if published.tolerance != DEFAULT_TOLERANCE[published.metric]:
        entry["tolerance"] = published.tolerance
    return entry


def write_study(study: Study) -> str:
    """The study file of ``study``: ``parse_study(write_study(s)) == s``."""
    return tomlkit.dumps(study_document(study))
