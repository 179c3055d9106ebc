"""One self-contained HTML report of a study: summary, comparison with published
numbers, heatmap, curves across seeds, and for recorded runs the training pictures
and their diagnoses. Images are embedded; opening it needs no network."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from ..files import write_text_atomically
from ..studies.answer.conclusions import conclusion_rows, judge_conclusions
from ..studies.answer.diagnosis import diagnose
from ..studies.answer.effects import effects, interactions
from ..studies.answer.exports import comparison_rows
from ..studies.answer.kept_apart import kept_apart
from ..studies.answer.ranking import rank
from ..studies.answer.recorded import recorded_run
from ..studies.answer.summary import summarize
from ..studies.answer.trainability import PlaneError, trainability_planes
from ..studies.plan.metrics import formatter
from ..studies.run.store import Store
from .boundaries import plot_boundary, plot_feature_space, predicts_numbers
from .catalogue import study_picture
from .figures import to_data_uri
from .pruning import plot_lottery, plot_tradeoff
from .table import interactive_table
from .theory import plot_depth_theory, plot_trainability, plot_variance_prediction
from .training import plot_curves, plot_layer_heatmap

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f0f0f0; }
.ok { color: #1a7f37; } .no { color: #b35900; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
.run { border-top: 2px solid #ddd; margin-top: 2em; }
.finding.critical::before { content: "✖ "; } .finding.warning::before { content: "⚠ "; } .finding.info::before { content: "✓ "; }
"""


def _table(header: list[str], body: list[list[str]], verdict_column: bool = False) -> str:
    rows = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"]
    for line in body:
        cells = []
        for index, cell in enumerate(line):
            css = ""
            if verdict_column and header[index] == "verdict":
                good = cell.startswith(("replayed", "consistent", "supported"))
                css = ' class="ok"' if good else ' class="no"'
            cells.append(f"<td{css}>{html.escape(cell)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _image(uri: str, alt: str) -> str:
    return f'<img src="{uri}" alt="{html.escape(alt)}">'


def build_report(
    study, store: Store, recorded: int = 6, seed: int = 0, progress=None, seeds=None
) -> str:
    """The report's HTML. ``recorded``: how many configurations get a recorded run
    (trained once with a Recorder if not yet in the store) with pictures and diagnoses;
    ``progress(done, total, label)`` is called as each is drawn; ``seeds``: only the
    first so many seeds of each configuration."""
    summary = summarize(study, store, seeds=seeds)
    if not summary.rows:
        raise ValueError(f"no results for study {study.name!r} in {store.path}; run it first")
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>actinit report: {html.escape(study.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(study.title)}</h1>",
        f"<p>{html.escape(study.description)}</p>" if study.description else "",
        f"<p><small>{len(summary.rows)} configurations, results from {html.escape(str(store.path))}, "
        f"made {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</small></p>",
        *(
            f"<p><small>{html.escape(note)}</small></p>"
            for note in (kept_apart(study, store), summary.borrowed_seeds)
            if note
        ),
    ]
    parts += _answers_section(summary, store)
    parts += ["<h2>Every configuration</h2>", interactive_table(summary)]
    parts += _published_section(summary)
    # Accuracy, or the loss when every configuration predicts numbers (regression).
    heatmap, curves = (
        study_picture("heatmap", summary, store),
        study_picture("curves", summary, store),
    )
    parts += [
        "<h2>Activation × initializer</h2>",
        _image(to_data_uri(heatmap), heatmap.get_suptitle() or "heatmap across seeds"),
        "<h2>Curves across seeds</h2>",
        _image(to_data_uri(curves), curves.get_suptitle()),
    ]
    parts += _theory_section(summary)
    parts += _pruning_section(summary, store)
    parts.append("<h2>Inside the runs</h2>")
    chosen = summary.rows[:recorded]
    for done, row in enumerate(chosen):
        if progress:
            progress(done, len(chosen), row.config.label)
        parts += _run_section(recorded_run(store, row.config, seed))
    if len(summary.rows) > recorded:
        parts.append(
            f"<p>{len(summary.rows) - recorded} more configurations are summarised above "
            "but not recorded; raise --recorded to include them.</p>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def _published_section(summary) -> list[str]:
    """Published numbers beside actinit's, and the source's conclusions tested."""
    parts = []
    header, body = comparison_rows(summary, verbose=True)
    if body:
        parts += [
            "<h2>Published numbers and actinit</h2>",
            _table(header, body, verdict_column=True),
        ]
    tested = judge_conclusions(summary)
    if tested:
        parts += [
            "<h2>The source's conclusions, seed by seed</h2>",
            _table(*conclusion_rows(tested), verdict_column=True),
            "<ul>"
            + "".join(
                f"<li><b>{html.escape(t.conclusion.text)}</b>: {html.escape(t.detail)}</li>"
                for t in tested
            )
            + "</ul>",
        ]
    return parts


def _answers_section(summary, store: Store) -> list[str]:
    """The ranking and the effect of each dimension, in words and pictures."""
    metric = _metric(summary)
    ranking = rank(summary, metric)
    fmt = formatter(metric, unit=" points")
    parts = [
        "<h2>Which configuration is best</h2>",
        f"<p><b>{html.escape(ranking.verdict())}</b></p>",
        "<p><small>Each mean comes with its 95% confidence interval over seeds (Student t). "
        "Configurations are compared seed by seed (the same seed means the same data draw "
        "and mini-batch order) on the mean difference (paired t tests); the <i>best set</i> "
        "holds the best configuration with 95% (multiple comparisons with the best): a "
        "configuration leaves it when another is shown better. A best set of several is a "
        "valid answer: no winner at these seeds.</small></p>",
        _image(to_data_uri(study_picture("ranking", summary, store, metric)), "ranking"),
    ]
    found = effects(summary, metric)
    if found:
        parts += ["<h2>What each dimension does</h2>", "<ul>"]
        parts += [f"<li>{html.escape(effect.sentence(fmt))}</li>" for effect in found]
        said = interactions(summary, metric, fmt=fmt)
        parts += [f"<li>{html.escape(i.sentence)}</li>" for i in said]
        parts.append("</ul>")
        if len(found) > 1 or len(found[0].levels) > 1:
            parts.append(
                _image(to_data_uri(study_picture("effects", summary, store, metric)), "effects")
            )
    return parts


def _metric(summary) -> str:
    classifies = any(row.test_accuracy.mean is not None for row in summary.rows)
    return "test_accuracy" if classifies else "test_loss"


def _pruning_section(summary, store) -> list[str]:
    """For a study that prunes: accuracy against what is left, and for rewound
    networks how fast they learn."""
    if not any(row.config.prune_method for row in summary.rows):
        return []
    parts = [
        "<h2>Pruning: what it keeps</h2>",
        "<p>Test accuracy (mean and 95% interval over seeds) against the share of weights "
        "remaining and the FLOPs per sample; the dashed line is the dense network.</p>",
        _image(to_data_uri(plot_tradeoff(summary, store, "remaining")), "accuracy and weights"),
        _image(to_data_uri(plot_tradeoff(summary, store, "flops")), "accuracy and FLOPs"),
    ]
    if any(row.config.rewind != "trained" for row in summary.rows):
        parts.append(_image(to_data_uri(plot_lottery(summary, store)), "winning tickets"))
    return parts


def _theory_section(summary) -> list[str]:
    """For a study over several depths: its accuracies beside the theory's depth; for
    one over depths and weight variances, the whole plane."""
    if len({len(row.config.hidden) for row in summary.rows}) < 2:
        return []
    try:
        planes = trainability_planes(summary)
    except PlaneError:
        planes = []
    if planes:
        lines = "".join(f"<li>{html.escape(plane.summary_line())}</li>" for plane in planes)
        return [
            "<h2>Theory beside experiment: the trainability plane</h2>",
            "<p>Mean-field theory (actinit.theory) says a network trains to a depth of "
            "about 6 ξ (ξ_c, or ξ_∇ where the signal dies out or explodes). Colour: the "
            "measured mean test accuracy; white line: 6 ξ; dots: cells that trained.</p>",
            f"<ul>{lines}</ul>",
            _image(to_data_uri(plot_trainability(summary)), "the trainability plane"),
        ]
    return [
        "<h2>Theory beside experiment</h2>",
        "<p>Mean-field theory of signal propagation (actinit.theory) predicts how deep "
        "each activation and initializer can train: about 6 correlation depth scales "
        "ξ_c. Red lines mark that depth in each row; cells to their right are predicted "
        "not to train.</p>",
        _image(to_data_uri(plot_depth_theory(summary)), "measured accuracy and theory's depth"),
    ]


def _run_section(run) -> list[str]:
    """One recorded run: its diagnosis, curves, gradients, the theory's variance for
    deep nets, and its boundary for 2-D data."""
    parts = [f"<div class='run'><h3>{html.escape(run.label)}</h3><ul>"]
    parts += [
        f"<li class='finding {f.severity}'>{html.escape(f.message)}</li>"
        for f in diagnose(run.recording)
    ]
    parts.append("</ul>")
    parts.append(_image(to_data_uri(plot_curves(run.recording)), "training curves"))
    parts.append(
        _image(to_data_uri(plot_layer_heatmap(run.recording, "grad_norm")), "gradient norms")
    )
    if len(run.config.hidden) > 2:
        picture = plot_variance_prediction(run)
        parts.append(_image(to_data_uri(picture), "variance through depth: theory and network"))
    if run.data.n_features == 2:
        model = run.model()
        try:
            figure = plot_feature_space(model, run.data.X_train, run.data.y_train)
        except ValueError:
            figure = plot_boundary(model, run.data.X_train, run.data.y_train)
        shown = "the output over the plane" if predicts_numbers(model) else "decision boundary"
        parts.append(_image(to_data_uri(figure), shown))
    parts.append("</div>")
    return parts


def write_report(
    study, store: Store, path: str | Path, recorded: int = 6, progress=None, seeds=None
) -> Path:
    """Write :func:`build_report`'s self-contained HTML page of ``study`` to ``path``
    (folders made), recording up to ``recorded`` runs into ``store``; returns the path.
    ``seeds``: only the first so many seeds of each configuration."""
    page = build_report(study, store, recorded=recorded, progress=progress, seeds=seeds)
    return write_text_atomically(path, page)  # a failed write leaves the old report
