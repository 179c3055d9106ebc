// actinit playground: the page. Training happens on the server (the actinit engine);
// this script sends settings and commands over a WebSocket and draws what comes back.
"use strict";

let SETTING_NAMES = [];   // filled from the server's description of its settings
let OPTIONS = null;
// Settings of the page itself (not of the network): they live in the URL too.
const VIEW_PARAMS = ["compare", "speed", "show_test", "discretize", "tiles"];
const COLOURS = { low: [33, 102, 172], high: [230, 120, 30] };   // class 0 / negative blue, class 1 / positive orange
// Classes 0, 1, 2, ...: blue and orange as with two classes, then distinct hues.
const CLASS_COLOURS = [COLOURS.low, COLOURS.high, [44, 160, 44], [148, 103, 189], [214, 39, 40],
  [140, 86, 75], [227, 119, 194], [23, 190, 207]];
const RUN_COLOURS = { A: "#1f4e9e", B: "#ff7f0e" };

const state = {
  socket: null, configureId: 0, playing: false, version: 0,
  runs: {},            // "A"/"B" -> {data (its ready message), timeline, last update, session id}
  pinned: null, query: "", errors: [],
};
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
  if (field.kind === "features") {
    const box = document.createElement("span");
    box.className = "features";
    box.innerHTML = field.choices.map((n) =>
      `<label class="feature"><input type="checkbox" value="${n}" data-feature="${n}">${n.replace("^2", "²").replace("*", "·")}</label>`).join("");
    return box;
  }
  const input = document.createElement("input");
  if (field.kind === "hidden") input.type = "hidden";
  if (field.kind === "number" || field.kind === "integer") {
    input.type = "number";
    input.step = field.kind === "integer" ? "1" : "any";
    if (field.bounds) { input.min = field.bounds[0]; input.max = field.bounds[1]; }
  }
  if (field.kind === "spec") input.setAttribute("list", field.name === "activation" ? "activation-names" : "initializer-names");
  if (field.kind === "layers") input.placeholder = "4,4";
  if (field.kind === "per_layer") input.placeholder = field.name.includes("init") ? "e.g. he_normal; orthogonal" : "e.g. relu; tanh";
  return input;
}

function buildForm(options) {
  const groups = {};
  const before = $("#compare-fields");
  for (const field of options.fields) {
    if (!groups[field.group]) {
      const fieldset = document.createElement("fieldset");
      fieldset.innerHTML = `<legend>${field.group}</legend>`;
      form.insertBefore(fieldset, before);
      groups[field.group] = fieldset;
    }
    const input = control(field);
    input.name = field.name;
    input.dataset.setting = field.name;
    if (field.kind === "hidden") { groups[field.group].appendChild(input); continue; }
    const label = document.createElement("label");
    label.className = `field-${field.kind}`;
    label.textContent = `${field.label} `;
    if (field.help) { input.title = field.help; label.title = field.help; }
    label.appendChild(input);
    groups[field.group].appendChild(label);
  }
  SETTING_NAMES = options.fields.map((field) => field.name);
  $("#activation-names").innerHTML = options.activations.map((n) => `<option value="${n}">`).join("");
  $("#initializer-names").innerHTML = options.initializers.map((n) => `<option value="${n}">`).join("");
}

function settingInput(name) { return form.querySelector(`[data-setting="${name}"]`); }

function asText(name, value) {
  if (!Array.isArray(value)) return String(value);
  return value.join(name.startsWith("layer_") ? "; " : ",");
}

function writeForm(settings) {
  setTimeout(markChoices, 0);
  for (const name of SETTING_NAMES) {
    if (!(name in settings)) continue;
    const input = settingInput(name), value = settings[name];
    if (name === "features") {
      const chosen = Array.isArray(value) ? value : String(value).split(",").map((v) => v.trim());
      input.querySelectorAll("input").forEach((box) => { box.checked = chosen.includes(box.value); });
    } else input.value = asText(name, value);
  }
}

function readForm() {
  const settings = {};
  for (const name of SETTING_NAMES) {
    const input = settingInput(name);
    settings[name] = name === "features"
      ? [...input.querySelectorAll("input:checked")].map((box) => box.value).join(",")
      : input.value.trim();
  }
  return settings;
}

function readCompare() {
  // "init=he_normal; activation=relu" -> {init: "he_normal", activation: "relu"}
  const text = $("#compare").value.trim();
  if (!text) return null;
  const changes = {};
  for (const part of text.split(";")) {
    if (!part.trim()) continue;
    const at = part.indexOf("=");
    if (at < 1) { changes[part.trim()] = ""; continue; }   // the server says what is wrong
    changes[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return changes;
}

function viewQuery() {
  const params = new URLSearchParams();
  if ($("#compare").value.trim()) params.set("compare", $("#compare").value.trim());
  if ($("#speed").value !== "0") params.set("speed", $("#speed").value);
  if (!$("#show-test").checked) params.set("show_test", "0");
  if ($("#discretize").checked) params.set("discretize", "1");
  if ($("#tile-scale").value !== "network") params.set("tiles", $("#tile-scale").value);
  return params.toString();
}

function writeUrl(query) {
  const view = viewQuery();
  history.replaceState(null, "", `?${query}${view ? "&" + view : ""}`);
}

function fromUrl() {
  // The URL's network settings (the server checks every key) and the page's own.
  const params = new URLSearchParams(location.search);
  const settings = {};
  for (const [key, value] of params) {
    if (VIEW_PARAMS.includes(key)) continue;
    settings[key] = value;
  }
  if (params.has("compare")) $("#compare").value = params.get("compare");
  if (params.has("speed")) $("#speed").value = params.get("speed");
  $("#show-test").checked = params.get("show_test") !== "0";
  $("#discretize").checked = params.get("discretize") === "1";
  if (["network", "layer", "unit"].includes(params.get("tiles"))) $("#tile-scale").value = params.get("tiles");
  return settings;
}

function queryOf(settings) {
  const params = new URLSearchParams();
  for (const name of SETTING_NAMES) params.set(name, asText(name, settings[name]));
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
  socket.onopen = () => { sendSpeed(); configure(initialSettings); };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = (event) => {
    setPlaying(false);
    if (event.code === 1009) {
      addError(`the server closed the connection: a message was larger than its ${(OPTIONS.limits.message_bytes / 1048576).toFixed(0)} MB limit (an upload may hold ${OPTIONS.limits.upload_characters.toLocaleString()} characters); reload the page`);
    } else addError("the connection to the server closed; reload the page");
  };
}

function configure(settings) {
  state.configureId += 1;
  const message = { type: "configure", settings, id: state.configureId };
  const compare = readCompare();
  if (compare) message.compare = compare;
  send(message);
}

function sendSpeed() { send({ type: "speed", epochs_per_second: Number($("#speed").value) }); }

function receive(message) {
  if (message.type === "error") { markFields(message.fields || {}); return addError(message.message); }
  if (message.type === "state") return setPlaying(message.playing);
  if (message.type === "model") return saveModel(message);
  if (message.type === "uploaded") return useUpload(message);
  if (message.type !== "ready" && message.type !== "update") return;
  // Answers to settings the page has since changed, or to a run since rewound, are ignored.
  if (message.id !== state.configureId) return;
  if (message.type === "ready") return ready(message);
  const run = state.runs[message.run];
  if (!run || run.session !== message.session) return;
  update(message);
}

function ready(message) {
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

function clearErrors() { state.errors = []; drawErrors(); markFields({}); }

function markFields(fields) {
  // Each refused setting's message beside its own field (which may be off-screen).
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  for (const [name, text] of Object.entries(fields)) {
    const input = settingInput(name);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const note = document.createElement("span");
    note.className = "field-error";
    note.dataset.field = name;
    note.textContent = text;
    input.closest("label").after(note);
  }
}

function addError(text) {
  // Every error is listed (newest first) until dismissed or until settings train; the
  // same error again (a typo, then Step six times) is one line with its count.
  const at = new Date().toLocaleTimeString();
  const same = state.errors.findIndex((e) => e.text === text);
  const count = same >= 0 ? state.errors[same].count + 1 : 1;
  if (same >= 0) state.errors.splice(same, 1);
  state.errors.unshift({ text, at, count });
  state.errors = state.errors.slice(0, 8);
  drawErrors();
}

function drawErrors() {
  const list = $("#errors");
  list.hidden = state.errors.length === 0;
  list.innerHTML = state.errors.map((e, i) =>
    `<li><span class="when">${e.at}</span> ${escapeHtml(e.text)}${e.count > 1 ? ` <span class="count">(×${e.count})</span>` : ""} <button type="button" data-dismiss="${i}" title="Dismiss">×</button></li>`).join("");
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

function useUpload(message) {
  // Say how the file was read: its classes, or numbers to predict (a regression).
  const holds = message.regression ? "numbers to predict (regression)" : `${message.classes} classes`;
  $("#upload-info").textContent = `${message.name}: ${message.rows.toLocaleString()} rows, ${holds}`;
  $("#upload-info").hidden = false;
  settingInput("dataset").value = "csv";
  settingInput("data_file").value = message.name;
  settingInput("classes").value = String(message.classes);
  reconfigure();
}

// ---------------------------------------------------------------------------
// Colours and fields over the plane
// ---------------------------------------------------------------------------
function tint(colour, s) {
  // White (s = 0) to ``colour`` (s = 1).
  s = Math.max(0, Math.min(1, s));
  return [255 - (255 - colour[0]) * s, 255 - (255 - colour[1]) * s, 255 - (255 - colour[2]) * s];
}

function diverging(t) {
  // t in [-1, 1]: blue (-1) through white (0) to orange (+1).
  return tint(t < 0 ? COLOURS.low : COLOURS.high, Math.abs(t));
}

const rgb = (colour) => `rgb(${colour.map(Math.round).join(",")})`;

function paintField(canvas, resolution, area, colourAt) {
  // A resolution x resolution field (rows from the bottom up) into area [x, y, w, h];
  // colourAt(i) is the colour of grid point i, or null (grey: not a number).
  const field = document.createElement("canvas");
  field.width = field.height = resolution;
  const context = field.getContext("2d");
  const image = context.createImageData(resolution, resolution);
  for (let row = 0; row < resolution; row++) {
    for (let column = 0; column < resolution; column++) {
      const [r, g, b] = colourAt(row * resolution + column) || [200, 200, 200];
      image.data.set([r, g, b, 255], ((resolution - 1 - row) * resolution + column) * 4);
    }
  }
  context.putImageData(image, 0, 0);
  const target = canvas.getContext("2d");
  target.imageSmoothingEnabled = !$("#discretize").checked;
  target.drawImage(field, area[0], area[1], area[2], area[3]);
}

function outputColours(data, values, classes) {
  // colourAt(i) for the network's output over a grid: with several classes, the most
  // probable class's colour, paler where it is less sure (flat when "discretize");
  // else the output on the blue-orange scale.
  if (data.classes > 2) {
    const chance = 1 / data.classes, hard = $("#discretize").checked;
    return (i) => (values[i] === null || classes[i] < 0 ? null
      : tint(CLASS_COLOURS[classes[i]], hard ? 0.8 : 0.1 + 0.8 * (values[i] - chance) / (1 - chance)));
  }
  const toUnit = outputScale(data);
  return (i) => (values[i] === null ? null : diverging(toUnit(values[i])));
}

function labelColour(data, y) {
  // A data point's colour: its class, or its target on the output's scale.
  if (data.regression) return rgb(diverging(outputScale(data)(y)));
  return rgb(data.classes > 2 ? CLASS_COLOURS[y] : diverging(y ? 1 : -1));
}

function outputScale(data) {
  // Maps the network's output to [-1, 1] for colouring, honouring "discretize".
  const [low, high] = data.target_range, middle = (low + high) / 2, half = (high - low) / 2 || 1;
  const hard = $("#discretize").checked;
  if (!data.regression) return (p) => (hard ? (p >= 0.5 ? 0.8 : -0.8) : (p - 0.5) * 1.6);
  return (v) => {
    const t = Math.max(-1, Math.min(1, (v - middle) / half));
    return hard ? Math.round(t * 2) / 2 : t;
  };
}

// ---------------------------------------------------------------------------
// The network drawn as a graph
// ---------------------------------------------------------------------------
const GRAPH = { columns: [], lines: [] };

function tileSize(count) { return Math.max(10, Math.min(44, Math.floor(360 / Math.max(1, count)) - 4)); }

function buildGraph(message) {
  const holder = $("#graph"), svg = $("#links");
  holder.querySelectorAll(".graph-column").forEach((node) => node.remove());
  svg.innerHTML = "";
  const layers = message.graph.layers;
  const inputs = message.input_maps;
  const columns = [{ title: "Inputs", units: inputs.map((m, i) => i), labels: inputs.map((m) => m.name), size: inputs.length }];
  layers.forEach((layer, i) => {
    const hidden = i < layers.length - 1;
    const labels = message.layer_labels[i];
    columns.push({
      title: hidden ? `Layer ${i + 1}` : "Output",
      detail: `${layer.size} unit${layer.size === 1 ? "" : "s"}${layer.units.length < layer.size ? ` (${layer.units.length} shown)` : ""}`,
      spec: `${labels.activation} · ${labels.init}`,
      units: layer.units, size: layer.size, hidden,
    });
  });
  const width = Math.max(holder.clientWidth, 96 * columns.length);
  const step = width / columns.length;
  let tallest = 0;
  GRAPH.columns = columns.map((column, c) => {
    const node = document.createElement("div");
    node.className = "graph-column";
    node.dataset.column = String(c);
    node.style.left = `${c * step}px`;
    node.style.width = `${step}px`;
    const size = tileSize(column.units.length);
    const buttons = column.hidden
      ? `<span class="unit-buttons"><button type="button" data-layer="${c - 1}" data-change="1">+</button><button type="button" data-layer="${c - 1}" data-change="-1">−</button></span>` : "";
    const spec = column.hidden
      ? `<span class="spec" role="button" tabindex="0" data-layer="${c - 1}" title="change this layer's activation or initializer">${column.spec}</span>${layerChoices(c - 1, message.layer_labels[c - 1])}`
      : `<span class="spec">${column.spec || ""}</span>`;
    node.innerHTML = `<div class="column-head"><b>${column.title}</b> ${buttons}<br><span>${column.detail || ""}</span><br>${spec}</div>`;
    const tiles = column.units.map((unit, u) => {
      const tile = document.createElement("canvas");
      tile.className = c === 0 ? "tile input-tile" : column.hidden ? "tile unit-tile" : "tile output-tile";
      tile.width = tile.height = size;
      tile.title = c === 0 ? column.labels[u] : column.hidden || column.size === 1
        ? `${column.title}, unit ${unit + 1}` : `Output, P(${message.class_names[unit]})`;
      node.appendChild(tile);
      if (c === 0) {
        const name = document.createElement("span");
        name.className = "tile-name";
        name.textContent = column.labels[u].replace("^2", "²").replace("*", "·");
        node.appendChild(name);
      }
      return tile;
    });
    holder.appendChild(node);
    tallest = Math.max(tallest, node.offsetHeight);
    return { ...column, node, tiles, size };
  });
  holder.style.height = `${tallest + 10}px`;
  svg.setAttribute("width", width);
  svg.setAttribute("height", tallest + 10);
  inputs.forEach((input, i) => paintTile(GRAPH.columns[0].tiles[i], input.map, message.unit_resolution));
  buildLinks(layers);
}

function layerChoices(layer, labels) {
  // Two selects (hidden until the layer's spec is clicked) that set this layer's own
  // activation and initializer: the per-layer lists of the form.
  const select = (kind, names, current) => {
    const all = names.includes(current) ? names : [current, ...names];
    return `<select class="layer-choice" data-layer="${layer}" data-kind="${kind}">${all.map((n) =>
      `<option${n === current ? " selected" : ""}>${escapeHtml(n)}</option>`).join("")}</select>`;
  };
  return `<span class="layer-choices" hidden>${select("layer_activations", OPTIONS.activations, labels.activation)}${select("layer_inits", OPTIONS.initializers, labels.init)}</span>`;
}

function chooseForLayer(choice) {
  // One layer's activation or initializer: the per-layer list, filled from the
  // network's own settings where it was empty.
  const layers = state.runs.A.data.layer_labels.slice(0, -1);
  const key = choice.dataset.kind === "layer_activations" ? "activation" : "init";
  const input = settingInput(choice.dataset.kind);
  const values = input.value.trim() ? input.value.split(";").map((v) => v.trim()) : layers.map((l) => l[key]);
  values[Number(choice.dataset.layer)] = choice.value;
  input.value = values.join("; ");
  reconfigure();
}

function tileCentre(tile, side) {
  const holder = $("#graph").getBoundingClientRect(), box = tile.getBoundingClientRect();
  return [side > 0 ? box.right - holder.left : box.left - holder.left, box.top - holder.top + box.height / 2];
}

function buildLinks(layers) {
  const svg = $("#links");
  GRAPH.lines = [];
  const parts = [];
  layers.forEach((layer, l) => {
    const from = GRAPH.columns[l].tiles, to = GRAPH.columns[l + 1].tiles;
    from.forEach((source, i) => to.forEach((target, j) => {
      const [x1, y1] = tileCentre(source, 1), [x2, y2] = tileCentre(target, -1);
      parts.push(`<line class="link" data-layer="${l}" data-from="${i}" data-to="${j}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"><title></title></line>`);
    }));
  });
  svg.innerHTML = parts.join("");
  GRAPH.lines = [...svg.querySelectorAll("line")];
}

function paintTile(tile, values, resolution) {
  // A unit whose output is the same over the whole plane comes as null: drawn grey.
  const flat = values === null;
  tile.classList.toggle("flat", flat);
  tile.values = values;   // for the large view on hover
  tile.resolution = resolution;
  paintField(tile, resolution, [0, 0, tile.width, tile.height], (i) => (flat || values[i] === null ? null : diverging(values[i])));
}

function tileScales(layers) {
  // The (low, high) each hidden layer's tiles are drawn on: one for the whole network
  // (TensorFlow Playground's way: a signal that dies with depth shows as flat tiles),
  // the layer's own, or none (each unit stretched from its lowest to its highest).
  const per = $("#tile-scale").value;
  if (per === "unit") return layers.map(() => null);
  const spans = layers.map((layer) => {
    const known = (layer.ranges || []).filter((r) => r !== null);
    return known.length ? [Math.min(...known.map((r) => r[0])), Math.max(...known.map((r) => r[1]))] : null;
  });
  if (per === "layer") return spans;
  const all = spans.filter((s) => s !== null);
  const whole = all.length ? [Math.min(...all.map((s) => s[0])), Math.max(...all.map((s) => s[1]))] : null;
  return spans.map((s) => (s === null ? null : whole));
}

function onScale(map, range, scale) {
  // A unit's map (stretched to [-1, 1] over its own range) put on a shared scale.
  if (scale === null || range === null) return map;
  const [low, high] = range, span = scale[1] - scale[0];
  if (!(span > 0)) return map;
  const at = (m) => (m === null ? null : ((low + (m + 1) / 2 * (high - low)) - scale[0]) / span * 2 - 1);
  if (map === null) return new Array(state.runs.A.data.unit_resolution ** 2).fill(at(-1));  // the same everywhere
  return map.map(at);
}

function describeScale(scales) {
  const per = $("#tile-scale").value, known = scales.filter((s) => s !== null);
  if (per === "unit" || !known.length) return "each unit from its own lowest (blue) to its own highest value (orange; grey: the same everywhere)";
  const [low, high] = known[0], fmt = (v) => Number(v.toPrecision(3));
  return per === "layer"
    ? "each layer's units on that layer's scale, from its lowest (blue) to its highest output (orange)"
    : `every unit on one scale for the network, ${fmt(low)} (blue) to ${fmt(high)} (orange)`;
}

function drawGraph(message) {
  const layers = message.graph.layers;
  const scales = tileScales(layers);
  layers.forEach((layer, l) => {
    const column = GRAPH.columns[l + 1];
    if (!column) return;
    if (layer.maps) layer.maps.forEach((map, u) => paintTile(column.tiles[u],
      onScale(map, (layer.ranges || [])[u] ?? null, scales[l]), state.runs.A.data.unit_resolution));
  });
  $("#tile-scale-text").textContent = describeScale(scales);
  $("#graph").dataset.tileScale = JSON.stringify(scales);
  const output = GRAPH.columns[GRAPH.columns.length - 1], data = state.runs.A.data;
  const probabilities = layers[layers.length - 1].probabilities;
  if (output && probabilities) {
    // One tile per class: that class's probability over the plane, in its colour.
    output.tiles.forEach((tile, u) => paintField(tile, data.unit_resolution, [0, 0, tile.width, tile.height],
      (i) => (probabilities[u][i] === null ? null : tint(CLASS_COLOURS[u], probabilities[u][i]))));
  } else if (output) {
    const tile = output.tiles[0];
    paintField(tile, data.resolution, [0, 0, tile.width, tile.height], outputColours(data, message.boundary));
  }
  // Links: colour by sign, width by size relative to the largest weight of their layer.
  const largest = layers.map((layer) => Math.max(1e-12, ...layer.weights.flat().map((w) => Math.abs(w || 0))));
  for (const line of GRAPH.lines) {
    const l = Number(line.dataset.layer), i = Number(line.dataset.from), j = Number(line.dataset.to);
    const w = layers[l].weights[i][j], pieces = layers[l].pieces;
    line.dataset.weight = w === null ? "" : pieces > 1 ? `${w} (the largest of ${pieces} maxout pieces)` : String(w);
    line.setAttribute("stroke", w === null ? "#bbb" : w >= 0 ? "#2166ac" : "#e6781e");
    line.setAttribute("stroke-width", w === null ? 1 : (0.4 + 4 * Math.abs(w) / largest[l]).toFixed(2));
    line.firstChild.textContent = `weight ${line.dataset.weight || "not a number"}`;
  }
}

function describeLink(line) {
  const l = Number(line.dataset.layer), from = GRAPH.columns[l], to = GRAPH.columns[l + 1];
  const source = l === 0 ? from.labels[Number(line.dataset.from)] : `${from.title} unit ${from.units[Number(line.dataset.from)] + 1}`;
  const unit = to.units[Number(line.dataset.to)];
  const target = `${to.title}${to.hidden ? ` unit ${unit + 1}` : to.size > 1 ? ` (class ${unit})` : ""}`;
  return `${source} → ${target}: weight ${line.dataset.weight || "not a number"}`;
}

// ---------------------------------------------------------------------------
// The output over the input plane, with axes and a colour legend
// ---------------------------------------------------------------------------
const PLOT = { left: 40, top: 10, right: 70, bottom: 50 };
const NARROW_PLANE = 400;  // pixels: below this the point key may take two lines

function fitBoundary(canvas) {
  // As large as the right-hand column allows: one run fills it, A and B side by side.
  const width = $(".charts").clientWidth, both = !!state.runs.B;
  // ... and low enough that the curves below it stay on a laptop's screen.
  const tallest = (window.innerHeight - 340) / 0.92;
  const wanted = Math.round(Math.max(200, Math.min(680, tallest, both ? width / 2 - 32 : width - 20)));
  if (canvas.width !== wanted) { canvas.width = wanted; canvas.height = Math.round(wanted * 0.92); }
}

function ticks(low, high, count) {
  const step = Math.pow(10, Math.floor(Math.log10((high - low) / count)));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (high - low) / s <= count) || step * 10;
  const values = [];
  for (let v = Math.ceil(low / nice) * nice; v <= high + 1e-9; v += nice) values.push(Number(v.toFixed(10)));
  return values;
}

function drawBoundary(canvas, message, data) {
  fitBoundary(canvas);
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  // a narrow plane (A and B side by side) keeps a second line for the point key
  const bottom = PLOT.bottom + (canvas.width < NARROW_PLANE ? 14 : 0);
  const area = [PLOT.left, PLOT.top, canvas.width - PLOT.left - PLOT.right, canvas.height - PLOT.top - bottom];
  paintField(canvas, data.resolution, area, outputColours(data, message.boundary, message.boundary_class));
  const box = data.bounds;
  const toPixel = ([x, y]) => [area[0] + (x - box[0]) / (box[1] - box[0]) * area[2],
    area[1] + area[3] - (y - box[2]) / (box[3] - box[2]) * area[3]];
  const drawPoints = (points, labels, test) => points.forEach((point, i) => {
    const [px, py] = toPixel(point);
    context.beginPath();
    context.arc(px, py, test ? 3.5 : 3, 0, 2 * Math.PI);
    context.fillStyle = labelColour(data, labels[i]);
    context.fill();
    context.lineWidth = test ? 1.6 : 0.8;
    context.strokeStyle = test ? "black" : "white";
    context.stroke();
  });
  drawPoints(data.train.x, data.train.y, false);
  if ($("#show-test").checked) drawPoints(data.test.x, data.test.y, true);
  // Axes with ticks.
  context.strokeStyle = "#444";
  context.fillStyle = "#333";
  context.font = "11px sans-serif";
  context.strokeRect(area[0], area[1], area[2], area[3]);
  context.textAlign = "center";
  for (const t of ticks(box[0], box[1], 6)) {
    const [px] = toPixel([t, box[2]]);
    context.fillText(String(t), px, area[1] + area[3] + 13);
  }
  context.fillText("x1", area[0] + area[2] / 2, area[1] + area[3] + 27);
  context.textAlign = "right";
  for (const t of ticks(box[2], box[3], 6)) {
    const [, py] = toPixel([box[0], t]);
    context.fillText(String(t), area[0] - 4, py + 4);
  }
  context.save();
  context.translate(10, area[1] + area[3] / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = "center";
  context.fillText("x2", 0, 0);
  context.restore();
  drawLegend(context, data, [area[0] + area[2] + 12, area[1], 14, area[3]]);
  canvas.dataset.version = String(++state.version);
}

function drawLegend(context, data, [x, y, w, h]) {
  // The colour bar: P(class 1) from 0 to 1, or the regression output's range; with
  // several classes, a swatch per class.
  if (data.classes > 2) drawClassKey(context, data.class_names, [x, y, w, h]);
  else drawColourBar(context, data, [x, y, w, h]);
  drawPointKey(context, y + h + 44);
}

function drawClassKey(context, names, [x, y, w, h]) {
  // A swatch per class with its name (an uploaded file's labels, cut to fit).
  context.textAlign = "left";
  names.forEach((name, c) => {
    context.fillStyle = rgb(CLASS_COLOURS[c]);
    context.fillRect(x, y + c * 18, w, 14);
    context.fillStyle = "#333";
    context.fillText(name.length > 5 ? `${name.slice(0, 4)}…` : name, x + w + 3, y + c * 18 + 11);
  });
  context.save();
  context.translate(x + w + 40, y + h / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = "center";
  context.fillText("most probable class (paler: less sure)", 0, 0);
  context.restore();
}

function drawColourBar(context, data, [x, y, w, h]) {
  const [low, high] = data.target_range;
  for (let i = 0; i < h; i++) {
    const t = 1 - (2 * i) / h;
    context.fillStyle = `rgb(${diverging(t).map(Math.round).join(",")})`;
    context.fillRect(x, y + i, w, 1);
  }
  context.strokeStyle = "#444";
  context.strokeRect(x, y, w, h);
  context.textAlign = "left";
  context.fillStyle = "#333";
  const top = data.regression ? high.toPrecision(2) : "1", bottom = data.regression ? low.toPrecision(2) : "0";
  context.fillText(top, x + w + 3, y + 9);
  context.fillText(bottom, x + w + 3, y + h);
  context.save();
  context.translate(x + w + 14, y + h / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = "center";
  context.fillText(data.regression ? "output" : "P(class 1)", 0, 0);
  context.restore();
}

function drawPointKey(context, legendY) {
  // Which points are which, under the x1 axis: on one line when it fits the canvas (a
  // narrow one, side by side with run B, takes the short words, or two lines).
  const left = PLOT.left, right = context.canvas.width - 4;
  const showTest = $("#show-test").checked;
  let words = ["training point (white edge)", "test point (black ring)"];
  const width = (texts) => 11 + context.measureText(texts[0]).width + 20 + (showTest ? context.measureText(texts[1]).width : 0);
  if (left + width(words) > right) words = ["training (white edge)", "test (black ring)"];
  const oneLine = left + width(words) <= right;
  context.textAlign = "left";
  context.lineWidth = 0.8;
  context.beginPath(); context.arc(left + 4, legendY - 4, 3, 0, 7); context.fillStyle = "#888"; context.fill();
  context.strokeStyle = "white"; context.stroke();
  context.fillStyle = "#333"; context.fillText(words[0], left + 11, legendY);
  if (showTest) {
    const x = oneLine ? left + 11 + context.measureText(words[0]).width + 12 : left;
    const y = oneLine ? legendY : legendY + 14;
    context.beginPath(); context.arc(x + 4, y - 4, 3.5, 0, 7); context.fillStyle = "#888"; context.fill();
    context.lineWidth = 1.6; context.strokeStyle = "black"; context.stroke();
    context.fillStyle = "#333"; context.fillText(words[1], x + 12, y);
    context.canvas.dataset.keyRight = String(Math.ceil(x + 12 + context.measureText(words[1]).width));
  }
  context.lineWidth = 1;
}

function drawFeatures(features, data) {
  const figure = $("#feature-figure");
  figure.hidden = !features;
  if (!features) return;
  const canvas = $("#features"), context = canvas.getContext("2d");
  paintField(canvas, features.resolution, [0, 0, canvas.width, canvas.height],
    outputColours(data, features.grid, features.grid_class));
  const box = features.box;
  features.points.forEach((point, i) => {
    const px = (point[0] - box[0]) / (box[1] - box[0]) * canvas.width;
    const py = canvas.height - (point[1] - box[2]) / (box[3] - box[2]) * canvas.height;
    context.beginPath();
    context.arc(px, py, 2.5, 0, 2 * Math.PI);
    context.fillStyle = labelColour(data, data.train.y[i]);
    context.fill();
  });
}

// ---------------------------------------------------------------------------
// Charts: loss (log scale when it spans decades), accuracy, depth
// ---------------------------------------------------------------------------
function fitWidth(canvas) {
  const width = canvas.parentElement.clientWidth - 12;
  if (width > 100 && canvas.width !== width) canvas.width = width;
}

function drawChart(canvas, series, options = {}) {
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

function chartSeries(timeline, key, colour) {
  return [
    { points: timeline.map((h) => [h.epoch, h.metrics[`train_${key}`]]), colour, dashed: false },
    { points: timeline.map((h) => [h.epoch, h.metrics[`test_${key}`]]), colour, dashed: true },
  ];
}

function spansDecades(series) {
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v !== null && Number.isFinite(v) && v > 0);
  return values.length > 1 && Math.max(...values) / Math.min(...values) >= 100;
}

function drawCharts() {
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

const DEPTH_KINDS = [["pre", "pre-activations z", false], ["act", "activations f(z)", false], ["grad", "|gradient| of W (log)", true]];

function drawDepth() {
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

function drawBands(canvas, live, start, log) {
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

function drawLayers(layers, data) {
  const sizes = data.layer_sizes;
  const ratio = (v) => (v === null ? "–" : `${(100 * v).toFixed(0)}%`);
  $("#layers tbody").innerHTML = layers.map((layer, i) => `<tr><td>${i + 1}${i === layers.length - 1 ? " (output)" : ""}</td>
    <td>${sizes[i]}</td><td>${layer.grad_norm === null ? "–" : layer.grad_norm.toExponential(2)}</td>
    <td>${ratio(layer.saturated)}${layer.fused ? ' <small title="a sigmoid or softmax output fused with its loss: its gradient is p − y, so a confident output is no problem (the diagnosis leaves it out)">(fused output: not a problem)</small>' : ""}</td><td>${ratio(layer.dead)}</td></tr>`).join("");
}

function format(value, percent) {
  if (value === null || value === undefined) return percent ? "–" : "diverged";
  return percent ? `${(100 * value).toFixed(1)}%` : value.toPrecision(4);
}

function runSpec(data) {
  // What the hidden layers really are, per-layer choices included: "relu,tanh · he_normal".
  const hidden = data.layer_labels.slice(0, -1);
  const label = (values) => (new Set(values).size <= 1 ? values[0] || "" : values.join(","));
  return `${label(hidden.map((l) => l.activation))} · ${label(hidden.map((l) => l.init))}`;
}

function drawMetrics() {
  $("#metrics").innerHTML = Object.keys(state.runs).sort().map((name) => {
    const run = state.runs[name], m = run.last.metrics, regression = run.data.regression;
    const accuracy = regression ? "" : ` · train acc <b id="train-accuracy-${name}">${format(m.train_accuracy, true)}</b> · test acc <b id="test-accuracy-${name}">${format(m.test_accuracy, true)}</b>`;
    return `<div class="run-metrics" data-run="${name}"><b style="color:${RUN_COLOURS[name]}">${name}</b> epoch <b class="run-epoch">${run.last.epoch}</b> · train loss <b id="train-loss-${name}">${format(m.train_loss)}</b> · test loss <b id="test-loss-${name}">${format(m.test_loss)}</b>${accuracy}
      <span class="run-spec">${escapeHtml(runSpec(run.data))}</span></div>`;
  }).join("");
}

// ---------------------------------------------------------------------------
// One answer from the server
// ---------------------------------------------------------------------------
function update(message) {
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

function updateExport() {
  // The exported study trains what was watched: these settings, for the epochs trained.
  const run = state.runs.A;
  if (!run || !run.last) return;
  const seeds = Math.max(1, Number($("#export-seeds").value) || 1);
  $("#export").href = `/api/study?${state.query}&epochs=${run.last.epoch}&seeds=${seeds}`;
  const b = state.runs.B;
  $("#export-b").hidden = !b;
  if (b) $("#export-b").href = `/api/study?${b.data.query}&epochs=${run.last.epoch}&seeds=${seeds}`;
}

function redraw() {
  for (const [name, run] of Object.entries(state.runs)) {
    if (!run.last) continue;
    drawBoundary(name === "A" ? $("#boundary") : $("#boundary-b"), run.last, run.data);
    if (name === "A") { drawGraph(run.last); drawFeatures(run.last.feature_space, run.data); }
  }
  writeUrl(state.query);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// ---------------------------------------------------------------------------
// Controls
// ---------------------------------------------------------------------------
function reconfigure() {
  const settings = readForm();
  writeUrl(queryOf(settings));
  configure(settings);
}

function changeLayers(change) {
  // Add or remove layers and units (the graph's buttons); per-layer lists follow.
  const hidden = settingInput("hidden").value.trim().toLowerCase();
  const layers = hidden === "none" || !hidden ? [] : hidden.split(",").map((v) => Number(v.trim()));
  const perLayer = ["layer_activations", "layer_inits"].map((name) => [name, settingInput(name).value.trim() ? settingInput(name).value.split(";").map((v) => v.trim()) : []]);
  change(layers, perLayer);
  settingInput("hidden").value = layers.length ? layers.join(",") : "none";
  for (const [name, values] of perLayer) settingInput(name).value = values.join("; ");
  reconfigure();
}

function wire() {
  form.addEventListener("change", (event) => {
    if (event.target.closest("#view-fields")) return redraw();
    if (event.target.closest("#file-fields")) return;   // seeds, upload: their own handlers
    setTimeout(markChoices, 0);
    const dataset = settingInput("dataset").value;
    const classes = Number(settingInput("classes").value);
    if (event.target === settingInput("dataset") && dataset !== "csv"
        && (!OPTIONS.multiclass.includes(dataset) || classes < 2)) {
      settingInput("classes").value = "2";   // the other data sets have two classes
    }
    reconfigure();
  });
  $("#play").addEventListener("click", () => send({ type: state.playing ? "pause" : "play" }));
  $("#step").addEventListener("click", () => send({ type: "step", epochs: 1 }));
  $("#reset").addEventListener("click", () => send({ type: "reset" }));
  $("#download").addEventListener("click", () => send({ type: "download" }));
  $("#speed").addEventListener("change", () => { sendSpeed(); writeUrl(state.query); });
  $("#export-seeds").addEventListener("change", updateExport);
  $("#pin").addEventListener("click", () => {
    state.pinned = state.runs.A ? state.runs.A.timeline.slice() : null;
    $("#pin").textContent = "Re-pin run";
    drawCharts();
  });
  $("#errors").addEventListener("click", (event) => {
    const index = event.target.dataset.dismiss;
    if (index !== undefined) { state.errors.splice(Number(index), 1); drawErrors(); }
  });
  $("#upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const limit = OPTIONS.limits.upload_characters;
    if (file.size > limit * 4) {   // far too large to send; the server checks the exact size
      addError(`upload refused: ${file.name} is ${file.size.toLocaleString()} bytes; the playground takes files up to ${limit.toLocaleString()} characters`);
    } else send({ type: "upload", name: file.name, text: await file.text() });
    event.target.value = "";
  });
  $("#add-layer").addEventListener("click", () => changeLayers((layers, perLayer) => {
    layers.push(layers.length ? layers[layers.length - 1] : 4);
    for (const [, values] of perLayer) if (values.length) values.push(values[values.length - 1]);
  }));
  $("#remove-layer").addEventListener("click", () => changeLayers((layers, perLayer) => {
    layers.pop();
    for (const [, values] of perLayer) values.pop();
  }));
  $("#graph").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-layer]");
    if (!button) return;
    changeLayers((layers) => {
      const i = Number(button.dataset.layer);
      layers[i] = Math.max(1, layers[i] + Number(button.dataset.change));
    });
  });
  $("#graph").addEventListener("change", (event) => {
    if (event.target.classList.contains("layer-choice")) chooseForLayer(event.target);
  });
  $("#graph").addEventListener("click", (event) => {
    const spec = event.target.closest(".spec[data-layer]");
    if (spec) spec.nextElementSibling.hidden = !spec.nextElementSibling.hidden;
  });
  $("#graph").addEventListener("mouseover", (event) => {
    if (event.target.tagName === "line") $("#hover").textContent = describeLink(event.target);
    const tile = event.target.closest && event.target.closest("canvas.unit-tile, canvas.input-tile");
    if (tile) showTile(tile);
  });
  $("#graph").addEventListener("mouseout", (event) => {
    if (event.target.closest && event.target.closest("canvas.unit-tile, canvas.input-tile")) hideTile();
  });
}

function showTile(tile) {
  // A unit's (or an input's) output over the plane, large, where run A's output is.
  const canvas = $("#boundary"), run = state.runs.A;
  if (!run || !run.last || tile.values === undefined) return;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const area = [PLOT.left, PLOT.top, canvas.width - PLOT.left - PLOT.right, canvas.height - PLOT.top - PLOT.bottom];
  const values = tile.values;
  paintField(canvas, tile.resolution, area, (i) => (values === null || values[i] === null ? null : diverging(values[i])));
  context.fillStyle = "#183153";
  context.font = "bold 12px sans-serif";
  context.textAlign = "left";
  context.fillText(tile.title, area[0] + 4, area[1] + area[3] + 18);
  canvas.dataset.showing = tile.title;
}

function hideTile() {
  const canvas = $("#boundary"), run = state.runs.A;
  delete canvas.dataset.showing;
  if (run && run.last) drawBoundary(canvas, run.last, run.data);
}

// What TensorFlow Playground's users asked for: data sets to click, a new draw, sliders,
// learning rates to pick from, and the kind of problem as a switch.
const SLIDERS = { noise: 0.01, train_ratio: 0.05, dropout: 0.05, batch_size: 1, samples: 10 };
const RATES = ["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"];

function enhanceForm(options, thumbnails) {
  const dataset = settingInput("dataset");
  // The kind of problem, above the data sets: choosing one picks its first data set.
  const kind = document.createElement("label");
  kind.innerHTML = `Problem <select id="problem"><option value="classification">classification</option><option value="regression">regression</option></select>`;
  dataset.closest("label").before(kind);
  $("#problem").addEventListener("change", (event) => {
    event.stopPropagation();   // the data set's own change configures
    const first = options.datasets.find((d) => (options.regression.includes(d)) === ($("#problem").value === "regression") && d !== "csv");
    dataset.value = first;
    dataset.dispatchEvent(new Event("change", { bubbles: true }));
  });
  // Every built-in data set as a picture: click to choose it.
  const strip = document.createElement("div");
  strip.id = "thumbnails";
  for (const [name, shown] of Object.entries(thumbnails)) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 40;
    canvas.className = "thumbnail";
    canvas.title = name;
    canvas.dataset.dataset = name;
    drawThumbnail(canvas, shown);
    canvas.addEventListener("click", () => {
      dataset.value = name;
      dataset.dispatchEvent(new Event("change", { bubbles: true }));
    });
    strip.appendChild(canvas);
  }
  kind.before(strip);
  // A new draw of the data (and of the weights: one seed draws both).
  const again = document.createElement("button");
  again.type = "button";
  again.id = "new-draw";
  again.textContent = "New draw (next seed)";
  again.title = "Draw the data (and the initial weights) again with the next seed";
  again.addEventListener("click", () => {
    const seed = settingInput("seed");
    seed.value = String(Number(seed.value || 0) + 1);
    seed.dispatchEvent(new Event("change", { bubbles: true }));
  });
  dataset.closest("fieldset").appendChild(again);
  // Sliders beside bounded numbers; common learning rates to pick from.
  for (const [name, step] of Object.entries(SLIDERS)) {
    const input = settingInput(name);
    if (!input || !input.min) continue;
    const slider = document.createElement("input");
    slider.type = "range";
    slider.className = "slider";
    slider.dataset.for = name;
    slider.min = input.min;
    slider.max = name === "samples" ? Math.min(Number(input.max), 2000) : name === "batch_size" ? Math.min(Number(input.max), 200) : input.max;
    slider.step = String(step);
    slider.value = input.value;
    slider.addEventListener("input", () => { input.value = slider.value; });   // its change configures
    input.addEventListener("input", () => { slider.value = input.value; });
    input.closest("label").after(slider);
  }
  const rates = document.createElement("datalist");
  rates.id = "learning-rates";
  rates.innerHTML = RATES.map((r) => `<option value="${r}">`).join("");
  form.appendChild(rates);
  settingInput("learning_rate").setAttribute("list", "learning-rates");
  markChoices();
}

function markChoices() {
  // The switch and the pictures follow the data set chosen (also from the URL).
  const name = settingInput("dataset").value;
  if ($("#problem")) $("#problem").value = OPTIONS.regression.includes(name) ? "regression" : "classification";
  document.querySelectorAll(".thumbnail").forEach((c) => c.classList.toggle("chosen", c.dataset.dataset === name));
  document.querySelectorAll(".slider").forEach((s) => { s.value = settingInput(s.dataset.for).value; });
}

function drawThumbnail(canvas, shown) {
  const context = canvas.getContext("2d");
  const xs = shown.x.map((p) => p[0]), ys = shown.x.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const low = Math.min(...shown.y), high = Math.max(...shown.y);
  context.fillStyle = "white";
  context.fillRect(0, 0, canvas.width, canvas.height);
  shown.x.forEach(([x, y], i) => {
    const t = shown.regression ? ((shown.y[i] - low) / ((high - low) || 1)) * 2 - 1 : null;
    context.fillStyle = rgb(shown.regression ? diverging(t) : CLASS_COLOURS[Math.round(shown.y[i]) % CLASS_COLOURS.length]);
    context.fillRect(2 + ((x - x0) / ((x1 - x0) || 1)) * (canvas.width - 5), canvas.height - 3 - ((y - y0) / ((y1 - y0) || 1)) * (canvas.height - 5), 2, 2);
  });
}

async function start() {
  OPTIONS = await (await fetch("/api/options")).json();
  buildForm(OPTIONS);
  const upload = $("#upload").closest("label");
  upload.title += `; up to ${OPTIONS.limits.upload_characters.toLocaleString()} characters`;
  upload.dataset.limit = `≤ ${(OPTIONS.limits.upload_characters / 1e6).toLocaleString()} M characters`;
  enhanceForm(OPTIONS, await (await fetch("/api/thumbnails")).json());
  writeForm(OPTIONS.defaults);
  const settings = fromUrl();
  writeForm(settings);
  wire();
  connect(Object.keys(settings).length ? settings : readForm());
}

start();
