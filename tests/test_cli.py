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
