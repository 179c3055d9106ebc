// The controls wired: buttons, sliders, layers added and removed, tiles shown large.
import { drawCharts } from "./charts.js";
import { addError, drawErrors, markChoices, settingInput, writeUrl } from "./form.js";
import { chooseForLayer, describeLink, hideTile, showTile } from "./graph.js";
import { reconfigure, send, sendSpeed } from "./socket.js";
import { $, form, state } from "./state.js";
import { redraw, updateExport } from "./view.js";

export function changeLayers(change) {
  // Add or remove layers and units (the graph's buttons); per-layer lists follow.
  const hidden = settingInput("hidden").value.trim().toLowerCase();
  const layers = hidden === "none" || !hidden ? [] : hidden.split(",").map((v) => Number(v.trim()));
  const perLayer = ["layer_activations", "layer_inits"].map((name) => [name, settingInput(name).value.trim() ? settingInput(name).value.split(";").map((v) => v.trim()) : []]);
  change(layers, perLayer);
  settingInput("hidden").value = layers.length ? layers.join(",") : "none";
  for (const [name, values] of perLayer) settingInput(name).value = values.join("; ");
  reconfigure();
}

export function wire() {
  form.addEventListener("change", (event) => {
    if (event.target.closest("#view-fields")) return redraw();
    if (event.target.closest("#file-fields")) return;   // seeds, upload: their own handlers
    setTimeout(markChoices, 0);
    const dataset = settingInput("dataset").value;
    const classes = Number(settingInput("classes").value);
    if (event.target === settingInput("dataset") && dataset !== "csv"
        && (!state.options.multiclass.includes(dataset) || classes < 2)) {
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
    const limit = state.options.limits.upload_characters;
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
