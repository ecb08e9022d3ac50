"""Wall-clock throughput measurement shared by the book and the benchmarks.

One function, :func:`measure_throughput`, so every speed the book reports is measured
the same way: a few warm-up calls (graph tracing, memory allocation and caches would
otherwise land in the first timing), then the median of repeated calls (robust to the
odd slow call on a shared machine). Each call's result is pulled to host memory before
the clock stops, so asynchronous backends cannot return early. :func:`environment`
records where and when a measurement was taken, so it is stored next to every timing.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Throughput:
    """Timings of repeated calls, and what they mean per item (frame, clip, ...)."""

    seconds: tuple[float, ...]
    """Wall-clock time of each timed call, in call order."""
    items: int
    """Items (for example frames) one call processes."""

    @property
    def median_s(self) -> float:
        """Median seconds per call."""
        return statistics.median(self.seconds)

    @property
    def items_per_s(self) -> float:
        """Items processed per second, from the median call."""
        return self.items / self.median_s

    @property
    def ms_per_item(self) -> float:
        """Milliseconds per item, from the median call."""
        return 1000.0 * self.median_s / self.items


def _materialize(result: Any) -> None:
    """Copy every array in ``result`` to host memory, so the work is really finished."""
    if isinstance(result, dict):
        for value in result.values():
            _materialize(value)
    elif isinstance(result, list | tuple):
        for value in result:
            _materialize(value)
    elif result is not None:
        np.asarray(result)


def measure_throughput(
    fn: Callable[[Any], Any],
    inputs: Any,
    repeats: int = 5,
    warmup: int = 1,
    items: int = 1,
) -> Throughput:
    """Time ``fn(inputs)``: ``warmup`` untimed calls, then ``repeats`` timed ones.

    Args:
        fn: the callable to time, for example ``model.predict_on_batch``.
        inputs: its single argument (an array, or a dict/list of arrays).
        repeats: timed calls; the median is reported, so use an odd number >= 3 when
            the machine is shared.
        warmup: untimed calls first (tracing and allocation happen there).
        items: how many items one call processes (for example ``batch * frames``),
            so that :attr:`Throughput.items_per_s` means frames per second.

    Returns:
        A :class:`Throughput` with every timed call's duration.
    """
    for argument, value, minimum in (("repeats", repeats, 1), ("warmup", warmup, 0),
                                      ("items", items, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ValueError(f"{argument} must be an int >= {minimum}, got {value!r}.")
    for _ in range(warmup):
        _materialize(fn(inputs))
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        _materialize(fn(inputs))
        seconds.append(time.perf_counter() - start)
    return Throughput(seconds=tuple(seconds), items=items)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(*packages: str) -> dict[str, Any]:
    """Machine, load, package versions, date and code, recorded next to every measurement.

    The load average is kept because these machines are shared: a number measured
    under load is only comparable with the peer measured in the same run. ``packages``
    adds versions to the default numpy, tensorflow, keras and streamnets. The code that
    measured is the stamp of :func:`streamnets.provenance.provenance` (``streamnets_version``,
    ``commit``, ``dirty``), so a result measured live carries the same stamp as one that
    :func:`streamnets.results.write_result` wrote.
    """
    from streamnets.provenance import provenance

    names = ("numpy", "tensorflow", "keras", "streamnets", *packages)
    return {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "load_average_1_5_15_min": list(os.getloadavg()),
        },
        "versions": {"python": platform.python_version(), **{n: _version(n) for n in names}},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **provenance(),
    }


#: A path to time: ``(fn, argument)``, timed as ``fn(argument)``.
TimedPath = tuple[Callable[[Any], Any], Any]


def time_in_turn(paths: Mapping[str, TimedPath], repeats: int, rounds: int
                 ) -> dict[str, list[float]]:
    """Seconds of every call of every path; the paths take turns, ``rounds`` times.

    ``paths`` maps a name to ``(fn, argument)``. Each turn is ``repeats`` timed calls
    after two warm-up calls (:func:`measure_throughput`).

    Args:
        paths: each path's name mapped to ``(fn, argument)``, timed as
            ``fn(argument)``; the paths run in this order in every round.
        repeats: timed calls per path per round (an int >= 1).
        rounds: how many times every path takes its turn (an int >= 1); alternating
            spreads a shared machine's changing load over all paths.

    Returns:
        Each path's name mapped to its ``repeats * rounds`` call times in seconds, in
        call order.
    """
    if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 1:
        raise ValueError(f"rounds must be an int >= 1, got {rounds!r}.")
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, (fn, argument) in paths.items():
            seconds[name] += measure_throughput(fn, argument, repeats=repeats, warmup=2).seconds
    return seconds
