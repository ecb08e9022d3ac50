"""What every benchmark script shares: where the results go.

Scripts stamp their results with :func:`streamnets.timing.environment` and write them
atomically with :func:`streamnets.train.write_json` ``(path, data)``.
"""

from __future__ import annotations

from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
