"""measure_throughput: warm-up calls are not timed, the median is reported."""

from __future__ import annotations

import numpy as np
import pytest

from streamnets.timing import Throughput, measure_throughput


def test_calls_warmup_then_repeats_and_passes_inputs() -> None:
    seen = []

    def fn(inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        seen.append(inputs)
        return [inputs["x"] * 2, {"y": inputs["x"]}]

    inputs = {"x": np.ones(3)}
    result = measure_throughput(fn, inputs, repeats=3, warmup=2, items=12)
    assert len(seen) == 5 and all(value is inputs for value in seen)
    assert len(result.seconds) == 3 and all(s >= 0 for s in result.seconds)
    assert result.items == 12


def test_median_and_rates() -> None:
    result = Throughput(seconds=(0.5, 0.1, 0.2), items=4)
    assert result.median_s == pytest.approx(0.2)
    assert result.items_per_s == pytest.approx(20.0)
    assert result.ms_per_item == pytest.approx(50.0)


def test_slow_call_takes_longer() -> None:
    import time

    quick = measure_throughput(lambda _: None, None, repeats=3)
    slow = measure_throughput(lambda _: time.sleep(0.02), None, repeats=3)
    assert slow.median_s >= 0.02 > quick.median_s


@pytest.mark.parametrize(("argument", "value"), [("repeats", 0), ("warmup", -1), ("items", 0),
                                                 ("repeats", 2.5)])
def test_bad_counts_raise(argument: str, value: object) -> None:
    with pytest.raises(ValueError, match=argument):
        measure_throughput(lambda _: None, None, **{argument: value})
