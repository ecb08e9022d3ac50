"""The book's timing records: ``book/execute.py --times``, ``book/build.py --times`` and
how ``benchmarks/bench_book.py`` merges them.

Throwaway notebooks in ``tmp_path`` stand in for the chapters, so nothing here executes
or builds the real book (tests/test_notebooks.py and tests/test_book.py do).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, subprocess_env

sys.path.insert(0, str(REPO / "benchmarks"))
import bench_book  # noqa: E402

from streamnets.provenance import provenance  # noqa: E402
from streamnets.results import STAMP_KEYS  # noqa: E402

TIMEOUT_S = 300


def write_notebook(path: Path, source: str) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nbformat.write(notebook, path)


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, env=subprocess_env(),
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def test_execute_times_are_recorded_per_notebook_with_failures(tmp_path: Path) -> None:
    source = tmp_path / "notebooks"
    source.mkdir()
    write_notebook(source / "01_first.ipynb", "print(1)")
    # The second notebook reads the record while the run is still going, as chapter 9 does.
    times = tmp_path / "results" / "times.json"
    write_notebook(source / "02_reads_times.ipynb",
                   f"import json\nseen = json.load(open({str(times)!r}))\n"
                   "assert list(seen['notebooks']) == ['01_first.ipynb'], seen\n"
                   "assert seen['complete'] is False, seen")
    write_notebook(source / "03_fails.ipynb", "raise RuntimeError('on purpose')")

    process = run_script("book/execute.py", "--source", str(source),
                         "--out", str(tmp_path / "executed"), "--times", str(times))

    assert process.returncode == 1, process.stdout + process.stderr
    record = json.loads(times.read_text())
    assert record["mode"] == "full"
    assert list(record["notebooks"]) == ["01_first.ipynb", "02_reads_times.ipynb"]
    assert all(seconds > 0 for seconds in record["notebooks"].values())
    assert record["failed"] == ["03_fails.ipynb"]
    assert record["total_s"] == pytest.approx(sum(record["notebooks"].values()))
    assert record["complete"] is True
    assert record["machine"]["cpu_count"] >= 1
    assert "papermill" in record["versions"] and record["date"].endswith("+00:00")
    check_stamp(record, "times")
    assert not list(times.parent.glob("*.tmp*")), "temporary files left next to the record"
    assert [p.name for p in times.parent.iterdir()] == ["times.json"]


def check_stamp(record: dict, name: str) -> None:
    """The record names the code that wrote it, as chapter 9 requires to use it."""
    assert set(STAMP_KEYS) <= set(record) and record["result"] == name
    current = provenance()
    assert (record["streamnets_version"], record["commit"]) == (
        current["streamnets_version"], current["commit"])


def test_execute_records_ci_mode(tmp_path: Path) -> None:
    source = tmp_path / "notebooks"
    source.mkdir()
    write_notebook(source / "only.ipynb",
                   "import os\nassert os.environ['STREAMNETS_CI_MODE'] == '1'")
    times = tmp_path / "times.json"

    process = run_script("book/execute.py", "--ci", "--source", str(source),
                         "--out", str(tmp_path / "executed"), "--times", str(times))

    assert process.returncode == 0, process.stdout + process.stderr
    record = json.loads(times.read_text())
    assert record["mode"] == "CI" and list(record["notebooks"]) == ["only.ipynb"]
    assert record["failed"] == []


def test_build_records_a_failed_build_and_passes_on_its_exit_code(tmp_path: Path) -> None:
    empty_book = tmp_path / "book"  # no _config.yml or _toc.yml: jupyter-book fails at once
    empty_book.mkdir()
    times = tmp_path / "build.json"

    process = run_script("book/build.py", "--book", str(empty_book), "--times", str(times))

    assert process.returncode != 0, process.stdout + process.stderr
    record = json.loads(times.read_text())
    assert record["returncode"] == process.returncode
    assert record["build_s"] > 0 and "jupyter-book" in record["versions"]
    check_stamp(record, "build")


def test_build_rejects_a_missing_book_folder(tmp_path: Path) -> None:
    process = run_script("book/build.py", "--book", str(tmp_path / "missing"))
    assert process.returncode == 2 and "no such folder" in process.stderr


def write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def ci_record(tmp_path: Path) -> Path:
    return write_json(tmp_path / "ci.json", {
        "mode": "CI", "notebooks": {"01_a.ipynb": 2.0, "02_b.ipynb": 4.0}, "failed": [],
        "total_s": 6.0, "complete": True})


def test_merge_without_make_book_records(tmp_path: Path, ci_record: Path) -> None:
    results = bench_book.merge(ci_record, tmp_path / "none_full.json",
                               tmp_path / "none_build.json")

    assert results["ci"] == {"notebooks": {"01_a.ipynb": 2.0, "02_b.ipynb": 4.0},
                             "failed": [], "total_s": 6.0}
    assert results["full"] is None and "run `make book`" in results["full_note"]
    assert results["build"] is None and "run `make book`" in results["build_note"]
    assert results["ratio_full_over_ci"] is None
    assert {"machine", "versions", "date"} <= set(results)


def test_merge_includes_make_book_records(tmp_path: Path, ci_record: Path) -> None:
    full = {"mode": "full", "date": "2026-01-01T00:00:00+00:00", "notebooks":
            {"01_a.ipynb": 20.0, "02_b.ipynb": 8.0}, "failed": [], "total_s": 28.0,
            **provenance()}
    build = {"date": "2026-01-01T00:10:00+00:00", "build_s": 42.0, "returncode": 0,
             **provenance()}

    results = bench_book.merge(ci_record, write_json(tmp_path / "full.json", full),
                               write_json(tmp_path / "build.json", build))

    assert results["full"] == full and results["full_note"] is None
    assert results["build"] == build and results["build_note"] is None
    assert results["ratio_full_over_ci"] == {"01_a.ipynb": 10.0, "02_b.ipynb": 2.0}


@pytest.mark.parametrize(("stamp", "reason"), [
    ({"commit": "0" * 40}, "written by commit 0000000000"),
    ({"streamnets_version": "0.0.0"}, "written by streamnets 0.0.0"),
    (None, "no provenance stamp")])
def test_merge_ignores_records_of_other_code(tmp_path: Path, ci_record: Path,
                                             stamp: dict | None, reason: str) -> None:
    """Full-mode and build times of other code describe that code: not merged."""
    stamp = None if stamp is None else {**provenance(), **stamp}
    full = write_json(tmp_path / "full.json", {"mode": "full", "notebooks": {"01_a.ipynb": 9.0},
                                               "total_s": 9.0, **(stamp or {})})
    build = write_json(tmp_path / "build.json", {"build_s": 42.0, "returncode": 0,
                                                 **(stamp or {})})
    results = bench_book.merge(ci_record, full, build)
    assert results["full"] is None and results["build"] is None
    assert results["ratio_full_over_ci"] is None
    for note in (results["full_note"], results["build_note"]):
        assert "not recorded by this code" in note and reason in note
        assert "run `make book`" in note


def test_merge_ignores_a_ci_record_in_place_of_full_mode(tmp_path: Path,
                                                          ci_record: Path) -> None:
    results = bench_book.merge(ci_record, ci_record, tmp_path / "none_build.json")
    assert results["full"] is None and "'CI'-mode" in results["full_note"]


def test_merge_rejects_full_mode_times_as_the_ci_run(tmp_path: Path) -> None:
    full = write_json(tmp_path / "full.json", {"mode": "full", "notebooks": {}, "failed": [],
                                               "total_s": 0.0})
    with pytest.raises(ValueError, match="ci_path"):
        bench_book.merge(full, full, full)
