"""The per-op profile of a LiteRT model: every op cut out alone, and the ops' times adding
up to the whole model's (the check that makes the per-op picture trustworthy)."""

from __future__ import annotations

import pytest

from streamnets import litert, litert_profile, quantize
from streamnets.data import calibration_clips
from streamnets.models import gesture_net
from streamnets.streaming import to_streaming

pytest.importorskip("ai_edge_litert")


@pytest.fixture(scope="module")
def int8_step() -> bytes:
    """The int8 streaming step of the full-size gesture model (its timings are what the
    profile is for; weights do not change them)."""
    stream = to_streaming(gesture_net())
    return litert.convert_litert(stream, quantize.calibration_pairs(
        stream, calibration_clips(4, 16, 100)))


def test_every_op_is_cut_out_into_a_model_of_its_own(int8_step: bytes) -> None:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    ops = [op["op_name"] for op in Interpreter(
        model_content=int8_step,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )._get_ops_details()]
    singles = litert_profile.single_op_models(int8_step)
    assert [name for name, _, _ in singles] == ops
    for name, _, blob in singles:
        interpreter = Interpreter(
            model_content=blob,
            experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        interpreter.allocate_tensors()
        assert [op["op_name"] for op in interpreter._get_ops_details()] == [name]
        interpreter.invoke()  # runs on its own, inputs as the model's inputs


def test_op_profile_sums_to_the_whole_step_within_ten_percent(int8_step: bytes) -> None:
    profile = litert_profile.op_profile(int8_step, repeats=11, rounds=3)
    assert len(profile["ops"]) == len(litert_profile.single_op_models(int8_step))
    assert profile["ops_sum_ms"] == pytest.approx(sum(op.ms for op in profile["ops"]))
    assert sum(profile["groups_ms"].values()) == pytest.approx(profile["ops_sum_ms"])
    assert abs(profile["sum_over_model"] - 1) <= 0.1, profile["sum_over_model"]
    # The convolutions are where an int8 step should spend its time.
    assert max(profile["groups_ms"], key=profile["groups_ms"].get) == \
        litert_profile.CONV_GROUP


def test_op_profile_rejects_bad_threads(int8_step: bytes) -> None:
    with pytest.raises(ValueError, match="threads must be an int >= 1"):
        litert_profile.op_profile(int8_step, threads=0)
