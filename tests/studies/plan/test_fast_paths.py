"""The fast paths a large study takes give exactly what the plain ones give: a grid's
configurations made without the frozen dataclass's ``__init__``, their keys (the keys
of every stored run: a change would lose every result stored before it), and the
summary's read served by the store's narrow index."""

import hashlib
import json
from dataclasses import fields

import pytest

from actinit.studies import RunConfig, Store, load_study
from actinit.studies.answer.run_table import NUMERIC_FIELDS
from actinit.studies.plan.study_file import builtin_names
from actinit.studies.run.store import FIGURES_INDEX

#: The key of moons' first configuration, as the code before the fast paths computed it.
PINNED_MOONS_KEY = "cad1222c6dfe13e9596b"


def key_by_definition(config: RunConfig) -> str:
    """The key as the store has always defined it: SHA-256 of the sorted, compact JSON
    of every field, less the fields added later while at their default."""
    values = {}
    for spec in fields(RunConfig):
        value = getattr(config, spec.name)
        if "since" in spec.metadata and value == spec.default:
            continue
        values[spec.name] = list(value) if isinstance(value, tuple) else value
    text = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_configuration_is_the_plain_dataclass_with_the_defined_key(name):
    study = load_study(name)
    for config in study.configs + study.replays:
        plain = RunConfig(**{spec.name: getattr(config, spec.name) for spec in fields(config)})
        assert config == plain
        assert config.key == plain.key == key_by_definition(config)


def test_a_key_stored_before_stays_the_same():
    config = load_study("moons").configs[0]
    assert config.key == key_by_definition(config) == PINNED_MOONS_KEY


def test_fast_construction_refuses_what_the_dataclass_refuses():
    values = {
        spec.name: getattr(c, spec.name)
        for c in [load_study("moons").configs[0]]
        for spec in fields(c)
    }
    with pytest.raises(TypeError, match="unknown field.*colour"):
        RunConfig.of_values({**values, "colour": "red"})
    with pytest.raises(TypeError, match="missing field.*optimizer"):
        RunConfig.of_values({k: v for k, v in values.items() if k != "optimizer"})
    with pytest.raises(ValueError, match="layer_activations gives 1"):
        RunConfig.of_values({**values, "hidden": (4, 4), "layer_activations": ("relu",)})
    with pytest.raises(AttributeError):
        RunConfig.of_values(values).activation = "tanh"  # still frozen


def test_the_summary_reads_only_the_narrow_index(tmp_path):
    study = load_study("moons")
    with Store(tmp_path / "s.sqlite") as store:
        store.connection.execute(
            "CREATE TEMP TABLE IF NOT EXISTS wanted (code INTEGER PRIMARY KEY, key TEXT)"
        )
        plan = store.connection.execute(
            "EXPLAIN QUERY PLAN SELECT w.code, r.seed, r.status, "
            + ", ".join(f"r.{name}" for name in NUMERIC_FIELDS)
            + " FROM wanted w JOIN runs r ON r.config_key = w.key"
        ).fetchall()
        assert any(f"COVERING INDEX {FIGURES_INDEX}" in row[-1] for row in plan), plan
        assert study.configs


def test_answering_from_stored_runs_does_not_load_scikit_learn():
    """scikit-learn (a second of start-up) is imported when a data set is first drawn,
    not by the command line itself: rank, show and report start without it."""
    import subprocess
    import sys

    code = "import sys, actinit.cli; print('sklearn' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_a_seed_the_packed_read_cannot_hold_is_refused_with_the_reason(tmp_path):
    """The summary's read packs configuration, seed and status in one integer; a run
    whose seed is outside 0..2^32 - 1 (only a hand-edited database has one) is refused
    with a clear error, never read as another configuration's run."""
    from actinit.studies import summarize
    from actinit.studies.run.store import StoreError
    from synthetic_study import store_results, synthetic_study

    study = synthetic_study(seeds=2)
    with Store(tmp_path / "s.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.8)
        store.connection.execute(
            "UPDATE runs SET seed = -1 WHERE config_key = ? AND seed = 1", (study.configs[0].key,)
        )
        store.connection.commit()
        with pytest.raises(StoreError, match="seed is not between 0 and 2"):
            summarize(study, store)
