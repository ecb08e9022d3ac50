"""What every benchmark script shares: where it ran, and writing its JSON safely."""

from __future__ import annotations

import datetime
import json
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(*packages: str) -> dict[str, Any]:
    """Machine, load, package versions and date, recorded next to every measurement.

    The load average is kept because these machines are shared: a number measured
    under load is only comparable with the peer measured in the same run.
    """
    names = ("numpy", "tensorflow", "keras", "streamnets", *packages)
    return {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "load_average_1_5_15_min": list(os.getloadavg()),
        },
        "versions": {"python": platform.python_version(), **{n: _version(n) for n in names}},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".json.tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2)
        stream.write("\n")
    os.replace(temporary, path)
