"""What a reader meets in `actinit reproduce` explains itself: at 80 and at 100 columns
every verdict keeps the columns it was decided on, says in words what was tested, and
a legend follows each table; the source of the figures is named (--verbose)."""

import re

import pytest
from click.testing import CliRunner

from actinit.cli import main
from repository import ROOT

#: The columns each table's verdicts are decided on (never left out).
DECIDING = {
    "published vs actinit": ("published", "replayed", "better than", "p (Holm)", "verdict"),
    "conclusions, paired by seed": ("mean A - B [CI]", "p (Holm)", "verdict"),
}
LEGENDS = {
    "published vs actinit": "published: the source's figure, one run.",
    "conclusions, paired by seed": "mean A - B: the mean over seeds of A's figure minus B's",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = tmp_path_factory.mktemp("reproduce") / "r.sqlite"
    done = CliRunner().invoke(main, ["reproduce", "circles", "--seeds", "2", "--db", str(db)])
    assert done.exit_code == 0, done.output
    return db


def _tables(output: str) -> dict[str, str]:
    """Each table's text (title to the blank line after it), by the end of its title."""
    found = {}
    for block in (b.strip() for b in re.split(r"\n\s*\n", output)):
        for kind in DECIDING:
            if kind in " ".join(" ".join(block.split("\n")[:3]).split()):
                found[kind] = block
    return found


@pytest.mark.parametrize("width", [80, 100, 160])
def test_every_verdict_keeps_its_deciding_columns_and_a_legend(database, width):
    result = CliRunner().invoke(
        main, ["reproduce", "circles", "--seeds", "2", "--db", str(database)],
        env={"COLUMNS": str(width)},
    )  # fmt: skip
    tables = _tables(result.output)
    assert set(tables) == set(DECIDING), result.output
    for kind, text in tables.items():
        left_out = re.search(r"\(left out to fit \d+ columns: ([^;]*);", " ".join(text.split()))
        dropped = left_out.group(1).split(", ") if left_out else []
        assert not set(dropped) & set(DECIDING[kind]), (width, kind, dropped)
        assert LEGENDS[kind] in " ".join(text.split()), (width, kind)
        assert "--verbose" in text
        flat = " ".join(text.split())
        for column in DECIDING[kind]:
            # a table shows its header; blocks name each figure ("p (Holm): 0.5") and
            # leave out a cell that is "-" (a figure replayed exactly has no p-value)
            assert column in flat or column in ("replayed", "p (Holm)"), (width, column)
    figures = " ".join(tables["published vs actinit"].split())
    assert "replayed exactly" in figures  # circles' figures are the source's own seeds


def test_verdict_words_say_what_was_tested():
    """ "not reproduced" beside a replay within a point read as a contradiction: the cell
    says what was tested (the figure as one more seed) and that the source's own seed
    replays it; "equal" claims show their margin."""
    from actinit.studies.answer.exports import FIGURE_VERDICT_WORDS

    assert FIGURE_VERDICT_WORDS["not reproduced"] == "not one more seed"
    assert FIGURE_VERDICT_WORDS["consistent"] == "could be one more seed"
    from actinit.studies import Store, load_study, summarize
    from actinit.studies.answer.conclusions import conclusion_rows, judge_conclusions

    with Store(":memory:") as store:
        tested = judge_conclusions(summarize(load_study("mnist"), store))
    cells = [row[-1] for row in conclusion_rows(tested)[1]]
    assert any(cell.endswith("; margin ± 1") for cell in cells), cells


def test_two_settings_compared_without_a_study_file(tmp_path):
    """ "gelu or relu with he_normal on moons, 10 seeds?" needed a TOML file."""
    db = str(tmp_path / "q.sqlite")
    args = ["compare", "--data", "moons", "--a", "gelu/he_normal", "--b", "relu/he_normal"]
    args += ["--seeds", "3", "--epochs", "3", "--db", db]
    first = CliRunner().invoke(main, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert (
        "6 runs in" in first.output and "gelu/he_normal vs relu/he_normal on moons" in first.output
    )
    assert "A - B" in first.output and "paired t p =" in " ".join(first.output.split())
    again = CliRunner().invoke(main, args, env={"COLUMNS": "200"})
    assert "0 runs in" in again.output and "6 already stored" in again.output
    from actinit.studies import Store

    with Store(db) as store:
        kept = [row[0] for row in store.connection.execute("SELECT name FROM studies")]
    assert len(kept) == 1 and kept[0].startswith("compare-moons-")
    shown = CliRunner().invoke(main, ["show", kept[0], "--db", db])
    assert shown.exit_code == 0 and "gelu" in shown.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["compare", "--a", "gelu/he_normal", "--b", "relu/he_normal"], "or --data to compare"),
        (["compare", "--data", "moons", "--a", "gelu/he_normal"], "give --a and --b"),
        (["compare", "--data", "moons", "--baseline", "relu/he_normal"], "need a STUDY"),
        (["compare", "--data", "nope", "--a", "gelu/he", "--b", "relu/he"], "unknown data set"),
        (["compare", "--data", "moons", "--a", "gelu", "--b", "relu/he_normal"], "give both"),
        (["compare", "--data", "moons", "--a", "relu/he_normal", "--b", "relu/he_normal"], "same"),
        (["compare", "moons", "--data", "moons", "--a", "x/y", "--b", "y/z"], "without a STUDY"),
    ],
)
def test_a_comparison_without_a_study_file_refuses_what_it_cannot_do(tmp_path, args, words):
    result = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "q.sqlite")])
    assert result.exit_code != 0 and words in " ".join(result.output.split()), result.output


def test_a_small_p_value_reads_as_one_relation():
    """`compare` printed "Wilcoxon p = < 0.001"."""
    from actinit.studies.answer.statistics import paired_comparison

    a = {seed: 0.9 + 0.001 * seed for seed in range(20)}
    b = {seed: 0.5 + 0.002 * seed for seed in range(20)}
    sentence = paired_comparison(a, b, "test_accuracy").sentence(lambda v: f"{v:.3f}")
    assert "p < 0.001" in sentence and "p = <" not in sentence


def test_help_texts_and_pages_name_nothing_that_is_not_there():
    """`run --help` printed "95%%"; studies.md cited a test file that no longer
    existed."""

    import click

    for name, command in main.commands.items():
        text = command.get_help(click.Context(command, info_name=name))
        assert "%%" not in text, name
    root = ROOT
    pages = [root / "README.md", *(root / "docs").rglob("*.md")]
    for page in pages:
        for cited in re.findall(r"tests/[a-z_/]+\.py", page.read_text()):
            assert (root / cited).is_file(), f"{page.name} cites {cited}"


@pytest.mark.parametrize("command", ["show", "rank", "effects", "export", "report"])
def test_seeds_means_one_thing_and_the_old_spelling_names_the_new(tmp_path, command):
    """--seeds set the seed count on run and reproduce, and read the first N on show,
    rank, compare, effects: reading is now --first-seeds, and --seeds there is refused
    in one line that names it."""
    result = CliRunner().invoke(main, [command, "moons", "--seeds", "3"])
    assert result.exit_code == 2 and "write --first-seeds 3" in result.output
    helped = CliRunner().invoke(main, [command, "--help"]).output
    assert "--first-seeds" in helped and "--seeds" not in helped.replace("--first-seeds", "")
