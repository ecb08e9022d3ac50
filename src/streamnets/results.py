"""Benchmark result files: where they are, reading them back, writing them stamped.

``make bench`` writes one JSON file per benchmark to ``benchmarks/results/`` and ``make
book`` adds the chapters' times; chapter 9 and ``benchmarks/run_all.py`` read them. Every
file is written by :func:`write_result`, which stamps it with the code that produced it
(:func:`streamnets.provenance.provenance`: package version, commit, uncommitted changes),
so a reader can use only the numbers that the code in front of it measured
(:func:`read_matching_results`). This module imports no TensorFlow, so drawing saved
results starts in a second.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamnets.files import write_json
from streamnets.provenance import UNKNOWN_COMMIT, provenance

#: The result files of ``make bench`` (``benchmarks/results/<name>.json``), and
#: ``book_full``, the full-mode chapter times that ``make book`` records as it goes.
RESULT_NAMES: tuple[str, ...] = ("blocks", "streaming", "streaming_litert", "runtimes",
                                 "growth", "stream_loop", "data", "book", "book_full")
#: The keys of the stamp :func:`write_result` adds (those of ``provenance()``).
STAMP_KEYS: tuple[str, ...] = ("streamnets_version", "commit", "dirty")


def find_results_dir(start: str | Path | None = None) -> Path | None:
    """``benchmarks/results`` of the checkout holding ``start`` (default: the working
    folder), looked up through its parents; ``None`` outside a checkout (Colab).

    A checkout is recognised by its results folder or, on a fresh clone where no
    benchmark has run yet, by ``benchmarks/run_all.py``: the folder returned then does not
    exist yet, and every result reads as "no file".

    Args:
        start: the folder (or a file in it) the search starts from; ``None`` (or an
            empty path) means the current working folder.
    """
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / "benchmarks" / "results"
        if candidate.is_dir() or (candidate.parent / "run_all.py").is_file():
            return candidate
    return None


def result_path(path_or_folder: str | os.PathLike, name: str) -> Path:
    """Where :func:`write_result` puts result ``name``: ``<path_or_folder>/<name>.json``
    when ``path_or_folder`` is an existing folder, else ``path_or_folder`` itself (a
    script's ``--out``, whatever its suffix).

    Args:
        path_or_folder: a results folder, or the exact file to write.
        name: the result's name, e.g. one of :data:`RESULT_NAMES`.
    """
    path = Path(path_or_folder)
    return path / f"{name}.json" if path.is_dir() else path


def write_result(path_or_folder: str | os.PathLike, name: str,
                 data: Mapping[str, Any]) -> Path:
    """Write result ``name`` as JSON, stamped with the code that produced it, atomically.

    ``data`` is copied and gets ``"result": name`` and the keys of
    :func:`streamnets.provenance.provenance` (``streamnets_version``, ``commit``,
    ``dirty``), taken now, which replace any the record already had. The file is
    ``<path_or_folder>/<name>.json`` when ``path_or_folder`` is an existing folder, else
    ``path_or_folder`` itself (:func:`result_path`); it is written with
    :func:`streamnets.files.write_json`, so a reader never sees half of it. Returns the path.

    Args:
        path_or_folder: an existing results folder (the file is ``<name>.json`` in it),
            or the exact file to write.
        name: the result's name, a non-empty string (e.g. one of :data:`RESULT_NAMES`).
        data: the record, a JSON-serialisable mapping; it is copied, not changed.

    Raises:
        ValueError: ``name`` is not a non-empty string.
        TypeError: ``data`` is not a mapping.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}.")
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a mapping (a JSON object), got {type(data).__name__}.")
    path = result_path(path_or_folder, name)
    write_json(path, {**data, "result": name, **provenance()})
    return path


def short_commit(stamp: Mapping[str, Any]) -> str:
    """``stamp``'s commit in 10 characters, ``+ changes`` when it was dirty; ``?`` if none.

    Args:
        stamp: a result record or provenance stamp, read for its ``commit`` and
            ``dirty`` keys (either may be missing).
    """
    commit = stamp.get("commit")
    if not commit:
        return "?"
    text = str(commit)[:10]
    return f"{text} + changes" if stamp.get("dirty") else text


def mismatch(stamp: Mapping[str, Any], current: Mapping[str, Any]) -> str | None:
    """Why a result stamped ``stamp`` was not measured by the code stamped ``current``;
    ``None`` when it was: the same version and a known, same commit (uncommitted changes
    are not compared). The one place this rule is written.

    Args:
        stamp: the result record read back, with its provenance keys (see
            :data:`STAMP_KEYS`) if it was stamped.
        current: the running code's stamp, as :func:`streamnets.provenance.provenance`
            returns it; it must have ``streamnets_version`` and ``commit``.
    """
    if not all(key in stamp for key in ("streamnets_version", "commit")):
        return "the file carries no provenance stamp (written before results were stamped)"
    if stamp["streamnets_version"] != current["streamnets_version"]:
        return (f"written by streamnets {stamp['streamnets_version']}, this is "
                f"{current['streamnets_version']}")
    if current["commit"] == UNKNOWN_COMMIT:
        return "this code's commit is unknown (not a git checkout), so no file can match it"
    if stamp["commit"] != current["commit"]:
        return (f"written by commit {short_commit(stamp)}, this code is commit "
                f"{short_commit({'commit': current['commit']})}")
    return None


@dataclass(frozen=True)
class SavedResults:
    """What :func:`read_matching_results` found in a results folder."""

    folder: Path | None
    """The folder read, or ``None`` (no checkout)."""
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The result files written by this code, by name, in the order of :data:`RESULT_NAMES`."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Every other name of :data:`RESULT_NAMES`, with why it is not in ``results``."""


def read_matching_results(folder: str | Path | None,
                          current: Mapping[str, Any] | None = None) -> SavedResults:
    """The result files of ``folder`` measured by the running code, and why the rest are not.

    A file counts when its stamp (see :func:`write_result`) names the same streamnets
    version and commit as ``current`` (default: :func:`streamnets.provenance.provenance`
    now; the rule is :func:`mismatch`'s). Every other name of
    :data:`RESULT_NAMES` lands in ``skipped`` with a reason: no file, not valid JSON (a
    half-written file), not a JSON object, no stamp, another version, another commit.
    Nothing raises: a reader measures what it cannot use.

    Args:
        folder: the results folder (e.g. from :func:`find_results_dir`); ``None`` (no
            checkout) skips every name.
        current: the stamp a file must match; ``None`` takes the running code's
            :func:`streamnets.provenance.provenance`.
    """
    current = dict(current) if current is not None else provenance()
    if folder is None:
        return SavedResults(None, {}, {name: "no `benchmarks/results` folder (not run "
                                             "inside a checkout)" for name in RESULT_NAMES})
    folder = Path(folder)
    results: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for name in RESULT_NAMES:
        path = folder / f"{name}.json"
        if not path.is_file():
            skipped[name] = f"no file {name}.json"
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            skipped[name] = f"{name}.json is unreadable or not valid JSON ({error})"
            continue
        if not isinstance(record, dict):
            skipped[name] = f"{name}.json holds a {type(record).__name__}, not a result record"
            continue
        reason = mismatch(record, current)
        if reason is None:
            results[name] = record
        else:
            skipped[name] = reason
    return SavedResults(folder, results, skipped)
