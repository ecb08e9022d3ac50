"""glue: numbers reach the book as plain Python values."""

import numpy as np
import pytest

from streamnets.viz import notebook


@pytest.mark.parametrize("value", [np.float64(0.975), np.float32(2.5), np.int64(7)])
def test_numpy_scalars_are_glued_as_python_numbers(monkeypatch, value):
    stored = {}
    monkeypatch.setattr(
        "myst_nb.glue", lambda name, v, display=False: stored.update({name: v})
    )
    notebook.glue("x", value)
    assert type(stored["x"]) in (float, int)
    assert stored["x"] == pytest.approx(float(value))
