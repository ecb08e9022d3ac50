"""streamnets.viz.notebook: glue stores plain values, and the glue checks catch bad reads."""

import math

import nbformat
import numpy as np
import pytest
from IPython.core.formatters import format_display_data
from myst_nb.ext.glue import GLUE_PREFIX

from streamnets.viz import notebook
from streamnets.viz.notebook import (
    compare,
    factor,
    glue_calls,
    glue_problems,
    glue_references,
    glued_values,
)


@pytest.mark.parametrize("value", [np.float64(0.975), np.float32(2.5), np.int64(7)])
def test_numpy_scalars_are_glued_as_python_numbers(monkeypatch, value):
    stored = {}
    monkeypatch.setattr(
        "myst_nb.glue", lambda name, v, display=False: stored.update({name: v})
    )
    notebook.glue("x", value)
    assert type(stored["x"]) in (float, int)
    assert stored["x"] == pytest.approx(float(value))


# --------------------------------------------------------------------------- words


def test_compare_names_the_direction_and_equality():
    assert compare(2.0, 1.0, "faster", "slower", "as fast") == "faster"
    assert compare(0.5, 1.0, "faster", "slower", "as fast") == "slower"
    assert compare(1.0, 1.0, "faster", "slower", "as fast") == "as fast"
    assert compare(1.04, 1.0, "more", "less", "about", rel_tol=0.05) == "about"


def test_factor_is_true_whichever_way_the_values_go():
    assert factor(3.0, 1.0, "faster", "slower", "as fast") == "3.0 times faster"
    assert factor(1.0, 4.0, "larger", "smaller", "the same size") == "4.0 times smaller"
    # A factor that rounds to 1 would read "1.0 times faster": the 'same' words instead.
    assert factor(1.02, 1.0, "faster", "slower", "as fast") == "as fast"
    assert factor(1.02, 1.0, "faster", "slower", "as fast", digits=2) == "1.02 times faster"
    with pytest.raises(ValueError, match="positive"):
        factor(0.0, 1.0, "a", "b", "c")


# --------------------------------------------------------------------------- references

ALL_FORMS = """\
Roles: {glue}`role_plain`, {glue:}`role_colon`, {glue:any}`role_any`,
{glue:text}`role_text:.1%`, {glue:md}`role_md:myst` and {glue:text}``role_ticks:,``.

```{glue:figure} dir_figure
:name: fig-x

A caption that reads {glue:text}`in_caption:.2f`.
```

```{glue:math} dir_math
:label: eq-x
```

:::{glue} dir_plain
:::

~~~{glue:} dir_colon
~~~

````{glue:any} dir_any
````

```{glue:md} dir_md
:format: myst
```
"""
ALL_KEYS = {"role_plain", "role_colon", "role_any", "role_text", "role_md", "role_ticks",
            "dir_figure", "in_caption", "dir_math", "dir_plain", "dir_colon", "dir_any",
            "dir_md"}


def make_notebook(markdown: str, code: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown),
                                           nbformat.v4.new_code_cell(code)])


def glue_code(keys) -> str:
    return "\n".join(f'glue("{key}", 1)' for key in sorted(keys))


def test_every_glue_form_of_myst_nb_is_found():
    references = glue_references(make_notebook(ALL_FORMS, ""))
    assert {ref.key for ref in references} == ALL_KEYS
    forms = {ref.form for ref in references}
    assert forms == {"glue", "glue:", "glue:any", "glue:text", "glue:md", "glue:figure",
                     "glue:math"}
    assert {ref.kind for ref in references if ref.key.startswith("dir_")} == {"directive"}


def test_a_notebook_that_glues_every_key_it_reads_has_no_problems():
    assert glue_problems(make_notebook(ALL_FORMS, glue_code(ALL_KEYS))) == []


@pytest.mark.parametrize("planted", [
    "{glue}`nope`", "{glue:}`nope`", "{glue:any}`nope`", "{glue:text}`nope:.2f`",
    "{glue:md}`nope`", "{glue:text}``nope``",
    "```{glue:figure} nope\n```", "```{glue:math} nope\n```", "```{glue} nope\n```",
    ":::{glue:} nope\n:::", "```{glue:md} nope\n```",
])
def test_a_planted_read_of_a_key_nobody_glues_is_reported(planted):
    good = make_notebook(ALL_FORMS, glue_code(ALL_KEYS))
    good.cells.append(nbformat.v4.new_markdown_cell(f"Planted:\n\n{planted}\n"))
    problems = glue_problems(good)
    assert len(problems) == 1 and "'nope'" in problems[0], problems


def test_reads_of_unknown_forms_other_documents_and_empty_keys_are_reported():
    markdown = ("A {glue:txt}`a` typo, a {glue:text}`other.ipynb::b:.1f` read from another "
                "page, and an empty\n\n```{glue:figure}\n```\n")
    problems = glue_problems(make_notebook(markdown, 'glue("a", 1)\nglue("b", 2)'))
    assert any("{glue:txt} is not a glue role" in p for p in problems), problems
    assert any("another document (other.ipynb)" in p for p in problems), problems
    assert any("no key" in p for p in problems), problems


def test_a_role_inside_inline_code_is_reported():
    # Inline code shows "{glue:}" as text: the value never reaches the page.
    problems = glue_problems(make_notebook("In `{glue:}`layer`` the range is", 'glue("layer", 1)'))
    assert any("inside inline code" in p for p in problems), problems


def test_unread_glue_is_reported_unless_hidden():
    code = 'glue("read", 1)\nglue("unread", 2)\nglue("for_tests", 3, hidden=True)'
    problems = glue_problems(make_notebook("Reads {glue:}`read`.", code))
    assert len(problems) == 1 and "'unread' is glued but never read" in problems[0]


def test_fstring_names_match_their_reads_and_computed_names_are_refused():
    code = ('%matplotlib inline\nfor kind in ("a", "b"):\n    glue(f"params_{kind}", 1)\n'
            "name = 'x'\nglue(name, 2)")
    calls, problems = glue_calls(make_notebook("", code))
    assert [call.pattern.pattern for call in calls] == ["params_.+"]
    assert len(problems) == 1 and "string literal or an f-string" in problems[0]
    assert glue_problems(make_notebook("{glue:text}`params_a:,`", code)) == problems


def test_a_name_glued_in_two_cells_is_reported_but_branches_of_one_cell_are_not():
    branches = 'if ok:\n    glue("x", 1)\nelse:\n    glue("x", 2)'
    assert glue_problems(make_notebook("{glue}`x`", branches)) == []
    twice = make_notebook("{glue}`x`", 'glue("x", 1)')
    twice.cells.append(nbformat.v4.new_code_cell('glue("x", 2)'))
    assert any("glued in code cells [1, 2]" in p for p in glue_problems(twice))


# --------------------------------------------------------------------------- executed


def glued_output(name: str, value, display: bool = False) -> nbformat.NotebookNode:
    """The output myst_nb.glue writes (same mime bundle and metadata), without a kernel."""
    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    return nbformat.v4.new_output("display_data", data={prefix + k: v for k, v in
                                                        bundle.items()}, metadata=metadata)


def executed(markdown: str, code: str, values: dict) -> nbformat.NotebookNode:
    notebook = make_notebook(markdown, code)
    notebook.cells[1].outputs = [glued_output(name, value) for name, value in values.items()]
    return notebook


def test_glued_values_are_read_back_as_python_values():
    values = {"f": 0.123456789, "i": 1353895, "s": "4.6 times faster", "b": True,
              "d": {"fifo_a": [0.05, 0.05]}, "none": None, "nan": math.nan}
    notebook = executed("", "", values)
    notebook.cells[1].outputs.append(glued_output("shown", 2.5, display=True))
    read = glued_values(notebook)
    assert {k: v for k, v in read.items() if k != "nan"} == {
        **{k: v for k, v in values.items() if k != "nan"}, "shown": 2.5}
    assert math.isnan(read["nan"])


def test_the_executed_check_compares_reads_with_what_the_run_stored():
    code = 'glue("a", 1)\nglue("b", 2)\nglue("c", 3, hidden=True)'
    markdown = "{glue:text}`a:.1f` and {glue}`b`."
    assert glue_problems(make_notebook(markdown, code),
                         executed(markdown, code, {"a": 1, "b": 2, "c": 3})) == []
    problems = glue_problems(make_notebook(markdown, code),
                             executed(markdown, code, {"a": 1, "stray": 4}))
    assert any("reads 'b' but the executed notebook stored no such value" in p
               for p in problems), problems
    assert any("stored 'stray' but the prose never reads it" in p for p in problems), problems
    twice = executed(markdown, code, {"a": 1, "b": 2})
    twice.cells[1].outputs.append(glued_output("a", 5))
    assert any("stored 'a' more than once" in p
               for p in glue_problems(make_notebook(markdown, code), twice))


def test_a_directive_reading_another_document_through_its_doc_option():
    page = {"cells": [{"cell_type": "markdown", "source":
                       "```{glue:any} landing\n:doc: notebooks/06_continuous.ipynb\n```\n\n"
                       "```{glue:figure} local\n:name: fig-local\n```\n"}]}
    other, local = glue_references(page)
    assert (other.key, other.document) == ("landing", "notebooks/06_continuous.ipynb")
    assert (local.key, local.document) == ("local", None)
