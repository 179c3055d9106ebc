// The page's shared state (runs, the socket, the server's description of its settings) and small helpers every module uses.
// Settings of the page itself (not of the network): they live in the URL too.
export const VIEW_PARAMS = ["compare", "speed", "show_test", "discretize", "tiles"];

export const state = {
  socket: null, configureId: 0, playing: false, version: 0,
  runs: {},            // "A"/"B" -> {data (its ready message), timeline, last update, session id}
  pinned: null, query: "", errors: [],
  settingNames: [],   // filled from the server's description of its settings
  options: null,      // that description: fields, choices, limits
};

export const $ = (selector) => document.querySelector(selector);

export const form = $("#controls");

export function setPlaying(playing) {
  state.playing = playing;
  $("#play").textContent = playing ? "❚❚ Pause" : "▶ Play";
  $("#state").textContent = playing ? "training" : "paused";
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}
