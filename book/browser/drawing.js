// Drawing on canvases: the frame the model sees, the top-5 bars and the scrolling timeline.

const EVENT_COLOUR = "rgba(44, 160, 44, 0.25)";
const EVENT_TEXT_COLOUR = "#1a6b1a";
const TRIGGER_COLOUR = "#d62728";

/** Draws a uint8 RGB frame (height x width x 3) scaled to fill `canvas`, pixels kept sharp. */
export function drawFrame(canvas, rgb, height, width) {
  const rgba = new ImageData(width, height);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba.data[j] = rgb[i];
    rgba.data[j + 1] = rgb[i + 1];
    rgba.data[j + 2] = rgb[i + 2];
    rgba.data[j + 3] = 255;
  }
  const source = new OffscreenCanvas(width, height);
  source.getContext("2d").putImageData(rgba, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
}

/**
 * Horizontal bars for [{name, value, colour}] (value in [0, 1]), each in its class's
 * timeline colour; `highlight` names the true class, written in bold.
 */
export function drawBars(canvas, rows, highlight = null) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const rowHeight = height / Math.max(rows.length, 1);
  const labelWidth = width * 0.55;
  ctx.font = `${Math.round(rowHeight * 0.45)}px sans-serif`;
  ctx.textBaseline = "middle";
  const font = ctx.font;
  rows.forEach(({ name, value, colour }, i) => {
    const y = i * rowHeight;
    ctx.fillStyle = "#222";
    ctx.font = name === highlight ? `bold ${font}` : font;
    ctx.fillText(name === highlight ? `${name} (true)` : name, 4, y + rowHeight / 2,
      labelWidth - 8);
    ctx.font = font;
    ctx.fillStyle = colour;
    const barWidth = (width - labelWidth - 48) * value;
    ctx.fillRect(labelWidth, y + rowHeight * 0.2, barWidth, rowHeight * 0.6);
    ctx.fillStyle = "#222";
    ctx.fillText(`${(100 * value).toFixed(0)}%`, labelWidth + barWidth + 4, y + rowHeight / 2);
  });
}

/** A class's colour on the timeline: the same hue for the same class everywhere. */
export function classColour(index, total) {
  return `hsl(${Math.round((360 * index) / Math.max(total, 1))}, 65%, 45%)`;
}

/**
 * The last `span` frames: the top smoothed probability per frame (coloured by class), the
 * threshold, ground-truth gestures as green bands named at the bottom, triggers as red
 * ticks named at the top.
 *
 * @param {{frame: number, top: number, value: number}[]} history one entry per frame
 * @param {{start: number, end: number, name: string}[]} events ground truth (frames)
 * @param {{frame: number, name: string}[]} triggers detections
 */
export function drawTimeline(canvas, { history, events = [], triggers = [], threshold = null,
  nClasses, span = 120 }) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const last = history.length ? history[history.length - 1].frame : 0;
  const first = Math.max(0, last - span + 1);
  const x = (frame) => ((frame - first) / span) * width;
  const plotTop = 16;
  const plotHeight = height - plotTop - 4;
  ctx.font = "11px sans-serif";
  ctx.textBaseline = "bottom";
  for (const e of events) {
    if (e.end < first || e.start > last + 1) continue;
    ctx.fillStyle = EVENT_COLOUR;
    ctx.fillRect(x(e.start), plotTop, x(e.end) - x(e.start), plotHeight);
    ctx.fillStyle = EVENT_TEXT_COLOUR;
    ctx.fillText(e.name, Math.max(x(e.start), 0) + 2, height - 2);
  }
  const step = width / span;
  for (const h of history) {
    if (h.frame < first) continue;
    ctx.fillStyle = classColour(h.top, nClasses);
    ctx.fillRect(x(h.frame), plotTop + plotHeight * (1 - h.value), Math.max(step - 1, 1),
      plotHeight * h.value);
  }
  if (threshold !== null) {
    ctx.strokeStyle = "#555";
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(0, plotTop + plotHeight * (1 - threshold));
    ctx.lineTo(width, plotTop + plotHeight * (1 - threshold));
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.font = "11px sans-serif";
  ctx.textBaseline = "top";
  for (const t of triggers) {
    if (t.frame < first) continue;
    ctx.fillStyle = TRIGGER_COLOUR;
    ctx.fillRect(x(t.frame + 1) - 1, plotTop, 2, plotHeight);
    ctx.fillText(t.name, Math.min(x(t.frame + 1) + 2, width - 100), 2);
  }
}
