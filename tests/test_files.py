"""streamnets.files: atomic writes leave the old file or the new one, never half of one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streamnets.files import replacing, write_json, write_text


def test_write_json_round_trips_and_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "card.json"
    write_json(path, {"accuracy": 0.5, "classes": [1, 2]})
    assert json.loads(path.read_text()) == {"accuracy": 0.5, "classes": [1, 2]}
    assert [p.name for p in path.parent.iterdir()] == ["card.json"]  # no temporary left


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    write_json(path, {"old": True})
    with pytest.raises(TypeError):
        write_json(path, {"not serializable": object()})
    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_written_files_get_the_umask_permissions_not_mkstemps_0600(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    write_text(path, "hello")
    umask = os.umask(0)
    os.umask(umask)
    assert path.read_text() == "hello"
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_replacing_writes_binary_streams(tmp_path: Path) -> None:
    path = tmp_path / "figure.png"
    with replacing(path, binary=True) as stream:
        stream.write(b"\x89PNG")
    assert path.read_bytes() == b"\x89PNG"


def test_importing_it_does_not_start_tensorflow() -> None:
    code = ("import sys, streamnets.files, streamnets.timing; "
            "print('tensorflow' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "False"
