// actinit playground: the page. Training happens on the server (the actinit engine);
// this script sends settings and commands over a WebSocket and draws what comes back.
"use strict";

let SETTING_NAMES = [];   // filled from the server's description of its settings
const COLOURS = { low: [33, 102, 172], high: [214, 96, 77] };   // class 0 blue, class 1 orange-red

const state = { socket: null, data: null, timeline: [], pinned: null, playing: false, version: 0, configureId: 0 };
const $ = (selector) => document.querySelector(selector);
const form = $("#controls");

// ---------------------------------------------------------------------------
// Settings <-> form <-> URL
// ---------------------------------------------------------------------------
function control(field) {
  // One input per setting, as the server describes it (kind, bounds, choices, help).
  if (field.kind === "choice") {
    const select = document.createElement("select");
    select.innerHTML = field.choices.map((n) => `<option>${n}</option>`).join("");
    return select;
  }
  const input = document.createElement("input");
  if (field.kind === "number" || field.kind === "integer") {
    input.type = "number";
    input.step = field.kind === "integer" ? "1" : "any";
    if (field.bounds) { input.min = field.bounds[0]; input.max = field.bounds[1]; }
  }
  if (field.kind === "spec") input.setAttribute("list", field.name === "activation" ? "activation-names" : "initializer-names");
  if (field.kind === "layers") input.placeholder = "4,4";
  return input;
}

function buildForm(options) {
  const groups = {};
  for (const field of options.fields) {
    if (!groups[field.group]) {
      const fieldset = document.createElement("fieldset");
      fieldset.innerHTML = `<legend>${field.group}</legend>`;
      form.appendChild(fieldset);
      groups[field.group] = fieldset;
    }
    const label = document.createElement("label");
    label.textContent = `${field.label} `;
    const input = control(field);
    input.name = field.name;
    if (field.help) { input.title = field.help; label.title = field.help; }
    label.appendChild(input);
    groups[field.group].appendChild(label);
  }
  SETTING_NAMES = options.fields.map((field) => field.name);
  $("#activation-names").innerHTML = options.activations.map((n) => `<option value="${n}">`).join("");
  $("#initializer-names").innerHTML = options.initializers.map((n) => `<option value="${n}">`).join("");
}

function writeForm(settings) {
  for (const name of SETTING_NAMES) {
    if (!(name in settings)) continue;
    const value = settings[name];
    form.elements[name].value = Array.isArray(value) ? value.join(",") : value;
  }
}

function readForm() {
  const settings = {};
  for (const name of SETTING_NAMES) settings[name] = form.elements[name].value.trim();
  return settings;
}

function settingsFromUrl() {
  const params = new URLSearchParams(location.search);
  const settings = {};
  for (const [key, value] of params) settings[key] = value;   // the server validates every key
  return settings;
}

function queryOf(settings) {
  const params = new URLSearchParams();
  for (const name of SETTING_NAMES) {
    const value = settings[name];
    params.set(name, Array.isArray(value) ? value.join(",") : value);
  }
  return params.toString();
}

// ---------------------------------------------------------------------------
// The connection
// ---------------------------------------------------------------------------
function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(message));
}

function connect(initialSettings) {
  const protocol = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${protocol}://${location.host}/ws`);
  state.socket = socket;
  socket.onopen = () => configure(initialSettings);
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = () => setPlaying(false);
}

function configure(settings) {
  state.configureId += 1;
  send({ type: "configure", settings, id: state.configureId });
}

function receive(message) {
  if (message.type === "error") return showError(message.message);
  // Answers to settings the page has since changed are ignored.
  if ((message.type === "ready" || message.type === "update") && message.id !== state.configureId) return;
  if (message.type === "state") return setPlaying(message.playing);
  if (message.type === "model") return saveModel(message);
  if (message.type === "ready") {
    showError(null);
    state.data = message;
    state.timeline = [];
    // The form belongs to the user: only the first answer (the URL's settings) fills it.
    if (message.id === 1) writeForm(message.settings);
    history.replaceState(null, "", `?${message.query}`);
    state.query = message.query;
  }
  if (message.type === "ready" || message.type === "update") update(message);
}

function showError(text) {
  const banner = $("#error");
  banner.hidden = !text;
  banner.textContent = text || "";
}

function setPlaying(playing) {
  state.playing = playing;
  $("#play").textContent = playing ? "❚❚ Pause" : "▶ Play";
  $("#state").textContent = playing ? "training" : "paused";
}

function saveModel(message) {
  const bytes = Uint8Array.from(atob(message.data), (c) => c.charCodeAt(0));
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  link.download = message.filename;
  link.click();
}

// ---------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------
function colourFor(p) {
  const mix = (a, b) => Math.round(a + (b - a) * p);
  return [mix(COLOURS.low[0], COLOURS.high[0]), mix(COLOURS.low[1], COLOURS.high[1]), mix(COLOURS.low[2], COLOURS.high[2])];
}

function drawField(canvas, values, resolution, box) {
  // A resolution x resolution field of probabilities (rows from the bottom up).
  const field = document.createElement("canvas");
  field.width = field.height = resolution;
  const context = field.getContext("2d");
  const image = context.createImageData(resolution, resolution);
  for (let row = 0; row < resolution; row++) {
    for (let column = 0; column < resolution; column++) {
      const p = values[row * resolution + column];
      const [r, g, b] = colourFor(p);
      const at = ((resolution - 1 - row) * resolution + column) * 4;
      const strength = Math.abs(p - 0.5) * 2;
      image.data.set([255 - (255 - r) * strength * 0.7, 255 - (255 - g) * strength * 0.7, 255 - (255 - b) * strength * 0.7, 255], at);
    }
  }
  context.putImageData(image, 0, 0);
  const target = canvas.getContext("2d");
  target.imageSmoothingEnabled = true;
  target.drawImage(field, 0, 0, canvas.width, canvas.height);
  const toPixel = ([x, y]) => [(x - box[0]) / (box[1] - box[0]) * canvas.width,
    canvas.height - (y - box[2]) / (box[3] - box[2]) * canvas.height];
  return toPixel;
}

function drawPoints(canvas, toPixel, points, labels, outlined) {
  const context = canvas.getContext("2d");
  points.forEach((point, i) => {
    const [px, py] = toPixel(point);
    const [r, g, b] = labels[i] ? COLOURS.high : COLOURS.low;
    context.beginPath();
    context.arc(px, py, 3, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${r},${g},${b})`;
    context.fill();
    context.lineWidth = outlined ? 1.5 : 0.5;
    context.strokeStyle = outlined ? "black" : "white";
    context.stroke();
  });
}

function drawBoundary(message) {
  const canvas = $("#boundary");
  const toPixel = drawField(canvas, message.boundary, state.data.resolution, state.data.bounds);
  drawPoints(canvas, toPixel, state.data.train.x, state.data.train.y, false);
  drawPoints(canvas, toPixel, state.data.test.x, state.data.test.y, true);
  canvas.dataset.version = String(++state.version);
}

function drawFeatures(features) {
  const figure = $("#feature-figure");
  figure.hidden = !features;
  if (!features) return;
  const canvas = $("#features");
  const toPixel = drawField(canvas, features.grid, features.resolution, features.box);
  drawPoints(canvas, toPixel, features.points, state.data.train.y, false);
}

function drawUnits(maps) {
  const holder = $("#units");
  holder.innerHTML = "";
  holder.parentElement.hidden = !maps;
  if (!maps) return;
  maps.forEach((layer) => {
    const column = document.createElement("div");
    column.className = "unit-layer";
    layer.forEach((values) => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 48;
      drawField(canvas, values.map((v) => (v + 1) / 2), Math.round(Math.sqrt(values.length)), [0, 1, 0, 1]);
      column.appendChild(canvas);
    });
    holder.appendChild(column);
  });
}

function drawChart(canvas, series, fixedRange) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const all = series.flatMap((s) => s.points.filter((p) => p[1] !== null && Number.isFinite(p[1])));
  if (!all.length) return;
  const maxX = Math.max(1, ...all.map((p) => p[0]));
  let [low, high] = fixedRange || [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (high - low < 1e-9) { high += 0.5; low -= 0.5; }
  const pad = 24;
  const x = (v) => pad + (v / maxX) * (canvas.width - pad - 6);
  const y = (v) => canvas.height - pad - ((v - low) / (high - low)) * (canvas.height - pad - 6);
  context.strokeStyle = "#ccc";
  context.strokeRect(pad, 6, canvas.width - pad - 6, canvas.height - pad - 6);
  context.fillStyle = "#555";
  context.font = "10px sans-serif";
  context.fillText(high.toPrecision(3), 2, 14);
  context.fillText(low.toPrecision(3), 2, canvas.height - pad);
  context.fillText(`epoch ${maxX}`, canvas.width - 70, canvas.height - 8);
  for (const line of series) {
    context.beginPath();
    context.strokeStyle = line.colour;
    context.setLineDash(line.dashed ? [5, 3] : []);
    let started = false;
    for (const [px, py] of line.points) {
      if (py === null || !Number.isFinite(py)) continue;
      if (!started) { context.moveTo(x(px), y(py)); started = true; } else context.lineTo(x(px), y(py));
    }
    context.stroke();
  }
  context.setLineDash([]);
}

function chartSeries(history, key, colour, dashedTest) {
  return [
    { points: history.map((h) => [h.epoch, h.metrics[`train_${key}`]]), colour, dashed: false },
    { points: history.map((h) => [h.epoch, h.metrics[`test_${key}`]]), colour, dashed: dashedTest },
  ];
}

function drawCharts() {
  const pinned = state.pinned ? state.pinned : [];
  const loss = chartSeries(state.timeline, "loss", "#d62728", true);
  const accuracy = chartSeries(state.timeline, "accuracy", "#1f77b4", true);
  const pinnedLoss = pinned.length ? chartSeries(pinned, "loss", "#999", true) : [];
  const pinnedAccuracy = pinned.length ? chartSeries(pinned, "accuracy", "#999", true) : [];
  drawChart($("#loss-chart"), [...pinnedLoss, ...loss]);
  drawChart($("#accuracy-chart"), [...pinnedAccuracy, ...accuracy], [0, 1]);
}

function drawLayers(layers) {
  const sizes = state.data.layer_sizes;
  $("#layers tbody").innerHTML = layers.map((layer, i) => `<tr><td>${i + 1}${i === layers.length - 1 ? " (output)" : ""}</td>
    <td>${sizes[i]}</td><td>${layer.grad_norm.toExponential(2)}</td>
    <td>${(100 * layer.saturated).toFixed(0)}%</td><td>${(100 * layer.dead).toFixed(0)}%</td></tr>`).join("");
}

function format(value, percent) {
  if (value === null || value === undefined) return "diverged";
  return percent ? `${(100 * value).toFixed(1)}%` : value.toFixed(4);
}

function update(message) {
  state.timeline.push({ epoch: message.epoch, metrics: message.metrics });
  $("#epoch").textContent = message.epoch;
  // The exported study trains what was watched: these settings, for the epochs trained.
  $("#export").href = `/api/study?${state.query}&epochs=${message.epoch}`;
  $("#train-loss").textContent = format(message.metrics.train_loss);
  $("#test-loss").textContent = format(message.metrics.test_loss);
  $("#train-accuracy").textContent = format(message.metrics.train_accuracy, true);
  $("#test-accuracy").textContent = format(message.metrics.test_accuracy, true);
  drawBoundary(message);
  drawFeatures(message.feature_space);
  drawUnits(message.units);
  drawCharts();
  drawLayers(message.layers);
  $("#diagnosis").innerHTML = message.diagnosis.map((d) => `<li class="${d.severity}">${escapeHtml(d.message)}</li>`).join("");
  if (message.finished) setPlaying(false);
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// ---------------------------------------------------------------------------
// Controls
// ---------------------------------------------------------------------------
function wire() {
  form.addEventListener("change", () => {
    const settings = readForm();
    history.replaceState(null, "", `?${queryOf(settings)}`);
    configure(settings);
  });
  $("#play").addEventListener("click", () => send({ type: state.playing ? "pause" : "play" }));
  $("#step").addEventListener("click", () => send({ type: "step", epochs: 1 }));
  $("#reset").addEventListener("click", () => send({ type: "reset" }));
  $("#download").addEventListener("click", () => send({ type: "download" }));
  $("#pin").addEventListener("click", () => {
    state.pinned = state.timeline.slice();
    $("#pin").textContent = "Re-pin run";
    drawCharts();
  });
}

async function start() {
  const options = await (await fetch("/api/options")).json();
  buildForm(options);
  writeForm(options.defaults);
  const fromUrl = settingsFromUrl();
  writeForm(fromUrl);
  wire();
  connect(Object.keys(fromUrl).length ? fromUrl : readForm());
}

start();
