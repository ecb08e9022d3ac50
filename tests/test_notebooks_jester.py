"""The chapters with ``DATA = "jester-subset"``, in CI mode, against stand-ins of BrainChip's
files served on 127.0.0.1 (``tests/brainchip_fixture.py``): the download, decode, weights,
calibration and scoring path runs end to end. The fixture's numbers prove that the path
works, not BrainChip's accuracy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest
from brainchip_fixture import build_files, serve
from conftest import NOTEBOOKS_DIR, Execution

from streamnets.data.remote import CACHE_ENV, DATA_URL_ENV, FILES
from streamnets.reproduction import quantizeml_available
from streamnets.viz.notebook import glue_problems, glued_values

FIXTURE_VIDEOS = 8  # the chapters score JESTER_CLIPS = 8 clips in CI mode
#: The chapters that switch to BrainChip's subset.
JESTER_CHAPTERS = ["03_training", "05_smoothing", "07_quantization"]

pytestmark = [pytest.mark.notebooks, pytest.mark.akida]


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory) -> Iterator[tuple[str, list[str], Path]]:
    pytest.importorskip("tf_keras")  # the stand-in model is written by the tf_keras twin
    files = build_files(tmp_path_factory.mktemp("brainchip-files"), FIXTURE_VIDEOS)
    with serve(files) as (url, requested):
        yield url, requested, tmp_path_factory.mktemp("cache")


def _run_jester(name: str, fixture_server, execute_notebook: Callable[..., Execution]
                ) -> dict:
    url, _, cache = fixture_server
    result = execute_notebook(name, STREAMNETS_DATA="jester-subset",
                              **{DATA_URL_ENV: url, CACHE_ENV: str(cache)})
    result.check()
    notebook = nbformat.read(result.path, as_version=4)
    errors = [output.ename for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors, f"{name}: error outputs {errors}"
    source = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    problems = glue_problems(source, notebook)
    assert not problems, f"{name}:\n" + "\n".join(problems)
    return glued_values(notebook)


@pytest.mark.parametrize("name", JESTER_CHAPTERS)
def test_chapter_runs_on_the_jester_subset(name, fixture_server, execute_notebook):
    values = _run_jester(name, fixture_server, execute_notebook)
    url, requested, _ = fixture_server
    assert values["data_source"].startswith("BrainChip's Jester subset"), values["data_source"]
    assert f"as served by {url} (stand-ins" in values["data_source"]
    assert "/" + FILES["brainchip-jester"].path in requested


def test_quantization_chapter_reproduces_the_table_on_the_fixture(fixture_server,
                                                                  execute_notebook):
    values = _run_jester("07_quantization", fixture_server, execute_notebook)
    result = values["reproduction"]
    assert result["clips"] == FIXTURE_VIDEOS and values["test_clips"] == FIXTURE_VIDEOS
    for key in ("frame_accuracy", "clip_accuracy", "litert_int8_clip_accuracy"):
        assert 0.0 <= result[key] <= 1.0, key
    if quantizeml_available():  # the akida extra: BrainChip's 8-bit model is scored too
        assert 0.0 <= result["quantizeml_clip_accuracy"] <= 1.0
    assert "not BrainChip's accuracy" in values["reproduction_summary"]
    assert values["reference_clip"] == 95.01
    _, requested, _ = fixture_server
    for entry in FILES.values():
        assert "/" + entry.path in requested
