"""``streamnets tune``: the operating point and cold/warm clips, written into a card copy."""

from __future__ import annotations

import json

import pytest

from streamnets import weights
from streamnets.cli import main


@pytest.mark.timeout(600)
def test_tune_writes_the_operating_point_and_cold_warm_clips_into_a_card(tmp_path, capsys):
    card = tmp_path / "card.json"
    assert main(["tune", "synthetic", "--streams", "1", "--frames", "48", "--clips", "27",
                 "--card", str(card)]) == 0
    out = capsys.readouterr().out
    assert "operating point: decay" in out and "warm clips: accuracy" in out
    written = json.loads(card.read_text())
    shipped = weights.model_card("synthetic")
    assert {k: written[k] for k in shipped if k not in ("operating_point", "clips_cold_warm")} \
        == {k: v for k, v in shipped.items() if k not in ("operating_point", "clips_cold_warm")}
    point = written["operating_point"]
    assert 0.0 <= point["decay"] <= 1.0 and 0.0 < point["threshold"] <= 1.0
    assert point["validation"]["streams"] == 1 and point["test"]["frames_per_stream"] == 48
    assert point["command"].startswith("streamnets tune synthetic")
    assert "commit" in point
    clips = written["clips_cold_warm"]
    assert clips["cold"]["all"]["clips"] == 27 and clips["preceding"]["of_another_class"]


@pytest.mark.parametrize("argv, message", [
    (["tune", "synthetic", "--streams", "0"], "--streams"),
    (["tune", "synthetic", "--max-false-per-minute", "0"], "max-false-per-minute"),
    (["tune", "no_such_model"], "no_such_model"),
])
def test_tune_rejects_bad_arguments_in_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_tune_refuses_a_card_folder_before_any_work(tmp_path, capsys):
    assert main(["tune", "synthetic", "--card", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
