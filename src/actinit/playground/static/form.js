// Settings <-> form <-> URL, the refusals shown beside their fields, and the data set thumbnails and sliders.
import { CLASS_COLOURS, diverging, rgb } from "./colours.js";
import { $, VIEW_PARAMS, escapeHtml, form, state } from "./state.js";

export function control(field) {
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

export function buildForm(options) {
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
  state.settingNames = options.fields.map((field) => field.name);
  $("#activation-names").innerHTML = options.activations.map((n) => `<option value="${n}">`).join("");
  $("#initializer-names").innerHTML = options.initializers.map((n) => `<option value="${n}">`).join("");
}

export function settingInput(name) { return form.querySelector(`[data-setting="${name}"]`); }

export function asText(name, value) {
  if (!Array.isArray(value)) return String(value);
  return value.join(name.startsWith("layer_") ? "; " : ",");
}

export function writeForm(settings) {
  setTimeout(markChoices, 0);
  for (const name of state.settingNames) {
    if (!(name in settings)) continue;
    const input = settingInput(name), value = settings[name];
    if (name === "features") {
      const chosen = Array.isArray(value) ? value : String(value).split(",").map((v) => v.trim());
      input.querySelectorAll("input").forEach((box) => { box.checked = chosen.includes(box.value); });
    } else input.value = asText(name, value);
  }
}

export function readForm() {
  const settings = {};
  for (const name of state.settingNames) {
    const input = settingInput(name);
    settings[name] = name === "features"
      ? [...input.querySelectorAll("input:checked")].map((box) => box.value).join(",")
      : input.value.trim();
  }
  return settings;
}

export function readCompare() {
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

export function viewQuery() {
  const params = new URLSearchParams();
  if ($("#compare").value.trim()) params.set("compare", $("#compare").value.trim());
  if ($("#speed").value !== "0") params.set("speed", $("#speed").value);
  if (!$("#show-test").checked) params.set("show_test", "0");
  if ($("#discretize").checked) params.set("discretize", "1");
  if ($("#tile-scale").value !== "network") params.set("tiles", $("#tile-scale").value);
  return params.toString();
}

export function writeUrl(query) {
  const view = viewQuery();
  history.replaceState(null, "", `?${query}${view ? "&" + view : ""}`);
}

export function fromUrl() {
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

export function queryOf(settings) {
  const params = new URLSearchParams();
  for (const name of state.settingNames) params.set(name, asText(name, settings[name]));
  return params.toString();
}

export function clearErrors() { state.errors = []; drawErrors(); markFields({}); }

export function markFields(fields) {
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

export function addError(text) {
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

export function drawErrors() {
  const list = $("#errors");
  list.hidden = state.errors.length === 0;
  list.innerHTML = state.errors.map((e, i) =>
    `<li><span class="when">${e.at}</span> ${escapeHtml(e.text)}${e.count > 1 ? ` <span class="count">(×${e.count})</span>` : ""} <button type="button" data-dismiss="${i}" title="Dismiss">×</button></li>`).join("");
}

// What TensorFlow Playground's users asked for: data sets to click, a new draw, sliders,
// learning rates to pick from, and the kind of problem as a switch.
export const SLIDERS = { noise: 0.01, train_ratio: 0.05, dropout: 0.05, batch_size: 1, samples: 10 };

export const RATES = ["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"];

export function enhanceForm(options, thumbnails) {
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
    // the bounds are the server's; a batch slider past 200 would be too coarse to use
    slider.max = name === "batch_size" ? Math.min(Number(input.max), 200) : input.max;
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

export function markChoices() {
  // The switch and the pictures follow the data set chosen (also from the URL).
  const name = settingInput("dataset").value;
  if ($("#problem")) $("#problem").value = state.options.regression.includes(name) ? "regression" : "classification";
  document.querySelectorAll(".thumbnail").forEach((c) => c.classList.toggle("chosen", c.dataset.dataset === name));
  document.querySelectorAll(".slider").forEach((s) => { s.value = settingInput(s.dataset.for).value; });
}

export function drawThumbnail(canvas, shown) {
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
