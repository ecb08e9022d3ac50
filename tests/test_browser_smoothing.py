"""The browser page's smoothing and trigger (``book/browser/smoothing.js``) equal Python's.

This test computes, with :mod:`streamnets.smoothing` and :mod:`streamnets.detection`, the
normalised smoothed probabilities and the detections of several logit streams and
settings, writes them to a JSON file, and runs ``node --test`` on
``tests/browser/smoothing.test.mjs``, which feeds the same logits to the page's
``EventDetector`` and fails on any difference. It needs only node, no browser.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from streamnets.detection import (
    BACKGROUND_CLASSES,
    EventDetector,
    detect_events,
    stream_probabilities,
)
from streamnets.smoothing import softmax

NODE_TEST = Path(__file__).parent / "browser" / "smoothing.test.mjs"


def _logits(seed: int, frames: int = 60, classes: int = 27) -> np.ndarray:
    """Noise with a few gestures: stretches where one class's logit rises well above the rest."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 1.0, (frames, classes))
    for start in range(5, frames - 8, 14):
        logits[start:start + int(rng.integers(3, 9)), rng.integers(classes)] += rng.uniform(3, 7)
    return logits


def _rearm_edge(classes: int = 27) -> np.ndarray:
    """Class 0 at probability 0.9, 0.28, 0.9, 0.31, 0.9 (others equal): with decay 0 and
    θ = 0.6 it re-arms after the dip to 0.28 (below θ/2) but not after the dip to 0.31."""
    logits = np.zeros((5, classes))
    for t, p in enumerate((0.9, 0.28, 0.9, 0.31, 0.9)):
        logits[t, 0] = np.log(p * (classes - 1) / (1 - p))
    return logits


def _cases() -> list[dict]:
    cases = []
    settings = [*itertools.product((0.0, 0.3, 0.8, 1.0), (0.3, 0.6, 0.9), (None, 0.1)),
                (0.0, 0.6, None)]
    for index, (decay, threshold, rearm) in enumerate(settings):
        logits = _rearm_edge() if index == len(settings) - 1 else _logits(index)
        background = list(BACKGROUND_CLASSES) if index % 2 else []
        found = detect_events(logits, decay, threshold, background, rearm)
        live = EventDetector(decay, threshold, background, rearm)
        assert [d for row in logits for d in live.update(row)] == found  # Python agrees with itself
        cases.append({
            "name": f"seed {index}, background {background}",
            "decay": decay, "threshold": threshold, "rearm": rearm, "background": background,
            "logits": logits.tolist(),
            "probabilities": stream_probabilities(logits, decay).tolist(),
            "detections": [{"label": d.label, "frame": d.frame, "score": d.score} for d in found],
        })
    return cases


def _invalid() -> list[dict]:
    """Trigger settings Python refuses (the JS must refuse them too)."""
    settings = [(0.0, None), (1.5, None), (0.6, 0.7), (0.6, 0.0), (float("nan"), None)]
    for threshold, rearm in settings:
        with pytest.raises(ValueError):
            EventDetector(0.8, threshold, (), rearm)
    return [{"threshold": t if np.isfinite(t) else None, "rearm": r} for t, r in settings]


def test_page_smoothing_and_trigger_equal_python(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.fail("node is missing: run `make browser-deps` (tests/browser/install.sh).")
    cases = _cases()
    assert sum(len(c["detections"]) for c in cases) > 20, "the cases must exercise the trigger"
    rng = np.random.default_rng(7)
    softmax_cases = [{"logits": row.tolist(), "probabilities": softmax(row).tolist()}
                     for row in (rng.normal(0, 5, 27), np.array([1000.0, 0.0, -1000.0]),
                                 np.zeros(4))]
    file = tmp_path / "cases.json"
    file.write_text(json.dumps({"cases": cases, "softmax_cases": softmax_cases,
                                "invalid": _invalid()}))
    result = subprocess.run(
        ["node", "--test", str(NODE_TEST)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "STREAMNETS_SMOOTHING_CASES": str(file)}, check=False,
    )
    assert result.returncode == 0, f"the page's smoothing.js differs from Python:\n" \
        f"{result.stdout[-6000:]}{result.stderr[-2000:]}"
    assert f"# pass {len(cases) + 2}" in result.stdout, result.stdout[-2000:]
