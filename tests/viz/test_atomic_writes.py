"""Nothing written half: report, export, pictures and animations go into a temporary
file beside their target and are renamed over it, so a full disk part-way leaves the
old file as it was and no stub (the adversary's `report -o keep.html` on a full disk
replaced a good report with a 4 KB stub; failed writes left 0-byte files)."""

import errno
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from actinit import viz
from actinit.files import atomic_path, write_text_atomically


def full_disk_after(limit: int):
    """A write that stores ``limit`` characters, then finds the disk full."""

    def write(self, data, *args, **kwargs):
        with open(self, "w" if isinstance(data, str) else "wb") as file:
            file.write(data[:limit])
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


def leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_a_failed_text_write_leaves_the_old_file_and_no_stub(tmp_path, monkeypatch):
    target = tmp_path / "keep.html"
    target.write_text("a good report")
    monkeypatch.setattr(Path, "write_text", full_disk_after(4))
    with pytest.raises(OSError):
        write_text_atomically(target, "a new report, much longer")
    monkeypatch.undo()
    assert target.read_text() == "a good report"
    assert leftovers(tmp_path, "keep.html") == []
    write_text_atomically(target, "a new report")
    assert target.read_text() == "a new report" and leftovers(tmp_path, "keep.html") == []


def test_a_picture_that_fails_to_write_leaves_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "plot.png"
    figure = Figure()
    figure.subplots().plot([0, 1], [0, 1])
    viz.save(figure, target)
    before = target.read_bytes()

    def broken(self, fname, *args, **kwargs):
        Path(fname).write_bytes(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", broken)
    again = Figure()
    again.subplots().plot([0, 1], [1, 0])
    with pytest.raises(OSError):
        viz.save(again, target)
    assert target.read_bytes() == before and leftovers(tmp_path, "plot.png") == []


def test_the_temporary_file_keeps_the_suffix_writers_read(tmp_path):
    with atomic_path(tmp_path / "a.gif") as temporary:
        assert temporary.suffix == ".gif" and temporary.parent == tmp_path
        temporary.write_bytes(b"GIF89a")
    assert (tmp_path / "a.gif").read_bytes() == b"GIF89a"


def test_the_report_and_an_export_are_written_whole(tmp_path, monkeypatch):
    """The CLI's report and export on a full disk: one line, and the old file kept."""
    from click.testing import CliRunner

    from actinit.cli import main
    from actinit.studies import Store, write_study
    from synthetic_study import store_results, synthetic_study

    study = synthetic_study(seeds=2)
    study_file = tmp_path / "s.toml"
    study_file.write_text(write_study(study))
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.save_study(study.name, write_study(study))
        store_results(store, study, lambda config, seed: 0.8 + 0.01 * seed)
    out = tmp_path / "keep.csv"
    out.write_text("the old export")
    monkeypatch.setattr(Path, "write_text", full_disk_after(3))
    result = CliRunner().invoke(main, ["export", str(study_file), "--db", str(db), "-o", str(out)])
    monkeypatch.undo()
    assert result.exit_code != 0 and "could not write" in result.output
    assert out.read_text() == "the old export"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".keep")]
