"""``streamnets stream``: events as JSON lines from a synthetic stream, a video file or a
LiteRT export; the operating point from the flags, the card or the export; bad input in one
line with exit code 2."""

from __future__ import annotations

import json
import shutil

import pytest

from streamnets import cli, weights
from streamnets.data import JESTER_CLASSES, MODEL_FPS, synthetic_stream
from streamnets.detection import DEFAULT_THRESHOLD
from streamnets.smoothing import DEFAULT_DECAY
from streamnets.video import write_video

#: Seed and length of a stream in which the shipped model fires on both gestures.
SEED, FRAMES = 42, 180
POINT = {"decay": 0.7, "threshold": 0.4, "picked_on": "a test"}


def run(capsys, *argv):
    """``(exit code, events, stderr)`` of one ``streamnets stream`` call."""
    code = cli.main(["stream", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def keys(events):
    return [(event["frame"], event["class"]) for event in events]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The shipped weights saved like 'streamnets train' saves them, the card carrying an
    operating point, and their float LiteRT export."""
    folder = tmp_path_factory.mktemp("trained")
    weights.load_pretrained("synthetic").save_weights(folder / "op.weights.h5")
    card = {**weights.model_card("synthetic"), "operating_point": POINT}
    (folder / "op.json").write_text(json.dumps(card))
    assert cli.main(["export", "--format", "litert", "--out", str(folder / "export"),
                     "--weights", str(folder / "op.weights.h5")]) == 0
    return folder


#: The package defaults, passed as flags: the shipped card's operating point may fire less.
DEFAULTS = ("--decay", str(DEFAULT_DECAY), "--threshold", str(DEFAULT_THRESHOLD))


def test_synthetic_stream_prints_one_valid_json_line_per_event(capsys):
    code, events, err = run(capsys, "synthetic", "--synthetic", SEED, "--frames", FRAMES,
                            *DEFAULTS)
    assert code == 0
    assert events
    for event in events:
        assert set(event) == {"time_s", "frame", "class", "label", "score"}
        assert event["class"] == JESTER_CLASSES[event["label"]]
        assert event["class"] not in ("No gesture", "Doing other things")
        assert event["time_s"] == pytest.approx((event["frame"] + 1) / MODEL_FPS)
        assert DEFAULT_THRESHOLD <= event["score"] <= 1
        assert 0 <= event["frame"] < FRAMES
    assert [e["frame"] for e in events] == sorted(e["frame"] for e in events)
    # the events are the stream's gestures, each detected during it or soon after
    truth = synthetic_stream(SEED, frames=FRAMES, size=32)[1]
    for event in events:
        assert any(t.label == event["label"] and t.start <= event["frame"] <= t.end + 6
                   for t in truth), (event, truth)
    assert "no operating point" not in err  # both flags given: nothing from the card
    assert f"decay {DEFAULT_DECAY}, threshold {DEFAULT_THRESHOLD}" in err
    assert f"{FRAMES} frames, {len(events)} events" in err


def test_a_video_of_the_stream_gives_the_same_events(capsys, tmp_path):
    frames = synthetic_stream(SEED, frames=FRAMES, size=100)[0]
    path = tmp_path / "stream.mp4"
    write_video(path, frames)
    _, direct, _ = run(capsys, "synthetic", "--synthetic", SEED, "--frames", FRAMES, *DEFAULTS)
    code, decoded, err = run(capsys, "synthetic", "--video", path, *DEFAULTS)
    assert direct  # something to compare
    assert code == 0 and f"{FRAMES} frames" in err
    assert [e["class"] for e in decoded] == [e["class"] for e in direct]
    for a, b in zip(decoded, direct, strict=True):
        assert abs(a["frame"] - b["frame"]) <= 2  # the codec's noise moves a trigger a little
    code, first, err = run(capsys, "synthetic", "--video", path, "--frames", 30)
    assert code == 0 and first == [] and "30 frames, 0 events" in err


def test_without_flags_the_shipped_cards_operating_point_is_used(capsys):
    point = weights.model_card("synthetic")["operating_point"]
    code, _, err = run(capsys, "synthetic", "--synthetic", SEED, "--frames", 20)
    assert code == 0 and "no operating point" not in err
    assert f"decay {point['decay']}, threshold {point['threshold']}" in err


def test_a_card_without_an_operating_point_falls_back_to_the_defaults(capsys, tmp_path):
    weights.load_pretrained("synthetic").save_weights(tmp_path / "plain.weights.h5")
    card = {k: v for k, v in weights.model_card("synthetic").items() if k != "operating_point"}
    (tmp_path / "plain.json").write_text(json.dumps(card))
    code, _, err = run(capsys, tmp_path / "plain.weights.h5", "--synthetic", SEED,
                       "--frames", 20)
    assert code == 0 and "no operating point" in err
    assert f"decay {DEFAULT_DECAY}, threshold {DEFAULT_THRESHOLD}" in err


def test_without_a_model_the_stream_aware_model_runs_and_prints_events(capsys):
    point = weights.model_card("synthetic_stream")["operating_point"]
    code = cli.main(["stream", "--synthetic", "123", "--frames", "600"])
    out, err = capsys.readouterr()
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and events
    assert f"decay {point['decay']}, threshold {point['threshold']}" in err
    truth = synthetic_stream(123, frames=600)[1]
    hits = [e for e in events if any(t.label == e["label"] and t.start < e["frame"] + 1
                                     <= t.end + 3 for t in truth)]
    assert len(hits) >= len(truth) // 2, (events, truth)


def test_flags_override_the_defaults(capsys):
    code, events, err = run(capsys, "synthetic", "--synthetic", SEED, "--frames", FRAMES,
                            "--threshold", 0.99, "--decay", 0.5)
    assert code == 0 and events == []
    assert "no operating point" not in err and "decay 0.5, threshold 0.99" in err


def test_the_cards_operating_point_is_honoured_and_flags_win(capsys, trained):
    spec = trained / "op.weights.h5"
    code, events, err = run(capsys, spec, "--synthetic", SEED, "--frames", FRAMES)
    assert code == 0 and "no operating point" not in err
    assert "decay 0.7, threshold 0.4" in err
    assert events and all(e["score"] >= 0.4 for e in events)
    code, _, err = run(capsys, spec, "--synthetic", SEED, "--frames", 12, "--threshold", 0.9)
    assert code == 0 and "decay 0.7, threshold 0.9" in err


def test_a_litert_export_gives_the_keras_events(capsys, trained):
    metadata = json.loads((trained / "export" / "metadata.json").read_text())
    assert metadata["operating_point"] == POINT and metadata["decay"] == POINT["decay"]
    _, keras_events, _ = run(capsys, trained / "op.weights.h5", "--synthetic", SEED,
                             "--frames", FRAMES)
    code, events, err = run(capsys, trained / "export", "--synthetic", SEED, "--frames", FRAMES)
    assert code == 0 and "decay 0.7, threshold 0.4" in err
    assert keys(events) == keys(keras_events) and events
    for a, b in zip(events, keras_events, strict=True):
        assert a["score"] == pytest.approx(b["score"], abs=1e-3)


def test_an_export_at_another_size_refuses_size(capsys, trained):
    code, _, err = run(capsys, trained / "export", "--synthetic", 1, "--size", 64)
    assert code == 2 and "--size 64" in err and "100x100" in err


@pytest.mark.parametrize("argv, message", [
    (["synthetic"], "exactly one of --video PATH and --synthetic SEED"),
    (["synthetic", "--synthetic", 1, "--video", "x.mp4"], "exactly one of"),
    (["synthetic", "--video", "{tmp}/missing.mp4"], "no such video file"),
    (["synthetic", "--video", "{tmp}/notes.mp4"], "cannot be read as a video"),
    (["synthetic", "--video", "{tmp}/empty.mp4"], "empty.mp4 is empty"),
    (["synthetic", "--video", "{tmp}/blink.mp4"], "shorter than one frame"),
    (["no_such_model", "--synthetic", 1], "not a pretrained name"),
    (["{tmp}", "--synthetic", 1], "is a folder but not a streamnets export"),
    (["{tmp}/bad.weights.h5", "--synthetic", 1], "cannot be loaded into the architecture"),
    (["{tmp}/nocard.weights.h5", "--synthetic", 1], "needs its model card"),
    (["synthetic", "--synthetic", 1, "--frames", 0], "--frames must be >= 1"),
    (["synthetic", "--synthetic", 1, "--decay", 3], "decay must be in [0, 1]"),
    (["synthetic", "--synthetic", 1, "--threshold", 0], "threshold must be in (0, 1]"),
])
def test_bad_input_is_one_line_and_exit_code_2(capsys, tmp_path, argv, message):
    (tmp_path / "notes.mp4").write_text("not a video\n" * 10)
    (tmp_path / "empty.mp4").touch()
    write_video(tmp_path / "blink.mp4", synthetic_stream(1, frames=2, size=32)[0], fps=30)
    (tmp_path / "bad.weights.h5").write_bytes(b"not weights")
    (tmp_path / "bad.json").write_text(json.dumps(weights.model_card("synthetic")))
    shutil.copy(tmp_path / "bad.weights.h5", tmp_path / "nocard.weights.h5")
    code, events, err = run(capsys, *[str(a).format(tmp=tmp_path) for a in argv])
    assert code == 2 and events == []
    line = err.strip().splitlines()[-1]
    assert line.startswith("streamnets stream: error:") and message in line


def test_brainchips_remote_name_reaches_the_loader(capsys, monkeypatch):
    """'brainchip-jester' is no local file: the command must hand it to the loader, which
    downloads it (tested in test_pretrained against a local server)."""
    asked = []

    def load_model(spec, *args):
        asked.append(spec)
        raise ValueError("stop here")

    monkeypatch.setattr(weights, "load_model", load_model)
    code = cli.main(["stream", "brainchip-jester", "--synthetic", "1", "--frames", "8"])
    assert asked == ["brainchip-jester"]
    assert code != 0 and "stop here" in capsys.readouterr().err
