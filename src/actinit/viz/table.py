"""The report's table of every configuration: sortable by any column, filtered by any
grid dimension, each mean drawn with its 95% interval inline. Plain HTML, one small
script and the rows as JSON: it works offline and stays small for thousands of rows."""

from __future__ import annotations

import json
from html import escape

from ..studies.answer.selection import GRID, varying
from ..studies.answer.summary import StudySummary
from ..studies.plan.metrics import CATALOGUE

METRICS = {m.name: (m.heading, m.scale) for m in CATALOGUE}

SCRIPT = """
(function () {
  const root = document.getElementById(ROOT);
  const data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  const body = root.querySelector("tbody"), count = root.querySelector(".count");
  const filters = {}; let sortKey = data.sort, ascending = data.ascending;
  root.querySelectorAll("select").forEach(s => s.addEventListener("change", () => {
    filters[s.dataset.dim] = s.value; draw(); }));
  root.querySelectorAll("th[data-key]").forEach(th => th.addEventListener("click", () => {
    const key = th.dataset.key; ascending = sortKey === key ? !ascending : !!th.dataset.up;
    sortKey = key; draw(); }));
  function bar(m, v) {
    const range = data.ranges[m]; if (!range || v[1] === null) return "";
    const x = t => 100 * (t - range[0]) / ((range[1] - range[0]) || 1);
    const lo = v[1] === null ? v[0] : v[1], hi = v[2] === null ? v[0] : v[2];
    return `<svg class="ci" viewBox="0 0 100 10" preserveAspectRatio="none">` +
      `<line x1="${x(lo)}" x2="${x(hi)}" y1="5" y2="5"/><circle cx="${x(v[0])}" cy="5" r="2"/></svg>`;
  }
  function cell(m, v) {
    if (!v || v[0] === null) return "<td>-</td>";
    const s = data.scale[m], f = t => (s * t).toFixed(data.digits[m]);
    const ci = v[1] === null ? "" : ` <small>[${f(v[1])}, ${f(v[2])}]</small>`;
    return `<td>${f(v[0])}${ci}${bar(m, v)}</td>`;
  }
  function draw() {
    const rows = data.rows.filter(r => Object.entries(filters).every(([d, v]) => !v || r.dims[d] === v));
    const value = r => sortKey in r.dims ? r.dims[sortKey] : (r.metrics[sortKey] || [null])[0];
    rows.sort((a, b) => { const x = value(a), y = value(b);
      if (x === y) return 0; if (x === null) return 1; if (y === null) return -1;
      return (x < y ? -1 : 1) * (ascending ? 1 : -1); });
    body.innerHTML = rows.map(r => "<tr>" + data.dims.map(d => `<td>${esc(r.dims[d])}</td>`).join("") +
      `<td>${r.seeds}</td>` + data.metrics.map(m => cell(m, r.metrics[m])).join("") +
      `<td>${r.learned}</td></tr>`).join("");
    count.textContent = `${rows.length} of ${data.rows.length} configurations`;
  }
  function esc(t) { return String(t).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\\"":"&quot;"}[c])); }
  draw();
})();
"""

STYLE = """
.configs th[data-key] { cursor: pointer; } .configs th[data-key]:hover { background: #e4e4e4; }
.configs svg.ci { display: block; width: 8em; height: 0.6em; }
.configs svg.ci line { stroke: #1a7f37; stroke-width: 2; } .configs svg.ci circle { fill: #1a7f37; }
.configs .filters select { margin-right: 1em; }
"""


def _digits(metric: str) -> int:
    return 1 if metric.endswith("accuracy") or metric == "epochs_to_target" else 4


def table_data(summary: StudySummary) -> dict:
    """The rows as the script reads them: the varying dimensions' values, seeds, each
    metric as [mean, low, high], the learned share with its interval."""
    rows = summary.rows
    dims = [name for name in varying(rows) if name in GRID] or ["activation", "initializer"]
    metrics = [m for m in METRICS if any(r.metric(m).mean is not None for r in rows)]
    records, ranges = [], {}
    for metric in metrics:
        lows = [r.metric(metric).low for r in rows if r.metric(metric).low is not None]
        highs = [r.metric(metric).high for r in rows if r.metric(metric).high is not None]
        if lows and highs:
            ranges[metric] = [min(lows), max(highs)]
    for row in rows:
        learned = "-"
        if row.learned_share is not None:
            learned = f"{100 * row.learned_share:.0f}%"
            if row.learned_low is not None:
                learned += f" [{100 * row.learned_low:.0f}, {100 * row.learned_high:.0f}]"
        records.append(
            {
                "dims": {name: GRID[name](row.config) for name in dims},
                "seeds": row.seeds,
                "metrics": {
                    m: [
                        _round(row.metric(m).mean),
                        _round(row.metric(m).low),
                        _round(row.metric(m).high),
                    ]
                    for m in metrics
                },
                "learned": learned,
            }
        )
    first = metrics[0] if metrics else None
    return {
        "dims": dims,
        "metrics": metrics,
        "rows": records,
        "ranges": ranges,
        "scale": {m: METRICS[m][1] for m in metrics},
        "digits": {m: _digits(m) for m in metrics},
        "sort": first,
        "ascending": first is not None and not first.endswith("accuracy"),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")


def interactive_table(summary: StudySummary, element_id: str = "configurations") -> str:
    """The HTML of the table (with its data and script)."""
    data = table_data(summary)
    filters = []
    for dim in data["dims"]:
        values = sorted({r["dims"][dim] for r in data["rows"]})
        options = "".join(f"<option>{escape(v)}</option>" for v in values)
        filters.append(
            f'<label>{escape(dim)} <select data-dim="{escape(dim)}"><option value="">all</option>'
            f"{options}</select></label>"
        )
    header = "".join(
        f'<th data-key="{escape(d)}" data-up="1">{escape(d)}</th>' for d in data["dims"]
    )
    header += "<th>seeds</th>"
    header += "".join(
        f'<th data-key="{m}"{"" if m.endswith("accuracy") else " data-up=1"}>'
        f"{escape(METRICS[m][0])} [95% CI]</th>"
        for m in data["metrics"]
    )
    header += "<th>learned [95% CI]</th>"
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (
        f"<style>{STYLE}</style>"
        f'<div class="configs" id="{element_id}">'
        f'<p class="filters">{"".join(filters)} <span class="count"></span></p>'
        "<p><small>Click a column's head to sort by it; the bar is the 95% interval of "
        "the mean over seeds, the dot the mean.</small></p>"
        f"<table><thead><tr>{header}</tr></thead><tbody></tbody></table>"
        f'<script type="application/json">{payload}</script>'
        f"<script>{SCRIPT.replace('ROOT', json.dumps(element_id))}</script></div>"
    )
