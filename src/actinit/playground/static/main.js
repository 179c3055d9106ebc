// actinit playground: the page. Training happens on the server (the actinit engine); these
// modules send settings and commands over a WebSocket and draw what comes back. This one starts it.
import { wire } from "./controls.js";
import { buildForm, enhanceForm, fromUrl, readForm, writeForm } from "./form.js";
import { connect, handlers } from "./socket.js";
import { $, state } from "./state.js";
import { ready, update } from "./view.js";

async function start() {
  state.options = await (await fetch("/api/options")).json();
  buildForm(state.options);
  const upload = $("#upload").closest("label");
  upload.title += `; up to ${state.options.limits.upload_characters.toLocaleString()} characters`;
  upload.dataset.limit = `≤ ${(state.options.limits.upload_characters / 1e6).toLocaleString()} M characters`;
  enhanceForm(state.options, await (await fetch("/api/thumbnails")).json());
  writeForm(state.options.defaults);
  const settings = fromUrl();
  writeForm(settings);
  wire();
  connect(Object.keys(settings).length ? settings : readForm());
}

handlers.ready = ready;
handlers.update = update;
start();
