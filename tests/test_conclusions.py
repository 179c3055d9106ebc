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
    assert result["the initializers are equally good with tanh"].verdict == "supported"
    assert "Holm over 2" in result["relu beats tanh with he"].detail


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
    result = judged(tmp_path, means, seeds=4)
    unsettled = result["He beats Xavier with relu"]
    # 4 seeds: the smallest signed-rank p-value is 2/16, above any Holm level
    assert unsettled.verdict == "too few seeds" and "it takes at least" in unsettled.detail


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
