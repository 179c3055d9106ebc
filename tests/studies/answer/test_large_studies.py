"""A study of 10,000+ runs: its pictures fit a screen, say what they leave out, and
its report stays small; nothing is silently dropped."""

import re

import numpy as np
import pytest

from actinit.studies import Store, summarize
from actinit.studies.answer.ranking import rank
from actinit.viz.answers import MAX_RANKED_ROWS, plot_effects, plot_ranking
from actinit.viz.report import build_report
from actinit.viz.studies import MAX_CURVES, MAX_WIDTH, plot_study_curves, plot_study_heatmap
from synthetic_study import store_results, synthetic_study

ACTIVATIONS = [
    "relu",
    "tanh",
    "sigmoid",
    "elu",
    "selu",
    "gelu",
    "swish",
    "softplus",
    "mish",
    "softsign",
]
INITIALIZERS = [
    "he_normal", "he_uniform", "xavier_normal", "xavier_uniform", "lecun_normal", "lecun_uniform",
    "orthogonal", "zeros", "ones", "random_normal", "random_uniform", "truncated_normal",
    "glorot_normal", "glorot_uniform",
]  # fmt: skip


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    study = synthetic_study(
        "large",
        seeds=24,
        activations=ACTIVATIONS,
        initializers=INITIALIZERS,
        extra="learning_rates = [0.1, 0.01, 0.001]",
    )
    path = tmp_path_factory.mktemp("large") / "large.sqlite"
    store = Store(path)

    def accuracy(config, seed):
        base = 0.6 + 0.03 * ACTIVATIONS.index(config.activation) % 0.3
        return base + 0.02 * np.random.default_rng([seed, int(config.key[:8], 16)]).normal()

    runs = store_results(store, study, accuracy)
    assert runs == 10 * 14 * 3 * 24 == 10_080
    yield study, store, summarize(study, store)
    store.close()


def inches(figure):
    return figure.get_size_inches()


def test_the_heatmap_fits_a_screen_and_says_its_cells_lost_their_text(large):
    _, _, summary = large
    figure = plot_study_heatmap(summary)
    assert inches(figure)[0] <= MAX_WIDTH + 0.01
    assert "too small for their figures" in figure.get_suptitle()
    assert all(not axis.texts for axis in figure.axes)  # no unreadable cell text
    rows = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert sorted(rows) == sorted(ACTIVATIONS)  # every activation is still there


def test_the_curves_have_no_legend_wall_and_count_what_is_banded(large):
    study, store, summary = large
    figure = plot_study_curves(summary, store)
    for axis in figure.axes:
        legend = axis.get_legend()
        assert len(legend.get_texts()) <= 2 * 3 + 1
        banded = [t.get_text() for t in legend.get_texts() if "others" in t.get_text()]
        assert banded == [f"{10 * 14 - 6} others: range of their means"]
    assert f"{3 * (10 * 14 - 6)} configurations drawn as grey bands" in figure.get_suptitle()
    assert len(summary.rows) > MAX_CURVES


def test_the_ranking_picture_draws_the_top_and_counts_the_rest(large):
    _, _, summary = large
    ranking = rank(summary)
    figure = plot_ranking(ranking)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(labels) == MAX_RANKED_ROWS
    assert labels == [entry.label for entry in ranking.entries[:MAX_RANKED_ROWS]]
    left_out = len(ranking.entries) - MAX_RANKED_ROWS
    assert f"{left_out} lower-ranked configurations left out" in figure.get_suptitle()
    assert inches(figure)[0] <= 14


def test_the_effects_picture_has_a_panel_per_dimension(large):
    from actinit.studies.answer.effects import effects

    found = effects(large[2])
    figure = plot_effects(found)
    titles = [axis.get_title() for axis in figure.axes if axis.get_visible()]
    assert [t.split(":")[0] for t in titles] == ["activation", "initializer", "optimizer"]


def test_the_report_is_small_and_holds_every_configuration(large):
    study, store, summary = large
    page = build_report(study, store, recorded=0)
    assert len(page.encode()) < 2_500_000
    data = re.search(r'<script type="application/json">(.*?)</script>', page, re.S).group(1)
    assert data.count('"dims"') == 1 + len(summary.rows)  # the header's list and one per row
    assert "no winner at 24 seeds" in page or "is best at 24 seeds" in page
