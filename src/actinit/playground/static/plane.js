// The output over the input plane, with axes, the points and a colour legend.
import { CLASS_COLOURS, diverging, labelColour, outputColours, paintField, rgb } from "./colours.js";
import { $, state } from "./state.js";

export const PLOT = { left: 40, top: 10, right: 70, bottom: 50 };

export const NARROW_PLANE = 400;  // pixels: below this the point key may take two lines

export function fitBoundary(canvas) {
  // As large as the right-hand column allows: one run fills it, A and B side by side.
  const width = $(".charts").clientWidth, both = !!state.runs.B;
  // ... and low enough that the curves below it stay on a laptop's screen.
  const tallest = (window.innerHeight - 340) / 0.92;
  const wanted = Math.round(Math.max(200, Math.min(680, tallest, both ? width / 2 - 32 : width - 20)));
  if (canvas.width !== wanted) { canvas.width = wanted; canvas.height = Math.round(wanted * 0.92); }
}

export function ticks(low, high, count) {
  const step = Math.pow(10, Math.floor(Math.log10((high - low) / count)));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (high - low) / s <= count) || step * 10;
  const values = [];
  for (let v = Math.ceil(low / nice) * nice; v <= high + 1e-9; v += nice) values.push(Number(v.toFixed(10)));
  return values;
}

export function drawBoundary(canvas, message, data) {
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

export function drawLegend(context, data, [x, y, w, h]) {
  // The colour bar: P(class 1) from 0 to 1, or the regression output's range; with
  // several classes, a swatch per class.
  if (data.classes > 2) drawClassKey(context, data.class_names, [x, y, w, h]);
  else drawColourBar(context, data, [x, y, w, h]);
  drawPointKey(context, y + h + 44);
}

export function drawClassKey(context, names, [x, y, w, h]) {
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

export function drawColourBar(context, data, [x, y, w, h]) {
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

export function drawPointKey(context, legendY) {
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

export function drawFeatures(features, data) {
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
