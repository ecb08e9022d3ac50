// Decay smoothing and the event trigger, exactly as the Python package defines them
// (streamnets.smoothing and streamnets.detection); tests/browser/smoothing.test.mjs checks
// this file against values the Python side computes.
//
//   P_0 = 0,  P_t = d * P_(t-1) + softmax(logits_t),  shown: P_t / sum(P_t)
//
// Class c fires when its normalised probability reaches the threshold while armed; it
// re-arms once it has fallen below `rearm` (default threshold / 2). Background classes
// ("No gesture", "Doing other things") never fire.

/** Default re-arm level as a fraction of the threshold (detection.DEFAULT_REARM_FRACTION). */
export const DEFAULT_REARM_FRACTION = 0.5;

/** Class names that mean "no gesture here" (detection.BACKGROUND_CLASSES). */
export const BACKGROUND_NAMES = ["No gesture", "Doing other things"];

/** Numerically stable softmax in float64, as streamnets.smoothing.softmax. */
export function softmax(logits) {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const e = Array.from(logits, (x) => Math.exp(x - max));
  let sum = 0;
  for (const x of e) sum += x;
  return e.map((x) => x / sum);
}

/** Checks a decay factor: in [0, 1], as streamnets.smoothing.check_decay. */
export function checkDecay(decay) {
  if (!(decay >= 0 && decay <= 1)) throw new RangeError(`decay must be in [0, 1], got ${decay}.`);
  return decay;
}

/** Checks a threshold and re-arm level, as detection._check_trigger_args. */
export function checkTrigger(threshold, rearm) {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be in (0, 1] (a normalised probability), got ${threshold}.`);
  }
  const level = rearm ?? threshold * DEFAULT_REARM_FRACTION;
  if (!(level > 0 && level <= threshold)) {
    throw new RangeError(`rearm must be in (0, threshold] = (0, ${threshold}], got ${level}.`);
  }
  return level;
}

/**
 * One stream, frame by frame: smoothed probabilities and triggers
 * (streamnets.detection.EventDetector; its normalised P_t is stream_probabilities).
 */
export class EventDetector {
  /**
   * @param {{decay: number, threshold: number, rearm?: number, background?: number[]}} options
   */
  constructor({ decay, threshold, rearm, background = [] }) {
    this.decay = checkDecay(decay);
    this.threshold = threshold;
    this.rearm = checkTrigger(threshold, rearm);
    this.background = new Set(background);
    this.reset();
  }

  /** Start a new stream: no evidence, every class armed. */
  reset() {
    this.frame = 0;
    this.state = null;
    this.armed = null;
  }

  /**
   * Adds one frame's logits; returns {probabilities, detections}: the normalised smoothed
   * probabilities (float64) and the classes that fire on this frame as
   * {label, frame, score}, in class order.
   */
  update(logits) {
    if (this.state === null) {
      this.state = new Float64Array(logits.length);
      this.armed = Array.from(logits, (_, c) => !this.background.has(c));
    } else if (logits.length !== this.state.length) {
      throw new RangeError(`logits changed from ${this.state.length} to ${logits.length} classes.`);
    }
    const p = softmax(logits);
    let sum = 0;
    for (let c = 0; c < p.length; c++) {
      this.state[c] = this.decay * this.state[c] + p[c];
      sum += this.state[c];
    }
    const probabilities = Array.from(this.state, (x) => x / sum);
    const detections = [];
    for (let c = 0; c < probabilities.length; c++) {
      const fire = this.armed[c] && probabilities[c] >= this.threshold;
      if (fire) detections.push({ label: c, frame: this.frame, score: probabilities[c] });
      this.armed[c] = ((this.armed[c] && !fire) || probabilities[c] < this.rearm) &&
        !this.background.has(c);
    }
    this.frame += 1;
    return { probabilities, detections };
  }
}

/** The indices of `classNames` that are background classes. */
export function backgroundClasses(classNames) {
  return classNames.flatMap((name, c) => (BACKGROUND_NAMES.includes(name) ? [c] : []));
}

/** The `k` largest entries of `values` as [{index, value}], largest first. */
export function topK(values, k) {
  return Array.from(values, (value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, k);
}
