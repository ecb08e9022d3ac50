"""Every chapter notebook executes top to bottom under papermill in its CI mode.

Parametrized over ``notebooks/*.ipynb``, so a new chapter is tested as soon as it exists.
The execution is shared with the book build (``conftest.execute_notebook``), so a session
that runs both executes each chapter once. This also runs in the newest-TF environment,
which is how we know the chapters still work in Colab.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from conftest import EXECUTE, NOTEBOOK_NAMES, Execution

# {glue}`name`, {glue:text}`name:.2f`, ```{glue:figure} name ... in markdown cells.
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")
GLUE_DIRECTIVE = re.compile(r"^\s*(?:```|:::)\{glue(?::\w+)?\}\s+(\S+)", re.MULTILINE)


def glued_names(notebook: nbformat.NotebookNode) -> set[str]:
    """Names stored by myst-nb's ``glue`` in the outputs of an executed notebook."""
    return {
        output.metadata["scrapbook"]["name"]
        for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
    }


def referenced_glue(notebook: nbformat.NotebookNode) -> set[str]:
    """Names the markdown cells read with glue roles and directives."""
    names: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            names.update(GLUE_ROLE.findall(cell.source), GLUE_DIRECTIVE.findall(cell.source))
    return names


@pytest.mark.notebooks
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_executes_in_ci_mode(
    name: str, execute_notebook: Callable[[str], Execution]
) -> None:
    result = execute_notebook(name)
    result.check()
    notebook = nbformat.read(result.path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [output for cell in code_cells for output in cell.outputs
              if output.output_type == "error"]
    assert not errors, f"{name}: error outputs {[e.ename for e in errors]}"
    not_run = [i for i, cell in enumerate(code_cells) if cell.execution_count is None]
    assert not not_run, f"{name}: code cells {not_run} were not executed"
    missing = referenced_glue(notebook) - glued_names(notebook)
    assert not missing, f"{name}: the prose reads glue names nobody stored: {sorted(missing)}"
    print(f"{name}: {result.seconds:.1f} s in CI mode")


def test_glue_references_are_found() -> None:
    markdown = nbformat.v4.new_markdown_cell(
        "A {glue:text}`acc:.1%` and {glue}`n`.\n\n```{glue:figure} fig_a\n:name: x\n```"
    )
    notebook = nbformat.v4.new_notebook(cells=[markdown])
    assert referenced_glue(notebook) == {"acc", "n", "fig_a"}


def test_execute_rejects_unknown_notebook(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXECUTE.parent))
    try:
        import execute
    finally:
        sys.path.remove(str(EXECUTE.parent))
    (tmp_path / "01_a.ipynb").write_text("{}")
    assert execute.select_notebooks(tmp_path, ["01_a.ipynb"]) == [tmp_path / "01_a.ipynb"]
    with pytest.raises(SystemExit, match="no such notebook"):
        execute.select_notebooks(tmp_path, ["02_b"])
