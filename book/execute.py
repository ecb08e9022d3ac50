"""Execute the chapter notebooks with papermill, ready for the book to render.

Every ``notebooks/*.ipynb`` (or the ones named with ``--only``) is executed top to bottom in
a fresh kernel of *this* interpreter, and the executed copy is written to the output
folder (default ``book/notebooks/``), which the book's ``_toc.yml`` points at. The book is
built with ``execute_notebooks: off``, so what this script stored is what gets published.

No papermill parameters are passed (papermill would then add an injected-parameters cell
to every page); CI mode is chosen through the environment instead: ``--ci`` sets
``STREAMNETS_CI_MODE=1``, which each notebook's ``parameters`` cell reads. The data is chosen
the same way: ``--data jester-subset`` sets ``STREAMNETS_DATA``, read by the ``DATA``
parameter of the chapters that can run on BrainChip's Jester subset (downloaded from
``STREAMNETS_DATA_URL``, BrainChip's server by default; see ``streamnets.data.remote``).

``--times PATH`` records how long each notebook took (JSON, with the machine and package
versions of :func:`streamnets.timing.environment`, stamped with the code's version and
commit by :func:`streamnets.results.write_result`). The file is rewritten atomically after
every notebook, so a chapter executed later in the same run (chapter 9, "Performance") can
read the times of the chapters before it; ``"complete"`` turns true when the run ends.

    python book/execute.py                 # every chapter, full size
    python book/execute.py --ci --only 01_convolutions --out /tmp/executed
    python book/execute.py --times benchmarks/results/book_full.json
    python book/execute.py --data jester-subset --only 07_quantization --out /tmp/jester
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KERNEL_NAME = "python3"


def select_notebooks(source: Path, only: list[str] | None) -> list[Path]:
    """The notebooks of ``source`` to run, in chapter order; ``only`` holds names or stems."""
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise SystemExit(f"error: no notebooks in {source}")
    if not only:
        return notebooks
    by_name = {nb.stem: nb for nb in notebooks}
    unknown = [name for name in only if Path(name).stem not in by_name]
    if unknown:
        raise SystemExit(
            f"error: --only {', '.join(unknown)}: no such notebook in {source} "
            f"(have: {', '.join(by_name)})"
        )
    return [by_name[Path(name).stem] for name in dict.fromkeys(only)]


def use_this_interpreter(scratch: Path) -> None:
    """Make the ``python3`` kernel run ``sys.executable``, whatever kernels are installed.

    A system-wide ``python3`` kernelspec could point at another Python without the pinned
    packages; a kernelspec written to ``scratch`` and put first on ``JUPYTER_PATH`` wins.
    """
    spec_dir = scratch / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (streamnets)",
        "language": "python",
        "metadata": {"debugger": True},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(scratch), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )


def execute(notebook: Path, out_dir: Path, timeout: int, scratch: Path) -> float:
    """Execute ``notebook`` into ``out_dir/<name>`` atomically; return the seconds it took."""
    import papermill

    partial = scratch / notebook.name
    start = time.perf_counter()
    papermill.execute_notebook(
        str(notebook),
        str(partial),
        kernel_name=KERNEL_NAME,
        cwd=str(out_dir),
        execution_timeout=timeout,
        progress_bar=False,
        request_save_on_cell_execute=False,
        # Keep ipywidgets' state in the notebook so the static book can render widgets.
        store_widget_state=True,
    )
    seconds = time.perf_counter() - start
    os.replace(partial, out_dir / notebook.name)
    return seconds


def times_writer(path: Path | None, mode: str, times: dict[str, float],
                 failures: list[str]) -> Callable[[bool], None]:
    """A function ``write(complete)`` that stores ``times`` and ``failures`` at ``path``.

    The record is rewritten whole, atomically, each time, so a reader never sees half a
    file; ``environment()`` is taken again each time, so the load average and date are
    those of the latest notebook. It is a result named after the file (``book_full`` for
    ``make book``'s), stamped by :func:`streamnets.results.write_result`, so chapter 9
    uses it only when the same code runs. Without a path, writing does nothing.
    """
    if path is None:
        return lambda complete: None
    from streamnets.results import write_result
    from streamnets.timing import environment

    def write(complete: bool) -> None:
        write_result(path, path.stem, {
            "mode": mode,
            **environment("jupyter-book", "myst-nb", "papermill"),
            "notebooks": dict(times),
            "failed": list(failures),
            "total_s": sum(times.values()),
            "complete": complete,
        })

    return write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=REPO / "notebooks",
                        help="folder of the source notebooks (default: notebooks/)")
    parser.add_argument("--out", type=Path, default=REPO / "book" / "notebooks",
                        help="where the executed notebooks go (default: book/notebooks/)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="execute only this notebook (name or stem); repeatable")
    parser.add_argument("--timeout", type=int, default=1200,
                        help="seconds one cell may run before it fails (default: 1200)")
    parser.add_argument("--ci", action="store_true",
                        help="small, fast CI mode (sets STREAMNETS_CI_MODE=1)")
    from streamnets.reproduction import DATA_CHOICES

    parser.add_argument("--data", choices=DATA_CHOICES,
                        help="the chapters' DATA parameter (sets STREAMNETS_DATA; default: "
                             "what the environment says, else synthetic)")
    parser.add_argument("--times", type=Path, metavar="PATH",
                        help="write the execution times as JSON here, updated per notebook")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}")

    notebooks = select_notebooks(args.source.resolve(), args.only)
    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.ci:
        os.environ["STREAMNETS_CI_MODE"] = "1"
    if args.data:
        os.environ["STREAMNETS_DATA"] = args.data
    mode = "CI" if os.environ.get("STREAMNETS_CI_MODE", "0") == "1" else "full"
    # The kernel inherits this environment: quiet TensorFlow, and no MPLBACKEND (an Agg
    # backend set for scripts would stop the kernel's inline backend from showing figures).
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.pop("MPLBACKEND", None)

    failures: list[str] = []
    times: dict[str, float] = {}
    record_times = times_writer(args.times, mode, times, failures)
    record_times(complete=False)
    # The scratch folder sits inside out_dir so the final os.replace stays on one
    # file system; it is removed even when a notebook fails.
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".execute-") as scratch_name:
        scratch = Path(scratch_name)
        use_this_interpreter(scratch)
        for notebook in notebooks:
            print(f"executing {notebook.name} ({mode} mode) ...", flush=True)
            try:
                times[notebook.name] = execute(notebook, out_dir, args.timeout, scratch)
            except Exception as error:  # report every failing chapter, not just the first
                failures.append(notebook.name)
                print(f"FAILED {notebook.name}: {type(error).__name__}: {error}", flush=True)
            else:
                print(f"  {notebook.name}: {times[notebook.name]:.1f} s", flush=True)
            record_times(complete=False)
    record_times(complete=True)

    print(f"executed {len(times)} notebook(s) in {sum(times.values()):.1f} s ({mode} mode) "
          f"into {out_dir}")
    if failures:
        print(f"{len(failures)} notebook(s) failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
