"""Benchmark result files (:mod:`streamnets.results`): found, written stamped, read back.

Chapter 9 must use only the files that the running code wrote, so reading is tested on
every way a file can fail to match: another commit, another version, no stamp, a
half-written file. Nothing here runs a benchmark or imports TensorFlow, except the
subprocess that proves drawing saved results does not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, subprocess_env

from streamnets import results as results_module
from streamnets.provenance import UNKNOWN_COMMIT, provenance
from streamnets.results import (
    RESULT_NAMES,
    STAMP_KEYS,
    SavedResults,
    find_results_dir,
    read_matching_results,
    result_path,
    short_commit,
    write_result,
)

#: The stamp of "the running code" in these tests (a fixed one: no git needed).
CURRENT = {"streamnets_version": "1.2.3", "commit": "a" * 40, "dirty": False}


def stamped(**fields: Any) -> dict[str, Any]:
    return {"date": "2026-01-01T00:00:00+00:00", **CURRENT, **fields}


def write(folder: Path, name: str, record: Any) -> Path:
    path = folder / f"{name}.json"
    path.write_text(record if isinstance(record, str) else json.dumps(record))
    return path


# ------------------------------------------------------------------------------ writing


def test_write_result_stamps_the_running_code_into_the_file(tmp_path: Path) -> None:
    data = {"blocks": {"conv3d": {"params": 7}}, "date": "2026-01-01T00:00:00+00:00"}
    path = write_result(tmp_path, "blocks", data)
    assert path == tmp_path / "blocks.json"
    record = json.loads(path.read_text())
    current = provenance()
    assert set(STAMP_KEYS) <= set(record)
    assert (record["streamnets_version"], record["commit"]) == (
        current["streamnets_version"], current["commit"])
    assert record["result"] == "blocks"
    assert record["blocks"] == data["blocks"] and record["date"] == data["date"]
    assert "result" not in data and "commit" not in data  # the caller's dict is not changed
    assert [p.name for p in tmp_path.iterdir()] == ["blocks.json"]  # no temporary left


def test_write_result_to_a_file_path_replaces_an_old_stamp(tmp_path: Path) -> None:
    out = tmp_path / "new" / "custom.out"  # a script's --out: any name, folder created
    path = write_result(out, "runtimes", {"commit": "old", "streamnets_version": "0.0.1"})
    assert path == out
    record = json.loads(out.read_text())
    assert record["commit"] == provenance()["commit"]
    assert record["streamnets_version"] == provenance()["streamnets_version"]


def test_result_path_is_name_json_only_inside_an_existing_folder(tmp_path: Path) -> None:
    assert result_path(tmp_path, "growth") == tmp_path / "growth.json"
    assert result_path(str(tmp_path / "x.json"), "growth") == tmp_path / "x.json"
    assert result_path(tmp_path / "missing", "growth") == tmp_path / "missing"


@pytest.mark.parametrize(("name", "data", "error"), [
    ("", {}, ValueError), (None, {}, ValueError), ("blocks", [1, 2], TypeError)])
def test_write_result_rejects_bad_arguments(tmp_path: Path, name: Any, data: Any,
                                            error: type[Exception]) -> None:
    with pytest.raises(error):
        write_result(tmp_path, name, data)
    assert not list(tmp_path.iterdir())


def test_written_results_match_the_code_that_wrote_them(tmp_path: Path) -> None:
    if provenance()["commit"] == UNKNOWN_COMMIT:
        pytest.skip("not running from a git checkout: no commit to match")
    write_result(tmp_path, "growth", {"by_size": []})
    saved = read_matching_results(tmp_path)  # the real provenance, both ways
    assert list(saved.results) == ["growth"]
    assert saved.results["growth"]["by_size"] == []


# ---------------------------------------------------------------------------- finding


def make_results_dir(root: Path) -> Path:
    results = root / "benchmarks" / "results"
    results.mkdir(parents=True)
    return results


def test_find_results_dir_looks_up_through_the_parents(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    results = make_results_dir(tmp_path / "checkout")
    nested = tmp_path / "checkout" / "notebooks" / "deeper"
    nested.mkdir(parents=True)
    assert find_results_dir(nested) == results
    assert find_results_dir(str(tmp_path / "checkout")) == results
    monkeypatch.chdir(nested)  # the default: the working folder (where a notebook runs)
    assert find_results_dir() == results


def test_find_results_dir_skips_a_results_file(tmp_path: Path) -> None:
    outer = make_results_dir(tmp_path)
    inner = tmp_path / "inner" / "benchmarks"
    inner.mkdir(parents=True)
    (inner / "results").write_text("not a folder")
    assert find_results_dir(tmp_path / "inner") == outer


def test_find_results_dir_outside_a_checkout_is_none(tmp_path: Path) -> None:
    if any((folder / "benchmarks" / "results").is_dir() for folder in tmp_path.parents):
        pytest.skip("the temporary folder lies inside a checkout with benchmark results")
    (tmp_path / "benchmarks").mkdir()  # no results in it
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_results_dir(nested) is None
    assert find_results_dir(tmp_path) is None


# ------------------------------------------------------------- reading this code's only


def test_matching_results_keep_this_code_and_say_why_not_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "blocks", stamped(blocks={}))
    write(tmp_path, "streaming", stamped(commit="b" * 40))
    write(tmp_path, "runtimes", stamped(streamnets_version="1.2.2"))
    write(tmp_path, "growth", {"by_size": []})  # written before results were stamped
    write(tmp_path, "data", '{"generation_one_core": {')  # half-written
    write(tmp_path, "book", [1, 2])  # JSON, but not a record
    # book_full: no file at all
    write(tmp_path, "book_build", stamped())  # written by make book, not a result
    write(tmp_path, "notes", "not JSON, and never read")

    saved = read_matching_results(tmp_path, current=CURRENT)

    assert isinstance(saved, SavedResults) and saved.folder == tmp_path
    assert list(saved.results) == ["blocks"]
    assert saved.results["blocks"]["blocks"] == {}
    assert list(saved.skipped) == [name for name in RESULT_NAMES if name != "blocks"]
    assert "book_build" not in saved.skipped and "notes" not in saved.skipped
    assert read_matching_results(str(tmp_path), current=CURRENT) == saved
    reasons = saved.skipped
    assert "commit bbbbbbbbbb" in reasons["streaming"]
    assert "this code is commit aaaaaaaaaa" in reasons["streaming"]
    assert "streamnets 1.2.2, this is 1.2.3" in reasons["runtimes"]
    assert "no provenance stamp" in reasons["growth"]
    assert "not valid JSON" in reasons["data"]
    assert "not a result record" in reasons["book"]
    assert reasons["book_full"] == "no file book_full.json"


def test_matching_ignores_uncommitted_changes(tmp_path: Path) -> None:
    write(tmp_path, "blocks", stamped(dirty=True))
    saved = read_matching_results(tmp_path, current={**CURRENT, "dirty": True})
    assert list(saved.results) == ["blocks"]


def test_matching_nothing_when_this_codes_commit_is_unknown(tmp_path: Path) -> None:
    unknown = {**CURRENT, "commit": UNKNOWN_COMMIT}
    write(tmp_path, "blocks", {**stamped(), "commit": UNKNOWN_COMMIT})
    saved = read_matching_results(tmp_path, current=unknown)
    assert saved.results == {}
    assert "commit is unknown" in saved.skipped["blocks"]


def test_matching_without_a_folder_skips_everything() -> None:
    saved = read_matching_results(None, current=CURRENT)
    assert saved.folder is None and saved.results == {}
    assert list(saved.skipped) == list(RESULT_NAMES)
    assert all("not run inside a checkout" in reason for reason in saved.skipped.values())


def test_matching_uses_provenance_by_default(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_module, "provenance", lambda: dict(CURRENT))
    write(tmp_path, "growth", stamped())
    write(tmp_path, "blocks", stamped(commit="c" * 40))
    saved = read_matching_results(tmp_path)
    assert list(saved.results) == ["growth"] and "commit cccccccccc" in saved.skipped["blocks"]


def test_short_commit() -> None:
    assert short_commit({"commit": "0123456789abcdef"}) == "0123456789"
    assert short_commit({"commit": "0123456789abcdef", "dirty": True}) == "0123456789 + changes"
    assert short_commit({}) == "?"


# ------------------------------------------------------------------------ no TensorFlow


def test_drawing_saved_results_imports_no_tensorflow(tmp_path: Path) -> None:
    """Reading and drawing saved results (chapter 9's files, ``run_all.py``'s figures)
    must start in a second: neither TensorFlow nor Keras may be imported."""
    check = ("import sys; import streamnets.viz.performance, streamnets.results, "
             "streamnets.viz.performance_text; "
             "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, "
             "sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))")
    done = subprocess.run([sys.executable, "-c", check], cwd=REPO, env=subprocess_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_run_all_draws_saved_results_without_tensorflow(tmp_path: Path) -> None:
    growth = {"by_size": [{"size": 64, "macs_per_frame": 28_000_000, "step_ms": 1.5,
                           "macs_model_ms": 1.2}],
              "by_clip_length": [{"frames": 8, "stream_step_ms": 3.1, "recompute_ms": 20.0}]}
    write_result(tmp_path, "growth", growth)
    write(tmp_path, "blocks", {"blocks": {}})  # unstamped: not drawn, and says why
    script = (f"import sys; sys.path.insert(0, {str(REPO / 'benchmarks')!r}); import run_all; "
              f"run_all.draw_figures({str(tmp_path)!r}); "
              "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=subprocess_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    if provenance()["commit"] != UNKNOWN_COMMIT:
        assert (tmp_path / "growth.png").read_bytes().startswith(b"\x89PNG")
        assert f"figure -> {tmp_path / 'growth.png'}" in done.stdout
    assert not (tmp_path / "blocks.png").exists()
    assert "blocks: not drawn (the file carries no provenance stamp" in done.stdout


def test_find_results_dir_on_a_fresh_clone_with_no_results_yet(tmp_path: Path) -> None:
    benchmarks = tmp_path / "clone" / "benchmarks"
    benchmarks.mkdir(parents=True)
    (benchmarks / "run_all.py").write_text("# the suite\n")
    nested = tmp_path / "clone" / "book" / "notebooks"
    nested.mkdir(parents=True)
    found = find_results_dir(nested)
    assert found == benchmarks / "results" and not found.exists()
    saved = read_matching_results(found)
    assert saved.results == {}
    assert all(reason.startswith("no file") for reason in saved.skipped.values())
