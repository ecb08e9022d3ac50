// The page's smoothing and trigger (book/browser/smoothing.js) against the Python package.
// tests/test_browser_smoothing.py writes the cases with streamnets.detection's results and
// runs `node --test` on this file with STREAMNETS_SMOOTHING_CASES naming that JSON file.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { EventDetector, checkTrigger, softmax } from "../../book/browser/smoothing.js";

const TOLERANCE = 1e-12; // float64 sums in another order (numpy sums pairwise)
const file = process.env.STREAMNETS_SMOOTHING_CASES;
assert.ok(file, "set STREAMNETS_SMOOTHING_CASES to the JSON file the Python test writes");
const { cases, softmax_cases: softmaxCases, invalid } = JSON.parse(readFileSync(file, "utf8"));

function assertClose(actual, expected, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((value, i) => {
    assert.ok(Math.abs(value - expected[i]) <= TOLERANCE,
      `${what}[${i}]: JS ${value} vs Python ${expected[i]}`);
  });
}

test("softmax equals streamnets.smoothing.softmax", () => {
  for (const { logits, probabilities } of softmaxCases) {
    assertClose(softmax(logits), probabilities, "softmax");
  }
});

for (const c of cases) {
  test(`decay ${c.decay}, threshold ${c.threshold}, rearm ${c.rearm}: ${c.name}`, () => {
    const detector = new EventDetector({ decay: c.decay, threshold: c.threshold,
      rearm: c.rearm ?? undefined, background: c.background });
    const found = [];
    c.logits.forEach((logits, t) => {
      const { probabilities, detections } = detector.update(logits);
      assertClose(probabilities, c.probabilities[t], `frame ${t} probabilities`);
      found.push(...detections);
    });
    assert.deepEqual(found.map((d) => [d.frame, d.label]),
      c.detections.map((d) => [d.frame, d.label]), "detections (frame, label)");
    assertClose(found.map((d) => d.score), c.detections.map((d) => d.score), "scores");
  });
}

test("invalid trigger settings are refused as in Python", () => {
  for (const { threshold, rearm } of invalid) {
    assert.throws(() => checkTrigger(threshold, rearm ?? undefined), RangeError,
      `threshold ${threshold}, rearm ${rearm}`);
  }
});
