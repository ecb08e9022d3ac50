"""Benchmark MoViNet-A0-Stream beside our streaming model, per frame, on this CPU.

Runs :func:`streamnets.peers.peers_benchmark`: MoViNet-A0-Stream built and exported as TF
Model Garden's README does (random weights: this compares cost, not accuracy) and our
5-block model, each at 172 and 100 pixels, batch 1, one thread, states carried; timed in
turn, ``--rounds`` times: the saved model's ``tf.function``, LiteRT float and LiteRT int8.
MoViNet's LiteRT float output is checked against its saved model before it is timed.
Writes ``benchmarks/results/peers.json``::

    python benchmarks/bench_peers.py [--repeats 21] [--rounds 5] [--quick]

MoViNet needs ``tf-models-official``, which lives in its own environment (``make
env-peers``); run from another environment, this script re-runs itself there.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PEERS_PYTHON = Path(__file__).resolve().parents[1] / ".venv-peers" / "bin" / "python"


def main(argv: list[str] | None = None) -> int:
    from common import RESULTS_DIR, parse_timing_args

    from streamnets.peers import peers_benchmark
    from streamnets.results import write_result

    args = parse_timing_args(__doc__, RESULTS_DIR / "peers.json", argv,
                             quick="32 pixels only, 3 repeats, 1 round, 8 calibration frames")
    results = (peers_benchmark(sizes=(32,), repeats=3, rounds=1, calibration=8) if args.quick
               else peers_benchmark(repeats=args.repeats, rounds=args.rounds))
    write_result(args.out, "peers", results)
    for size, models in results["sizes"].items():
        for name, row in models.items():
            ms = row["ms_per_frame"]
            print(f"{size:>4} px {name:18s} {row['macs_per_frame'] / 1e6:6.1f} M MACs, "
                  f"{row['state_count']:3d} states: tf.function {ms['tf_function']:6.2f} ms, "
                  f"LiteRT float {ms['litert_float']:5.2f} ms, int8 {ms['litert_int8']:5.2f} ms")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    if importlib.util.find_spec("official") is None:
        if not PEERS_PYTHON.is_file():
            sys.exit("bench_peers: MoViNet needs tf-models-official; run `make env-peers` "
                     "(or `make bench`, which creates it) first.")
        os.execv(PEERS_PYTHON, [str(PEERS_PYTHON), __file__, *sys.argv[1:]])
    sys.exit(main())
