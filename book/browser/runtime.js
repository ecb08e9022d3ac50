// The exported streaming model in LiteRT.js: load, check the signature, step frame by frame.
//
// The export (streamnets.export.export_litert) has one signature, serving_default: a uint8
// `image` (1, H, W, 3), one float32 input per state, `logits`, and for every state input an
// output of the same name. Everything here goes by name, never by position, and takes the
// state names and shapes from the model itself, so any state layout works.
import { Tensor, loadAndCompile, loadLiteRt } from "@litertjs/core";

export const SIGNATURE = "serving_default";
export const IMAGE = "image";
export const LOGITS = "logits";

let runtimeThreads = null;

/** Loads LiteRT.js's WebAssembly once per page (threads need COOP/COEP headers). */
export async function loadRuntime(wasmDir, { threads = false } = {}) {
  if (runtimeThreads === null) {
    await loadLiteRt(wasmDir, { threads });
    runtimeThreads = threads;
  }
  return runtimeThreads;
}

/** A signature mismatch, explained for the reader who picked the folder. */
export class ModelFolderError extends Error {}

const describe = (d) => `${d.name} ${d.dtype} (${Array.from(d.shape).join(", ")})`;
const sameShape = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Checks the serving signature and metadata; returns {frameShape, states, nClasses}. */
export function checkSignature(inputs, outputs, metadata) {
  const image = inputs.find((d) => d.name === IMAGE);
  if (!image || image.dtype !== "uint8" || image.shape.length !== 4 || image.shape[0] !== 1 ||
      image.shape[3] !== 3) {
    throw new ModelFolderError(
      `the model needs a uint8 input "${IMAGE}" of shape (1, height, width, 3); its inputs ` +
      `are ${inputs.map(describe).join("; ")}. Export it with streamnets.export (int8 LiteRT).`);
  }
  const logits = outputs.find((d) => d.name === LOGITS);
  if (!logits) {
    throw new ModelFolderError(`the model has no "${LOGITS}" output (outputs: ` +
      `${outputs.map((d) => d.name).join(", ")}): it is not a streamnets gesture model.`);
  }
  const states = [];
  for (const input of inputs) {
    if (input.name === IMAGE) continue;
    const output = outputs.find((d) => d.name === input.name);
    if (!output || output.dtype !== input.dtype || !sameShape(output.shape, input.shape)) {
      throw new ModelFolderError(
        `state input "${input.name}" has no output of the same name, type and shape to ` +
        `feed back, so the model cannot stream: this is not a streaming export.`);
    }
    if (input.dtype !== "float32") {
      throw new ModelFolderError(`state "${input.name}" is ${input.dtype}; the page feeds ` +
        `float32 states (as streamnets exports them).`);
    }
    states.push({ name: input.name, shape: Array.from(input.shape) });
  }
  const nClasses = logits.shape[logits.shape.length - 1];
  const names = metadata.class_names;
  if (!Array.isArray(names) || names.length !== nClasses) {
    throw new ModelFolderError(`metadata.json names ${Array.isArray(names) ? names.length : "no"} ` +
      `classes but the model has ${nClasses} logits: the metadata belongs to another model.`);
  }
  return { frameShape: Array.from(image.shape.slice(1)), states, nClasses };
}

/** The streaming model: feed uint8 frames, get logits; states are carried by name. */
export class StreamingModel {
  static async load(modelBytes, metadata, { threads = 1 } = {}) {
    const compiled = await loadAndCompile(modelBytes,
      { accelerator: "wasm", cpuOptions: { numThreads: threads } });
    const signature = compiled.signatures[SIGNATURE];
    if (!signature) {
      compiled.delete();
      throw new ModelFolderError(`the model has no "${SIGNATURE}" signature; export it with ` +
        "streamnets.export so that its inputs and states are named.");
    }
    try {
      const spec = checkSignature(signature.getInputDetails(), signature.getOutputDetails(),
        metadata);
      return new StreamingModel(compiled, signature, spec, metadata);
    } catch (err) {
      compiled.delete();
      throw err;
    }
  }

  constructor(compiled, signature, spec, metadata) {
    this.compiled = compiled;
    this.signature = signature;
    this.frameShape = spec.frameShape;
    this.stateSpecs = spec.states;
    this.nClasses = spec.nClasses;
    this.metadata = metadata;
    this.frameSize = spec.frameShape.reduce((a, b) => a * b, 1);
    this.states = null;
  }

  /** Forget the stream: the next frame starts from zero states (causal padding). */
  reset() {
    for (const tensor of Object.values(this.states ?? {})) tensor.delete();
    this.states = null;
  }

  /** Runs one uint8 frame (H * W * 3 values); returns its logits as a Float32Array. */
  async step(frame) {
    if (frame.length !== this.frameSize) {
      throw new RangeError(`a frame has ${this.frameSize} bytes (${this.frameShape.join("x")}), ` +
        `got ${frame.length}.`);
    }
    if (this.states === null) {
      this.states = Object.fromEntries(this.stateSpecs.map(({ name, shape }) =>
        [name, new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape)]));
    }
    const image = new Tensor(frame, [1, ...this.frameShape]);
    let outputs;
    try {
      outputs = await this.signature.run({ [IMAGE]: image, ...this.states });
    } finally {
      image.delete();
    }
    for (const tensor of Object.values(this.states)) tensor.delete();
    this.states = Object.fromEntries(this.stateSpecs.map(({ name }) => [name, outputs[name]]));
    const logits = outputs[LOGITS];
    const values = Float32Array.from(logits.toTypedArray());
    logits.delete();
    return values;
  }

  delete() {
    this.reset();
    this.compiled.delete();
  }
}
