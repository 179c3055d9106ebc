// Charts: loss (log scale when it spans decades), accuracy, per-layer bands through depth, the metrics line.
import { RUN_COLOURS } from "./colours.js";
import { ticks } from "./plane.js";
import { $, escapeHtml, state } from "./state.js";

export function fitWidth(canvas) {
  const width = canvas.parentElement.clientWidth - 12;
  if (width > 100 && canvas.width !== width) canvas.width = width;
}

export function drawChart(canvas, series, options = {}) {
  fitWidth(canvas);
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const usable = (v) => v !== null && Number.isFinite(v) && (!options.log || v > 0);
  const all = series.flatMap((s) => s.points.filter((p) => usable(p[1])));
  if (!all.length) return;
  const transform = options.log ? Math.log10 : (v) => v;
  const maxX = Math.max(1, ...all.map((p) => p[0]));
  let [low, high] = options.range || [Math.min(...all.map((p) => transform(p[1]))), Math.max(...all.map((p) => transform(p[1])))];
  if (high - low < 1e-9) { high += 0.5; low -= 0.5; }
  const pad = { left: 44, bottom: 22, top: 6, right: 8 };
  const x = (v) => pad.left + (v / maxX) * (canvas.width - pad.left - pad.right);
  const y = (v) => canvas.height - pad.bottom - ((transform(v) - low) / (high - low)) * (canvas.height - pad.bottom - pad.top);
  context.strokeStyle = "#ccc";
  context.strokeRect(pad.left, pad.top, canvas.width - pad.left - pad.right, canvas.height - pad.bottom - pad.top);
  context.fillStyle = "#555";
  context.font = "10px sans-serif";
  context.textAlign = "right";
  // Round ticks (1, 2 or 5 times a power of ten), labelled with as many decimals as
  // their step needs: a loss between 0.6931 and 0.6935 reads 0.6932, 0.6934, not
  // 0.693, 0.693, 0.693.
  const levels = options.log ? ticks(Math.floor(low), Math.ceil(high), 5).filter((v) => v >= low && v <= high) : ticks(low, high, 4);
  const step = levels.length > 1 ? levels[1] - levels[0] : Math.abs(high - low) || 1;
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  const label = (v) => (options.log ? `1e${v.toFixed(0)}` : v.toFixed(decimals));
  canvas.dataset.ticks = JSON.stringify(levels.map(label));
  for (const level of levels) {
    const py = canvas.height - pad.bottom - ((level - low) / (high - low)) * (canvas.height - pad.bottom - pad.top);
    context.fillText(label(level), pad.left - 3, py + 3);
    context.beginPath(); context.strokeStyle = "#eee"; context.moveTo(pad.left, py); context.lineTo(canvas.width - pad.right, py); context.stroke();
  }
  context.textAlign = "center";
  context.fillText(`epoch (0 – ${maxX})`, (canvas.width + pad.left) / 2, canvas.height - 6);
  for (const line of series) {
    context.beginPath();
    context.strokeStyle = line.colour;
    context.lineWidth = 1.5;
    context.setLineDash(line.dashed ? [5, 3] : []);
    let started = false;
    for (const [px, py] of line.points) {
      if (!usable(py)) continue;
      if (!started) { context.moveTo(x(px), y(py)); started = true; } else context.lineTo(x(px), y(py));
    }
    context.stroke();
  }
  context.setLineDash([]);
  context.lineWidth = 1;
}

export function chartSeries(timeline, key, colour) {
  return [
    { points: timeline.map((h) => [h.epoch, h.metrics[`train_${key}`]]), colour, dashed: false },
    { points: timeline.map((h) => [h.epoch, h.metrics[`test_${key}`]]), colour, dashed: true },
  ];
}

export function spansDecades(series) {
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v !== null && Number.isFinite(v) && v > 0);
  return values.length > 1 && Math.max(...values) / Math.min(...values) >= 100;
}

export function drawCharts() {
  const runs = Object.entries(state.runs);
  const pinned = state.pinned || [];
  const loss = [...(pinned.length ? chartSeries(pinned, "loss", "#999") : []),
    ...runs.flatMap(([name, run]) => chartSeries(run.timeline, "loss", RUN_COLOURS[name]))];
  const log = spansDecades(loss);
  $("#loss-scale").textContent = log ? "(log scale: it spans decades)" : "";
  $("#loss-chart").dataset.scale = log ? "log" : "linear";
  drawChart($("#loss-chart"), loss, { log });
  const accuracy = [...(pinned.length ? chartSeries(pinned, "accuracy", "#999") : []),
    ...runs.flatMap(([name, run]) => chartSeries(run.timeline, "accuracy", RUN_COLOURS[name]))];
  drawChart($("#accuracy-chart"), accuracy, { range: [0, 1] });
}

export const DEPTH_KINDS = [["pre", "pre-activations z", false], ["act", "activations f(z)", false], ["grad", "|gradient| of W (log)", true]];

export function drawDepth() {
  const holder = $("#depth");
  const names = Object.keys(state.runs).sort();
  const wanted = names.flatMap((name) => DEPTH_KINDS.map(([kind]) => `${name}-${kind}`)).join(" ");
  if (holder.dataset.charts !== wanted) {
    holder.innerHTML = names.map((name) => `<div class="depth-row">${names.length > 1 ? `<b>Run ${name}</b>` : ""}${DEPTH_KINDS.map(([kind, title]) =>
      `<div class="depth-chart"><span>${title}</span><canvas data-run="${name}" data-kind="${kind}" width="180" height="170"></canvas></div>`).join("")}</div>`).join("");
    holder.dataset.charts = wanted;
  }
  for (const canvas of holder.querySelectorAll("canvas")) {
    const run = state.runs[canvas.dataset.run];
    if (!run || !run.last) continue;
    const kind = canvas.dataset.kind, log = kind === "grad";
    drawBands(canvas, run.last.depth[kind], run.data.depth_at_start[kind], log);
  }
}

export function drawBands(canvas, live, start, log) {
  // One band chart: x = layer, y = value; 5-95% light, 25-75% darker, median line.
  const width = Math.round(canvas.getBoundingClientRect().width);
  if (width > 60 && canvas.width !== width) canvas.width = width;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  // On the log scale exact zeros (dead units' gradients) sit at the bottom edge.
  const value = (v) => (v === null ? null : log ? (v > 0 ? Math.log10(v) : null) : v);
  const all = [...live, ...start].flat().map(value).filter((v) => v !== null && Number.isFinite(v));
  if (!all.length) return;
  let low = Math.min(...all), high = Math.max(...all);
  if (high - low < 1e-9) { high += 0.5; low -= 0.5; }
  const pad = { left: 34, bottom: 16, top: 4, right: 4 };
  const layers = live.length;
  const x = (i) => pad.left + (layers === 1 ? 0.5 : i / (layers - 1)) * (canvas.width - pad.left - pad.right);
  const y = (v) => canvas.height - pad.bottom - (((value(v) ?? low) - low) / (high - low)) * (canvas.height - pad.bottom - pad.top);
  const band = (rows, a, b, colour) => {
    context.beginPath();
    rows.forEach((row, i) => (i ? context.lineTo(x(i), y(row[b])) : context.moveTo(x(i), y(row[b]))));
    for (let i = rows.length - 1; i >= 0; i--) context.lineTo(x(i), y(rows[i][a]));
    context.closePath();
    context.fillStyle = colour;
    context.fill();
  };
  const line = (rows, q, colour, dashed) => {
    context.beginPath();
    context.setLineDash(dashed ? [4, 3] : []);
    context.strokeStyle = colour;
    rows.forEach((row, i) => (i ? context.lineTo(x(i), y(row[q])) : context.moveTo(x(i), y(row[q]))));
    context.stroke();
    context.setLineDash([]);
  };
  const finite = live.every((row) => row.every((v) => v !== null));
  if (finite) {
    band(live, 0, 4, "rgba(31,119,180,0.18)");
    band(live, 1, 3, "rgba(31,119,180,0.38)");
    line(live, 2, "#1f4e79", false);
  }
  line(start, 0, "#888", true);
  line(start, 2, "#555", true);
  line(start, 4, "#888", true);
  // A scale: round ticks between the lowest and highest value, with grid lines.
  context.fillStyle = "#555";
  context.font = "10px sans-serif";
  context.textAlign = "right";
  const levels = log ? ticks(Math.floor(low), Math.ceil(high), 4).filter((v) => v >= low && v <= high) : ticks(low, high, 3);
  const step = levels.length > 1 ? levels[1] - levels[0] : Math.abs(high - low) || 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const label = (v) => (log ? `1e${v.toFixed(0)}` : v.toFixed(decimals));
  for (const level of levels) {
    const py = canvas.height - pad.bottom - ((level - low) / (high - low)) * (canvas.height - pad.bottom - pad.top);
    context.fillText(label(level), pad.left - 2, py + 3);
    context.beginPath(); context.strokeStyle = "#eee"; context.moveTo(pad.left, py); context.lineTo(canvas.width - pad.right, py); context.stroke();
  }
  canvas.dataset.ticks = JSON.stringify(levels.map(label));
  context.textAlign = "center";
  context.fillText(`layer 1 – ${layers}`, (canvas.width + pad.left) / 2, canvas.height - 3);
  canvas.dataset.median = JSON.stringify(live.map((row) => row[2]));
}

export function drawLayers(layers, data) {
  const sizes = data.layer_sizes;
  const ratio = (v) => (v === null ? "–" : `${(100 * v).toFixed(0)}%`);
  $("#layers tbody").innerHTML = layers.map((layer, i) => `<tr><td>${i + 1}${i === layers.length - 1 ? " (output)" : ""}</td>
    <td>${sizes[i]}</td><td>${layer.grad_norm === null ? "–" : layer.grad_norm.toExponential(2)}</td>
    <td>${ratio(layer.saturated)}${layer.fused ? ' <small title="a sigmoid or softmax output fused with its loss: its gradient is p − y, so a confident output is no problem (the diagnosis leaves it out)">(fused output: not a problem)</small>' : ""}</td><td>${ratio(layer.dead)}</td></tr>`).join("");
}

export function format(value, percent) {
  if (value === null || value === undefined) return percent ? "–" : "diverged";
  return percent ? `${(100 * value).toFixed(1)}%` : value.toPrecision(4);
}

export function runSpec(data) {
  // What the hidden layers really are, per-layer choices included: "relu,tanh · he_normal".
  const hidden = data.layer_labels.slice(0, -1);
  const label = (values) => (new Set(values).size <= 1 ? values[0] || "" : values.join(","));
  return `${label(hidden.map((l) => l.activation))} · ${label(hidden.map((l) => l.init))}`;
}

export function drawMetrics() {
  $("#metrics").innerHTML = Object.keys(state.runs).sort().map((name) => {
    const run = state.runs[name], m = run.last.metrics, regression = run.data.regression;
    const accuracy = regression ? "" : ` · train acc <b id="train-accuracy-${name}">${format(m.train_accuracy, true)}</b> · test acc <b id="test-accuracy-${name}">${format(m.test_accuracy, true)}</b>`;
    return `<div class="run-metrics" data-run="${name}"><b style="color:${RUN_COLOURS[name]}">${name}</b> epoch <b class="run-epoch">${run.last.epoch}</b> · train loss <b id="train-loss-${name}">${format(m.train_loss)}</b> · test loss <b id="test-loss-${name}">${format(m.test_loss)}</b>${accuracy}
      <span class="run-spec">${escapeHtml(runSpec(run.data))}</span></div>`;
  }).join("");
}
