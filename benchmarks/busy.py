"""Train on a busy machine: how much slower than on an idle one, with the threads bounded and without.

    python benchmarks/busy.py               # updates the table in README.md
    python benchmarks/busy.py --no-readme   # only prints it

The machine is made busy with one spinning process per core, started a minute and a half before the
measurement so that the load average shows them, as it does on a CI runner shared with other jobs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cookiecutter.main import cookiecutter
from run import TEMPLATE, machine, measure, update_readme

ROWS = 10_000
REPEATS = 3
WARM_UP_SECONDS = 90
THREAD_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def train_seconds(project: Path, threads: int | None) -> float:
    """The median wall time of `run train` through the command line; `threads` forces a thread count."""
    environment = {name: value for name, value in os.environ.items() if name not in THREAD_SETTINGS}
    if threads is not None:
        environment["OMP_NUM_THREADS"] = str(threads)
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "expense_classifier", "run", "train"],
            cwd=project,
            env=environment,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@contextmanager
def busy(processes: int) -> Iterator[None]:
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        time.sleep(WARM_UP_SECONDS)
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def benchmark() -> str:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=folder))
        measure(project, "generate", str(ROWS))
        for stage in ("analyze", "prepare", "preprocess"):
            measure(project, stage)
        idle = train_seconds(project, None)
        with busy(cores):
            bounded = train_seconds(project, None)
            unbounded = train_seconds(project, cores)
    rows = [  # (machine, numeric threads, seconds)
        ("idle", "bounded (the default)", idle),
        (f"{cores} other busy processes", "bounded (the default)", bounded),
        (f"{cores} other busy processes", f"one per core (OMP_NUM_THREADS={cores})", unbounded),
    ]
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    return "\n".join(
        [
            f"Measured on {today}: {machine()}; `run train` on {ROWS:,} rows, median of {REPEATS}.",
            "",
            "| machine | numeric threads | seconds | × idle |",
            "| --- | --- | ---: | ---: |",
            *(
                f"| {state} | {threads} | {seconds:.1f} | {seconds / idle:.2f} |"
                for state, threads, seconds in rows
            ),
        ]
    )


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--no-readme", action="store_true", help="print the table without updating README.md")
    arguments = cli.parse_args()
    table = benchmark()
    print(table)
    if not arguments.no_readme:
        update_readme("busy", table)


if __name__ == "__main__":
    main()
