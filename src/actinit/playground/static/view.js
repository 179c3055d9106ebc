// One answer from the server drawn: a run ready, an update, a redraw, the export link.
import { drawCharts, drawDepth, drawLayers, drawMetrics } from "./charts.js";
import { clearErrors, writeForm, writeUrl } from "./form.js";
import { buildGraph, drawGraph } from "./graph.js";
import { drawBoundary, drawFeatures } from "./plane.js";
import { $, escapeHtml, setPlaying, state } from "./state.js";

export function ready(message) {
  if (message.run === "A") {
    clearErrors();   // an earlier refusal is stale now that these settings trained
    for (const key of Object.keys(state.runs)) delete state.runs[key];
    state.query = message.query;
    // The form belongs to the user: only the first answer (the URL's settings) fills it.
    if (message.id === 1) writeForm(message.settings);
    writeUrl(message.query);
    buildGraph(message);
    document.querySelector('.boundary-figure[data-run="B"]').hidden = true;
    $("#accuracy-figure").hidden = message.regression;
  } else {
    document.querySelector('.boundary-figure[data-run="B"]').hidden = false;
  }
  state.runs[message.run] = { data: message, timeline: [], session: message.session, last: null };
  update(message);
  // B beside A: A's plane gives up half of its width.
  if (message.run === "B" && state.runs.A && state.runs.A.last) drawBoundary($("#boundary"), state.runs.A.last, state.runs.A.data);
}

export function update(message) {
  const run = state.runs[message.run];
  run.timeline.push({ epoch: message.epoch, metrics: message.metrics });
  run.last = message;
  if (message.run === "A") {
    $("#epoch").textContent = message.epoch;
    drawGraph(message);
    drawFeatures(message.feature_space, run.data);
    drawLayers(message.layers, run.data);
    $("#diagnosis").innerHTML = message.diagnosis.map((d) => `<li class="${d.severity}">${escapeHtml(d.message)}</li>`).join("");
  }
  drawBoundary(message.run === "A" ? $("#boundary") : $("#boundary-b"), message, run.data);
  updateExport();
  drawMetrics();
  drawCharts();
  drawDepth();
  if (message.finished && Object.values(state.runs).every((r) => r.last && r.last.finished)) setPlaying(false);
}

export function updateExport() {
  // The exported study trains what was watched: these settings, for the epochs trained.
  const run = state.runs.A;
  if (!run || !run.last) return;
  const seeds = Math.max(1, Number($("#export-seeds").value) || 1);
  $("#export").href = `/api/study?${state.query}&epochs=${run.last.epoch}&seeds=${seeds}`;
  const b = state.runs.B;
  $("#export-b").hidden = !b;
  if (b) $("#export-b").href = `/api/study?${b.data.query}&epochs=${run.last.epoch}&seeds=${seeds}`;
}

export function redraw() {
  for (const [name, run] of Object.entries(state.runs)) {
    if (!run.last) continue;
    drawBoundary(name === "A" ? $("#boundary") : $("#boundary-b"), run.last, run.data);
    if (name === "A") { drawGraph(run.last); drawFeatures(run.last.feature_space, run.data); }
  }
  writeUrl(state.query);
}
