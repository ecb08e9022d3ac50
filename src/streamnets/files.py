"""Writing files atomically: a temporary file in the same folder, then a rename.

A crash or a full disk in the middle of a write then leaves the old file (or none), never
half of one: model cards, training histories, benchmark results and their figures are
read back by other code. This module imports nothing heavy, so scripts that only record
JSON (the book's timing, the benchmarks) do not pay for starting TensorFlow.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def replacing(path: str | os.PathLike, binary: bool = False) -> Iterator[IO[Any]]:
    """An open stream whose content replaces ``path`` when the ``with`` block ends.

    The folder is created if needed. If the block raises, ``path`` is left as it was and
    the temporary file is removed. The file gets the usual ``0o666 & ~umask`` permissions
    (``mkstemp``'s 0600 would hide package data from other users).

    Args:
        path: the file to replace (or create); its folder is created if missing.
        binary: open the stream in ``"wb"`` mode for bytes; by default it is a text
            stream written as UTF-8.

    Yields:
        The open stream on the temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb" if binary else "w",
                       encoding=None if binary else "utf-8") as stream:
            yield stream
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically, creating its folder if needed.

    Args:
        path: the file to write; an existing file is replaced only once all is written.
        text: the whole content, written as UTF-8.
    """
    with replacing(path) as stream:
        stream.write(text)


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically.

    Args:
        path: the file to write (see :func:`write_text`).
        data: any value :func:`json.dumps` accepts; written with ``indent=1`` and a
            final newline.
    """
    write_text(path, json.dumps(data, indent=1) + "\n")
