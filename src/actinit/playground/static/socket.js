// The connection: settings and commands sent over the WebSocket, answers handed to the page (handlers), saving and uploads.
import { addError, markFields, queryOf, readCompare, readForm, settingInput, writeUrl } from "./form.js";
import { $, setPlaying, state } from "./state.js";

// What the page does with a run's answers: set by main.js (the drawing lives above the socket).
export const handlers = { ready: null, update: null };

export function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(message));
}

export function connect(initialSettings) {
  const protocol = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${protocol}://${location.host}/ws`);
  state.socket = socket;
  socket.onopen = () => { sendSpeed(); configure(initialSettings); };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = (event) => {
    setPlaying(false);
    if (event.code === 1009) {
      addError(`the server closed the connection: a message was larger than its ${(state.options.limits.message_bytes / 1048576).toFixed(0)} MB limit (an upload may hold ${state.options.limits.upload_characters.toLocaleString()} characters); reload the page`);
    } else addError("the connection to the server closed; reload the page");
  };
}

export function configure(settings) {
  state.configureId += 1;
  const message = { type: "configure", settings, id: state.configureId };
  const compare = readCompare();
  if (compare) message.compare = compare;
  send(message);
}

export function sendSpeed() { send({ type: "speed", epochs_per_second: Number($("#speed").value) }); }

export function receive(message) {
  if (message.type === "error") { markFields(message.fields || {}); return addError(message.message); }
  if (message.type === "state") return setPlaying(message.playing);
  if (message.type === "model") return saveModel(message);
  if (message.type === "uploaded") return useUpload(message);
  if (message.type !== "ready" && message.type !== "update") return;
  // Answers to settings the page has since changed, or to a run since rewound, are ignored.
  if (message.id !== state.configureId) return;
  if (message.type === "ready") return handlers.ready(message);
  const run = state.runs[message.run];
  if (!run || run.session !== message.session) return;
  handlers.update(message);
}

export function saveModel(message) {
  const bytes = Uint8Array.from(atob(message.data), (c) => c.charCodeAt(0));
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  link.download = message.filename;
  link.click();
}

export function useUpload(message) {
  // Say how the file was read: its classes, or numbers to predict (a regression).
  const holds = message.regression ? "numbers to predict (regression)" : `${message.classes} classes`;
  $("#upload-info").textContent = `${message.name}: ${message.rows.toLocaleString()} rows, ${holds}`;
  $("#upload-info").hidden = false;
  settingInput("dataset").value = "csv";
  settingInput("data_file").value = message.name;
  settingInput("classes").value = String(message.classes);
  reconfigure();
}

export function reconfigure() {
  const settings = readForm();
  writeUrl(queryOf(settings));
  configure(settings);
}
