"""Every gallery script (book/examples/plot_*.py) runs on its own and draws a figure.

The book build executes them through sphinx-gallery; this test runs each one as a reader
would (``python plot_x.py``) in a fresh interpreter, with matplotlib's Agg backend, and
checks the form sphinx-gallery needs: a docstring title with an underline and a summary.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import subprocess_env

EXAMPLES = sorted((Path(__file__).parents[1] / "book" / "examples").glob("plot_*.py"))
#: Examples that need the akida extra (tf_keras, for BrainChip's file format).
NEEDS_AKIDA = ("streamnets.brainchip",)


def _runnable(script: Path):
    needs = any(module in script.read_text(encoding="utf-8") for module in NEEDS_AKIDA)
    return pytest.param(script, id=script.stem, marks=[pytest.mark.akida] if needs else [])

RUNNER = """
import runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.show = lambda *args, **kwargs: None
runpy.run_path(sys.argv[1], run_name="__main__")
print("FIGURES", len(plt.get_fignums()))
"""


def test_gallery_has_examples() -> None:
    assert len(EXAMPLES) >= 7, [p.name for p in EXAMPLES]


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_has_title_and_summary(script: Path) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    lines = (ast.get_docstring(tree, clean=False) or "").strip().splitlines()
    assert len(lines) >= 4, f"{script.name}: docstring needs a title, an underline, a summary"
    title, underline = lines[0].strip(), lines[1].strip()
    assert title and set(underline) == {"="} and len(underline) >= len(title), (
        f"{script.name}: the docstring must start with a title underlined by '='")
    assert any(line.strip() for line in lines[2:]), f"{script.name}: no summary paragraph"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_uses_public_api(script: Path) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    private = [f"{node.module}.{alias.name}" for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamnets")
               for alias in node.names
               if alias.name.startswith("_") or any(p.startswith("_")
                                                    for p in node.module.split("."))]
    assert not private, f"{script.name} imports private names: {private}"


@pytest.mark.parametrize("script", [_runnable(p) for p in EXAMPLES])
def test_example_runs_and_draws(script: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", RUNNER, str(script)], cwd=tmp_path,
                          env=subprocess_env(MPLBACKEND="Agg"), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stderr[-3000:]}"
    figures = [line for line in done.stdout.splitlines() if line.startswith("FIGURES ")]
    assert figures and int(figures[-1].split()[1]) >= 1, f"{script.name} drew no figure"
