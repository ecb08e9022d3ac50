"""Training and evaluation with a per-frame ("temporal") loss, BrainChip's recipe.

The gesture model predicts a class at every frame, so training repeats the clip label
at every frame and averages the cross-entropy over frames (with label smoothing): the
network is pushed to be right as early as the evidence allows, which is what a
streaming model needs. The recipe follows BrainChip's training code: AdamW (weight
decay 1e-3, epsilon 1e-8), peak learning rate ``batch_size * 0.008 / 32``, cosine decay
after a linear warm-up over the first 2.5% of steps, floor 1e-5.

:func:`fit` runs ``model.fit`` one "epoch" (= one checkpoint interval) at a time under a
``tf.distribute`` strategy. After every epoch it writes a checkpoint (weights, optimizer
state, step, history) atomically, so a killed run resumes exactly where it stopped: the
data of epoch ``e`` depends only on ``(seed, e)``, not on how often the run restarted.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from streamnets import distribute, smoothing
from streamnets.files import write_json

LABEL_SMOOTHING = 0.1
#: Peak learning rate per 32 clips; scaled linearly with the batch size.
LEARNING_RATE_PER_32 = 0.008
WEIGHT_DECAY = 1e-3
ADAM_EPSILON = 1e-8
WARMUP_FRACTION = 0.025
MIN_LEARNING_RATE = 1e-5

#: Builds the (finite or endless) training data of one epoch from its index.
EpochData = Callable[[int], tf.data.Dataset]


# --------------------------------------------------------------------------- loss, metric


def _clip_labels(y_true: Any) -> Any:
    """Labels as a flat int vector, whether given as ``(B,)`` or ``(B, 1)``."""
    return ops.reshape(ops.cast(y_true, "int32"), (-1,))


def _frame_labels(y_true: Any) -> Any:
    """``(B, T)`` int labels: per-frame targets as given, or a clip's label at every frame.

    ``(B, T)`` with ``T > 1`` are per-frame targets (stream windows); ``(B,)`` and
    ``(B, 1)`` are one label per clip, repeated at every frame (BrainChip's loss).
    """
    if len(y_true.shape) == 2 and y_true.shape[1] != 1:
        return ops.cast(y_true, "int32")
    return ops.expand_dims(_clip_labels(y_true), 1)


@keras.saving.register_keras_serializable("streamnets")
class TemporalCrossEntropy(keras.losses.Loss):
    """Cross-entropy of per-frame logits ``(B, T, C)`` against one label per clip ``(B,)``
    or per frame ``(B, T)``.

    A clip's label is repeated at every frame (BrainChip's loss); per-frame targets (stream
    windows, :func:`streamnets.data.stream_window`) are used as they are. Targets are
    smoothed (``label_smoothing`` of the mass spread evenly over all classes), and the
    cross-entropy is averaged over frames: one value per clip, then over the batch.

    Args:
        label_smoothing: the share of the target mass spread evenly over all classes, in
            ``[0, 1)``; 0.1 (BrainChip's) by default.
        name: the loss name Keras logs.
        **kwargs: passed to :class:`keras.losses.Loss` (e.g. ``reduction``).
    """

    def __init__(
        self,
        label_smoothing: float = LABEL_SMOOTHING,
        name: str = "temporal_crossentropy",
        **kwargs: Any,
    ) -> None:
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}.")
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        n_classes = ops.shape(y_pred)[-1]
        targets = ops.one_hot(_frame_labels(y_true), n_classes, dtype=y_pred.dtype)
        targets = targets * (1.0 - self.label_smoothing) + self.label_smoothing / ops.cast(
            n_classes, y_pred.dtype
        )
        targets = ops.broadcast_to(targets, ops.shape(y_pred))
        per_frame = keras.losses.categorical_crossentropy(targets, y_pred, from_logits=True)
        return ops.mean(per_frame, axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def frame_matches(y_true: Any, y_pred: Any) -> Any:
    """``(B, T)`` float: 1 where a frame's own argmax equals its label (the clip's, or the
    frame's own for per-frame targets).

    Args:
        y_true: integer labels, one per clip ``(B,)`` or ``(B, 1)``, or per frame
            ``(B, T)``.
        y_pred: per-frame logits (or probabilities) ``(B, T, C)``.
    """
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), "int32")
    return ops.cast(ops.equal(predicted, _frame_labels(y_true)), "float32")


@keras.saving.register_keras_serializable("streamnets")
class FrameAccuracy(keras.metrics.MeanMetricWrapper):
    """Per-frame ("temporal") accuracy: the fraction of all frames classified right.

    Early frames come before the gesture, so this is far below the clip accuracy after
    decay smoothing; it is the number BrainChip reports as "temporal accuracy".

    Args:
        name: the metric name Keras logs.
        dtype: the dtype of the metric's running mean; ``None``: Keras' default (float32).
    """

    def __init__(self, name: str = "frame_accuracy", dtype: Any = None) -> None:
        super().__init__(fn=frame_matches, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


# ----------------------------------------------------------------------- recipe


def peak_learning_rate(batch_size: int) -> float:
    """BrainChip's linear scaling rule: 0.008 per 32 clips.

    Args:
        batch_size: the global batch size in clips (>= 1).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
    return batch_size * LEARNING_RATE_PER_32 / 32


def learning_rate_schedule(
    total_steps: int,
    batch_size: int,
    warmup_fraction: float = WARMUP_FRACTION,
    min_learning_rate: float = MIN_LEARNING_RATE,
    peak: float | None = None,
) -> keras.optimizers.schedules.CosineDecay:
    """Linear warm-up from ``min_learning_rate`` to the peak (default: BrainChip's rule,
    :func:`peak_learning_rate`; lower for fine-tuning), then cosine decay to it.

    Args:
        total_steps: optimizer steps of the whole run (>= 2), warm-up included.
        batch_size: the global batch size, which sets the default peak.
        warmup_fraction: the share of ``total_steps`` spent warming up (at least one step,
            at most ``total_steps - 1``); 2.5% by default.
        min_learning_rate: the start of the warm-up and the floor of the decay, in
            ``(0, peak)``.
        peak: the learning rate reached after the warm-up; ``None`` for
            :func:`peak_learning_rate` of ``batch_size``.
    """
    if total_steps < 2:
        raise ValueError(f"total_steps must be >= 2 for a warm-up and a decay, got {total_steps}.")
    peak = peak_learning_rate(batch_size) if peak is None else float(peak)
    if not 0 < min_learning_rate < peak:
        raise ValueError(
            f"min_learning_rate must be in (0, peak={peak:g}) for batch_size={batch_size}, "
            f"got {min_learning_rate:g}."
        )
    warmup = min(total_steps - 1, max(1, round(total_steps * warmup_fraction)))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=min_learning_rate,
        decay_steps=total_steps - warmup,
        alpha=min_learning_rate / peak,
        warmup_target=peak,
        warmup_steps=warmup,
    )


def make_optimizer(total_steps: int, batch_size: int, peak: float | None = None
                   ) -> keras.optimizers.AdamW:
    """AdamW with BrainChip's weight decay, epsilon and schedule (``peak``: see
    :func:`learning_rate_schedule`).

    Args:
        total_steps: optimizer steps of the whole run (>= 2).
        batch_size: the global batch size, which sets the default peak learning rate.
        peak: the peak learning rate; ``None`` for :func:`peak_learning_rate`.
    """
    return keras.optimizers.AdamW(
        learning_rate=learning_rate_schedule(total_steps, batch_size, peak=peak),
        weight_decay=WEIGHT_DECAY,
        epsilon=ADAM_EPSILON,
    )


def compile_for_training(
    model: keras.Model,
    total_steps: int,
    batch_size: int,
    label_smoothing: float = LABEL_SMOOTHING,
    peak: float | None = None,
) -> keras.Model:
    """Compile ``model`` with the temporal loss, the frame metric and the recipe's optimizer.

    Call it inside the strategy's scope (``fit`` does), so the optimizer's variables are
    mirrored like the model's. Under several replicas the BN layers are switched to
    synchronized statistics: every replica then normalizes with the global batch's
    moments, which makes an N-device step the same computation as a one-device step.

    Args:
        model: the uncompiled model, e.g. :func:`streamnets.models.gesture_net`; it is
            compiled in place and returned.
        total_steps: optimizer steps of the whole run, for the schedule.
        batch_size: the global batch size, for the default peak learning rate.
        label_smoothing: the loss's label smoothing, in ``[0, 1)``.
        peak: the peak learning rate; ``None`` for :func:`peak_learning_rate`.
    """
    if tf.distribute.get_strategy().num_replicas_in_sync > 1:
        for layer in model.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.synchronized = True
    model.compile(
        optimizer=make_optimizer(total_steps, batch_size, peak),
        loss=TemporalCrossEntropy(label_smoothing),
        metrics=[FrameAccuracy()],
        jit_compile=False,  # XLA was 3x slower on a small CPU (DESIGN §10)
    )
    return model


# ----------------------------------------------------------------------- input checks


def check_labels(labels: Any, n_classes: int, where: str | None = None) -> np.ndarray:
    """Raise ``ValueError`` unless every label is an int in ``[0, n_classes)``; ``where``
    (e.g. the dataset's name and batch) starts the message.

    Args:
        labels: class indices, any shape (an empty array passes).
        n_classes: the number of classes the model predicts.
        where: what the labels are, prefixed to the error message; ``None`` for nothing.

    Returns:
        ``labels`` as a numpy array.
    """
    labels = np.asarray(labels)
    prefix = f"{where}: " if where else ""
    if labels.size and (not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(
            f"{prefix}labels must be integers, got dtype {labels.dtype} (first values "
            f"{labels.ravel()[:5].tolist()})."
        )
    bad = labels[(labels < 0) | (labels >= n_classes)]
    if bad.size:
        raise ValueError(
            f"{prefix}labels must be in [0, {n_classes}) for a {n_classes}-class model; found "
            f"{sorted(set(bad.tolist()))[:10]}. Check the dataset's class list or n_classes."
        )
    return labels


def check_dataset(dataset: tf.data.Dataset, what: str) -> tf.data.Dataset:
    """``dataset`` itself, if it is a ``tf.data.Dataset`` not known to be empty.

    Args:
        dataset: the dataset of ``(clips, labels)`` batches to check.
        what: its name in the error message (e.g. ``"validation_data"``).
    """
    if not isinstance(dataset, tf.data.Dataset):
        raise ValueError(f"{what} must be a tf.data.Dataset of (clips, labels) batches.")
    if dataset.cardinality() == 0:
        raise ValueError(f"{what} is empty: it yields no batches.")
    return dataset


def checked_dataset(dataset: tf.data.Dataset, n_classes: int, what: str) -> tf.data.Dataset:
    """``dataset`` of ``(clips, labels)`` with a label range check on every batch.

    For ``model.fit``, which iterates in-graph; a bad label raises TF's
    ``InvalidArgumentError`` there. :func:`predict_logits` checks on the host instead,
    which gives a ``ValueError``.

    Args:
        dataset: ``(clips, labels)`` batches; labels become int32.
        n_classes: the number of classes the model predicts.
        what: the dataset's name in the error messages.
    """
    check_dataset(dataset, what)

    def check(clips: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        labels = tf.cast(labels, tf.int32)
        message = f"{what}: labels must be in [0, {n_classes}) for a {n_classes}-class model"
        with tf.control_dependencies(
            [
                tf.debugging.assert_non_negative(labels, message=message),
                tf.debugging.assert_less(labels, n_classes, message=message),
            ]
        ):
            return clips, tf.identity(labels)

    return dataset.map(check)


# ----------------------------------------------------------------------- evaluation


def predict_logits(
    model: keras.Model, dataset: tf.data.Dataset, what: str = "dataset"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame logits ``(N, T, C)`` and labels ``(N,)`` over a finite dataset.

    Labels are checked per batch on the host (they are numpy here anyway), so a label
    beyond the model's classes is a ``ValueError`` naming ``what``, not a TF traceback.

    Args:
        model: a clip model with per-frame logits ``(B, T, C)``.
        dataset: a finite dataset of ``(clips, labels)`` batches, one label per clip; a
            short last batch is padded (one traced shape) and the padding dropped.
        what: the dataset's name in error messages.
    """
    n_classes = int(model.output.shape[-1])
    logits, labels, full = [], [], None
    for batch, (clips, batch_labels) in enumerate(check_dataset(dataset, what)):
        batch_labels = check_labels(
            np.asarray(batch_labels).reshape(-1), n_classes, f"{what}, batch {batch}"
        )
        clips = np.asarray(clips)
        full = full or len(clips)
        # A short last batch is padded to the full size: one traced shape, no retracing.
        padded = np.concatenate([clips, np.zeros((full - len(clips), *clips.shape[1:]),
                                                 clips.dtype)]) if len(clips) < full else clips
        logits.append(np.asarray(model.predict_on_batch(padded))[: len(clips)])
        labels.append(batch_labels)
    if not logits:
        raise ValueError(f"{what} is empty: it yields no batches.")
    return np.concatenate(logits), np.concatenate(labels)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    """``(n_classes, n_classes)`` counts; row = true class, column = predicted class.

    Args:
        labels: the true class of each clip, integers in ``[0, n_classes)``.
        predictions: the predicted class of each clip, the same shape.
        n_classes: the number of classes.
    """
    labels = check_labels(labels, n_classes)
    predictions = check_labels(predictions, n_classes)
    return np.bincount(labels * n_classes + predictions, minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


def evaluate_logits(
    logits: np.ndarray,
    labels: np.ndarray,
    decay: float = smoothing.DEFAULT_DECAY,
    label_smoothing: float = LABEL_SMOOTHING,
) -> dict[str, Any]:
    """Every number the book reports about a set of predictions.

    ``frame_accuracy`` (each frame's own argmax), ``frame_accuracy_by_index`` (the same
    per frame position), ``clip_accuracy`` (decay-smoothed prediction after the last
    frame), ``accuracy_vs_frames`` (clip accuracy if decided after 1..T frames),
    ``per_class_accuracy`` (clip accuracy per true class; NaN for
    classes absent from ``labels``), the ``confusion`` matrix and the mean ``loss``.

    Args:
        logits: per-frame logits ``(N, T, C)``: clips, frames, classes.
        labels: the true class of each clip, integers in ``[0, C)``, shape ``(N,)``.
        decay: the smoothing's decay factor in ``[0, 1]`` behind the clip accuracies.
        label_smoothing: the label smoothing of the reported ``loss``
            (:class:`TemporalCrossEntropy`).
    """
    logits = np.asarray(logits)
    n_classes = logits.shape[-1]
    labels = check_labels(labels, n_classes)
    logits, labels = smoothing.check_clip_labels(logits, labels)
    predictions = smoothing.clip_predictions(logits, decay)
    confusion = confusion_matrix(labels, predictions, n_classes)
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(totals > 0, np.diag(confusion) / np.maximum(totals, 1), np.nan)
    loss = TemporalCrossEntropy(label_smoothing)(labels, logits.astype("float32"))
    return {
        "clips": int(len(labels)),
        "decay": float(decay),
        "loss": float(loss),
        "frame_accuracy": smoothing.frame_accuracy(logits, labels),
        "frame_accuracy_by_index": (logits.argmax(-1) == labels[:, None]).mean(0).tolist(),
        "clip_accuracy": smoothing.clip_accuracy(logits, labels, decay),
        "accuracy_vs_frames": smoothing.accuracy_vs_frames(logits, labels, decay).tolist(),
        "per_class_accuracy": per_class.tolist(),
        "confusion": confusion.tolist(),
    }


def mirror_pair_classes() -> list[int]:
    """Indices of the classes that belong to a mirror pair (same motion, reversed)."""
    from streamnets.data import MIRROR_PAIRS, class_index

    return [class_index(name) for pair in MIRROR_PAIRS for name in pair]


def evaluate_classes(
    logits: np.ndarray,
    labels: np.ndarray,
    classes: list[int],
    decay: float = smoothing.DEFAULT_DECAY,
) -> dict[str, Any]:
    """:func:`evaluate_logits` restricted to the clips whose label is in ``classes``.

    Args:
        logits: per-frame logits ``(N, T, C)``.
        labels: the true class of each clip, shape ``(N,)``.
        classes: the class indices to keep (e.g. :func:`mirror_pair_classes`); at least
            one clip must have one of them.
        decay: the smoothing's decay factor in ``[0, 1]``.
    """
    logits, labels = smoothing.check_clip_labels(logits, labels)
    keep = np.isin(labels, classes)
    if not keep.any():
        raise ValueError(f"no clip has a label in {classes}: nothing to score.")
    return evaluate_logits(logits[keep], labels[keep], decay)


def evaluate(
    model: keras.Model,
    dataset: tf.data.Dataset,
    decay: float = smoothing.DEFAULT_DECAY,
    what: str = "dataset",
) -> dict[str, Any]:
    """:func:`evaluate_logits` of ``model`` over a finite ``dataset`` (``what`` names it in
    errors).

    Args:
        model: a clip model with per-frame logits ``(B, T, C)``.
        dataset: a finite dataset of ``(clips, labels)`` batches, one label per clip.
        decay: the smoothing's decay factor in ``[0, 1]``.
        what: the dataset's name in error messages.
    """
    logits, labels = predict_logits(model, dataset, what)
    return evaluate_logits(logits, labels, decay)


# ----------------------------------------------------------------------- checkpoints


def local_copy(model: keras.Model) -> keras.Model:
    """An uncompiled copy of ``model`` on this machine only (no strategy), with its weights:
    predicting with a multi-worker model would shard the data across the workers.

    Args:
        model: a model rebuildable from its config (functional or sequential).
    """
    clean = model.__class__.from_config(model.get_config())
    clean.set_weights(model.get_weights())
    return clean


def save_weights(model: keras.Model, path: str | os.PathLike) -> None:
    """The model's weights without optimizer state, written through a temp file.

    A compiled model's weights file also carries the optimizer's moments (3x the size);
    an uncompiled clone keeps only what inference needs.

    Args:
        model: the (possibly compiled) model.
        path: the file to write, ending in ``.weights.h5`` (Keras requires it); its
            folder is created if needed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    local_copy(model).save_weights(tmp)  # clone_model would keep the optimizer
    os.replace(tmp, path)


CHECKPOINT_PREFIX = "step-"


def latest_checkpoint(checkpoint_dir: str | os.PathLike) -> Path | None:
    """The newest complete checkpoint in ``checkpoint_dir`` (``None`` if there is none).

    Args:
        checkpoint_dir: the folder of ``step-NNNNNNN/`` checkpoints; one counts when it
            holds ``state.json``. A missing folder means none.
    """
    directory = Path(checkpoint_dir)
    if not directory.is_dir():
        return None
    done = sorted(
        p for p in directory.glob(f"{CHECKPOINT_PREFIX}*") if (p / "state.json").is_file()
    )
    return done[-1] if done else None


def save_checkpoint(
    checkpoint_dir: Path, model: keras.Model, state: dict[str, Any], keep: int = 2
) -> Path:
    """Weights, optimizer state and ``state`` in ``step-NNNNNNN/``, written atomically.

    Keras' weights file of a compiled model holds the optimizer's variables too (step
    counter, moments). Everything goes to a temporary folder first, then one ``rename``
    publishes it, so :func:`latest_checkpoint` never sees a half-written checkpoint. Only
    the newest ``keep`` checkpoints are kept.

    Args:
        checkpoint_dir: the folder of checkpoints, created if needed.
        model: the compiled model; its weights file carries the optimizer state.
        state: JSON-serialisable progress, with at least an int ``step`` (which names the
            folder); :func:`fit` adds ``epoch``, ``elapsed_s``, ``config`` and ``history``.
        keep: how many of the newest checkpoints to keep (>= 1), this one included.

    Raises:
        ValueError: ``keep`` is below 1 (the checkpoint just written would be deleted).
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ValueError(f"keep must be an int >= 1 (checkpoints to keep), got {keep!r}.")
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    final = checkpoint_dir / f"{CHECKPOINT_PREFIX}{state['step']:07d}"
    tmp = Path(tempfile.mkdtemp(dir=checkpoint_dir, prefix=".tmp-"))
    model.save_weights(tmp / "model.weights.h5")
    (tmp / "state.json").write_text(json.dumps(state, indent=1))
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    for old in sorted(checkpoint_dir.glob(f"{CHECKPOINT_PREFIX}*"))[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def restore_checkpoint(path: Path, model: keras.Model, config: TrainConfig) -> dict[str, Any]:
    """Load weights and optimizer state from ``path`` into a compiled ``model``.

    Refuses a checkpoint written with another :class:`TrainConfig`: its schedule and data
    stream would not continue the same run.

    Args:
        path: a checkpoint folder, e.g. from :func:`latest_checkpoint`.
        model: the model, compiled like the run that wrote it (:func:`compile_for_training`).
        config: this run's settings; they must equal the checkpoint's.

    Returns:
        The checkpoint's ``state`` (see :func:`save_checkpoint`).
    """
    state = json.loads((path / "state.json").read_text())
    if state["config"] != asdict(config):
        raise ValueError(
            f"{path} was written with config {state['config']}, not {asdict(config)}: "
            "resume with the same settings or use a fresh out_dir."
        )
    model.optimizer.build(model.trainable_variables)  # so its variables exist to be loaded
    model.load_weights(path / "model.weights.h5")
    return state


# ----------------------------------------------------------------------- fit


@dataclass(frozen=True)
class TrainConfig:
    """How long and how to train; saved in every checkpoint and in the history."""

    steps: int
    batch_size: int = 16
    steps_per_epoch: int = 100
    validate_every: int = 3
    seed: int = 0
    label_smoothing: float = LABEL_SMOOTHING
    #: Peak learning rate; ``None``: BrainChip's rule for the batch size.
    learning_rate: float | None = None

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "steps_per_epoch", "validate_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}.")
        if self.learning_rate is not None and not self.learning_rate > MIN_LEARNING_RATE:
            raise ValueError(f"learning_rate (the peak) must be above {MIN_LEARNING_RATE:g}, "
                             f"got {self.learning_rate}.")
        if self.steps % self.steps_per_epoch:
            raise ValueError(
                f"steps ({self.steps}) must be a multiple of steps_per_epoch "
                f"({self.steps_per_epoch}): checkpoints are written at epoch ends."
            )

    @property
    def epochs(self) -> int:
        return self.steps // self.steps_per_epoch


def chain_histories(*histories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One history for runs that continued each other (``--init-weights``), oldest first.

    Steps and clips count from the start of the first run; ``stage`` (1, 2, ...) says which
    run a row comes from.
    """
    chained: list[dict[str, Any]] = []
    for history in histories:
        last = chained[-1] if chained else {"step": 0, "clips": 0, "stage": 0}
        chained += [
            {
                **row,
                "stage": last["stage"] + row.get("stage", 1),  # already chained: keep stages
                "step": row["step"] + last["step"],
                "clips": row["clips"] + last["clips"],
            }
            for row in history
        ]
    return chained


def training_stages(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``training`` sections of a model card and of the runs it continued, oldest first.

    Args:
        card: a model card (dict); each ``training`` section may hold the one it continued
            under ``init_training``.
    """
    stages = []
    training = card.get("training")
    while training:
        stages.insert(0, training)
        training = training.get("init_training")
    return stages


def learning_rate_curve(stages: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Step (counted across stages) and learning rate of every step of chained runs.

    Args:
        stages: ``training`` sections, oldest first (:func:`training_stages`); each has a
            ``config`` with ``steps``, ``batch_size`` and optionally ``learning_rate``.

    Returns:
        ``(steps, learning_rates)``, two 1-D arrays of the same length.
    """
    steps, rates, offset = [], [], 0
    for training in stages:
        config = training["config"]
        schedule = learning_rate_schedule(config["steps"], config["batch_size"],
                                          peak=config.get("learning_rate"))
        local = np.arange(config["steps"])
        steps.append(local + offset)
        rates.append(np.array([float(schedule(step)) for step in local]))
        offset += config["steps"]
    return np.concatenate(steps), np.concatenate(rates)


def machine_description() -> dict[str, Any]:
    """Where a run happened: enough to put a wall time in context."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "devices": [d.name for d in tf.config.list_logical_devices()],
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


class _OneEpoch(keras.callbacks.Callback):
    """Stops ``fit`` after one epoch and notes the step and learning rate reached.

    ``fit`` is called with the run's full epoch count (so the progress bar reads
    "Epoch 4/15") and one epoch's data; :func:`fit` then checkpoints and builds the next
    epoch's data from the epoch index.
    """

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        optimizer = self.model.optimizer
        self.learning_rate = float(ops.convert_to_numpy(optimizer.learning_rate))
        self.step = int(ops.convert_to_numpy(optimizer.iterations))
        self.model.stop_training = True


def fit(
    build_model: Callable[[], keras.Model],
    train_data: EpochData,
    config: TrainConfig,
    out_dir: str | os.PathLike,
    validation_data: tf.data.Dataset | None = None,
    strategy: tf.distribute.Strategy | None = None,
    verbose: int | str = "auto",
    stop_after_epochs: int | None = None,
) -> tuple[keras.Model, list[dict[str, Any]]]:
    """Train (or resume training) a model; return it and its per-epoch history.

    Args:
        build_model: returns a fresh, uncompiled model; called inside the strategy scope.
        train_data: ``epoch -> tf.data.Dataset`` of ``(clips, labels)`` batches of size
            ``config.batch_size`` (global batch), at least ``steps_per_epoch`` of them.
            It should depend only on the epoch index, so a resumed run sees the same data.
        config: steps, batch size, checkpoint interval, validation frequency, seed.
        out_dir: receives ``checkpoints/step-NNNNNNN/`` (resumed from automatically) and
            ``history.json``, rewritten after every epoch.
        validation_data: a small fixed, finite dataset; evaluated (loss, frame accuracy,
            clip accuracy with decay 0.8) every ``validate_every`` epochs and at the end.
        strategy: a ``tf.distribute.Strategy``; default: the current (one-device) one.
            Under a multi-worker strategy (:mod:`streamnets.distribute`), ``train_data``
            gives this worker's share of every global batch
            (:func:`~streamnets.distribute.worker_share`), each worker keeps its own checkpoints
            (``checkpoints/`` on the chief, ``checkpoints/worker-K/`` on worker K, so a
            restarted job resumes everywhere, with or without a shared disk) and only
            the chief validates and writes ``history.json``.
        verbose: Keras progress bar setting.
        stop_after_epochs: stop after this many epochs in this call (to test resuming).
    """
    out_dir = Path(out_dir)
    strategy = strategy or tf.distribute.get_strategy()
    workers, worker = distribute.worker_of(strategy)
    checkpoint_dir = out_dir / "checkpoints"
    if worker:
        checkpoint_dir = checkpoint_dir / f"worker-{worker}"
    keras.utils.set_random_seed(config.seed)
    with strategy.scope():
        model = build_model()
        n_classes = int(model.output.shape[-1])
        compile_for_training(model, config.steps, config.batch_size, config.label_smoothing,
                             config.learning_rate)
        start_epoch, history, elapsed = 0, [], 0.0
        checkpoint = latest_checkpoint(checkpoint_dir)
        if checkpoint is not None:
            state = restore_checkpoint(checkpoint, model, config)
            start_epoch, history, elapsed = state["epoch"], state["history"], state["elapsed_s"]
            print(f"Resuming from {checkpoint} (epoch {start_epoch}, step {state['step']}).")
    if validation_data is not None and worker:
        validation_data = None  # the chief validates; the others go on training
    if validation_data is not None:
        validation_data = check_dataset(validation_data, "validation_data")
    end_epoch = config.epochs
    if stop_after_epochs is not None:
        end_epoch = min(end_epoch, start_epoch + stop_after_epochs)
    log = _OneEpoch()
    for epoch in range(start_epoch, end_epoch):
        data = checked_dataset(train_data(epoch), n_classes, "training data").take(
            config.steps_per_epoch)
        started = time.perf_counter()
        if workers > 1:  # Model.fit cannot (distribute.train_step_function says why)
            if epoch == start_epoch:
                distribute.build_for_training(model, strategy, data.element_spec)
                step = distribute.train_step_function(model, strategy)
            log.set_model(model)
            logs = distribute.train_steps(
                model, step,
                distribute.distribute_worker_batches(strategy, data, config.batch_size),
                config.steps_per_epoch)
            log.on_epoch_end(epoch)
        else:
            result = model.fit(
                data,
                epochs=config.epochs,
                initial_epoch=epoch,
                steps_per_epoch=config.steps_per_epoch,
                callbacks=[log],
                verbose=verbose,
            )
            logs = {name: float(values[-1]) for name, values in result.history.items()}
        seconds = time.perf_counter() - started
        if log.step != (epoch + 1) * config.steps_per_epoch:
            raise ValueError(
                f"epoch {epoch} ran {log.step - epoch * config.steps_per_epoch} of "
                f"{config.steps_per_epoch} steps: the training data ran out. Give an "
                "endless dataset or at least steps_per_epoch batches per epoch."
            )
        elapsed += seconds
        row = {
            "epoch": epoch + 1,
            "step": log.step,
            "clips": log.step * config.batch_size,
            "learning_rate": log.learning_rate,
            "seconds": seconds,
            "clips_per_second": config.steps_per_epoch * config.batch_size / seconds,
            **logs,
        }
        last = epoch + 1 == config.epochs
        if validation_data is not None and ((epoch + 1) % config.validate_every == 0 or last):
            metrics = evaluate(local_copy(model) if workers > 1 else model,
                               validation_data, what="validation_data")
            row.update(
                val_loss=metrics["loss"],
                val_frame_accuracy=metrics["frame_accuracy"],
                val_clip_accuracy=metrics["clip_accuracy"],
            )
            print(
                f"step {log.step}: val_loss {metrics['loss']:.4f}, "
                f"val_frame_accuracy {metrics['frame_accuracy']:.4f}, "
                f"val_clip_accuracy {metrics['clip_accuracy']:.4f}",
                flush=True,
            )
        history.append(row)
        state = {
            "epoch": epoch + 1,
            "step": log.step,
            "elapsed_s": elapsed,
            "config": asdict(config),
            "history": history,
        }
        save_checkpoint(checkpoint_dir, model, state)
        if not worker:
            write_json(out_dir / "history.json", history)
    return model, history
