"""Measure each stage of a baked project, and `run all` in one process: wall time, CPU time and peak
memory at growing row counts, and the prediction service's memory before and after a load test.

    python benchmarks/run.py                      # 10k, 100k and 1M rows; updates README.md
    python benchmarks/run.py --rows 10000 20000   # other sizes; --no-readme to only print

Every step runs in a fresh process, so the peak memory reported is that step's own. Its CPU time
(user and system) counts the worker processes it started too: on a machine shared with other work,
wall time grows with the load and CPU time much less.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import site
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
README = TEMPLATE / "README.md"
STAGES = ("analyze", "prepare", "preprocess", "train", "test")

# Runs inside the baked project: one step (`all`: every stage, as `run all` does), then its own time and
# peak memory as JSON.
MEASURE = """
import json, resource, sys, time
started = time.perf_counter()
from expense_classifier.kit.core import example_data, pipeline, threads
step = sys.argv[1]
if step == "generate":
    project = pipeline.Project.load()
    rows = example_data.expenses(rows=int(sys.argv[2]), language=project.settings.project.language)
    pipeline.write_table_as(rows, project.raw_data)
else:
    project = pipeline.Project.load()
    with threads.bounded():  # as the project's commands run it
        for stage in pipeline.STAGES if step == "all" else (step,):
            pipeline.run(project, stage)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


# Runs inside the baked project after the Test stage: the service's resident memory (Linux's
# /proc) once it has answered a first request, and again after one-row requests for holdout rows.
LOAD_TEST = """
import json, os, sys
import pandas as pd
from expense_classifier.test.service import post, request_rows
from expense_classifier.kit.core.pipeline import Project
from expense_classifier.kit.operations.serve import create_app, running

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

project = Project.load()
card = json.loads(project.path("model_card").read_text(encoding="utf-8"))
rows = request_rows(pd.read_parquet(project.path("holdout")), list(card["schema"]))
with running(create_app(project, trained=True)) as url:
    post(f"{url}/predict", rows[:1])
    before = resident_mb()
    for index in range(int(sys.argv[1])):
        post(f"{url}/predict", [rows[index % len(rows)]])
    after = resident_mb()
print(json.dumps({"before_mb": before, "after_mb": after}))
"""
SERVICE_REQUESTS = 2000


def measure(project: Path, *arguments: str, script: str = MEASURE) -> dict[str, float]:
    """Run `script` in the project; what it prints, with the CPU seconds its process and workers used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, "-c", script, *arguments], cwd=project, capture_output=True, text=True, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "cpu_seconds": cpu}


def compile_bytecode(project: Path) -> None:
    """Write Python's bytecode caches for the installed packages and the project, as the first run of
    any command does: every measured step then imports as it does where the project has run before,
    also where PYTHONDONTWRITEBYTECODE keeps Python from writing them (every step would compile every
    module it imports again, seconds each)."""
    folders = [*site.getsitepackages(), str(project)]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], capture_output=True, check=False)


def machine() -> str:
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    return (
        f"{os.cpu_count()} cores, {int(memory) / 1024**2:.0f} GiB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )


def load() -> str:
    """The machine's load average over the last minute and the last quarter of an hour."""
    minute, _, quarter = os.getloadavg()
    return f"load average {minute:.1f} (last minute), {quarter:.1f} (15 minutes)"


def benchmark(row_counts: list[int]) -> str:
    lines = [
        "| rows | step | seconds | CPU seconds | peak memory (MB) |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    service = [
        f"| rows | service memory before (MB) | after {SERVICE_REQUESTS:,} requests (MB) |",
        "| ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as folder:
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=folder))
        compile_bytecode(project)
        load_at_start = load()
        for rows in row_counts:
            for step in ("generate", *STAGES, "all"):
                arguments = (step, str(rows)) if step == "generate" else (step,)
                result = measure(project, *arguments)
                lines.append(
                    f"| {rows:,} | {step} | {result['seconds']:.1f} | {result['cpu_seconds']:.1f} "
                    f"| {result['peak_mb']:,.0f} |"
                )
                print(lines[-1], flush=True)
            result = measure(project, str(SERVICE_REQUESTS), script=LOAD_TEST)
            service.append(f"| {rows:,} | {result['before_mb']:,.0f} | {result['after_mb']:,.0f} |")
            print(service[-1], flush=True)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    measured = f"Measured on {today}: {machine()}; {load_at_start} at the start, {load()} at the end."
    return "\n".join([measured, "", *lines, "", *service])


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    cli.add_argument("--no-readme", action="store_true", help="print the table without updating README.md")
    arguments = cli.parse_args()
    table = benchmark(arguments.rows)
    print(table)
    if not arguments.no_readme:
        update_readme("benchmark", table)


def update_readme(name: str, table: str) -> None:
    """Put `table` between README.md's <!-- begin:name --> and <!-- end:name --> lines."""
    text = README.read_text(encoding="utf-8")
    block = re.compile(rf"(<!-- begin:{name} -->\n).*?(<!-- end:{name} -->)", re.DOTALL)
    README.write_text(block.sub(lambda match: match[1] + table + "\n" + match[2], text), encoding="utf-8")


if __name__ == "__main__":
    main()
