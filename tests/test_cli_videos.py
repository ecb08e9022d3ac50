"""``streamnets train / evaluate / export videos VIDEO_DIR``: a folder of your own videos."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from conftest import VIDEO_FOLDER_CLASSES

from streamnets import cli
from streamnets.export import read_metadata

SMALL = ["--frames", "8", "--size", "48", "--batch-size", "4"]


@pytest.fixture(scope="module")
def trained_on_videos(video_folder, tmp_path_factory):
    """``streamnets train videos PATH --steps 20`` on the generated mp4s."""
    out = tmp_path_factory.mktemp("videos-run")
    code = cli.main(["train", "videos", str(video_folder), "--out", str(out), "--steps", "20",
                     "--checkpoint-every", "10", "--validate-every", "1", *SMALL])
    assert code == 0
    return out


def test_train_on_a_video_folder_writes_weights_and_a_card_naming_its_classes(
        trained_on_videos, video_folder):
    card = json.loads((trained_on_videos / "videos.json").read_text())
    assert card["model"]["n_classes"] == 3
    assert card["data"]["dataset"] == "videos"
    assert card["data"]["classes"] == sorted(VIDEO_FOLDER_CLASSES)
    assert (card["data"]["train_videos"], card["data"]["validation_videos"]) == (6, 3)
    assert card["training"]["command"].startswith(f"streamnets train videos {video_folder}")
    history = json.loads((trained_on_videos / "history.json").read_text())
    assert [row["step"] for row in history] == [10, 20]
    assert all(0 <= row["val_clip_accuracy"] <= 1 for row in history)
    assert (trained_on_videos / "videos.weights.h5").is_file()


def test_evaluate_scores_the_held_out_videos_by_class_name(trained_on_videos, video_folder,
                                                           tmp_path, capsys):
    scores = tmp_path / "scores.json"
    code = cli.main(["evaluate", "videos", str(video_folder), "--weights",
                     str(trained_on_videos / "videos.weights.h5"), "--json", str(scores)])
    assert code == 0
    assert json.loads(scores.read_text())["clips"] == 3
    printed = capsys.readouterr().out
    assert all(name in printed for name in VIDEO_FOLDER_CLASSES)
    code = cli.main(["evaluate", "videos", str(video_folder), "--split", "all", "--weights",
                     str(trained_on_videos / "videos.weights.h5"), "--json", str(scores)])
    assert code == 0 and json.loads(scores.read_text())["clips"] == 9


def test_evaluate_refuses_a_folder_with_other_classes(trained_on_videos, video_folder,
                                                      tmp_path, capsys):
    other = shutil.copytree(video_folder, tmp_path / "other")
    (other / "Thumb Up").rename(other / "Thumb Down")
    code = cli.main(["evaluate", "videos", str(other), "--weights",
                     str(trained_on_videos / "videos.weights.h5")])
    assert code == 2
    error = capsys.readouterr().err
    assert "Thumb Down" in error and "same class subfolders" in error


def test_export_int8_calibrates_on_the_training_videos(trained_on_videos, tmp_path, capsys):
    out = tmp_path / "export"
    code = cli.main(["export", "--format", "litert-int8", "--out", str(out), "--weights",
                     str(trained_on_videos / "videos.weights.h5"), "--calibration-clips", "4"])
    assert code == 0
    assert "calibration clips from the videos of" in capsys.readouterr().out
    metadata = read_metadata(out)
    assert metadata["class_names"] == sorted(VIDEO_FOLDER_CLASSES)


def test_fine_tuning_the_shipped_model_keeps_all_but_its_classifier(video_folder, tmp_path):
    from streamnets import weights

    out = tmp_path / "tuned"
    assert cli.main(["train", "videos", str(video_folder), "--out", str(out), "--steps", "2",
                     "--checkpoint-every", "2", "--init-weights", "synthetic",
                     "--learning-rate", "1e-4", *SMALL]) == 0
    tuned = weights.load_model(str(out / "videos.weights.h5"))
    shipped = weights.load_model("synthetic", 8, 48)
    first_conv = tuned.get_layer("input_conv").get_weights()[0]
    np.testing.assert_allclose(first_conv, shipped.get_layer("input_conv").get_weights()[0],
                               atol=5e-4)  # two AdamW steps of at most ~1e-4
    assert tuned.output.shape[-1] == 3 and shipped.output.shape[-1] == 27


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_folder_with_one_class_fails_in_one_line_before_any_work(tmp_path, video_folder,
                                                                   command, capsys):
    one = tmp_path / "one"
    shutil.copytree(video_folder / "Thumb Up", one / "Thumb Up")
    args = ["--out", str(tmp_path / "run")] if command == "train" else []
    assert cli.main([command, "videos", str(one), *args]) == 2
    error = capsys.readouterr().err
    assert "1 class folder" in error and "at least two" in error
    assert not (tmp_path / "run").exists()
