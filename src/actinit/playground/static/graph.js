// The network drawn as a graph: a tile per unit showing its output over the plane, links coloured by weight.
import { CLASS_COLOURS, diverging, outputColours, paintField, tint } from "./colours.js";
import { settingInput } from "./form.js";
import { PLOT, drawBoundary } from "./plane.js";
import { reconfigure } from "./socket.js";
import { $, escapeHtml, state } from "./state.js";

export const GRAPH = { columns: [], lines: [] };

export function tileSize(count) { return Math.max(10, Math.min(44, Math.floor(360 / Math.max(1, count)) - 4)); }

export function buildGraph(message) {
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

export function layerChoices(layer, labels) {
  // Two selects (hidden until the layer's spec is clicked) that set this layer's own
  // activation and initializer: the per-layer lists of the form.
  const select = (kind, names, current) => {
    const all = names.includes(current) ? names : [current, ...names];
    return `<select class="layer-choice" data-layer="${layer}" data-kind="${kind}">${all.map((n) =>
      `<option${n === current ? " selected" : ""}>${escapeHtml(n)}</option>`).join("")}</select>`;
  };
  return `<span class="layer-choices" hidden>${select("layer_activations", state.options.activations, labels.activation)}${select("layer_inits", state.options.initializers, labels.init)}</span>`;
}

export function chooseForLayer(choice) {
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

export function tileCentre(tile, side) {
  const holder = $("#graph").getBoundingClientRect(), box = tile.getBoundingClientRect();
  return [side > 0 ? box.right - holder.left : box.left - holder.left, box.top - holder.top + box.height / 2];
}

export function buildLinks(layers) {
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

export function paintTile(tile, values, resolution) {
  // A unit whose output is the same over the whole plane comes as null: drawn grey.
  const flat = values === null;
  tile.classList.toggle("flat", flat);
  tile.values = values;   // for the large view on hover
  tile.resolution = resolution;
  paintField(tile, resolution, [0, 0, tile.width, tile.height], (i) => (flat || values[i] === null ? null : diverging(values[i])));
}

export function tileScales(layers) {
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

export function onScale(map, range, scale) {
  // A unit's map (stretched to [-1, 1] over its own range) put on a shared scale.
  if (scale === null || range === null) return map;
  const [low, high] = range, span = scale[1] - scale[0];
  if (!(span > 0)) return map;
  const at = (m) => (m === null ? null : ((low + (m + 1) / 2 * (high - low)) - scale[0]) / span * 2 - 1);
  if (map === null) return new Array(state.runs.A.data.unit_resolution ** 2).fill(at(-1));  // the same everywhere
  return map.map(at);
}

export function describeScale(scales) {
  const per = $("#tile-scale").value, known = scales.filter((s) => s !== null);
  if (per === "unit" || !known.length) return "each unit from its own lowest (blue) to its own highest value (orange; grey: the same everywhere)";
  const [low, high] = known[0], fmt = (v) => Number(v.toPrecision(3));
  return per === "layer"
    ? "each layer's units on that layer's scale, from its lowest (blue) to its highest output (orange)"
    : `every unit on one scale for the network, ${fmt(low)} (blue) to ${fmt(high)} (orange)`;
}

export function drawGraph(message) {
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

export function describeLink(line) {
  const l = Number(line.dataset.layer), from = GRAPH.columns[l], to = GRAPH.columns[l + 1];
  const source = l === 0 ? from.labels[Number(line.dataset.from)] : `${from.title} unit ${from.units[Number(line.dataset.from)] + 1}`;
  const unit = to.units[Number(line.dataset.to)];
  const target = `${to.title}${to.hidden ? ` unit ${unit + 1}` : to.size > 1 ? ` (class ${unit})` : ""}`;
  return `${source} → ${target}: weight ${line.dataset.weight || "not a number"}`;
}

export function showTile(tile) {
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

export function hideTile() {
  const canvas = $("#boundary"), run = state.runs.A;
  delete canvas.dataset.showing;
  if (run && run.last) drawBoundary(canvas, run.last, run.data);
}
