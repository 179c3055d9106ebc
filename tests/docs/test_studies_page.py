"""The site's classic-studies page (docs/studies.md, once the README's) shows the
reproduce tables `actinit reproduce --markdown` prints: their
columns, figures, published values and conclusions are checked against the program (the
measured columns come from the run named above the tables)."""

import re

from actinit.studies import Store, load_study, summarize
from actinit.studies.answer.conclusions import VERDICTS as CONCLUSION_VERDICTS
from actinit.studies.answer.conclusions import reproduce_markdown
from repository import ROOT

PAGE = ROOT / "docs" / "studies.md"
SEED_STUDIES = ["blobs", "mnist", "moons", "parabola", "circles"]


def tables(text):
    block = re.search(r"<!-- reproduce:start -->(.*?)<!-- reproduce:end -->", text, re.S)
    assert block, "the reproduce tables are marked <!-- reproduce:start/end -->"
    found, current = [], []
    for line in block.group(1).splitlines():
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip("|").split("|")])
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def test_reproduce_tables_match_the_program(tmp_path):
    with Store(tmp_path / "empty.sqlite") as store:
        summaries = [summarize(load_study(name), store) for name in SEED_STUDIES]
    expected = tables(
        "<!-- reproduce:start -->\n" + reproduce_markdown(summaries) + "\n<!-- reproduce:end -->"
    )
    shown = tables(PAGE.read_text())
    assert len(shown) == len(expected) == 2
    for ours, theirs in zip(shown, expected):
        assert ours[0] == theirs[0]  # the header
        assert len(ours) == len(theirs)
    figures, claims = shown
    assert [row[:3] for row in figures[2:]] == [row[:3] for row in expected[0][2:]]
    assert [row[:2] for row in claims[2:]] == [row[:2] for row in expected[1][2:]]
    from actinit.studies.answer.exports import FIGURE_VERDICT_WORDS

    verdicts = set(FIGURE_VERDICT_WORDS.values())
    assert all(re.split(r"[;:(]", row[-1])[0].strip() in verdicts for row in figures[2:])
    assert all(row[-1].split(" (")[0] in CONCLUSION_VERDICTS for row in claims[2:])


def test_every_published_figure_names_a_source_a_reader_can_follow():
    """The study files cited a file that is not in the repository
    ("shared/seeds/000_....txt"); now an author or title, a year or date where the
    copy gives one, and a link where one exists, on the page and in --verbose."""
    page = PAGE.read_text()
    for name in SEED_STUDIES:
        source = load_study(name).source
        assert source and "shared/" not in source and ".txt" not in source, name
        assert source in page, f"{name}'s source is not on the studies page"


def test_public_pages_speak_to_users_not_of_how_the_project_was_made():
    """ "the audit's 12-seed moons pair", "the audit was right to ask", "seed documents"
    and a section number of a document the reader does not have were on public pages."""
    import re

    from repository import ROOT

    pages = [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "docs" / "guide").glob("*.md"),
    ]
    insider = re.compile(r"\baudit|\bseed documents?\b|\badversar|\bwave \d|\bthe issue\b", re.I)
    said = {
        page.name: insider.findall(page.read_text())
        for page in pages
        if page.name != "changelog.md"  # the project's history is its place
    }
    assert not {name: words for name, words in said.items() if words}
