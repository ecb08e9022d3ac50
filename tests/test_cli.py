"""The ``streamnets`` command line: help texts, train -> evaluate round trip, bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from streamnets import cli


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _leaf_parsers(parser, path=()):
    children = _subparsers(parser)
    if not children:
        yield path, parser
    for name, child in children.items():
        yield from _leaf_parsers(child, (*path, name))


def test_every_option_of_every_command_is_explained():
    leaves = dict(_leaf_parsers(cli.build_parser()))
    assert {("train", "synthetic"), ("train", "jester"), ("evaluate", "synthetic"),
            ("evaluate", "jester")} <= set(leaves)
    for path, parser in leaves.items():
        for action in parser._actions:
            assert action.help, f"{' '.join(path)}: {action.dest} has no help text"
        text = parser.format_help()
        for action in parser._actions:
            for option in action.option_strings:
                assert option in text


def test_help_exits_cleanly(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "synthetic", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--steps" in out and "learning rate" in out


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2


def test_train_then_evaluate_round_trip(tmp_path, capsys):
    out = tmp_path / "run"
    tiny = ["--frames", "4", "--size", "32", "--batch-size", "4"]
    code = cli.main(["train", "synthetic", "--out", str(out), "--steps", "2",
                     "--checkpoint-every", "1", "--val-clips", "4", "--test-clips", "27",
                     *tiny])
    assert code == 0
    card = json.loads((out / "synthetic.json").read_text())
    assert card["training"]["command"].startswith("streamnets train synthetic --out")
    assert card["training"]["clips_seen"] == 8
    from streamnets import provenance

    assert card["reproduce"]["command"] == card["training"]["command"]
    assert card["reproduce"]["commit"] == provenance.source_commit()
    assert card["reproduce"]["streamnets_version"] == "0.1.0"
    assert card["model"]["input_shape"] == [4, 32, 32, 3]
    assert card["test"]["clips"] == 27
    assert 0.0 <= card["test"]["clip_accuracy"] <= 1.0
    assert len(json.loads((out / "synthetic.history.json").read_text())) == 2

    report = tmp_path / "scores.json"
    code = cli.main(["evaluate", "synthetic", "--weights", str(out / "synthetic.weights.h5"),
                     "--clips", "27", "--json", str(report), "--show-confusion", *tiny])
    assert code == 0
    printed = capsys.readouterr().out
    assert "clip accuracy (decay 0.8)" in printed and "Swiping Left" in printed
    scores = json.loads(report.read_text())
    assert scores["clips"] == 27
    assert len(scores["confusion"]) == 27 and len(scores["per_class_accuracy"]) == 27


def test_evaluate_missing_weights_is_a_clear_error(tmp_path, capsys):
    code = cli.main(["evaluate", "synthetic", "--weights", str(tmp_path / "none.weights.h5")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err
    code = cli.main(["evaluate", "synthetic", "--weights", "imagenet"])
    assert code == 2
    assert "neither a pretrained name" in capsys.readouterr().err


def test_evaluate_needs_the_model_card_next_to_trained_weights(tmp_path, capsys):
    orphan = tmp_path / "orphan.weights.h5"
    orphan.write_bytes(b"")
    assert cli.main(["evaluate", "synthetic", "--weights", str(orphan)]) == 2
    assert "model card" in capsys.readouterr().err


def test_jester_folder_without_the_training_csv(tmp_path, capsys):
    from streamnets.data import JESTER_CLASSES

    (tmp_path / "jester-v1-labels.csv").write_text("\n".join(JESTER_CLASSES) + "\n")
    (tmp_path / "jester-v1-validation.csv").write_text("1;Swiping Left\n")
    code = cli.main(["train", "jester", str(tmp_path), "--out", str(tmp_path / "run")])
    assert code == 2
    assert "jester-v1-train.csv is missing" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()  # failed before anything was written


# ------------------------------------------------------------------ the error policy


def _one_line_error(capsys, *fragments: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line, no traceback
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err
    return err


@pytest.fixture
def trained(tmp_path):
    """A tiny model saved as 'streamnets train' saves it: weights, card, history."""
    from streamnets import models, train, weights

    architecture = {"input_shape": [4, 32, 32, 3], "n_classes": 27}
    path = tmp_path / "tiny.weights.h5"
    train.save_weights(models.gesture_net(**architecture), path)
    weights.card_path(path).write_text(json.dumps({"model": architecture,
                                                   "data": {"dataset": "synthetic"}}))
    return path


def test_corrupt_weights_with_a_card_is_one_line(trained, capsys):
    trained.write_bytes(trained.read_bytes()[:1000])  # cut off, as by a failed copy
    assert cli.main(["evaluate", "synthetic", "--weights", str(trained), "--clips", "2"]) == 2
    _one_line_error(capsys, str(trained), "truncated or corrupt")


def test_a_card_without_the_model_entry_is_one_line(trained, capsys):
    from streamnets import weights

    weights.card_path(trained).write_text(json.dumps({"data": {}}))
    assert cli.main(["evaluate", "synthetic", "--weights", str(trained)]) == 2
    _one_line_error(capsys, "has no 'model' entry")
    weights.card_path(trained).write_text("{not json")
    assert cli.main(["evaluate", "synthetic", "--weights", str(trained)]) == 2
    _one_line_error(capsys, "not readable JSON")


def test_debug_shows_the_traceback(trained, capsys):
    trained.with_name("tiny.json").write_text("{not json")
    assert cli.main(["--debug", "evaluate", "synthetic", "--weights", str(trained)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "JSONDecodeError" in err


@pytest.mark.parametrize("where, message", [
    ("missing/scores.json", "does not exist"),
    (".", "is a folder"),
])
def test_json_into_a_missing_folder_or_a_folder_fails_before_evaluating(
        trained, tmp_path, capsys, monkeypatch, where, message):
    from streamnets import weights

    def must_not_load(*args, **kwargs):
        raise AssertionError("the model was loaded before --json was checked")

    monkeypatch.setattr(weights, "load_model", must_not_load)
    target = tmp_path / where
    assert cli.main(["evaluate", "synthetic", "--weights", str(trained), "--json",
                     str(target)]) == 2
    _one_line_error(capsys, "--json", message)


def test_evaluate_honours_frames_and_size_for_any_weights(tmp_path, capsys):
    report = tmp_path / "scores.json"
    assert cli.main(["evaluate", "synthetic", "--weights", "synthetic", "--frames", "4",
                     "--size", "32", "--clips", "2", "--json", str(report)]) == 0
    assert json.loads(report.read_text())["input_shape"] == [4, 32, 32, 3]


def test_bad_numbers_are_refused_before_any_work(trained, tmp_path, capsys):
    assert cli.main(["evaluate", "synthetic", "--weights", str(trained), "--decay", "7"]) == 2
    _one_line_error(capsys, "decay must be in [0, 1]")
    assert cli.main(["evaluate", "synthetic", "--weights", str(trained), "--clips", "0"]) == 2
    _one_line_error(capsys, "--clips must be >= 1")
    assert cli.main(["train", "synthetic", "--out", str(tmp_path / "r"), "--steps", "0"]) == 2
    _one_line_error(capsys, "--steps must be >= 1")
    assert not (tmp_path / "r").exists()


def test_jester_commands_offer_on_corrupt():
    parser = cli.build_parser()
    for argv in (["train", "jester", "d", "--out", "o"], ["evaluate", "jester", "d"],
                 ["export", "--format", "litert", "--out", "o"]):
        args = parser.parse_args([*argv, "--on-corrupt", "skip"])
        assert args.on_corrupt == "skip"


def test_nothing_in_the_package_imports_the_cli():
    import ast
    from pathlib import Path

    import streamnets

    root = Path(streamnets.__file__).parent
    for path in root.rglob("*.py"):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith("streamnets.cli") for n in names), path


@pytest.mark.parametrize("targets", ["frames", "window"])
def test_train_synthetic_stream_records_its_targets_and_stream_data(tmp_path, targets):
    out = tmp_path / "run"
    assert cli.main(["train", "synthetic_stream", "--out", str(out), "--steps", "2",
                 "--checkpoint-every", "1", "--batch-size", "2", "--window", "22",
                 "--size", "32", "--val-clips", "2", "--test-clips", "0",
                 "--learning-rate", "0.001", "--targets", targets]) == 0
    card = json.loads((out / "synthetic_stream.json").read_text())
    assert card["data"]["dataset"] == "synthetic_stream" and card["data"]["targets"] == targets
    assert card["data"]["window"] == 22 and card["model"]["input_shape"] == [16, 32, 32, 3]
    assert card["training"]["config"]["learning_rate"] == 0.001
    assert "peak 0.001" in card["training"]["recipe"]["learning_rate"]
    assert card["reproduce"]["command"].startswith("streamnets train synthetic_stream")
