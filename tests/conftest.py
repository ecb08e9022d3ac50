"""Shared fixtures: chapter notebooks executed once per session, and the built book.

Executing the chapters is the slow part of the suite, so it happens at most once per
notebook and session: :func:`execute_notebook` runs ``book/execute.py --ci`` for one
notebook on first request and caches the result; ``tests/test_notebooks.py`` checks each
result and :func:`built_book` renders the same executed copies into the HTML book.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO / "notebooks"
EXECUTE = REPO / "book" / "execute.py"
#: The chapter notebooks, by stem, in chapter order.
NOTEBOOK_NAMES = [path.stem for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb"))]
# Generous limits: a stuck kernel must fail the run, a slow shared machine must not.
EXECUTE_TIMEOUT_S = 900
BUILD_TIMEOUT_S = 1200


def venv_script(name: str) -> Path:
    """A console script of the interpreter running the tests (not whatever is on PATH).

    ``sys.executable`` is not resolved: in a venv it is a symlink whose folder holds the
    venv's scripts.
    """
    return Path(sys.executable).parent / name


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: quiet TensorFlow, CI mode set explicitly."""
    env = dict(os.environ)
    env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore::DeprecationWarning"})
    env.update(extra)
    return env


@dataclass(frozen=True)
class Execution:
    """One notebook executed by ``book/execute.py --ci``."""

    name: str
    path: Path
    returncode: int
    log: str
    seconds: float

    def check(self) -> None:
        """Fail the test with the end of the execution log unless the run succeeded."""
        if self.returncode != 0:
            pytest.fail(f"{self.name}.ipynb failed in CI mode (exit {self.returncode}):\n"
                        f"{self.log[-6000:]}", pytrace=False)


@pytest.fixture(scope="session")
def executed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session's executed notebooks go."""
    return tmp_path_factory.mktemp("executed")


@pytest.fixture(scope="session")
def execute_notebook(executed_dir: Path) -> Callable[[str], Execution]:
    """``execute_notebook(stem)``: run one chapter in CI mode, once per session.

    ``execute_notebook(stem, STREAMNETS_DATA="jester-subset", ...)`` runs it with those
    environment variables added (how the chapters' parameters are set), into its own
    folder, once per session and set of variables.
    """
    cache: dict[tuple[str, ...], Execution] = {}

    def run(name: str, **env: str) -> Execution:
        key = (name, *(f"{k}={v}" for k, v in sorted(env.items())))
        if key not in cache:
            out = executed_dir / f"variant-{len(cache)}" if env else executed_dir
            start = time.perf_counter()
            process = subprocess.run(
                [sys.executable, str(EXECUTE), "--ci", "--only", name,
                 "--out", str(out), "--timeout", str(EXECUTE_TIMEOUT_S)],
                cwd=REPO, env=subprocess_env(**env), capture_output=True, text=True,
                timeout=EXECUTE_TIMEOUT_S + 120, check=False,
            )
            cache[key] = Execution(
                name=name,
                path=out / f"{name}.ipynb",
                returncode=process.returncode,
                log=process.stdout + process.stderr,
                seconds=time.perf_counter() - start,
            )
        return cache[key]

    return run


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory,
               execute_notebook: Callable[[str], Execution]) -> Path:
    """The HTML folder of the whole book, built from a copy of the sources.

    Copies ``_config.yml`` and ``book/`` (without build products) to a temporary folder,
    puts every chapter executed in CI mode into ``book/notebooks/`` there, and runs this
    venv's ``jupyter-book build --warningiserror`` on it, exactly as ``make book`` does.
    Returns ``<tmp>/book/_build/html``.
    """
    root = tmp_path_factory.mktemp("book_build")
    shutil.copy2(REPO / "_config.yml", root / "_config.yml")
    shutil.copytree(
        REPO / "book", root / "book",
        ignore=shutil.ignore_patterns("_build", "notebooks", "auto_examples", "__pycache__",
                                      ".ipynb_checkpoints"),
    )
    shutil.copytree(NOTEBOOKS_DIR, root / "notebooks")
    executed = root / "book" / "notebooks"
    executed.mkdir()
    for name in NOTEBOOK_NAMES:
        result = execute_notebook(name)
        result.check()
        shutil.copy2(result.path, executed / result.path.name)

    process = subprocess.run(
        [str(venv_script("jupyter-book")), "build", str(root / "book"),
         "--path-output", str(root / "book"), "--warningiserror", "--keep-going"],
        cwd=root, env=subprocess_env(), capture_output=True, text=True,
        timeout=BUILD_TIMEOUT_S, check=False,
    )
    html = root / "book" / "_build" / "html"
    if process.returncode != 0 or not (html / "index.html").is_file():
        pytest.fail(f"jupyter-book build failed (exit {process.returncode}):\n"
                    f"{(process.stdout + process.stderr)[-8000:]}", pytrace=False)
    return html


#: Classes of the :func:`video_folder` fixture (a subset of Jester's, rendered synthetically).
VIDEO_FOLDER_CLASSES = ("Swiping Left", "Swiping Right", "Thumb Up")


def write_video_folder(root: Path, per_class: int = 3, frames: int = 10, size: int = 48,
                       fps: float = 12) -> Path:
    """A folder of class-named subfolders of mp4s made from synthetic clips (12 fps, as
    Jester is filmed): ``root/<class>/take<i>.mp4``, clip seed ``100 * class + i``."""
    from streamnets.data import class_index, synthetic_clip
    from streamnets.video import write_video

    for number, name in enumerate(VIDEO_FOLDER_CLASSES):
        for take in range(per_class):
            clip = synthetic_clip(class_index(name), 100 * number + take, frames, size)
            write_video(root / name / f"take{take}.mp4", clip, fps=fps)
    return root


@pytest.fixture(scope="session")
def video_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small video folder shared by the tests (read only: copy it to change it)."""
    return write_video_folder(tmp_path_factory.mktemp("videos"))
