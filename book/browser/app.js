// The page's wiring: load the model and the demo data, play clips, the stream or the
// webcam frame by frame, redraw, and expose window.streamnetsDemo for tests.
import { closeCamera, grabFrame, openCamera } from "./camera.js";
import { classColour, drawBars, drawFrame, drawTimeline } from "./drawing.js";
import { fetchFolder, readPickedFiles } from "./model_folder.js";
import { ModelFolderError, StreamingModel, loadRuntime } from "./runtime.js";
import { EventDetector, backgroundClasses, topK } from "./smoothing.js";

const HERE = new URL(".", import.meta.url);
const WASM_DIR = new URL("vendor/litertjs-core/wasm/", HERE).href;
const MODEL_URL = new URL("assets/model/", HERE).href;
const DEMO_URL = new URL("assets/demo/", HERE).href;
const DEFAULT_THRESHOLD = 0.6; // streamnets.detection.DEFAULT_THRESHOLD
const TOP = 5;

const $ = (id) => document.getElementById(id);
const ui = {
  status: $("sn-status"), source: $("sn-source"), play: $("sn-play"), stop: $("sn-stop"),
  camera: $("sn-camera"), decay: $("sn-decay"), decayValue: $("sn-decay-value"),
  threshold: $("sn-threshold"), thresholdValue: $("sn-threshold-value"), folder: $("sn-folder"),
  frame: $("sn-frame"), video: $("sn-video"), bars: $("sn-bars"), timeline: $("sn-timeline"),
  info: $("sn-info"), model: $("sn-model"),
};

const params = new URLSearchParams(location.search);
const threads = Math.max(1, Number.parseInt(params.get("threads") ?? "1", 10) || 1);

const state = {
  model: null, demo: null, frames: null, run: null, playing: 0, camera: null,
  counters: { frames: 0, ms: 0 },
};

function say(message, isError = false) {
  ui.status.textContent = message;
  ui.status.classList.toggle("sn-error", isError);
}

const classNames = () => state.model.metadata.class_names;
const settings = () => ({ decay: Number(ui.decay.value), threshold: Number(ui.threshold.value) });

// ---------------------------------------------------------------- one run of frames

/** A run: logits per frame, and what the smoother and trigger make of them. */
function newRun({ label = null, events = [], triggers = false } = {}) {
  return { logits: [], label, events, showTriggers: triggers, history: [], detections: [] };
}

/** Recomputes smoothing and triggers of the whole run (after a slider moved). */
function replay(run) {
  const { decay, threshold } = settings();
  const detector = new EventDetector({ decay, threshold,
    background: backgroundClasses(classNames()) });
  run.history = [];
  run.detections = [];
  run.detector = detector;
  run.probabilities = null;
  for (const logits of run.logits) account(run, logits);
}

function account(run, logits) {
  const { probabilities, detections } = run.detector.update(logits);
  const [best] = topK(probabilities, 1);
  run.history.push({ frame: run.history.length, top: best.index, value: best.value });
  run.detections.push(...detections);
  run.probabilities = probabilities;
}

function draw(run, frame) {
  const [height, width] = state.model.frameShape;
  if (frame) drawFrame(ui.frame, frame, height, width);
  const names = classNames();
  if (run.probabilities) {
    drawBars(ui.bars, topK(run.probabilities, TOP).map(({ index, value }) =>
      ({ name: names[index], value, colour: classColour(index, names.length) })),
    run.label === null ? null : names[run.label]);
  }
  drawTimeline(ui.timeline, {
    history: run.history, events: run.events, nClasses: names.length,
    threshold: run.showTriggers ? settings().threshold : null,
    triggers: run.showTriggers ? run.detections.map((d) => ({ frame: d.frame,
      name: names[d.label] })) : [],
  });
}

async function step(run, frame) {
  const start = performance.now();
  const logits = await state.model.step(frame);
  const ms = performance.now() - start;
  state.counters.frames += 1;
  state.counters.ms += ms;
  run.logits.push(logits);
  account(run, logits);
  return ms;
}

function report(run, ms) {
  const names = classNames();
  const fired = run.showTriggers ? ` · triggers: ${run.detections.length}` +
    (run.detections.length ? ` (last: ${names[run.detections.at(-1).label]})` : "") : "";
  ui.info.textContent = `frame ${run.logits.length} · ${ms.toFixed(1)} ms per frame in the ` +
    `model (mean ${(state.counters.ms / state.counters.frames).toFixed(1)} ms)${fired}`;
}

// ---------------------------------------------------------------------- playback

function stopPlayback() {
  state.playing += 1; // every loop checks its own ticket
  if (state.camera) {
    closeCamera(ui.video, state.camera);
    state.camera = null;
    ui.camera.textContent = "Use my webcam";
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const frameMs = () => 1000 / (state.demo?.fps ?? 6);

function sourceFrames(key) {
  const [height, width] = state.model.frameShape;
  const size = height * width * 3;
  const part = key === "stream" ? state.demo.stream : state.demo.clips[Number(key)];
  const frames = [];
  for (let i = 0; i < part.frames; i++) {
    frames.push(state.frames.subarray((part.offset + i) * size, (part.offset + i + 1) * size));
  }
  return { frames, part };
}

async function play() {
  stopPlayback();
  const ticket = state.playing;
  const key = ui.source.value;
  const demoShape = state.demo.frame_shape.join("×");
  if (demoShape !== state.model.frameShape.join("×")) {
    say(`The demo frames are ${demoShape} but this model takes ` +
      `${state.model.frameShape.join("×")}: use the webcam, which is scaled to any size.`, true);
    return;
  }
  const { frames, part } = sourceFrames(key);
  const run = key === "stream"
    ? newRun({ events: part.events, triggers: true })
    : newRun({ label: part.label });
  state.run = run;
  replay(run);
  state.model.reset();
  say(key === "stream" ? "Playing the test stream at the model's 6 frames per second; green " +
    "bands are the true gestures, red ticks the triggers." : `Playing a test clip of ` +
    `"${part.name}" from zero states.`);
  for (const frame of frames) {
    const next = performance.now() + frameMs();
    const ms = await step(run, frame);
    if (ticket !== state.playing) return;
    draw(run, frame);
    report(run, ms);
    await sleep(next - performance.now());
    if (ticket !== state.playing) return;
  }
  say("Done. Pick another clip or the stream, or move the sliders to redo the smoothing.");
}

async function camera() {
  if (state.camera) {
    stopPlayback();
    say("Camera closed.");
    return;
  }
  stopPlayback();
  const ticket = state.playing;
  const size = state.model.frameShape[0];
  try {
    state.camera = await openCamera(ui.video);
  } catch (err) {
    say(`The webcam could not be opened (${err.message}). The page needs your permission, ` +
      "and a camera that no other program holds.", true);
    return;
  }
  ui.camera.textContent = "Close the webcam";
  const run = newRun({ triggers: true });
  state.run = run;
  replay(run);
  state.model.reset();
  say("Live from your webcam: the centre square, scaled to the model's input, 6 times a second.");
  const canvas = new OffscreenCanvas(size, size);
  while (ticket === state.playing) {
    const next = performance.now() + frameMs();
    const frame = grabFrame(ui.video, size, canvas);
    const ms = await step(run, frame);
    if (ticket !== state.playing) return;
    draw(run, frame);
    report(run, ms);
    await sleep(next - performance.now());
  }
}

// --------------------------------------------------------------- loading models

async function useModel({ metadata, bytes }, label) {
  const model = await StreamingModel.load(bytes, metadata, { threads });
  stopPlayback();
  state.model?.delete();
  state.model = model;
  const point = metadata.operating_point ?? {};
  ui.decay.value = point.decay ?? metadata.decay ?? 0.8;
  ui.threshold.value = point.threshold ?? DEFAULT_THRESHOLD;
  showSettings();
  const states = model.stateSpecs.map((s) => `${s.name} (${s.shape.join("×")})`).join(", ");
  ui.model.textContent = `${label}: ${metadata.class_names.length} classes, input ` +
    `${model.frameShape.join("×")}, ${model.stateSpecs.length} states: ${states}.`;
}

async function loadDemo() {
  const description = await (await fetch(new URL("demo.json", DEMO_URL))).json();
  const response = await fetch(new URL(description.frames_file, DEMO_URL));
  if (!response.ok) throw new Error(`could not load the demo frames (HTTP ${response.status}).`);
  state.frames = new Uint8Array(await response.arrayBuffer());
  state.demo = description;
  ui.source.replaceChildren(
    ...description.clips.map((clip, i) => new Option(`test clip: ${clip.name}`, String(i))),
    new Option(`test stream (${(description.stream.frames / description.fps).toFixed(0)} s, ` +
      `${description.stream.events.length} gestures)`, "stream"));
  ui.source.value = "stream";
}

async function pickFolder() {
  try {
    say("Checking the folder…");
    await useModel(await readPickedFiles(ui.folder.files), "Your model");
    say("Your model is loaded: press Play or open the webcam.");
  } catch (err) {
    const what = err instanceof ModelFolderError ? "This folder does not fit the page" :
      "This folder could not be loaded";
    say(`${what}: ${err.message} The previous model stays loaded.`, true);
  } finally {
    ui.folder.value = "";
  }
}

function showSettings() {
  ui.decayValue.textContent = Number(ui.decay.value).toFixed(2);
  ui.thresholdValue.textContent = Number(ui.threshold.value).toFixed(2);
}

function settingsChanged() {
  showSettings();
  if (state.run) {
    replay(state.run);
    draw(state.run, null);
  }
}

// ----------------------------------------------------------------- for tests

/** Resets the states, runs `count` frames of `data` (uint8); returns all logits. */
async function runFrames(data, count) {
  stopPlayback();
  const size = state.model.frameSize;
  if (!(data instanceof Uint8Array) || data.length < count * size) {
    throw new RangeError(`runFrames needs a Uint8Array of ${count} frames of ${size} bytes.`);
  }
  state.model.reset();
  const out = new Float32Array(count * state.model.nClasses);
  const run = newRun();
  replay(run);
  for (let i = 0; i < count; i++) {
    await step(run, data.subarray(i * size, (i + 1) * size));
    out.set(run.logits[i], i * state.model.nClasses);
  }
  return out;
}

/** Opens the webcam and runs `count` frames at the model's rate: {frames, logits}. */
async function runCamera(count) {
  stopPlayback();
  const size = state.model.frameShape[0];
  const stream = await openCamera(ui.video);
  try {
    state.model.reset();
    const run = newRun();
    replay(run);
    const frames = new Uint8Array(count * state.model.frameSize);
    const logits = new Float32Array(count * state.model.nClasses);
    for (let i = 0; i < count; i++) {
      const next = performance.now() + frameMs();
      const frame = grabFrame(ui.video, size);
      frames.set(frame, i * frame.length);
      await step(run, frame);
      logits.set(run.logits[i], i * state.model.nClasses);
      await sleep(next - performance.now());
    }
    return { frames, logits };
  } finally {
    closeCamera(ui.video, stream);
  }
}

// ----------------------------------------------------------------------- start

async function start() {
  say("Loading LiteRT.js and the model…");
  await loadRuntime(WASM_DIR, { threads: threads > 1 });
  await useModel(await fetchFolder(MODEL_URL), "The book's model");
  await loadDemo();
  ui.play.addEventListener("click", () => play().catch(failed));
  ui.stop.addEventListener("click", () => { stopPlayback(); say("Stopped."); });
  ui.camera.addEventListener("click", () => camera().catch(failed));
  ui.folder.addEventListener("change", () => pickFolder());
  ui.decay.addEventListener("input", settingsChanged);
  ui.threshold.addEventListener("input", settingsChanged);
  for (const control of [ui.play, ui.stop, ui.camera, ui.folder, ui.source]) {
    control.disabled = false;
  }
  say(`Ready (LiteRT.js on WebAssembly, ${threads} thread${threads > 1 ? "s" : ""}): press ` +
    "Play, or open your webcam.");
}

function failed(err) {
  stopPlayback();
  say(`Something went wrong: ${err.message}`, true);
}

const ready = start().then(() => undefined, (err) => {
  say(`The page could not start: ${err.message}`, true);
  throw err;
});
ready.catch(() => {}); // reported in the page; tests await `ready` themselves

window.streamnetsDemo = {
  ready,
  runFrames,
  runCamera,
  get classNames() { return state.model ? [...classNames()] : []; },
  get counters() { return { ...state.counters }; },
  get threads() { return threads; },
};
