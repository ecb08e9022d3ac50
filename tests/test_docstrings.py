"""Every public function and method of the documented API describes its parameters.

The API page (book/api.md) renders docstrings with napoleon, Google style: a parameter is
described by a line ``name: what it is`` (or ``name (type): ...``) in an ``Args:`` section.
Exempt are what the package does not define itself: Keras layer hooks (``build``,
``call``, ...) that Keras documents, and the ``__init__`` that ``dataclass`` writes.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from pathlib import Path

import pytest

API_PAGE = Path(__file__).parents[1] / "book" / "api.md"
MODULES = re.findall(r"^\.\. automodule:: (\S+)", API_PAGE.read_text(encoding="utf-8"),
                     re.MULTILINE)
#: Methods whose contract is Keras's (documented there), not ours.
FRAMEWORK_HOOKS = {"build", "call", "compute_output_shape", "get_config", "from_config",
                   "convolution_op", "update_state", "result", "reset_state", "get_metrics_result"}
ARG_LINE = re.compile(r"^\s+\*{0,2}(\w+)\s*(?:\([^)]*\))?:")
SECTION = re.compile(r"^\s*(Args|Arguments|Parameters)\s*:\s*$")
NEXT_SECTION = re.compile(r"^\s*(Returns|Return|Raises|Yields|Yield|Examples?|Notes?|"
                          r"Attributes|Warns|See Also|References)\s*:\s*$")


def _described(doc: str) -> set[str]:
    """Parameter names that have a ``name: ...`` line in the docstring's ``Args:`` section."""
    names: set[str] = set()
    inside = False
    for line in doc.splitlines():
        if SECTION.match(line):
            inside = True
        elif inside and (NEXT_SECTION.match(line) or (line.strip() and not line[0].isspace())):
            inside = False
        elif inside and (match := ARG_LINE.match(line)):
            names.add(match[1])
    return names


def _parameters(function) -> list[str]:
    skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [name for name, p in inspect.signature(function).parameters.items()
            if name not in ("self", "cls") and p.kind not in skip]


def _public_callables(module):
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj, obj
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not inspect.isfunction(member) or attr in FRAMEWORK_HOOKS:
                    continue
                if attr == "__init__":
                    if dataclasses.is_dataclass(obj) and member.__code__.co_filename == "<string>":
                        continue  # written by dataclass: the fields are the class's attributes
                    yield f"{name}.__init__", member, obj  # described in the class docstring
                elif not attr.startswith("_"):
                    yield f"{name}.{attr}", member, member


def undocumented(module_name: str) -> list[str]:
    """``qualname: missing, ...`` for each callable of the module with a gap."""
    module = importlib.import_module(module_name)
    gaps = []
    for qualname, function, documented in _public_callables(module):
        names = _parameters(function)
        if not names:
            continue
        doc = inspect.getdoc(documented) or ""
        if documented is not function:  # __init__: the class docstring, or its own
            doc += "\n" + (inspect.getdoc(function) or "")
        missing = [name for name in names if name not in _described(doc)]
        if missing:
            gaps.append(f"{qualname}: {', '.join(missing)}")
    return gaps


@pytest.mark.parametrize("module_name", MODULES)
def test_public_parameters_are_described(module_name: str) -> None:
    gaps = undocumented(module_name)
    assert not gaps, (f"{module_name}: describe these parameters in an 'Args:' section "
                      "(Google style, 'name: what it is'):\n  " + "\n  ".join(gaps))
