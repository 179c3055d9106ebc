"""Tables keep the columns that name a row, at any width and when piped."""

import pytest
from click.testing import CliRunner

from actinit.cli import main
from actinit.studies import Store
from actinit.studies.plan.study_file import write_study
from actinit.tables import lay_out, render
from synthetic_study import store_results, synthetic_study

HEADER = ["activation", "initializer", "seeds", "test acc %", "95% CI", "range", "train loss"]
BODY = [
    ["leaky_relu(0.1)", "xavier_normal", "10", "86.0", "83.5..88.4", "62.4..93.2", "0.4633"],
    ["relu", "he", "10", "48.2", "42.1..54.4", "24.8..82.8", "1.0346"],
]
NAMES = ("activation", "initializer")


def test_a_wide_table_is_left_whole():
    lines = render(HEADER, BODY, 120, NAMES, ("range", "train loss"))
    assert lines[0].split() == [w for h in HEADER for w in h.split()]
    assert "leaky_relu(0.1)  xavier_normal" in lines[2]


def test_a_narrow_table_drops_figures_never_names_and_says_which():
    lines = render(HEADER, BODY, 60, NAMES, ("range", "train loss"))
    assert all(len(line) <= 60 for line in lines)
    assert any("leaky_relu(0.1)" in line and "xavier_normal" in line for line in lines)
    assert "left out to fit 60 columns: range, train loss" in " ".join(lines)


def test_names_too_long_for_the_width_become_blocks():
    layout = lay_out(HEADER, BODY, 30, NAMES, ("range", "train loss"))
    assert layout.stacked
    lines = layout.lines(30)
    assert lines[0] == "leaky_relu(0.1) / xavier_normal"
    assert lines[1].startswith("  seeds: 10 · test acc %: 86.0")
    assert all(len(line) <= 31 for line in lines)


@pytest.fixture
def stored(tmp_path):
    study = synthetic_study(
        seeds=5,
        activations=["leaky_relu(0.1)", "relu", "tanh"],
        initializers=["xavier_normal", "kaiming_uniform", "orthogonal"],
        extra="hidden = [[8], [8, 8, 8]]\nlearning_rates = [0.1, 0.01]",
    )
    path = tmp_path / "wide.toml"
    path.write_text(write_study(study))
    db = tmp_path / "wide.sqlite"
    with Store(db) as store:
        store_results(store, study, lambda config, seed: 0.7 + 0.01 * seed)
    return str(path), str(db), study


@pytest.mark.parametrize("columns", ["80", "100", None])
def test_show_keeps_every_row_identifiable(stored, monkeypatch, columns):
    path, db, study = stored
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)  # piped: CliRunner is not a terminal
    else:
        monkeypatch.setenv("COLUMNS", columns)
    result = CliRunner().invoke(main, ["show", path, "--db", db])
    assert result.exit_code == 0, result.output
    width = int(columns or 100)
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= width
    rows = [
        line.split() for line in lines if line.startswith(("leaky_relu(0.1) ", "relu ", "tanh "))
    ]
    assert len(rows) == len(study.configs)  # one line per configuration, named in full
    named = {tuple(row[:4]) for row in rows}
    expected = {
        (
            c.activation_label,
            c.init_label,
            "sgd(0.1)" if "0.1" in c.optimizer else "sgd(0.01)",
            "3x8" if len(c.hidden) == 3 else "8",
        )
        for c in study.configs
    }
    assert named == expected


def test_messages_with_square_brackets_keep_them(stored, monkeypatch):
    """Rich markup once ate "[frames]" from "pip install 'actinit[frames]'"."""
    import sys

    path, db, _ = stored
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    result = CliRunner().invoke(
        main, ["export", path, "--format", "parquet", "-o", "x.parquet", "--db", db]
    )
    assert result.exit_code == 2
    assert "pip install 'actinit[frames]'" in result.output
