"""Enough seeds, and no more: the adaptive rounds stop, spend seeds only where
undecided, resume after an interruption and never rerun a stored run."""

import pytest
from click.testing import CliRunner

from actinit.cli import main
from actinit.studies import Store, parse_study, run_study
from actinit.studies.answer.adaptive import next_target, run_adaptive, seed_counts
from actinit.studies.answer.summary import summarize
from synthetic_study import TINY


def tiny(seeds=3, epochs=30):
    return parse_study(
        TINY.format(epochs=epochs).replace("seeds = 2", f"seeds = {seeds}"), source="tiny.toml"
    )


def test_the_doubling_steps():
    assert [next_target(have, 5, 100) for have in (0, 4, 5, 9, 10, 19, 20, 99)] == [
        5, 5, 10, 10, 20, 20, 40, 100,
    ]  # fmt: skip
    assert next_target(30, 5, 32) == 32


def recorded_run(calls):
    """run_study, noting each plan it is handed (and how many of its runs were stored)."""

    def run(study, store, seeds=None, plan=None, **options):
        stored = store.done({c.key for c in study.configs})
        calls.append((plan, stored))
        return run_study(study, store, seeds=seeds, plan=plan, backend="sequential", **options)

    return run


def test_rounds_spend_seeds_only_on_undecided_configurations(tmp_path):
    """zeros is at 50% on every seed (its interval is 0 wide): decided after the first
    round at 5 seeds; he varies, so it gets more seeds until ± 3 points or 40 seeds."""
    study = tiny(seeds=5)
    calls = []
    with Store(tmp_path / "a.sqlite") as store:
        result = run_adaptive(study, store, max_seeds=40, precision=0.03, run=recorded_run(calls))
        counts = seed_counts(summarize(study, store), "test_accuracy")
    by_label = {c.label: counts[c.key] for c in study.configs}
    assert by_label["tanh / zeros"] == by_label["relu / zeros"] == 5
    assert by_label["relu / he"] > 5 and by_label["tanh / he"] > 5
    for plan, _ in calls[1:]:
        assert {config.init_label for config, _ in plan} == {"he"}
    assert result.reason.startswith(("decided", "budget reached"))
    assert result.seeds == counts


def test_an_interrupted_adaptive_study_resumes_without_rerunning(tmp_path):
    study = tiny(seeds=5)
    db = tmp_path / "r.sqlite"

    class StoppedError(Exception):
        pass

    def stop_after(n):
        seen = []

        def progress(done, total, result):
            seen.append(result)
            if len(seen) >= n:
                raise StoppedError

        return progress

    with Store(db) as store:
        with pytest.raises(StoppedError):
            run_adaptive(
                study,
                store,
                max_seeds=40,
                precision=0.03,
                run=recorded_run([]),
                progress=stop_after(26),  # the first round's 20 runs, and 6 of the second
            )
        assert store.count() == 26
        calls = []
        run_adaptive(study, store, max_seeds=40, precision=0.03, run=recorded_run(calls))
        resumed = {(row["config_key"], row["seed"]) for row in store.runs()}
    # every run the resumed loop asked for was new; the stored 26 were kept, not rerun
    for plan, stored_before in calls:
        if plan is not None:
            assert not {(c.key, s) for c, s in plan} & stored_before
    with Store(tmp_path / "straight.sqlite") as store:
        run_adaptive(study, store, max_seeds=40, precision=0.03, run=recorded_run([]))
        straight = {(row["config_key"], row["seed"]) for row in store.runs()}
    assert resumed == straight  # the same runs as an uninterrupted study


def test_without_precision_rounds_stop_at_a_winner_or_the_budget(tmp_path):
    study = tiny(seeds=3)
    with Store(tmp_path / "w.sqlite") as store:
        result = run_adaptive(study, store, max_seeds=12, run=recorded_run([]))
    assert result.reason.startswith(("decided", "budget reached"))
    assert max(result.seeds.values()) <= 12
    if result.reason.startswith("budget"):
        assert "no winner at" in result.reason


def test_cli_adaptive_seeds_report_what_each_got(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(epochs=30).replace("seeds = 2", "seeds = 5"))
    db = tmp_path / "cli.sqlite"
    args = ["run", str(path), "--db", str(db), "--backend", "sequential"]
    result = CliRunner().invoke(main, args + ["--max-seeds", "20", "--precision", "3"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # lines wrap at the terminal's width
    assert "seeds per configuration: 5-" in said
    assert "round 2:" in said and "± 3 points" in said
    refused = CliRunner().invoke(main, args + ["--precision", "3"])
    assert refused.exit_code == 2 and "--precision needs --max-seeds" in refused.output
    low = CliRunner().invoke(main, args + ["--max-seeds", "2"])
    assert low.exit_code == 2 and "below the study's 5 seeds" in low.output
