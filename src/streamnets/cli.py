"""The ``streamnets`` command line: ``train``, ``evaluate``, ``tune``, ``export`` and ``stream``.

Each subcommand is one ``add_<name>(subparsers)`` function that declares its options
(every one with a help text) and sets ``func`` to the function that runs it; ``main``
dispatches and applies one error policy: a user error (a bad argument, a missing or
unreadable file, a missing optional package) is one line on stderr and exit code 2;
``--debug`` shows the traceback instead. Arguments are checked before any long work.
Nothing in the package imports this module.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf
from tqdm import tqdm

from streamnets import data, distribute, models, operating_point, train, video, warm, weights
from streamnets.brainchip import require_akida_extra
from streamnets.data import JESTER_CLASSES, MODEL_FPS, NUM_CLASSES, DownloadError
from streamnets.data.jester import ON_CORRUPT
from streamnets.data.streams import DEFAULT_STREAM_FRAMES
from streamnets.data.video_folder import VALIDATION_FRACTION, scan_video_folder
from streamnets.detection import BACKGROUND_CLASSES, DEFAULT_THRESHOLD, EventDetector
from streamnets.export import (
    FORMATS,
    METADATA_FILE,
    check_operating_point,
    check_out_dir,
    export_akida,
    export_litert,
    is_export,
    read_metadata,
)
from streamnets.files import write_json
from streamnets.litert import LiteRTRunner
from streamnets.provenance import provenance
from streamnets.smoothing import DEFAULT_DECAY, check_decay
from streamnets.streaming import to_streaming


class FORMATTER(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except unset (``None``) ones: their help says why."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


# --------------------------------------------------------------------------- data


def _synthetic_split(split: str, batch_size: int, clips: int, args: Any) -> tf.data.Dataset:
    """The first ``clips`` clips of a fixed synthetic split (disjoint clip seeds per split)."""
    return data.synthetic_dataset(
        split, batch_size, num_clips=clips, frames=args.frames, size=args.size
    )


def _synthetic_epochs(args: argparse.Namespace) -> Callable[[int], tf.data.Dataset]:
    """Endless fresh training clips; epoch ``e`` reads the stream seeded ``seed * 1000 + e``."""

    def epoch_data(epoch: int) -> tf.data.Dataset:
        return data.synthetic_dataset(
            "train",
            args.batch_size,
            augment=args.augment,
            seed=args.seed * 1000 + epoch,
            frames=args.frames,
            size=args.size,
        )

    return epoch_data


def _jester_split(split: str, batch_size: int, args: Any, clips: int | None = None,
                  seed: int = 0, data_dir: Path | None = None) -> tf.data.Dataset:
    """Jester batches from ``data_dir`` (default ``args.data_dir``): BrainChip's TFRecord
    subset when the folder has ``tfrecords/``, else the full dataset's JPEG folders.
    ``"train"`` is endless, shuffled with ``seed`` and augmented when ``--augment`` is on."""
    folder = Path(data_dir or args.data_dir)
    loader = (data.jester_tfrecord_dataset if (folder / "tfrecords").is_dir()
              else data.jester_dataset)
    return loader(
        folder,
        split,
        batch_size,
        augment=split == "train" and bool(getattr(args, "augment", False)),
        seed=seed,
        frames=args.frames,
        size=args.size,
        num_clips=clips,
        on_corrupt=getattr(args, "on_corrupt", "raise"),
    )


def _video_split(folder: data.VideoFolder, split: str, batch_size: int, args: Any,
                 clips: int | None = None, seed: int = 0,
                 shard: tuple[int, int] | None = None) -> tf.data.Dataset:
    """Batches of a scanned video folder (``"train"``: endless, shuffled with ``seed``,
    augmented when ``--augment`` is on; ``shard``: this worker's share)."""
    return data.video_folder_dataset(
        folder, split, batch_size,
        augment=split == "train" and bool(getattr(args, "augment", False)),
        seed=seed, frames=args.frames, size=args.size,
        validation_fraction=getattr(args, "validation_fraction", VALIDATION_FRACTION),
        on_corrupt=getattr(args, "on_corrupt", "raise"), num_clips=clips, shard=shard)


def _add_on_corrupt(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--on-corrupt", choices=ON_CORRUPT, default="raise",
                        help="what to do with a video whose frames cannot be read: "
                        "stop with an error naming it, or skip the clip with a warning")


def _add_video_folder(parser: argparse.ArgumentParser, training: bool) -> None:
    parser.add_argument(
        "video_dir", type=Path,
        help="folder with one subfolder of videos (mp4, webm, avi, mov, mkv) per class; "
        "the subfolder names are the class names")
    where = "" if training else "; default: what the weights' card records"
    parser.add_argument(
        "--validation-fraction", type=float,
        default=VALIDATION_FRACTION if training else None,
        help="share of each class's videos held out for validation (chosen by a hash of "
        f"the file name: the same split on every run and machine){where}")


def _positive(name: str, value: int | None, minimum: int = 1) -> None:
    if value is not None and value < minimum:
        raise ValueError(f"--{name} must be >= {minimum}, got {value}.")


def check_output_file(path: Path | None, option: str) -> None:
    """Fail now, not after the work, if ``path`` cannot be written as a file.

    Args:
        path: the output file an option names; ``None`` (option not given) passes.
        option: the option's flag for the message, e.g. ``"--json"``.

    Raises:
        ValueError: ``path`` is a folder, or its folder is missing or not writable.
    """
    if path is None:
        return
    if path.is_dir():
        raise ValueError(f"{option} {path} is a folder; give a file name, for example "
                         f"{path / 'scores.json'}.")
    if not path.parent.is_dir():
        raise ValueError(f"{option} {path}: the folder {path.parent} does not exist; create it "
                         "first or choose another path.")
    if not os.access(path.parent, os.W_OK):
        raise ValueError(f"{option} {path}: the folder {path.parent} is not writable.")


# --------------------------------------------------------------------------- train


def _add_common_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--frames", type=int, default=16, help="frames per clip (the model's time axis)"
    )
    parser.add_argument("--size", type=int, default=100, help="height = width of every frame")


def _add_train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output folder: <name>.weights.h5, <name>.json (model card), "
        "<name>.history.json (chained with --init-weights' history), history.json (this "
        "run's) and checkpoints/ (a rerun with the same options resumes from the newest)",
    )
    parser.add_argument("--name", default=None, help="file name stem (default: the preset's name)")
    parser.add_argument(
        "--steps", type=int, default=1500, help="optimizer steps in total (a multiple of "
        "--checkpoint-every)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=16,
        help="global batch size (split across devices); the peak learning rate is "
        "batch_size * 0.008 / 32",
    )
    parser.add_argument(
        "--learning-rate", type=float, default=None,
        help="peak learning rate (default: batch_size * 0.008 / 32, BrainChip's rule; "
        "lower it to fine-tune)",
    )
    parser.add_argument(
        "--checkpoint-every", type=int, default=100,
        help="steps per epoch: a checkpoint and a history row are written after each",
    )
    parser.add_argument(
        "--validate-every", type=int, default=3,
        help="evaluate the validation clips every this many epochs (and at the end)",
    )
    parser.add_argument(
        "--val-clips", type=int, default=108,
        help="validation clips: the first N of the validation split (videos: every "
        "held-out video)"
    )
    parser.add_argument(
        "--test-clips", type=int, default=1080,
        help="held-out test clips scored at the end and written to the model card "
        "(0: skip)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the weights' initialization and of "
        "the training data stream",
    )
    parser.add_argument(
        "--augment", action=argparse.BooleanOptionalAction, default=None,
        help="BrainChip's random affine per clip (rotation, shift, zoom); default: on for "
        "jester, off for synthetic (its stream never repeats a clip)",
    )
    parser.add_argument(
        "--init-weights", default=None,
        help="start from these weights instead of a random initialization: a pretrained "
        "name or a '.weights.h5' written by 'streamnets train' (its card is chained into "
        "the new card; with another number of classes, every layer but the last is "
        "taken); a checkpoint of this run still takes precedence when resuming",
    )
    parser.add_argument(
        "--temporal-kernel", type=int, default=5,
        help="size of every temporal kernel; 1 gives the per-frame baseline",
    )
    parser.add_argument(
        "--input-scaling", choices=("raw", "symmetric"), default="raw",
        help="raw: feed 0..255 pixels (BrainChip's model); symmetric: scale to [-1, 1]",
    )
    parser.add_argument(
        "--strategy", choices=("auto", "default", "mirrored", "multiworker"),
        default="auto",
        help="tf.distribute strategy: mirrored = MirroredStrategy over all visible GPUs "
        "(or CPUs); auto = mirrored when more than one GPU is visible; multiworker = "
        "MultiWorkerMirroredStrategy over the machines named in TF_CONFIG (run the same "
        "command on each; input sharded per worker, the chief writes the outputs)",
    )
    _add_common_model_options(parser)
    _add_on_corrupt(parser)


def add_train(subparsers: Any) -> None:
    """``streamnets train synthetic|jester``.

    Args:
        subparsers: the top-level parser's ``add_subparsers()`` action, to which the
            subcommand's parser is added (see :data:`COMMANDS`).
    """
    parser = subparsers.add_parser(
        "train",
        help="train the gesture model (presets: synthetic, synthetic_stream, jester)",
        description="Train the 5-block gesture model with the per-frame loss and "
        "BrainChip's recipe (AdamW, cosine schedule with warm-up). Resumable: rerun the "
        "same command to continue from the newest checkpoint.",
        formatter_class=FORMATTER,
    )
    presets = parser.add_subparsers(dest="preset", required=True, metavar="PRESET")
    synthetic = presets.add_parser(
        "synthetic",
        help="train on generated Jester-like clips (no download)",
        description="Train on an endless stream of fresh synthetic clips; validate on a "
        "fixed set; score a held-out test set at the end and write the model card.",
        formatter_class=FORMATTER,
    )
    _add_train_options(synthetic)
    synthetic.set_defaults(func=run_train)
    stream = presets.add_parser(
        "synthetic_stream",
        help="train on windows cut from generated streams, with per-frame targets",
        description="Train (usually fine-tune, with --init-weights synthetic) on windows cut "
        "at random places from endless fresh synthetic streams, each frame labelled with the "
        "gesture under way or a background class, so the model cannot lean on a clip's "
        "first frame. Validation and test are on clips, as for 'synthetic'.",
        formatter_class=FORMATTER,
    )
    stream.add_argument(
        "--window", type=int, default=data.DEFAULT_WINDOW,
        help="frames per training window (more than the 21-frame receptive field, so the "
        "last frames see no zero padding)",
    )
    stream.add_argument(
        "--targets", choices=data.WINDOW_TARGETS, default="frames",
        help="frames: each frame's own target (the gesture under way, else a background "
        "class); window: one label per window repeated at every frame, BrainChip's clip "
        "loss on the same windows (for comparison)",
    )
    _add_train_options(stream)
    stream.set_defaults(func=run_train)
    jester = presets.add_parser(
        "jester",
        help="train on the Jester dataset in DATA_DIR",
        description="Train on Jester (folders of JPEG frames with jester-v1-*.csv).",
        formatter_class=FORMATTER,
    )
    jester.add_argument(
        "data_dir", type=Path,
        help="Jester folder: jester-v1-{labels,train,validation}.csv with the JPEG folders, "
        "or BrainChip's subset with tfrecords/",
    )
    _add_train_options(jester)
    jester.set_defaults(func=run_train)
    videos = presets.add_parser(
        "videos",
        help="train on a folder of your own videos, one subfolder per class",
        description="Train on video files in class-named subfolders of VIDEO_DIR, decoded "
        "as 'streamnets stream' decodes them and sampled as Jester clips are; every "
        "held-out video validates (see streamnets.data.video_folder).",
        formatter_class=FORMATTER,
    )
    _add_video_folder(videos, training=True)
    _add_train_options(videos)
    videos.set_defaults(func=run_train)


def _strategy(name: str) -> tf.distribute.Strategy:
    if name == "multiworker":  # first: it configures the runtime before any other TF work
        return distribute.multiworker_strategy()
    gpus = tf.config.list_logical_devices("GPU")
    if name == "mirrored" or (name == "auto" and len(gpus) > 1):
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def run_train(args: argparse.Namespace) -> int:
    """Train, save weights + history + model card, score the test split.

    Args:
        args: the parsed options of ``streamnets train PRESET`` (:func:`add_train`),
            with ``argv``, the command's arguments, added by :func:`main`.

    Returns:
        The exit code, 0.
    """
    name = args.name or args.preset
    strategy = _strategy(args.strategy)
    workers, worker = distribute.worker_of(strategy)
    if args.batch_size % workers:
        raise ValueError(f"--batch-size {args.batch_size} must be a multiple of the number "
                         f"of workers ({workers}): each takes an equal share of a batch.")
    for option in ("steps", "batch_size", "checkpoint_every", "validate_every", "frames",
                   "size", "temporal_kernel"):
        _positive(option.replace("_", "-"), getattr(args, option))
    _positive("val-clips", args.val_clips)
    _positive("test-clips", args.test_clips, minimum=0)
    if args.augment is None:
        args.augment = args.preset in ("jester", "videos")
    config = train.TrainConfig(
        steps=args.steps,
        batch_size=args.batch_size,
        steps_per_epoch=args.checkpoint_every,
        validate_every=args.validate_every,
        seed=args.seed,
        learning_rate=args.learning_rate,
    )
    architecture = {
        "input_shape": [args.frames, args.size, args.size, 3],
        "n_classes": NUM_CLASSES,
        "input_scaling": args.input_scaling,
        "temporal_kernel": args.temporal_kernel,
    }
    if args.preset == "synthetic":
        epochs = _synthetic_epochs(args)
        validation = _synthetic_split("validation", args.batch_size, args.val_clips, args)
    elif args.preset == "synthetic_stream":
        _positive("window", args.window)

        def epochs(epoch: int) -> Any:  # fresh windows per epoch, reproducible on resume
            return data.stream_window_dataset(
                args.batch_size, seed=args.seed * 1000 + epoch, window=args.window,
                size=args.size, targets=args.targets)

        validation = _synthetic_split("validation", args.batch_size, args.val_clips, args)
    elif args.preset == "jester":
        def epochs(epoch: int) -> Any:  # a fresh shuffle per epoch, reproducible on resume
            return _jester_split("train", args.batch_size, args, seed=args.seed * 1000 + epoch)

        epochs(0)  # reads the CSVs now: a bad folder fails before the model is built
        validation = _jester_split("validation", args.batch_size, args, clips=args.val_clips)
    else:  # videos: scanned once, so a bad folder fails before the model is built
        folder = scan_video_folder(args.video_dir, args.on_corrupt)
        architecture["n_classes"] = len(folder.classes)
        shard = (workers, worker) if workers > 1 else None

        def epochs(epoch: int) -> Any:  # a fresh shuffle per epoch, reproducible on resume
            return _video_split(folder, "train", args.batch_size, args,
                                seed=args.seed * 1000 + epoch, shard=shard)

        validation = _video_split(folder, "validation", args.batch_size, args) if (
            args.validation_fraction) else None  # 0: every video trains, none validates
    if workers > 1 and args.preset != "videos":  # no sharding before decoding: keep a slice
        whole = epochs

        def epochs(epoch: int) -> Any:
            return distribute.worker_batches(whole(epoch), args.batch_size, workers, worker)
    init_card = None
    if args.init_weights:
        init_model = weights.load_model(args.init_weights, args.frames, args.size)
        init_card = weights.card_of(args.init_weights)

    def build_model() -> Any:
        # Stream windows are longer than clips; the convolutions do not care how many frames.
        frames = None if args.preset == "synthetic_stream" else args.frames
        model = models.gesture_net(**{**architecture,
                                      "input_shape": [frames, args.size, args.size, 3]})
        if args.init_weights:  # a checkpoint of this run, if any, overrides these below
            start = init_model.get_weights()
            if init_model.output.shape[-1] != model.output.shape[-1]:
                start[-2:] = model.get_weights()[-2:]  # other classes: a fresh classifier
            model.set_weights(start)
        return model

    started = time.time()
    model, history = train.fit(
        build_model,
        epochs,
        config,
        args.out,
        validation_data=validation,
        strategy=strategy,
    )
    if workers > 1:
        distribute.barrier(strategy)  # leave together: a worker gone early stalls the rest
        if worker:
            print(f"worker {worker} of {workers} done; the chief writes the weights and card.")
            return 0
        model = train.local_copy(model)  # a multi-worker model would shard the test clips
    wall = sum(row["seconds"] for row in history)
    weights_file = args.out / f"{name}{weights.WEIGHTS_SUFFIX}"
    train.save_weights(model, weights_file)
    earlier = weights.history_of(args.init_weights) if args.init_weights else None
    command = shlex.join(["streamnets", *args.argv])
    # Shipped weights come with the package: the run starts from them, not from a rerun.
    shipped = args.init_weights in weights.pretrained_names()
    earlier_command = None if shipped else (
        ((init_card or {}).get("reproduce") or {}).get("command"))
    write_json(
        weights.history_path(weights_file),
        train.chain_histories(earlier, history) if earlier else history,
    )
    peak = config.learning_rate or train.peak_learning_rate(config.batch_size)
    card: dict[str, Any] = {
        "name": name,
        "model": architecture,
        "params": model.count_params(),
        "macs_per_frame": models.macs_per_frame(model),
        "data": _data_description(args, folder if args.preset == "videos" else None),
        "training": {
            "command": command,
            "config": asdict(config),
            "clips_seen": config.steps * config.batch_size,
            "recipe": {
                "loss": f"per-frame cross-entropy, label smoothing {config.label_smoothing}",
                "optimizer": f"AdamW(weight_decay={train.WEIGHT_DECAY}, "
                f"epsilon={train.ADAM_EPSILON})",
                "learning_rate": f"peak {peak:g}, "
                f"linear warm-up over {train.WARMUP_FRACTION:.1%} of steps, cosine decay "
                f"to {train.MIN_LEARNING_RATE:g}",
            },
            "wall_time_s": round(wall, 1),
            "this_session_s": round(time.time() - started, 1),
            "init_weights": args.init_weights,
            "init_training": init_card["training"] if init_card else None,
            "total_clips_seen": config.steps * config.batch_size
            + _chained(init_card, "total_clips_seen", "clips_seen"),
            "total_wall_time_s": round(
                wall + _chained(init_card, "total_wall_time_s", "wall_time_s"), 1
            ),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": train.machine_description(),
            "versions": {"keras": keras.__version__},
        },
    }
    card["reproduce"] = {
        **provenance(),
        "command": " && ".join(c for c in (earlier_command, command) if c),
        "note": ("from the shipped weights named by --init-weights; " if shipped else "")
        + "the same recipe, data streams and step counts in one go (earlier stages "
        "first); training on a CPU is not bit-exact across machines and thread counts, so "
        "expect close, not identical, weights and scores",
    }
    if args.test_clips and args.preset not in ("jester", "videos"):
        test = _synthetic_split("test", args.batch_size, args.test_clips, args)
        logits, labels = train.predict_logits(model, test)
        scores = train.evaluate_logits(logits, labels)
        mirror_scores = train.evaluate_classes(logits, labels, train.mirror_pair_classes())
        card["test"] = {
            "split": "test",
            **{k: scores[k] for k in ("clips", "decay", "frame_accuracy", "clip_accuracy")},
            "mirror_pairs_clip_accuracy": mirror_scores["clip_accuracy"],
            "mirror_pairs_frame_accuracy": mirror_scores["frame_accuracy"],
            "mirror_pairs_clips": mirror_scores["clips"],
            "per_class_accuracy": scores["per_class_accuracy"],
            "accuracy_vs_frames": scores["accuracy_vs_frames"],
        }
        print(
            f"test ({scores['clips']} clips): frame accuracy {scores['frame_accuracy']:.4f}, "
            f"clip accuracy (decay {scores['decay']}) {scores['clip_accuracy']:.4f}, "
            f"mirror pairs {mirror_scores['clip_accuracy']:.4f}"
        )
    write_json(weights.card_path(weights_file), card)
    print(f"wrote {weights_file} and its model card {weights.card_path(weights_file).name}")
    return 0


def _data_description(args: argparse.Namespace,
                      folder: data.VideoFolder | None = None) -> dict[str, Any]:
    if args.preset == "jester":
        return {"dataset": "jester", "data_dir": str(args.data_dir)}
    if folder is not None:
        held_out = len(folder.split("validation", args.validation_fraction)) if (
            args.validation_fraction) else 0
        return {
            "dataset": "videos",
            "video_dir": str(folder.root.resolve()),
            "classes": list(folder.classes),
            "videos": len(folder.videos),
            "train_videos": len(folder.videos) - held_out,
            "validation_videos": held_out,
            "validation_fraction": args.validation_fraction,
            "frames": args.frames,
            "size": args.size,
            "augment": args.augment,
            "train_seed": args.seed,
            "train": "video_folder_dataset('train'), epoch e shuffled with seed * 1000 + e",
            "validation": "every held-out video (video_folder_dataset('validation'))",
        }
    if args.preset == "synthetic_stream":
        return {
            "dataset": "synthetic_stream",
            "frames": args.frames,
            "size": args.size,
            "generator_version": data.GENERATOR_VERSION,
            "stream_version": data.STREAM_VERSION,
            "train": f"endless windows of {args.window} frames, epoch e = "
            f"stream_window_dataset(seed=seed * 1000 + e, targets={args.targets!r}): "
            + ("per-frame targets (stream_frame_labels, "
               if args.targets == "frames" else "window_label repeated at every frame (of ")
            + f"label tail {data.LABEL_TAIL} frames)",
            "window": args.window,
            "targets": args.targets,
            "train_seed": args.seed,
            "validation": f"first {args.val_clips} clips of synthetic_dataset('validation')",
            "test": f"first {args.test_clips} clips of synthetic_dataset('test')",
        }
    return {
        "dataset": "synthetic",
        "frames": args.frames,
        "size": args.size,
        "generator_version": data.GENERATOR_VERSION,
        "train": "endless stream of fresh clips, epoch e = synthetic_dataset('train', "
        "seed=seed * 1000 + e)",
        "augment": args.augment,
        "train_seed": args.seed,
        "validation": f"first {args.val_clips} clips of synthetic_dataset('validation')",
        "test": f"first {args.test_clips} clips of synthetic_dataset('test')",
    }


# --------------------------------------------------------------------------- evaluate


def add_evaluate(subparsers: Any) -> None:
    """``streamnets evaluate synthetic|jester``.

    Args:
        subparsers: the top-level parser's ``add_subparsers()`` action, to which the
            subcommand's parser is added (see :data:`COMMANDS`).
    """
    parser = subparsers.add_parser(
        "evaluate",
        help="score a model: frame accuracy, clip accuracy with decay, confusion matrix",
        description="Score a trained model on clips it has not seen: frame-averaged "
        "accuracy, clip accuracy after decay smoothing, per-class accuracy and the "
        "confusion matrix.",
        formatter_class=FORMATTER,
    )
    presets = parser.add_subparsers(dest="preset", required=True, metavar="PRESET")
    synthetic = presets.add_parser(
        "synthetic", help="evaluate on generated clips", formatter_class=FORMATTER
    )
    synthetic.add_argument("--split", choices=("train", "validation", "test"), default="test",
                           help="which synthetic split to draw clips from")
    synthetic.add_argument("--clips", type=int, default=1080,
                           help="score the first N clips of the split (class i %% 27 for clip i)")
    jester = presets.add_parser(
        "jester", help="evaluate on Jester clips in DATA_DIR", formatter_class=FORMATTER
    )
    jester.add_argument("data_dir", type=Path, help="Jester folder with jester-v1-*.csv")
    jester.add_argument("--split", choices=("train", "validation"), default="validation",
                        help="which Jester split to score")
    jester.add_argument("--clips", type=int, default=None, help="score only the first N clips")
    _add_on_corrupt(jester)
    videos = presets.add_parser(
        "videos", help="evaluate on a folder of your own videos", formatter_class=FORMATTER
    )
    _add_video_folder(videos, training=False)
    videos.add_argument("--split", choices=("validation", "all"), default="validation",
                        help="validation: the videos training held out; all: every video "
                        "(a folder of new videos)")
    videos.add_argument("--clips", type=int, default=None,
                        help="score only the first N videos of the split")
    _add_on_corrupt(videos)
    for sub in (synthetic, jester, videos):
        _add_weights_options(sub)
        sub.add_argument("--decay", type=float, default=DEFAULT_DECAY,
                         help="decay factor d of P_t = d * P_(t-1) + softmax(logits_t)")
        sub.add_argument("--batch-size", type=int, default=16, help="clips per batch")
        sub.add_argument("--json", type=Path, default=None,
                         help="also write every number (confusion matrix included) here")
        sub.add_argument("--show-confusion", action="store_true",
                         help="print the full confusion matrix")
        sub.set_defaults(func=run_evaluate)


def _add_weights_options(parser: argparse.ArgumentParser) -> None:
    """``--weights`` and the clip shape to build its model at (evaluate, export)."""
    parser.add_argument(
        "--weights", default="synthetic",
        help="a pretrained name (see streamnets.weights.pretrained_names()), a Keras "
        "'.weights.h5' written by 'streamnets train' (its model card <stem>.json must "
        "sit next to it), or BrainChip's tf_keras '.h5' (tenn_spatiotemporal_jester.h5)",
    )
    parser.add_argument("--frames", type=int, default=None,
                        help="frames per clip (default: what the weights' card says; 16 "
                        "for BrainChip's '.h5')")
    parser.add_argument("--size", type=int, default=None,
                        help="height = width of every frame (default: what the weights' "
                        "card says; 100 for BrainChip's '.h5')")


def _chained(card: dict[str, Any] | None, total: str, own: str) -> float:
    """What the runs behind ``card`` add up to (0 without a card)."""
    if not card:
        return 0
    training = card["training"]
    return training.get(total, training.get(own, 0))


def run_evaluate(args: argparse.Namespace) -> int:
    """Print (and optionally save) the scores of a model on one split.

    Args:
        args: the parsed options of ``streamnets evaluate PRESET`` (:func:`add_evaluate`).

    Returns:
        The exit code, 0.
    """
    check_decay(args.decay)
    check_output_file(args.json, "--json")
    _positive("batch-size", args.batch_size)
    _positive("clips", args.clips)
    folder = scan_video_folder(args.video_dir, args.on_corrupt) if (
        args.preset == "videos") else None
    model = weights.load_model(args.weights, args.frames, args.size)
    frames, size = model.input_shape[1], model.input_shape[2]
    args.frames, args.size = frames, size
    names = _class_names(int(model.output.shape[-1]), args.weights)
    if args.preset == "synthetic":
        dataset = _synthetic_split(args.split, args.batch_size, args.clips, args)
    elif args.preset == "jester":
        dataset = _jester_split(args.split, args.batch_size, args, clips=args.clips)
    else:
        if args.validation_fraction is None:
            args.validation_fraction = weights.training_data(args.weights).get(
                "validation_fraction", VALIDATION_FRACTION)
        if list(folder.classes) != names:
            raise ValueError(
                f"{args.video_dir} has the classes {list(folder.classes)}, but --weights "
                f"{args.weights} predicts {names}; evaluate on a folder with the same class "
                "subfolders as the training folder.")
        dataset = _video_split(folder, args.split, args.batch_size, args, clips=args.clips)
    scores = train.evaluate(model, dataset, decay=args.decay)
    print(f"clips: {scores['clips']}")
    print(f"frame-averaged accuracy: {scores['frame_accuracy']:.4f}")
    print(f"clip accuracy (decay {args.decay}): {scores['clip_accuracy']:.4f}")
    print("per-class clip accuracy:")
    for name, accuracy in zip(names, scores["per_class_accuracy"], strict=True):
        print(f"  {name:32s} {accuracy:.3f}")
    if args.show_confusion:
        print("confusion matrix (rows: true class, columns: predicted):")
        for row in scores["confusion"]:
            print(" ".join(f"{v:3d}" for v in row))
    if args.json:
        write_json(args.json, {"weights": args.weights, "split": args.split,
                               "input_shape": list(model.input_shape[1:]), **scores})
        print(f"wrote {args.json}")
    return 0


# --------------------------------------------------------------------------- export

#: Calibration clips the CLI takes from the start of the synthetic training split.
DEFAULT_CALIBRATION_CLIPS = 64


def add_export(subparsers: Any) -> None:
    """``streamnets export --format litert|litert-int8|akida --out DIR``.

    Args:
        subparsers: the top-level parser's ``add_subparsers()`` action, to which the
            subcommand's parser is added (see :data:`COMMANDS`).
    """
    parser = subparsers.add_parser(
        "export",
        help="export the streaming model: LiteRT float / int8, or Akida",
        description="Export a trained gesture model for deployment: a LiteRT flatbuffer "
        "of the per-frame streaming step (float32 or full-integer int8, states as named "
        "inputs/outputs) or an Akida model (needs streamnets[akida]), with a "
        "metadata.json that says how to run it.",
        formatter_class=FORMATTER,
    )
    parser.add_argument("--format", choices=FORMATS, required=True,
                        help="litert: float32 .tflite; litert-int8: full-integer int8 .tflite; "
                        "akida: quantizeml 8-bit + cnn2snn .fbz")
    parser.add_argument("--out", type=Path, required=True,
                        help="output folder to create (refused if it exists, unless --force "
                        "and it holds an earlier export)")
    parser.add_argument("--force", action="store_true",
                        help="replace an earlier export in --out")
    _add_weights_options(parser)
    parser.add_argument(
        "--calibration", default=None,
        help="8-bit formats: the clips to calibrate on. Default: the data the weights' "
        "card says they were trained on (synthetic clips, the training videos of a video "
        "folder, or a Jester folder given here). 'synthetic' forces synthetic training "
        "clips; a folder path uses its training split (a Jester folder, else a folder of "
        "class subfolders of videos)",
    )
    parser.add_argument("--calibration-clips", type=int, default=DEFAULT_CALIBRATION_CLIPS,
                        help="how many training clips calibrate 8-bit models")
    parser.add_argument("--decay", type=float, default=None,
                        help="decay factor in [0, 1] written to the metadata for the smoother "
                        f"(default: the card's operating point, else {DEFAULT_DECAY})")
    parser.add_argument("--c-array", action="store_true",
                        help="LiteRT only: also write model_data.h (the model as a C array)")
    _add_on_corrupt(parser)
    parser.set_defaults(func=run_export)


def _class_names(n_classes: int, weights_spec: str | None = None) -> list[str]:
    """The names of a model's outputs: the classes its card records (a video folder's
    subfolders), else Jester's for 27 outputs, else ``class_<i>``."""
    recorded = weights.training_data(weights_spec).get("classes") if weights_spec else None
    if recorded and len(recorded) == n_classes:
        return list(recorded)
    if n_classes == len(JESTER_CLASSES):
        return list(JESTER_CLASSES)
    return [f"class_{index}" for index in range(n_classes)]


def _is_jester_folder(folder: Path) -> bool:
    return (folder / "tfrecords").is_dir() or (folder / "jester-v1-labels.csv").is_file()


def _calibration_source(args: argparse.Namespace) -> str | Path | data.VideoFolder:
    """``"synthetic"``, a Jester folder or a scanned video folder: the data 8-bit
    calibration reads, decided from ``--calibration`` and the weights' card before any
    model is loaded. A video folder calibrates on its training split (held-out videos
    excluded, with the fraction the card records)."""
    if args.calibration == "synthetic":
        return "synthetic"
    trained = weights.training_data(args.weights)
    args.validation_fraction = trained.get("validation_fraction", VALIDATION_FRACTION)
    if args.calibration is not None:
        folder = Path(args.calibration)
        if not folder.is_dir():
            raise ValueError(f"--calibration {folder}: no such folder; pass a Jester folder, "
                             "a folder of class subfolders of videos, or 'synthetic'.")
        return folder if _is_jester_folder(folder) else scan_video_folder(folder,
                                                                         args.on_corrupt)
    trained_on = trained.get("dataset")
    if trained_on == "synthetic":
        return "synthetic"
    if trained_on == "videos":
        return scan_video_folder(trained["video_dir"], args.on_corrupt)
    what = f"were trained on {trained_on!r}" if trained_on else (
        "carry no model card saying what they were trained on")
    raise ValueError(
        f"--weights {args.weights} {what}, so synthetic clips would calibrate the 8-bit "
        "ranges on inputs the model never saw. Pass --calibration DIR with that data (a "
        "Jester folder or a video folder), or --calibration synthetic to calibrate on "
        "synthetic clips anyway."
    )


def _calibration_clips(source: str | Path | data.VideoFolder, args: argparse.Namespace,
                       log: Callable[[str], None]) -> Any:
    """``args.calibration_clips`` uint8 training clips ``(N, T, H, W, 3)`` from ``source``."""
    if source == "synthetic":
        log(f"rendering {args.calibration_clips} synthetic calibration clips "
            f"({args.frames}x{args.size}x{args.size})")
        return data.calibration_clips(args.calibration_clips, args.frames, args.size)
    if isinstance(source, data.VideoFolder):
        log(f"decoding {args.calibration_clips} calibration clips from the videos of "
            f"{source.root}")
        dataset = _video_split(source, "train", args.calibration_clips, args)
    else:
        log(f"reading {args.calibration_clips} calibration clips from {source}")
        dataset = _jester_split("train", args.calibration_clips, args, seed=0,
                                data_dir=source)
    clips, _ = next(iter(dataset))
    return clips.numpy()


def run_export(args: argparse.Namespace) -> int:
    """Load the model, export it in ``--format`` to ``--out``, print what was written.

    Args:
        args: the parsed options of ``streamnets export`` (:func:`add_export`).

    Returns:
        The exit code, 0.
    """
    started = time.time()

    def log(message: str) -> None:
        print(f"[{time.time() - started:6.1f} s] {message}", flush=True)

    check_out_dir(args.out, args.force)
    if args.decay is not None:
        check_decay(args.decay)
    _positive("calibration-clips", args.calibration_clips)
    if args.format == "akida":
        require_akida_extra()
    if args.c_array and args.format == "akida":
        raise ValueError("--c-array applies to LiteRT formats only.")
    eight_bit = args.format in ("litert-int8", "akida")
    operating_point = check_operating_point(
        (weights.card_of(args.weights) or {}).get("operating_point"))
    if args.decay is None:
        args.decay = operating_point["decay"] if operating_point else DEFAULT_DECAY
    source = _calibration_source(args) if eight_bit else None
    log(f"loading weights {args.weights!r}")
    model = weights.load_model(args.weights, args.frames, args.size)
    args.frames, args.size = model.input.shape[1], model.input.shape[2]
    common = {
        "class_names": _class_names(int(model.output.shape[-1]), args.weights),
        "decay": args.decay,
        "data": weights.training_data(args.weights),
        "force": args.force,
        "log": log,
        "operating_point": operating_point,
    }
    calibration = _calibration_clips(source, args, log) if eight_bit else None
    if args.format == "akida":
        export_akida(model, args.out, calibration_clips=calibration, **common)
    else:
        export_litert(model, args.out, int8=args.format == "litert-int8",
                      calibration_clips=calibration, write_c_array=args.c_array, **common)
    return 0


# --------------------------------------------------------------------------- stream


#: The model ``streamnets stream`` runs when none is named: the one trained on streams.
STREAM_MODEL = "synthetic_stream"


def add_stream(subparsers: Any) -> None:
    """``streamnets stream MODEL --video PATH | --synthetic SEED``.

    Args:
        subparsers: the top-level parser's ``add_subparsers()`` action, to which the
            subcommand's parser is added (see :data:`COMMANDS`).
    """
    parser = subparsers.add_parser(
        "stream",
        help="run the detector on a video or a synthetic stream, one JSON line per event",
        description="Feed a video file (resampled to the model's 6 fps, centre-cropped, "
        "resized) or a rendered synthetic stream frame by frame through a streaming model "
        "and the event detector (decay smoothing, a threshold, re-arming by hysteresis). "
        "Each detected gesture is printed at once as one JSON object on stdout: time_s "
        "(the end of the frame that fired), frame, class, label, score. A progress bar and "
        "a one-line summary go to stderr.",
        formatter_class=FORMATTER,
    )
    parser.add_argument(
        "model", metavar="MODEL", nargs="?", default=STREAM_MODEL,
        help="a pretrained name (see streamnets.weights.pretrained_names()), a "
        "'.weights.h5' with its model card next to it, or a folder written by "
        "'streamnets export --format litert|litert-int8'",
    )
    parser.add_argument("--video", type=Path, default=None, metavar="PATH",
                        help="a video file (mp4, webm, avi, ...) to stream")
    parser.add_argument("--synthetic", type=int, default=None, metavar="SEED",
                        help="stream a rendered synthetic stream with this seed instead")
    parser.add_argument("--frames", type=int, default=None,
                        help="frames to stream at 6 fps (default: the whole video, or "
                        f"{DEFAULT_STREAM_FRAMES} for --synthetic)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="trigger level of a class's smoothed probability (default: the "
                        f"model's operating point, else {DEFAULT_THRESHOLD})")
    parser.add_argument("--decay", type=float, default=None,
                        help="decay factor d of P_t = d * P_(t-1) + softmax(logits_t) "
                        f"(default: the model's operating point, else {DEFAULT_DECAY})")
    parser.add_argument("--size", type=int, default=None,
                        help="height = width of the model's frames (default: what the card "
                        "or the export says)")
    parser.set_defaults(func=run_stream)


def load_streamer(spec: str, size: int | None = None
                  ) -> tuple[Any, int, list[str], dict[str, Any] | None]:
    """What ``streamnets stream MODEL`` runs: ``(model with step(frames), frame size,
    class names, operating point or None)`` for a pretrained name, a ``.weights.h5`` or an
    exported LiteRT folder (:class:`~streamnets.litert.LiteRTRunner`).

    Args:
        spec: ``MODEL``: a pretrained name, a ``.weights.h5`` with its model card next to
            it, or a folder written by ``streamnets export --format litert|litert-int8``.
        size: ``--size``, the frame height and width; ``None`` takes what the card or the
            export says (an export refuses any other size).
    """
    path = Path(spec)
    if path.is_dir():
        if not is_export(path):
            raise ValueError(
                f"MODEL {spec} is a folder but not a streamnets export (no {METADATA_FILE} "
                "naming its model file); pass a folder written by 'streamnets export', a "
                "pretrained name or a '.weights.h5'.")
        metadata = read_metadata(path)
        if not str(metadata["format"]).startswith("litert"):
            raise ValueError(f"MODEL {spec} is an {metadata['format']} export; 'streamnets "
                             "stream' runs LiteRT exports (litert, litert-int8).")
        runner = LiteRTRunner(path / metadata["model_file"])
        frame_size = int(runner.frame_shape[0])
        if size is not None and size != frame_size:
            raise ValueError(f"--size {size}: the export {spec} takes {frame_size}x"
                             f"{frame_size} frames; drop --size or export at that size.")
        names = list(metadata.get("class_names") or _class_names(int(runner.n_classes)))
        return runner, frame_size, names, metadata.get("operating_point")
    known = (*weights.pretrained_names(), *weights.REMOTE_PRETRAINED)
    if spec not in known and not path.exists():
        raise FileNotFoundError(f"MODEL {spec}: no such file or folder, and not a pretrained "
                                f"name ({', '.join(known)}).")
    model = weights.load_model(spec, None, size)
    card = weights.card_of(spec) or {}
    stream = to_streaming(model)
    return (stream, int(stream.frame_shape[0]), _class_names(int(model.output.shape[-1]), spec),
            card.get("operating_point"))


def resolve_operating_point(decay: float | None, threshold: float | None,
                            point: dict[str, Any] | None) -> tuple[float, float, str | None]:
    """``(decay, threshold, note)``: each from the flag, else the model's operating point,
    else the package default; ``note`` says which defaults were used (``None``: none).

    Args:
        decay: ``--decay``, or ``None`` when not given.
        threshold: ``--threshold``, or ``None`` when not given.
        point: the model's operating point (``decay``, ``threshold``, ...) from its card
            or export metadata, or ``None``; checked by
            :func:`streamnets.export.check_operating_point`.
    """
    point = check_operating_point(point) or {}
    defaults = []
    if decay is None:
        decay = point.get("decay")
        if decay is None:
            decay = DEFAULT_DECAY
            defaults.append(f"decay {DEFAULT_DECAY}")
    if threshold is None:
        threshold = point.get("threshold")
        if threshold is None:
            threshold = DEFAULT_THRESHOLD
            defaults.append(f"threshold {DEFAULT_THRESHOLD}")
    note = None
    if defaults:
        note = (f"the model carries no operating point, so the defaults are used: "
                f"{' and '.join(defaults)} (pass --decay / --threshold to choose)")
    return float(decay), float(threshold), note


def run_stream(args: argparse.Namespace) -> int:
    """Stream frames through the model and the detector; print one JSON line per event.

    Args:
        args: the parsed options of ``streamnets stream`` (:func:`add_stream`).

    Returns:
        The exit code, 0.
    """
    if (args.video is None) == (args.synthetic is None):
        raise ValueError("pass exactly one of --video PATH and --synthetic SEED.")
    _positive("frames", args.frames)
    _positive("size", args.size)
    if args.decay is not None:
        check_decay(args.decay)
    info = video.probe_video(args.video) if args.video is not None else None  # fails early
    model, size, names, point = load_streamer(args.model, args.size)
    decay, threshold, note = resolve_operating_point(args.decay, args.threshold, point)
    # Jester's "No gesture" and "Doing other things" never fire; other label sets have none.
    background = BACKGROUND_CLASSES if names == list(JESTER_CLASSES) else ()
    detector = EventDetector(decay=decay, threshold=threshold, background=background)
    if note:
        print(f"streamnets stream: note: {note}", file=sys.stderr)
    if args.video is not None:
        frames = video.iter_video(args.video, size=size, max_frames=args.frames)
        total = info.model_frames()
        if total is not None and args.frames is not None:
            total = min(total, args.frames)
    else:
        count = args.frames or DEFAULT_STREAM_FRAMES
        frames, _ = data.synthetic_stream(args.synthetic, frames=count, size=size)
        total = count
    seen = events = 0
    started = time.perf_counter()  # reset after the first frame, which traces the step
    with tqdm(frames, total=total, unit="frame", file=sys.stderr, dynamic_ncols=True,
              desc="streaming") as bar:
        for frame in bar:
            logits = model.step(frame[None])[0]
            for detection in detector.update(logits):
                record = {"time_s": detection.time / MODEL_FPS, "frame": detection.frame,
                          "class": names[detection.label], "label": detection.label,
                          "score": round(detection.score, 6)}
                print(json.dumps(record), flush=True)
                events += 1
            seen += 1
            if seen == 1:
                started = time.perf_counter()
    if seen == 0:
        raise ValueError("no frame was streamed.")
    ms = 1000 * (time.perf_counter() - started) / max(seen - 1, 1)
    print(f"streamnets stream: {seen} frames, {events} events, {ms:.2f} ms/frame after the "
          f"first ({1000 / ms / MODEL_FPS:.1f}x real time at {MODEL_FPS:g} fps; decay "
          f"{decay}, threshold {threshold})", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- tune


def add_tune(subparsers: Any) -> None:
    """``streamnets tune MODEL``: the operating point and warm clip accuracy.

    Args:
        subparsers: the top-level parser's ``add_subparsers()`` action, to which the
            subcommand's parser is added (see :data:`COMMANDS`).
    """
    parser = subparsers.add_parser(
        "tune",
        help="pick the detector's operating point on validation streams; score streams "
        "and cold/warm clips",
        description="Stream the validation streams through the model with no reset, sweep "
        "the decay and the threshold, pick the best event recall within the false-trigger "
        "budget, and report that point on the test streams. Also score test clips cold "
        "(from a reset) and warm (after a clip of another class, no reset). With --card, "
        "write both into a copy of the model card (operating_point, clips_cold_warm), "
        "which 'stream' and 'export' then use.",
        formatter_class=FORMATTER,
    )
    parser.add_argument("model", metavar="MODEL",
                        help="a pretrained name or a '.weights.h5' with its model card")
    parser.add_argument("--streams", type=int, default=operating_point.DEFAULT_STREAMS,
                        help="validation streams to pick on, and as many test streams")
    parser.add_argument("--frames", type=int, default=operating_point.DEFAULT_STREAM_FRAMES,
                        help="frames per stream (at 6 fps)")
    parser.add_argument("--max-false-per-minute", type=float,
                        default=operating_point.MAX_FALSE_PER_MINUTE,
                        help="false-trigger budget of the pick")
    parser.add_argument("--clips", type=int, default=540,
                        help="test clips scored cold and warm (0: skip)")
    parser.add_argument("--card", type=Path, default=None,
                        help="write the model card with the results added to this path "
                        "(it may be the card itself)")
    parser.set_defaults(func=run_tune)


def run_tune(args: argparse.Namespace) -> int:
    """Operating point on streams, cold and warm clips; optionally into a card.

    Args:
        args: the parsed options of ``streamnets tune`` (:func:`add_tune`), with ``argv``,
            the command's arguments, added by :func:`main` (recorded in the card).

    Returns:
        The exit code, 0.
    """
    _positive("streams", args.streams)
    _positive("frames", args.frames)
    _positive("clips", args.clips, minimum=0)
    if not args.max_false_per_minute > 0:
        raise ValueError(f"--max-false-per-minute must be > 0, got {args.max_false_per_minute}.")
    card = weights.card_of(args.model)
    if args.card is not None and card is None:
        raise ValueError(f"{args.model} has no model card to add the results to.")
    check_output_file(args.card, "--card")
    started = time.perf_counter()
    model = weights.load_model(args.model)
    runner = to_streaming(model)
    size = int(runner.frame_shape[0])
    point = operating_point.tune(runner, args.streams, args.frames, size,
                                 args.max_false_per_minute)
    test = point["test"]
    print(f"operating point: decay {point['decay']}, threshold {point['threshold']} "
          f"(picked on {args.streams} validation streams); test streams: recall "
          f"{test['recall']:.3f}, precision {test['precision'] or 0:.3f}, "
          f"{test['false_triggers_per_minute']:.2f} false triggers/min, median delay "
          f"{(test['delay_frames'] or {}).get('median', float('nan')):.1f} frames")
    clips = None
    if args.clips:
        clip_set = warm.warm_clip_set(args.clips, frames=int(model.input_shape[1] or 16),
                                      size=size)
        clips = warm.score_cold_warm(runner, clip_set)
        for start in ("cold", "warm"):
            scores = clips[start]
            print(f"{start} clips: accuracy {scores['all']['clip_accuracy']:.4f}, mirror pairs "
                  f"{scores['mirror_pairs']['clip_accuracy']:.4f}, frame 1 "
                  f"{scores['all']['first_frame_accuracy']:.4f}")
    seconds = time.perf_counter() - started
    if args.card is not None:
        record = {"command": shlex.join(["streamnets", *args.argv]), **provenance(),
                  "seconds": round(seconds, 1)}
        card = {**card, "operating_point": {**point, **record}}
        if clips is not None:
            card["clips_cold_warm"] = {**clips, **record}
        write_json(args.card, card)
        print(f"wrote {args.card}")
    return 0


# --------------------------------------------------------------------------- main

#: Every subcommand's ``add_<name>(subparsers)``; new subcommands append theirs here.
COMMANDS: list[Callable[[Any], None]] = [add_train, add_evaluate, add_tune, add_export,
                                          add_stream]

#: What counts as a user error: reported in one line, exit code 2.
USER_ERRORS = (ValueError, OSError, ImportError, DownloadError)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="streamnets",
        description="Efficient spatiotemporal networks for streaming gesture recognition.",
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error instead of one line")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(subparsers)
    return parser


def one_line(error: BaseException) -> str:
    """``error``'s message on one line (the CLI's error policy).

    Args:
        error: the exception; runs of whitespace (newlines included) become one space,
            and an empty message gives the exception's type name.
    """
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``streamnets`` console script.

    Args:
        argv: the command's arguments without the program name; ``None`` reads
            ``sys.argv[1:]``.

    Returns:
        The exit code: the subcommand's (0), 2 for a user error (reported in one line
        on stderr), 130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = [a for a in argv if a != "--debug"]  # the exact command, for model cards
    try:
        return args.func(args)
    except USER_ERRORS as error:
        if args.debug:
            traceback.print_exc()
        hint = "" if args.debug else " (streamnets --debug ... shows the traceback)"
        print(f"streamnets {args.command}: error: {one_line(error)}{hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"streamnets {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
