"""What a reader meets in `actinit reproduce` explains itself: at 80 and at 100 columns
every verdict keeps the columns it was decided on, says in words what was tested, and
a legend follows each table; the source of the figures is named (--verbose)."""

import re

import pytest
from click.testing import CliRunner

from actinit.cli import main

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
