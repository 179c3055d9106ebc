"""What a new user reads: tables whose headers take two lines at most, prose that wraps
with a hanging indent, comparisons named "A vs B", the theory of an activation without an
edge, and pictures whose words match the rest of actinit."""

import numpy as np
from click.testing import CliRunner
from matplotlib.collections import PolyCollection

from actinit.cli import main
from actinit.studies import Store, summarize, write_study
from actinit.tables import header_width, prose, render
from synthetic_study import store_results, synthetic_study


def test_headers_wrap_over_two_lines_at_most():
    assert header_width("test acc %") == 5  # "test" / "acc %", never "test / acc / %"
    assert header_width("actinit [95% CI]") == 8
    lines = render(
        ["configuration", "test acc %", "train acc %"],
        [["relu/he", "85.0", "86.0"]],
        30,
        names=("configuration",),
    )
    assert lines.index(next(line for line in lines if line.startswith("---"))) <= 2


def test_prose_wraps_with_a_hanging_indent():
    text = "no winner at 10 seeds: " + "eleven other configurations cannot be told apart " * 3
    lines = prose(text, 40)
    assert len(lines) > 2 and all(len(line) <= 40 for line in lines)
    assert not lines[0].startswith(" ") and all(line.startswith("  ") for line in lines[1:])


def stored(tmp_path, seeds=6):
    study = synthetic_study(seeds=seeds)
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store_results(store, study, lambda config, seed: 0.7 + 0.02 * seed)
        store.save_study(study.name, write_study(study))
    return db


def test_at_80_columns_every_line_fits_and_continues_indented(tmp_path):
    db = stored(tmp_path)
    for command in (["rank", "synthetic"], ["show", "synthetic"], ["effects", "synthetic"]):
        result = CliRunner().invoke(main, [*command, "--db", str(db)], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        assert all(len(line) <= 80 for line in result.output.splitlines()), result.output
    header = [
        line
        for line in CliRunner()
        .invoke(main, ["show", "synthetic", "--db", str(db)], env={"COLUMNS": "80"})
        .output.splitlines()[1:4]
    ]
    assert header[2].startswith("---") or header[1].startswith("---")


def test_a_baseline_s_comparisons_are_named_a_vs_b(tmp_path):
    db = stored(tmp_path)
    result = CliRunner().invoke(
        main,
        ["compare", "synthetic", "--baseline", "relu/he_normal", "--db", str(db)],
        env={"COLUMNS": "60"},
    )
    assert "tanh/he_normal vs relu/he_normal" in result.output, result.output
    assert "tanh/he_normal / relu/he_normal" not in result.output


def test_theory_of_an_activation_without_an_edge_describes_it():
    result = CliRunner().invoke(main, ["theory", "gelu"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "gelu has no edge of chaos at sigma_b = 0" in said
    assert "the activation's gain" in said and "- phase:" in said
    tanh = " ".join(CliRunner().invoke(main, ["theory", "tanh"]).output.split())
    assert "the signal dies out" in tanh and "not bounded by the theory" not in tanh
    assert "fades only polynomially" in tanh


def test_curves_say_test_accuracy_and_shade_only_a_few_bands(tmp_path):
    from actinit.viz.studies import plot_study_curves

    study = synthetic_study(
        seeds=3, activations=["relu", "tanh", "elu"], initializers=["he_normal", "xavier_normal"]
    )
    with Store(tmp_path / "c.sqlite") as store:
        store_results(store, study, lambda config, seed: 0.7 + 0.02 * seed)
        figure = plot_study_curves(summarize(study, store), store)
    axis = figure.axes[0]
    assert axis.get_ylabel() == "test accuracy"
    assert not [c for c in axis.collections if isinstance(c, PolyCollection)]  # 6 curves
    assert "shaded only in panels of 4 curves or fewer" in figure._suptitle.get_text()
    small = synthetic_study(seeds=3, activations=["relu"], initializers=["he_normal"])
    with Store(tmp_path / "d.sqlite") as store:
        store_results(store, small, lambda config, seed: 0.7 + 0.02 * seed)
        one = plot_study_curves(summarize(small, store), store)
    assert [c for c in one.axes[0].collections if isinstance(c, PolyCollection)]


def test_the_effects_picture_has_a_key(tmp_path):
    from actinit.studies.answer.effects import effects
    from actinit.viz.answers import plot_effects

    study = synthetic_study(seeds=6)
    with Store(tmp_path / "e.sqlite") as store:
        store_results(
            store,
            study,
            lambda config, seed: (
                0.6
                + 0.2 * (config.activation == "relu")
                + 0.01 * np.random.default_rng([seed, int(config.key[:8], 16)]).normal()
            ),
        )
        figure = plot_effects(effects(summarize(study, store)))
    texts = [t.get_text() for legend in figure.legends for t in legend.get_texts()]
    assert texts == ["not worse than the dimension's best level", "worse than the best level"]
