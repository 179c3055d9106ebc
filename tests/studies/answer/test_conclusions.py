"""The seed documents' conclusions as claims tested seed by seed."""

import numpy as np
import pytest

from actinit.studies import Store, load_study, summarize
from actinit.studies.answer.conclusions import conclusion_rows, judge_conclusions
from actinit.studies.plan.settings import StudyError
from actinit.studies.plan.study_file import parse_study, write_study
from synthetic_study import store_results, synthetic_study

CLAIMS = """
[[conclusion]]
text = "He beats Xavier with relu"
a = {{ activation = "relu", initializer = "he_normal" }}
b = {{ activation = "relu", initializer = "xavier_normal" }}

[[conclusion]]
text = "relu beats tanh with he"
a = {{ activation = "relu", initializer = "he_normal" }}
b = [{{ activation = "tanh", initializer = "he_normal" }}]

[[conclusion]]
text = "the initializers are equally good with tanh"
claim = "equal"
margin = {margin}
a = {{ activation = "tanh", initializer = "he_normal" }}
b = {{ activation = "tanh", initializer = "xavier_normal" }}
"""


def judged(tmp_path, means, seeds=12, margin=0.01, noise=0.004):
    study = synthetic_study(seeds=seeds)
    study = parse_study(write_study(study) + CLAIMS.format(margin=margin), source="claims.toml")

    def accuracy(config, seed):
        own = np.random.default_rng([seed, int(config.key[:8], 16)]).normal()
        return means[(config.activation, config.init_label)] + noise * own

    with Store(tmp_path / "c.sqlite") as store:
        store_results(store, study, accuracy)
        return {t.conclusion.text: t for t in judge_conclusions(summarize(study, store))}


def test_claims_are_supported_contradicted_or_not_settled(tmp_path):
    means = {
        ("relu", "he_normal"): 0.80,
        ("relu", "xavier_normal"): 0.90,  # against the first claim
        ("tanh", "he_normal"): 0.70,
        ("tanh", "xavier_normal"): 0.702,
    }
    result = judged(tmp_path, means)
    assert result["He beats Xavier with relu"].verdict == "contradicted"
    assert result["relu beats tanh with he"].verdict == "supported"
    assert "Holm over 2" in result["relu beats tanh with he"].detail
    # equal within 1 point at 12 seeds: no seed split them on learning, yet up to 22%
    # of seeds could; that alone could move the mean by more than the margin
    equal = result["the initializers are equally good with tanh"]
    assert equal.verdict == "too few seeds" and equal.needs == 299
    assert "widened by ± 22.1 points" in equal.detail
    _, body = conclusion_rows(list(result.values()))
    assert body[2][-1] == "too few seeds (needs 299); margin ± 1"
    # within a margin those failures cannot cross, the same seeds support it
    wide = judged(tmp_path / "wide", means, margin=0.25)
    assert wide["the initializers are equally good with tanh"].verdict == "supported"


def test_too_few_seeds_say_so_and_say_why(tmp_path):
    means = {
        k: 0.8
        for k in [
            ("relu", "he_normal"),
            ("relu", "xavier_normal"),
            ("tanh", "he_normal"),
            ("tanh", "xavier_normal"),
        ]
    }
    means[("relu", "he_normal")] = 0.9
    result = judged(tmp_path, means, seeds=1)
    unsettled = result["He beats Xavier with relu"]
    # one seed has no spread: no paired t test can decide anything
    assert unsettled.verdict == "too few seeds"
    assert judged(tmp_path / "4", means, seeds=4)["He beats Xavier with relu"].verdict == (
        "supported"
    )


def test_equal_at_the_margin_is_not_inside_it(tmp_path):
    """An interval whose end sits exactly at the margin is not inside it (float noise
    decides nothing): 25 of 40 seeds 1 point apart, the rest 0, margin 1 point plus
    the failure bound of 40 seeds."""
    from actinit.studies.answer.conclusions import _inside

    assert not _inside(-0.01, 0.01, 0.01)
    assert not _inside(-0.005, 0.01 + 1e-17, 0.01)
    assert not _inside(-0.005, 0.01 - 1e-13, 0.01)  # within float noise of the margin
    assert _inside(-0.005, 0.0099, 0.01)


def test_identical_comparisons_are_left_out_and_count_once(tmp_path):
    """He and random identical on every seed: a claim "xavier beats he and random"
    is decided on its comparisons (one distinct hypothesis, Holm over 1), and the
    claim "he beats random" alone cannot be tested."""
    claims = """
[[conclusion]]
text = "xavier beats both"
a = { activation = "relu", initializer = "xavier_normal" }
b = [{ activation = "relu", initializer = "he_normal" }, { activation = "tanh", initializer = "he_normal" }]

[[conclusion]]
text = "he beats he"
a = { activation = "relu", initializer = "he_normal" }
b = { activation = "tanh", initializer = "he_normal" }
"""
    study = parse_study(write_study(synthetic_study(seeds=10)) + claims, source="c.toml")

    def accuracy(config, seed):
        if config.init_label == "he_normal":  # relu/he and tanh/he: the same runs
            return 0.8 + 0.01 * (seed % 3)
        return 0.83 + 0.01 * (seed % 3) + 0.002 * (seed % 2)

    with Store(tmp_path / "d.sqlite") as store:
        store_results(store, study, accuracy)
        tested = {t.conclusion.text: t for t in judge_conclusions(summarize(study, store))}
    both = tested["xavier beats both"]
    assert both.verdict == "supported"
    assert "Holm over 1:" in both.detail  # the two comparisons are one test
    assert tested["he beats he"].verdict == "cannot be tested"


def test_equality_is_contradicted_when_the_gap_exceeds_the_margin(tmp_path):
    means = {
        ("relu", "he_normal"): 0.8,
        ("relu", "xavier_normal"): 0.8,
        ("tanh", "he_normal"): 0.70,
        ("tanh", "xavier_normal"): 0.75,
    }
    result = judged(tmp_path, means, margin=0.01)
    assert result["the initializers are equally good with tanh"].verdict == "contradicted"
    header, body = conclusion_rows(list(result.values()))
    assert header[0] == "conclusion" and len(body) == 3


def test_every_seed_study_states_its_document_s_conclusions():
    for name in ("blobs", "mnist", "moons", "parabola", "circles"):
        study = load_study(name)
        assert study.conclusions, name
        assert parse_study(write_study(study)) == study
        for conclusion in study.conclusions:
            for side in [conclusion.a, *conclusion.b]:
                assert any(conclusion.matches(c, side) for c in study.configs), (name, side)


@pytest.mark.parametrize(
    "entry, message",
    [
        ('text = "x"\na = { activation = "relu" }', "needs b"),
        (
            'text = "x"\na = { colour = "red" }\nb = { activation = "relu" }',
            "a and b match settings",
        ),
        (
            'text = "x"\nclaim = "worse"\na = { activation = "relu" }\nb = { activation = "relu" }',
            "claim must be one of",
        ),
    ],
)
def test_bad_conclusions_are_refused_with_their_line(entry, message):
    text = write_study(synthetic_study()) + "\n[[conclusion]]\n" + entry + "\n"
    with pytest.raises(StudyError, match=message):
        parse_study(text, source="bad.toml")
