// Colours: classes, runs, and the fields painted over the input plane.
import { $ } from "./state.js";

export const COLOURS = { low: [33, 102, 172], high: [230, 120, 30] };   // class 0 / negative blue, class 1 / positive orange

// Classes 0, 1, 2, ...: blue and orange as with two classes, then distinct hues.
export const CLASS_COLOURS = [COLOURS.low, COLOURS.high, [44, 160, 44], [148, 103, 189], [214, 39, 40],
  [140, 86, 75], [227, 119, 194], [23, 190, 207]];

export const RUN_COLOURS = { A: "#1f4e9e", B: "#ff7f0e" };

export function tint(colour, s) {
  // White (s = 0) to ``colour`` (s = 1).
  s = Math.max(0, Math.min(1, s));
  return [255 - (255 - colour[0]) * s, 255 - (255 - colour[1]) * s, 255 - (255 - colour[2]) * s];
}

export function diverging(t) {
  // t in [-1, 1]: blue (-1) through white (0) to orange (+1).
  return tint(t < 0 ? COLOURS.low : COLOURS.high, Math.abs(t));
}

export const rgb = (colour) => `rgb(${colour.map(Math.round).join(",")})`;

export function paintField(canvas, resolution, area, colourAt) {
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

export function outputColours(data, values, classes) {
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

export function labelColour(data, y) {
  // A data point's colour: its class, or its target on the output's scale.
  if (data.regression) return rgb(diverging(outputScale(data)(y)));
  return rgb(data.classes > 2 ? CLASS_COLOURS[y] : diverging(y ? 1 : -1));
}

export function outputScale(data) {
  // Maps the network's output to [-1, 1] for colouring, honouring "discretize".
  const [low, high] = data.target_range, middle = (low + high) / 2, half = (high - low) / 2 || 1;
  const hard = $("#discretize").checked;
  if (!data.regression) return (p) => (hard ? (p >= 0.5 ? 0.8 : -0.8) : (p - 0.5) * 1.6);
  return (v) => {
    const t = Math.max(-1, Math.min(1, (v - middle) / half));
    return hard ? Math.round(t * 2) / 2 : t;
  };
}
