"""MoViNet-A0-Stream beside our model (streamnets.peers).

The benchmark itself needs tf-models-official, which lives in its own environment
(``make env-peers``): those tests carry the ``peers`` marker and ``make test`` runs them
with that environment's Python where it exists. The error without it is tested here,
in every environment.
"""

from __future__ import annotations

import sys

import pytest

from streamnets import peers


def test_without_model_garden_the_error_says_what_to_run(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "official", None)  # makes the import fail
    with pytest.raises(peers.PeersUnavailable, match="make env-peers"):
        peers.export_movinet_stream(tmp_path / "a0")
    assert not (tmp_path / "a0").exists()


@pytest.mark.peers
def test_peers_benchmark_at_a_tiny_size(tmp_path) -> None:
    results = peers.peers_benchmark(sizes=(32,), repeats=1, rounds=1, calibration=8,
                                    workdir=tmp_path)
    movinet, ours = (results["sizes"]["32"][k] for k in ("movinet_a0_stream", "ours"))
    assert movinet["litert_float_max_relative_difference"] <= peers.FLOAT_TOLERANCE
    assert ours["state_count"] == 5 and movinet["state_count"] > 20
    assert ours["params"] == 1_353_895
    assert 1e6 < movinet["params"] < 4e6  # A0 with a 27-class head
    assert movinet["ops_float"].get("HARD_SWISH", 0) > 0  # the README's mobile settings
    for row in (movinet, ours):
        assert row["macs_per_frame"] > 0
        assert set(row["ms_per_frame"]) == {"tf_function", "litert_float", "litert_int8"}
        assert all(v > 0 for v in row["ms_per_frame"].values())
    with pytest.raises(FileExistsError):
        peers.export_movinet_stream(tmp_path / "movinet_a0_stream_32", 32)


def test_the_shipped_record_holds_both_models_at_both_sizes() -> None:
    record = peers.reference_result()
    assert record["result"] == "peers" and record["commit"]
    for size in map(str, peers.SIZES):
        models = record["sizes"][size]
        assert set(models) == {"movinet_a0_stream", "ours"}
        assert models["movinet_a0_stream"]["litert_float_max_relative_difference"] <= (
            peers.FLOAT_TOLERANCE)
    assert record["sizes"]["100"]["ours"]["macs_per_frame"] == 68_201_960
