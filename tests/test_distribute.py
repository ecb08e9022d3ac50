"""Training beyond one machine: sharding, TF_CONFIG, and two real workers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess

import h5py
import numpy as np
import pytest
import tensorflow as tf
from conftest import subprocess_env, venv_script

from streamnets import distribute
from streamnets.data import video_folder_dataset

#: The tiny run every process of the two-worker test does (global batch 4, two epochs).
TINY = ["--steps", "2", "--checkpoint-every", "1", "--validate-every", "2", "--batch-size",
        "4", "--frames", "4", "--size", "48", "--test-clips", "0"]
RUN_TIMEOUT_S = 600
#: Kernels of the two-worker run may differ from the one-process run's by this share of
#: one step's update: the all-reduce sums in another order, synchronized batch norm
#: computes E[x^2] - E[x]^2, and Adam turns tiny gradient differences into whole steps.
#: Measured here: 0.027; the same run on other clips (no augmentation): 1.39.
UPDATE_TOLERANCE = 0.1


def test_worker_shares_of_every_global_batch_add_up_to_it():
    dataset = tf.data.Dataset.range(24)
    shares = [list(distribute.worker_share(dataset, 6, 3, k).as_numpy_iterator())
              for k in range(3)]
    assert shares[1][:4] == [2, 3, 8, 9]
    rebuilt = [value for batch in range(4) for k in range(3)
               for value in shares[k][2 * batch:2 * batch + 2]]
    assert rebuilt == list(range(24))
    batches = distribute.worker_batches(dataset.batch(6), 6, 2, 1)
    assert [b.tolist() for b in batches.take(2).as_numpy_iterator()] == [[3, 4, 5],
                                                                        [9, 10, 11]]
    with pytest.raises(ValueError, match="multiple of the number of workers"):
        distribute.worker_share(dataset, 5, 2, 0)


def test_a_sharded_video_pipeline_decodes_only_its_share(video_folder):
    def first_batches(**shard):
        dataset = video_folder_dataset(video_folder, "train", batch_size=4, seed=3,
                                       frames=4, size=48, augment=True, **shard)
        return [(clips.numpy(), labels.numpy()) for clips, labels in dataset.take(2)]

    whole = first_batches()
    parts = [first_batches(shard=(2, k)) for k in range(2)]
    for step, (clips, labels) in enumerate(whole):
        assert parts[0][step][0].shape[0] == 2
        np.testing.assert_array_equal(
            np.concatenate([parts[0][step][0], parts[1][step][0]]), clips)
        np.testing.assert_array_equal(
            np.concatenate([parts[0][step][1], parts[1][step][1]]), labels)


@pytest.mark.parametrize("value, message", [
    (None, "needs the TF_CONFIG environment variable"),
    ("{not json", "not valid JSON"),
    ('{"task": {"type": "worker", "index": 0}}', "no 'cluster'"),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 1}}',
     "'task' must name"),
])
def test_a_bad_tf_config_is_a_clear_error(value, message):
    environ = {} if value is None else {"TF_CONFIG": value}
    with pytest.raises(ValueError, match=message):
        distribute.read_tf_config(environ)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _train(video_folder, out, tf_config: dict | None = None) -> subprocess.Popen:
    """Start ``streamnets train videos`` (a worker when ``tf_config`` is given)."""
    args = [str(venv_script("streamnets")), "train", "videos", str(video_folder), "--out",
            str(out), *TINY]
    extra = {}
    if tf_config is not None:
        args += ["--strategy", "multiworker"]
        extra["TF_CONFIG"] = json.dumps(tf_config)
    env = subprocess_env(**extra)
    if tf_config is None:
        env.pop("TF_CONFIG", None)
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _finish(processes: list[subprocess.Popen]) -> None:
    logs = [process.communicate(timeout=RUN_TIMEOUT_S)[0] for process in processes]
    for process, log in zip(processes, logs, strict=True):
        assert process.returncode == 0, log[-4000:]


def _two_workers(video_folder, outs) -> None:
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    _finish([_train(video_folder, out, {"cluster": cluster,
                                        "task": {"type": "worker", "index": index}})
             for index, out in enumerate(outs)])


def _arrays(path) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(lambda name, item: found.__setitem__(name, item[()])
                          if isinstance(item, h5py.Dataset) else None)
    return found


def _kernels(path) -> np.ndarray:
    arrays = _arrays(path)
    return np.concatenate([arrays[name].ravel().astype(np.float64) for name in sorted(arrays)
                           if re.fullmatch(r"layers/(conv3d|depthwise|dense)[^/]*/vars/0",
                                           name)])


@pytest.fixture(scope="module")
def runs(video_folder, tmp_path_factory):
    """Two workers on 127.0.0.1 (separate --out folders, as on two machines) and the
    one-process run of the same command."""
    root = tmp_path_factory.mktemp("multiworker")
    outs = [root / "chief", root / "worker"]
    _two_workers(video_folder, outs)
    _finish([_train(video_folder, root / "single")])
    return {"chief": outs[0], "worker": outs[1], "single": root / "single", "root": root}


def test_two_workers_end_with_identical_weights_and_one_card(runs):
    chief = _arrays(runs["chief"] / "checkpoints" / "step-0000002" / "model.weights.h5")
    worker = _arrays(runs["worker"] / "checkpoints" / "worker-1" / "step-0000002"
                     / "model.weights.h5")
    assert sorted(chief) == sorted(worker) and len(chief) > 100  # weights + optimizer
    for name in chief:
        np.testing.assert_array_equal(chief[name], worker[name], err_msg=name)
    assert (runs["chief"] / "videos.json").is_file()
    assert not list(runs["worker"].glob("*.json")) and not list(runs["worker"].glob("*.h5"))
    card = json.loads((runs["chief"] / "videos.json").read_text())
    assert "--strategy multiworker" in card["training"]["command"]


def test_two_workers_train_as_one_process_with_the_same_global_batch(runs):
    step = "checkpoints/step-000000{}/model.weights.h5"
    multi = _kernels(runs["chief"] / step.format(2))
    single_1, single_2 = (_kernels(runs["single"] / step.format(k)) for k in (1, 2))
    update = np.linalg.norm(single_2 - single_1)
    assert update > 0
    assert np.linalg.norm(multi - single_2) < UPDATE_TOLERANCE * update


def test_a_restarted_job_resumes_from_every_workers_checkpoint(runs, video_folder):
    # As if both workers died during the second epoch: their last checkpoints are gone.
    outs = [runs["root"] / "chief-again", runs["root"] / "worker-again"]
    for source, target in zip((runs["chief"], runs["worker"]), outs, strict=True):
        shutil.copytree(source, target)
    for folder in (outs[0] / "checkpoints", outs[1] / "checkpoints" / "worker-1"):
        shutil.rmtree(folder / "step-0000002")
    _two_workers(video_folder, outs)
    final = "checkpoints/step-0000002/model.weights.h5"
    again, first = _arrays(outs[0] / final), _arrays(runs["chief"] / final)
    for name in first:
        np.testing.assert_allclose(again[name], first[name], rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    history = json.loads((outs[0] / "history.json").read_text())
    assert [row["step"] for row in history] == [1, 2]


def test_multiworker_without_tf_config_fails_in_one_line(video_folder, tmp_path):
    env = subprocess_env()
    env.pop("TF_CONFIG", None)
    result = subprocess.run([str(venv_script("streamnets")), "train", "videos",
                             str(video_folder), "--out", str(tmp_path / "run"),
                             "--strategy", "multiworker"], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 2
    assert "needs the TF_CONFIG environment variable" in result.stderr
    assert not os.path.exists(tmp_path / "run")
