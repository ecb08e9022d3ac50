"""Training beyond one machine: ``tf.distribute.MultiWorkerMirroredStrategy`` from ``TF_CONFIG``.

Every machine (worker) runs the same ``streamnets train ... --strategy multiworker`` command
with its own ``TF_CONFIG``, the JSON that names the cluster and this worker's place in it::

    TF_CONFIG='{"cluster": {"worker": ["host1:2222", "host2:2222"]},
                "task": {"type": "worker", "index": 0}}'

The workers keep identical weights: each computes the gradient of its share of every
global batch, an all-reduce sums them (the loss is scaled by the number of replicas), and
every worker applies the same update. What this module adds to TensorFlow's strategy:

* **Input sharded per worker**: worker ``k`` of ``n`` takes slice ``k`` of every global
  batch (:func:`worker_share`), so the workers' batches together are exactly the batches of
  a one-machine run with the same global batch size.
* **Batch statistics over the global batch**: :func:`streamnets.train.compile_for_training`
  switches batch normalization to synchronized moments under several replicas, so a step
  is the one-machine step, not an average of smaller-batch ones.
* **Model.fit's multi-worker bugs avoided**: :func:`train_step_function` runs Keras' own
  training step without ``fit`` (keras-team/keras#20585).
* **One chief**: the ``"chief"`` task, else worker 0 (index 0 of :func:`worker_of`),
  writes the weights, the history and the model card; every worker keeps its own
  checkpoints so a restarted job resumes on every machine (see
  :func:`streamnets.train.fit`).
"""

from __future__ import annotations

import json
import os
from typing import Any

import keras
import tensorflow as tf

TF_CONFIG = "TF_CONFIG"
#: ``TF_CONFIG`` example shown in errors.
TF_CONFIG_EXAMPLE = ('{"cluster": {"worker": ["host1:2222", "host2:2222"]}, '
                     '"task": {"type": "worker", "index": 0}}')


def read_tf_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """``TF_CONFIG`` parsed and checked, so that a typo is a clear error, not a hang.

    Args:
        environ: the environment to read ``TF_CONFIG`` from; ``None`` reads
            :data:`os.environ`.

    Raises:
        ValueError: it is missing, not JSON, or does not name a cluster with workers and
            this task's type and index in it.
    """
    raw = (os.environ if environ is None else environ).get(TF_CONFIG)
    hint = f"set it on every worker, e.g. {TF_CONFIG}='{TF_CONFIG_EXAMPLE}'"
    if not raw:
        raise ValueError(f"--strategy multiworker needs the {TF_CONFIG} environment variable; "
                         f"{hint}.")
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"{TF_CONFIG} is not valid JSON ({error}); {hint}.") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not cluster.get("worker") and not cluster.get("chief"):
        raise ValueError(f"{TF_CONFIG} has no 'cluster' with a 'worker' list; {hint}.")
    if not isinstance(task, dict) or task.get("type") not in cluster or not isinstance(
            task.get("index"), int) or not 0 <= task["index"] < len(cluster[task["type"]]):
        raise ValueError(f"{TF_CONFIG} 'task' must name this process's type (one of "
                         f"{sorted(cluster)}) and its index in that list, got {task!r}; "
                         f"{hint}.")
    return config


def multiworker_strategy() -> tf.distribute.MultiWorkerMirroredStrategy:
    """The strategy for the cluster in ``TF_CONFIG`` (checked first). Create it before any
    other TensorFlow work: it configures the runtime's collective operations."""
    read_tf_config()
    return tf.distribute.MultiWorkerMirroredStrategy()


def worker_of(strategy: tf.distribute.Strategy) -> tuple[int, int]:
    """``(workers, this worker's index)``: ``(1, 0)`` on one machine; the chief is 0.

    Args:
        strategy: the distribution strategy; one without a cluster resolver (or with an
            empty cluster) counts as one machine.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    spec = resolver.cluster_spec().as_dict() if resolver is not None else {}
    if not spec:
        return 1, 0
    has_chief = "chief" in spec
    workers = len(spec.get("worker", [])) + len(spec.get("chief", []))
    if resolver.task_type == "chief":
        return workers, 0
    return workers, int(resolver.task_id) + int(has_chief)


def worker_share(dataset: tf.data.Dataset, global_batch: int, workers: int, worker: int
                 ) -> tf.data.Dataset:
    """The elements of ``dataset`` that worker ``worker`` of ``workers`` gets: slice
    ``worker`` of every run of ``global_batch`` consecutive elements, so that the workers'
    batches together are the one-machine batches. Apply it before the expensive steps
    (decoding), so that each worker does only its share of them.

    Args:
        dataset: the unbatched elements, in the same order on every worker.
        global_batch: the batch size of a step over all workers; a multiple of
            ``workers``.
        workers: the number of workers.
        worker: this worker's index, in ``[0, workers)`` (see :func:`worker_of`).

    Returns:
        This worker's ``global_batch // workers`` elements of every run, unbatched.
    """
    if global_batch % workers:
        raise ValueError(f"the global batch size {global_batch} must be a multiple of the "
                         f"number of workers ({workers}).")
    if not 0 <= worker < workers:
        raise ValueError(f"worker must be in [0, {workers}), got {worker}.")
    share = global_batch // workers
    return dataset.enumerate().filter(
        lambda position, element: (position % global_batch) // share == worker
    ).map(lambda position, element: element)


def worker_batches(dataset: tf.data.Dataset, global_batch: int, workers: int, worker: int
                   ) -> tf.data.Dataset:
    """This worker's part of every global batch of ``dataset`` (a pipeline that cannot
    shard before decoding: every worker builds every batch and keeps its slice).

    Args:
        dataset: batches of ``global_batch`` elements, the same on every worker;
            returned unchanged when ``workers`` is 1.
        global_batch: the batch size of ``dataset``; a multiple of ``workers``.
        workers: the number of workers.
        worker: this worker's index, in ``[0, workers)``.

    Returns:
        Batches of ``global_batch // workers`` elements; an incomplete last one is dropped.
    """
    if workers == 1:
        return dataset
    share = worker_share(dataset.unbatch(), global_batch, workers, worker)
    return share.batch(global_batch // workers, drop_remainder=True)


def distribute_worker_batches(strategy: tf.distribute.Strategy, dataset: tf.data.Dataset,
                              global_batch: int) -> Any:
    """Hand this worker's batches to Keras as they are (no automatic re-sharding), split
    into per-replica batches when a worker has several devices.

    Args:
        strategy: the distribution strategy the model was built under.
        dataset: this worker's batches (e.g. from :func:`worker_batches`).
        global_batch: the batch size of a step over all replicas of all workers.

    Returns:
        A distributed dataset for :func:`train_steps`.
    """
    def per_replica(context: tf.distribute.InputContext) -> tf.data.Dataset:
        size = context.get_per_replica_batch_size(global_batch)
        return dataset.unbatch().batch(size, drop_remainder=True)

    return strategy.distribute_datasets_from_function(per_replica)


def build_for_training(model: keras.Model, strategy: tf.distribute.Strategy,
                       element_spec: Any) -> None:
    """Create the variables of a compiled ``model``'s loss tracker, metrics and optimizer
    for batches of ``element_spec``, in the strategy's scope (what ``Model.fit`` does first
    from a real batch; see :func:`train_steps` for why ``fit`` is not used).

    Args:
        model: a model compiled (e.g. by :func:`streamnets.train.compile_for_training`)
            in ``strategy``'s scope.
        strategy: the distribution strategy.
        element_spec: the structure of one batch, ``(clips, labels)`` as
            ``tf.TensorSpec``, e.g. a dataset's ``element_spec``.
    """
    with strategy.scope():
        model._symbolic_build(data_batch=element_spec)


def train_step_function(model: keras.Model, strategy: tf.distribute.Strategy) -> Any:
    """One step of Keras' own ``train_step`` on every replica, as a ``tf.function`` of a
    distributed iterator; it returns the metrics of this worker's replica. Make it once
    per run: each new function is traced again, which costs about a minute here.

    ``Model.fit`` cannot train with a multi-worker ``MultiWorkerMirroredStrategy`` in
    Keras 3.15 with TF 2.19 (keras-team/keras#20585, open): before the first step it asks
    the strategy to average the first batch, a tuple, which the collective reduce cannot
    convert ("Attempt to convert a value (PerReplica ...)"), and after each step it
    averages the scalar logs over axis 0 ("Invalid reduction dimension 0 for input with 0
    dimensions"). This function does what ``fit`` does between those two reductions: the
    forward pass, the loss scaled for the replicas, the all-reduced gradients and the
    optimizer update all stay Keras'.

    Args:
        model: a compiled model, built by :func:`build_for_training`.
        strategy: the distribution strategy it was built under.
    """
    @tf.function
    def step(iterator: Any) -> Any:
        logs = strategy.run(model.train_step, args=(next(iterator),))
        return {name: strategy.experimental_local_results(value)[0]
                for name, value in logs.items()}

    return step


def train_steps(model: keras.Model, step: Any, dataset: Any, steps: int) -> dict[str, float]:
    """Run ``steps`` of ``step`` (:func:`train_step_function`) over the distributed
    ``dataset``; return the last metrics (running means since the start, as a ``fit``
    epoch reports them).

    Args:
        model: the model ``step`` trains; its metrics are reset first.
        step: the function from :func:`train_step_function`.
        dataset: the distributed dataset (:func:`distribute_worker_batches`); iterated
            anew, so it must hold at least ``steps`` batches.
        steps: the number of training steps to run.

    Returns:
        The metrics (loss, accuracy, ...) by name, as floats.
    """
    model.reset_metrics()
    iterator = iter(dataset)
    logs: dict[str, Any] = {}
    for _ in range(steps):
        logs = step(iterator)
    return {name: float(value) for name, value in logs.items()}


def barrier(strategy: tf.distribute.Strategy) -> None:
    """Wait until every worker gets here (an all-reduce of one number), so that no worker
    leaves the cluster while another still needs it.

    Args:
        strategy: the distribution strategy of the cluster to synchronise.
    """
    one = strategy.run(lambda: tf.constant(1.0))
    strategy.reduce(tf.distribute.ReduceOp.SUM, one, axis=None)
