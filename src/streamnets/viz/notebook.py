"""Small helpers every chapter notebook uses, and the checks of what the prose reads.

Writing: :func:`glue` stores a value for the book's prose, :func:`compare` and
:func:`factor` turn a comparison into the words that make a sentence true, so that no
conclusion in the prose is typed by hand.

Reading and checking (used by the tests, no execution needed for the first two):
:func:`glue_references` lists every key the markdown cells read, in every form myst-nb
supports; :func:`glue_calls` lists the ``glue(...)`` calls of the code cells;
:func:`glue_problems` compares the two (and, given an executed notebook, what it really
stored); :func:`glued_values` reads the stored values back from an executed notebook.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The forms myst-nb 1.x registers: roles ``{glue}``, ``{glue:}``, ``{glue:any}``,
#: ``{glue:text}``, ``{glue:md}``; directives the same plus ``{glue:figure}``, ``{glue:math}``.
ROLE_FORMS = frozenset({"glue", "glue:", "glue:any", "glue:text", "glue:md"})
DIRECTIVE_FORMS = frozenset(
    {"glue", "glue:", "glue:any", "glue:figure", "glue:math", "glue:md"}
)
#: Forms whose content is ``key:format`` rather than a bare key.
_FORMATTED_FORMS = frozenset({"glue:text", "glue:md"})
#: Where myst-nb's glue stores the mime type of a value glued with ``display=False``.
_RECORD_PREFIX = "application/papermill.record/"

# A role: {name} then a run of backticks, the content, the same run of backticks.
_ROLE = re.compile(r"\{(glue(?::[\w-]*)?)\}(`+)(.*?)(?<!`)\2(?!`)", re.DOTALL)
# A directive: a fence of ``` ~~~ or ::: (3 or more) opening {name} and its argument.
_DIRECTIVE = re.compile(
    r"^[ \t]*(?:`{3,}|~{3,}|:{3,})\{(glue(?::[\w-]*)?)\}[ \t]*([^\n]*)$", re.MULTILINE
)
# The ``:doc:`` option of a directive (the line right after it): read from that document.
_DOC_OPTION = re.compile(r"[ \t]*:doc:[ \t]*([^\n]+)")
# A role right after an opening backtick: inside inline code, shown as text, not rendered.
_ROLE_IN_CODE = re.compile(r"(?<![`\w])`\{glue(?::[\w-]*)?\}`[^`\n]*`")
# IPython syntax that is not Python: line magics, shell escapes, cell magics.
_MAGIC = re.compile(r"^([ \t]*)([%!].*)$", re.MULTILINE)


def glue(name: str, value: Any, display: bool = False, hidden: bool = False) -> None:
    """Store ``value`` under ``name`` for the book's prose (myst-nb ``{glue}`` roles).

    The book is built with myst-nb, which reads the glued outputs of the executed
    notebook, so no number in the prose is typed by hand. In Colab or a plain Jupyter
    install without myst-nb the value is simply shown (when ``display`` is true).

    ``hidden=True`` declares a value that the prose does not quote: one stored for the
    chapter's tests (which read it back with :func:`glued_values`). Every other glued
    name must be read by the prose, which :func:`glue_problems` checks.

    Args:
        name: the key the prose reads, e.g. ``{glue:text}`name``; a string literal or
            f-string in the call, so that :func:`glue_calls` can read it from the source.
        value: what to store: a number, text, or anything IPython displays (a figure).
            A numpy scalar is stored as the Python number.
        display: also show the value in the notebook's output, not only store it.
        hidden: declare that the prose does not read ``name`` (for the tests); it changes
            nothing at run time.
    """
    del hidden  # a declaration for the checks, read from the source by glue_calls
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        # numpy scalars: their repr ("np.float64(0.97)") would reach the page and break
        # format specs such as {glue:text}`acc:.1%`.
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # Colab: the book tooling is not installed, nothing to store.
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)


# --------------------------------------------------------------------------- words


def compare(value: float, reference: float, above: str, below: str, same: str,
            rel_tol: float = 0.0) -> str:
    """The word for how ``value`` compares with ``reference``: ``above``, ``below``, or
    ``same`` when they are equal or within ``rel_tol`` of each other.

    Args:
        value: the measured value.
        reference: what it is compared with.
        above: the word when ``value`` is larger.
        below: the word when ``value`` is smaller.
        same: the word when they are equal within ``rel_tol``.
        rel_tol: the relative tolerance of "equal" (as :func:`math.isclose`); 0 means
            exactly equal.

    >>> compare(2.0, 1.0, "faster", "slower", "as fast")
    'faster'
    """
    if value == reference or math.isclose(value, reference, rel_tol=rel_tol):
        return same
    return above if value > reference else below


def factor(value: float, reference: float, above: str, below: str, same: str,
           digits: int = 1) -> str:
    """``value`` against ``reference`` as a factor phrase that is true either way.

    ``"2.5 times faster"`` when ``value`` is 2.5 times ``reference``, ``"2.5 times
    slower"`` when it is 2.5 times smaller, ``same`` when the factor rounds to 1 at
    ``digits`` decimals (a "1.0 times faster" would mislead).

    Args:
        value: the measured value (positive).
        reference: what it is compared with (positive).
        above: the word after "times" when ``value`` is larger (e.g. ``"faster"``).
        below: the word after "times" when ``value`` is smaller.
        same: the whole phrase when the factor rounds to 1.
        digits: decimals of the factor.

    Raises:
        ValueError: if ``value`` or ``reference`` is not positive.

    >>> factor(3.0, 1.0, "larger", "smaller", "about the same size")
    '3.0 times larger'
    """
    if value <= 0 or reference <= 0:
        raise ValueError(f"factor needs positive values, got {value} and {reference}.")
    ratio = value / reference
    size = ratio if ratio >= 1 else 1 / ratio
    if round(size, digits) <= 1:
        return same
    return f"{size:.{digits}f} times {above if ratio > 1 else below}"


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class GlueReference:
    """One read of a glued value in a markdown cell."""

    cell: int  # index of the markdown cell in the notebook
    form: str  # "glue:text", "glue:figure", ...
    kind: str  # "role" or "directive"
    key: str  # the glued name it reads ("" when none was given)
    document: str | None  # another document's path for "doc::key" reads, else None
    text: str  # the source text of the reference, for messages


@dataclass(frozen=True)
class GlueCall:
    """One ``glue(name, ...)`` call in a code cell."""

    cell: int
    name: str | None  # the literal name, or None for a computed one
    pattern: re.Pattern[str]  # matches every name the call can store
    hidden: bool  # declared with hidden=True: not to be read by the prose
    text: str


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cells(notebook: Mapping[str, Any], cell_type: str) -> Iterable[tuple[int, str]]:
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") == cell_type:
            yield index, _source(cell)


def _split_key(form: str, content: str, role: bool) -> tuple[str, str | None]:
    """(key, other document or None) of a role's content or a directive's argument."""
    content = content.strip()
    document = None
    if "::" in content:
        document, content = content.split("::", 1)
    if role and form in _FORMATTED_FORMS and ":" in content:
        content = content.rsplit(":", 1)[0]  # key:format, as myst-nb splits it
    return content.strip(), document


def glue_references(notebook: Mapping[str, Any]) -> list[GlueReference]:
    """Every glue role and directive of the notebook's markdown cells, in order.

    Args:
        notebook: a notebook as parsed JSON (``json.load`` of the ``.ipynb``, or
            ``nbformat.read``), with its ``cells``; it need not be executed.
    """
    references = []
    for index, source in _cells(notebook, "markdown"):
        found = []
        for match in _DIRECTIVE.finditer(source):
            key, document = _split_key(match[1], match[2], role=False)
            option = _DOC_OPTION.match(source, match.end() + 1)  # {glue:any} key + :doc: path
            document = option[1].strip() if option else document
            found.append((match.start(), GlueReference(index, match[1], "directive", key,
                                                       document, match[0].strip())))
        for match in _ROLE.finditer(source):
            key, document = _split_key(match[1], match[3], role=True)
            found.append((match.start(), GlueReference(index, match[1], "role", key,
                                                       document, match[0])))
        references += [reference for _, reference in sorted(found, key=lambda f: f[0])]
    return references


def _name_pattern(node: ast.expr) -> tuple[str | None, re.Pattern[str] | None]:
    """The literal name and a pattern for the names a glue call's first argument gives."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, re.compile(re.escape(node.value))
    if isinstance(node, ast.JoinedStr):  # f"params_{kind}": any text where {kind} is
        parts = [re.escape(value.value) if isinstance(value, ast.Constant) else ".+"
                 for value in node.values]
        return None, re.compile("".join(parts))
    return None, None


def glue_calls(notebook: Mapping[str, Any]) -> tuple[list[GlueCall], list[str]]:
    """The ``glue(...)`` calls of the code cells, and the problems met reading them.

    A call's name must be a string literal or an f-string; any other expression (a
    variable) would hide from the checks which names the notebook stores.

    Args:
        notebook: a notebook as parsed JSON (``json.load`` of the ``.ipynb``, or
            ``nbformat.read``), with its ``cells``; it need not be executed. IPython magics
            and shell escapes are skipped.

    Returns:
        The calls in cell order, and one message per cell that cannot be parsed or call
        whose name is not a literal or an f-string.
    """
    calls, problems = [], []
    for index, source in _cells(notebook, "code"):
        python = _MAGIC.sub(lambda m: f"{m[1]}pass  # {m[2]}", source)
        try:
            tree = ast.parse(python)
        except SyntaxError as error:
            problems.append(f"code cell {index}: cannot be parsed ({error.msg})")
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and (
                    (isinstance(node.func, ast.Name) and node.func.id == "glue")
                    or (isinstance(node.func, ast.Attribute) and node.func.attr == "glue"))):
                continue
            text = ast.get_source_segment(python, node) or "glue(...)"
            argument = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "name"), None)
            name, pattern = (None, None) if argument is None else _name_pattern(argument)
            if pattern is None:
                problems.append(f"code cell {index}: {text.splitlines()[0]} does not name "
                                "its key with a string literal or an f-string")
                continue
            hidden = any(k.arg == "hidden" and isinstance(k.value, ast.Constant)
                         and k.value.value is True for k in node.keywords)
            calls.append(GlueCall(index, name, pattern, hidden, text))
    return calls, problems


def _stored_names(notebook: Mapping[str, Any]) -> list[str]:
    """The glued names of an executed notebook's outputs, in order, repeats included."""
    return [output["metadata"]["scrapbook"]["name"]
            for cell in notebook["cells"] for output in cell.get("outputs", [])
            if output.get("metadata", {}).get("scrapbook")]


def glued_outputs(notebook: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Name -> mime bundle (prefix removed) of every value an executed notebook glued.

    Args:
        notebook: a notebook as parsed JSON (``json.load`` of the ``.ipynb``, or
            ``nbformat.read``), with its ``cells`` and outputs (executed, e.g. by papermill);
            when a name was stored twice, the last output wins.
    """
    stored: dict[str, dict[str, Any]] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if not scrapbook:
                continue
            prefix = scrapbook.get("mime_prefix", "")
            stored[scrapbook["name"]] = {
                mime.removeprefix(prefix): data for mime, data in output.get("data", {}).items()
            }
    return stored


def _plain_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        pass
    special = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
    return special.get(text.strip(), text)


def glued_values(notebook: Mapping[str, Any]) -> dict[str, Any]:
    """Name -> value of every glued output of an executed notebook.

    Numbers, strings, booleans, lists and dicts come back as Python values (read from
    their ``text/plain`` form); anything else (a figure) as its ``text/plain`` text.

    Args:
        notebook: a notebook as parsed JSON (``json.load`` of the ``.ipynb``, or
            ``nbformat.read``), with its ``cells`` and outputs (executed, e.g. by papermill).
    """
    values = {}
    for name, bundle in glued_outputs(notebook).items():
        text = bundle.get("text/plain")
        if isinstance(text, list):
            text = "".join(text)
        values[name] = None if text is None else _plain_value(text)
    return values


def glue_problems(notebook: Mapping[str, Any],
                  executed: Mapping[str, Any] | None = None) -> list[str]:
    """Everything wrong between what the prose reads and what the code glues.

    From the source alone: unknown glue forms, roles inside inline code (not rendered),
    reads without a key or from another document, keys no ``glue`` call of a code cell can
    store, names glued in two code cells, and glued names the prose never reads (unless
    declared ``hidden=True``). With the ``executed`` notebook: names stored twice, keys read
    but not stored by the run, and stored names neither read nor hidden. An empty list
    means every read finds its value.

    Args:
        notebook: a notebook as parsed JSON (``json.load`` of the ``.ipynb``, or
            ``nbformat.read``), with its ``cells`` (the source; outputs are not read).
        executed: the same notebook after execution, to check what the run really
            stored; ``None`` checks the source alone.

    Returns:
        One readable message per problem, in the order above.
    """
    problems = []
    references = glue_references(notebook)
    calls, call_problems = glue_calls(notebook)
    problems += call_problems
    for index, source in _cells(notebook, "markdown"):
        for match in _ROLE_IN_CODE.finditer(source):
            problems.append(f"markdown cell {index}: {match[0]!r} sits inside inline code, "
                            "where the role is not rendered")
    for ref in references:
        where = f"markdown cell {ref.cell}: {ref.text}"
        forms = ROLE_FORMS if ref.kind == "role" else DIRECTIVE_FORMS
        if ref.form not in forms:
            problems.append(f"{where}: {{{ref.form}}} is not a glue {ref.kind} of myst-nb")
        elif not ref.key:
            problems.append(f"{where}: no key")
        elif ref.document is not None:
            problems.append(f"{where}: reads from another document ({ref.document}); "
                            "glue the value in this notebook")
        elif not any(call.pattern.fullmatch(ref.key) for call in calls):
            problems.append(f"{where}: no glue call in a code cell stores {ref.key!r}")
    read = {ref.key for ref in references if ref.key}
    cells_of: dict[str, set[int]] = {}
    for call in calls:
        if call.name is not None:
            cells_of.setdefault(call.name, set()).add(call.cell)
    for name, cells in sorted(cells_of.items()):
        if len(cells) > 1:  # within one cell, calls may sit in exclusive branches
            problems.append(f"{name!r} is glued in code cells {sorted(cells)} (myst-nb keeps "
                            "the last)")
    for call in calls:
        if call.name is not None and not call.hidden and call.name not in read:
            problems.append(f"code cell {call.cell}: {call.name!r} is glued but never read "
                            "by the prose (read it, or glue it with hidden=True)")
    if executed is not None:
        names = _stored_names(executed)
        for name in sorted({name for name in names if names.count(name) > 1}):
            problems.append(f"the executed notebook stored {name!r} more than once")
        stored = set(names)
        for key in sorted(read - stored):
            problems.append(f"the prose reads {key!r} but the executed notebook stored no "
                            "such value")
        hidden = [call.pattern for call in calls if call.hidden]
        for name in sorted(stored - read):
            if not any(pattern.fullmatch(name) for pattern in hidden):
                problems.append(f"the executed notebook stored {name!r} but the prose never "
                                "reads it (read it, or glue it with hidden=True)")
    return problems
