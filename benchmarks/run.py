"""Measure each stage of a baked project on both engines, pandas and Spark in local mode, from 10,000
to 10,000,000 rows: wall time, CPU time and peak memory of every process a step starts, the growth
per 10× rows, where one machine stops and where Spark overtakes pandas; then the prediction
service's memory before and after a load test. With `--tracking`, what keeping each Train and Test
run in MLflow adds, beside the same stages without it.

    python benchmarks/run.py                          # both engines, 10k to 10M rows; updates README.md
    python benchmarks/run.py --engine pandas --rows 10000 100000 --no-readme
    python benchmarks/run.py --resume                 # carry on where an interrupted run stopped
    python benchmarks/run.py --tracking               # pandas with and without MLflow, 10k and 100k rows

Every step runs in a fresh process (Spark's steps each start their own JVM), so the peak memory
reported is that step's own, summed over the process and everything it starts. A step that runs past
`--step-minutes` or would take more memory than the machine has is stopped, recorded as where that
engine stops, and that engine skips the larger sizes. Each measured step is appended to
build/benchmark/results.jsonl as soon as it ends, and the baked projects stay in build/benchmark/, so
`--resume` loses nothing but the step it was in.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import platform
import re
import shutil
import site
import subprocess
import sys
import time
from pathlib import Path

import psutil
import yaml
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
README = TEMPLATE / "README.md"
WORK = TEMPLATE / "build" / "benchmark"  # the baked projects, their data and build/benchmark/results.jsonl
RESULTS = WORK / "results.jsonl"
ENGINES = ("pandas", "spark")
# What each measured project is baked with: the two engines, and the pandas project that keeps every
# Train and Test run in MLflow (`--tracking`), which is measured against the plain pandas one.
PROJECTS = {
    "pandas": {"engine": "pandas"},
    "spark": {"engine": "spark"},
    "mlflow": {"engine": "pandas", "tracking": "mlflow"},
}
TRACKED_STAGES = ("train", "test")
# MLflow's cost is seconds a stage, whatever the size: it shows where stages are short.
TRACKING_SIZES = (10_000, 100_000)
SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
STAGES = ("analyze", "prepare", "preprocess", "train", "test")
# `run all` in one process is measured up to this size; beyond it, it would repeat the hours its
# stages just took, and their sum says the same.
WHOLE_RUN_ROWS = 1_000_000
# A step may use this share of the machine's memory before it is stopped: the rest keeps the
# machine (and the benchmark) alive.
MEMORY_SHARE = 0.9
# How often the memory of a step's processes is read.
SAMPLE_SECONDS = 0.2
# The machine the README's estimate is for: a typical large single server.
LARGE_MACHINE = {"cores": 16, "memory_gib": 128}

# Runs inside a baked project: one step (`generate`: the example's rows into a file; `all`: every
# stage, as `run all` does), then the process's own peak memory as JSON.
MEASURE = """
import json, pathlib, resource, sys
from expense_classifier.kit.core import example_data, pipeline, threads
step = sys.argv[1]
project = pipeline.Project.load()
if step == "generate":
    rows = example_data.expenses(rows=int(sys.argv[2]), language=project.settings.project.language)
    pipeline.write_table_as(rows, pathlib.Path(sys.argv[3]))
else:
    with threads.bounded():  # as the project's commands run it
        for stage in pipeline.STAGES if step == "all" else (step,):
            pipeline.run(project, stage)
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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


@dataclasses.dataclass
class Measured:
    """One step of one engine at one size; `stopped` says why it did not finish, if it did not."""

    engine: str
    rows: int
    step: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    stopped: str | None = None
    first_mb: float | None = None  # the service's resident memory after its first request
    # When it ended, and the machine's load average over the minute before: the report says on which
    # days and how busy the machine was, also where a run was resumed.
    ended: str = dataclasses.field(default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat())
    load: float = dataclasses.field(default_factory=lambda: os.getloadavg()[0])


class StepStopped(Exception):
    """A step ran past its time or memory limit and was stopped."""


def run_measured(
    project: Path, arguments: list[str], minutes: float
) -> tuple[dict[str, float], float, float, float]:
    """Run `python -c ...arguments` in `project`, reading every SAMPLE_SECONDS the resident memory
    and CPU time of it and every process it starts. Returns what it printed, its wall seconds, CPU
    seconds and peak MB; raises StepStopped past `minutes` or the memory limit."""
    memory_limit = psutil.virtual_memory().total * MEMORY_SHARE
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", *arguments],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    root = psutil.Process(process.pid)
    cpu_by_process: dict[int, float] = {}
    peak = 0.0
    stopped = None
    while process.poll() is None:
        resident = 0
        for each in [root, *children(root)]:
            try:
                with each.oneshot():
                    resident += each.memory_info().rss
                    times = each.cpu_times()
                    cpu_by_process[each.pid] = times.user + times.system
            except psutil.Error:  # it ended between the listing and the reading
                continue
        peak = max(peak, resident)
        if resident > memory_limit:
            stopped = f"out of memory (over {memory_limit / 2**30:.0f} GiB)"
        elif time.perf_counter() - started > minutes * 60:
            stopped = f"stopped after {minutes:.0f} min"
        if stopped:
            for each in [*children(root), root]:
                each.kill()
            process.wait()
            raise StepStopped(stopped)
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    output, errors = process.communicate()
    if process.returncode == -9:  # the kernel's out-of-memory killer
        raise StepStopped("killed by the system (out of memory)")
    if process.returncode:
        raise RuntimeError(f"{' '.join(arguments[1:])} failed in {project}:\n{errors}")
    printed = json.loads(output.strip().splitlines()[-1])
    return printed, seconds, sum(cpu_by_process.values()), max(peak / 2**20, printed.pop("peak_mb", 0))


def children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def compile_bytecode(project: Path) -> None:
    """Write Python's bytecode caches for the installed packages and the project, as the first run of
    any command does: every measured step then imports as it does where the project has run before,
    also where PYTHONDONTWRITEBYTECODE keeps Python from writing them (every step would compile every
    module it imports again, seconds each)."""
    folders = [*site.getsitepackages(), str(project)]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], capture_output=True, check=False)


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )


def previous_results() -> list[Measured]:
    if not RESULTS.exists():
        return []
    return [Measured(**json.loads(line)) for line in RESULTS.read_text(encoding="utf-8").splitlines() if line]


def record(measured: Measured) -> Measured:
    line = json.dumps(dataclasses.asdict(measured))
    print(line, flush=True)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(line + "\n")
    return measured


def baked(engine: str) -> Path:
    """The default project with PROJECTS[engine]'s answers, baked into build/benchmark/ once and kept
    for `--resume`."""
    project = WORK / engine / "expense-classifier"
    if not project.exists():
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(project.parent), extra_context=PROJECTS[engine]
        )
        compile_bytecode(project)
    return project


def raw_data(project: Path) -> Path:
    return project / yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))["data"]["path"]


def benchmark(engines: list[str], sizes: list[int], minutes: float, done: list[Measured]) -> list[Measured]:
    """Measure every step of every engine, smaller sizes first so that both engines have figures
    wherever one stops, skipping what `done` holds and the sizes above one where an engine stopped."""
    results = list(done)
    finished = {(each.engine, each.rows, each.step) for each in done}
    stopped_at = {each.engine: each.rows for each in done if each.stopped}
    projects = {engine: baked(engine) for engine in engines}
    for rows in sizes:
        left = [engine for engine in engines if stopped_at.get(engine, math.inf) > rows]
        steps = [*STAGES, *(["all"] if rows <= WHOLE_RUN_ROWS else [])]
        if not any((engine, rows, step) not in finished for engine in left for step in steps):
            continue
        # The same rows for every engine, written once.
        data = WORK / f"expenses-{rows}.csv"
        if ("example", rows, "generate") not in finished or not data.exists():
            results.append(
                record(
                    measure(projects[left[0]], "example", rows, ["generate", str(rows), str(data)], minutes)
                )
            )
        for engine in left:
            target = raw_data(projects[engine])
            target.unlink(missing_ok=True)
            os.link(data, target)
            for step in steps:
                if (engine, rows, step) in finished:
                    continue
                results.append(record(measure(projects[engine], engine, rows, [step], minutes)))
                if results[-1].stopped:
                    stopped_at[engine] = rows
                    break
            if engine == "pandas" and engine not in stopped_at and (engine, rows, "service") not in finished:
                results.append(record(service_memory(projects[engine], rows)))
        data.unlink(missing_ok=True)
    return results


def measure(project: Path, engine: str, rows: int, arguments: list[str], minutes: float) -> Measured:
    step = arguments[0]
    try:
        _, seconds, cpu, peak = run_measured(project, [MEASURE, *arguments], minutes)
    except StepStopped as stop:
        return Measured(engine, rows, step, math.nan, math.nan, math.nan, str(stop))
    return Measured(engine, rows, step, seconds, cpu, peak)


def service_memory(project: Path, rows: int) -> Measured:
    """The prediction service's resident MB after a first request and after SERVICE_REQUESTS more: the
    same model file serves single rows whichever engine trained it."""
    try:
        printed, seconds, cpu, _ = run_measured(project, [LOAD_TEST, str(SERVICE_REQUESTS)], minutes=30)
    except StepStopped as stop:
        return Measured("pandas", rows, "service", math.nan, math.nan, math.nan, str(stop))
    return Measured(
        "pandas", rows, "service", seconds, cpu, printed["after_mb"], first_mb=printed["before_mb"]
    )


def measured_when(results: list[Measured]) -> str:
    """On which days, on what machine and how busy it was: runs on the same machine vary with its load."""
    days = sorted({each.ended[:10] for each in results})
    loads = sorted(each.load for each in results)
    return (
        f"Measured on {' to '.join(dict.fromkeys([days[0], days[-1]]))}: {machine()}; the load average over "
        f"the minute before each step ended was {loads[0]:.1f} to {loads[-1]:.1f}."
    )


def report(results: list[Measured]) -> str:
    """README's block: the machine, a table of every step beside each other for both engines, the
    growth per 10× rows, and what they mean for one machine, a larger one and the choice of engine."""
    found = {(each.engine, each.rows, each.step): each for each in results}
    sizes = sorted({each.rows for each in results})
    engines = [engine for engine in ENGINES if any(each.engine == engine for each in results)]
    written = [found["example", rows, "generate"] for rows in sizes if ("example", rows, "generate") in found]
    lines = [measured_when(results), ""]
    lines += [
        "| rows | step | "
        + " | ".join(f"{engine} seconds | {engine} CPU seconds | {engine} peak MB" for engine in engines)
        + " |",
        "| ---: | --- |" + " ---: | ---: | ---: |" * len(engines),
    ]
    for rows in sizes:
        for step in (*STAGES, "all"):
            if not any((engine, rows, step) in found for engine in engines):
                continue
            cells = [cells_of(found.get((engine, rows, step))) for engine in engines]
            lines.append(f"| {rows:,} | {step} | " + " | ".join(cells) + " |")
    lines += ["", *growth_table(found, engines, sizes), "", *service_table(found, sizes), ""]
    if written:
        times = ", ".join(f"{each.seconds:,.1f} s at {each.rows:,}" for each in written if not each.stopped)
        lines += [
            f"Writing the example's rows as CSV, once per size for both engines, took {times} rows.",
            "",
        ]
    lines += [" ".join(conclusions(found, engines, sizes))]
    return "\n".join(lines)


def tracking_report(results: list[Measured]) -> str:
    """README's block on MLflow: Train and Test with and without tracking, on the same rows."""
    found = {(each.engine, each.rows, each.step): each for each in results}
    lines = [
        measured_when(results),
        "",
        "| rows | step | seconds | with MLflow | added | peak MB | with MLflow |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    added = []
    for rows in sorted({each.rows for each in results if each.engine == "mlflow"}):
        for step in TRACKED_STAGES:
            plain, tracked = found.get(("pandas", rows, step)), found.get(("mlflow", rows, step))
            if plain is None or tracked is None or plain.stopped or tracked.stopped:
                continue
            added.append(tracked.seconds - plain.seconds)
            lines.append(
                f"| {rows:,} | {step} | {plain.seconds:,.1f} | {tracked.seconds:,.1f} | "
                f"{added[-1]:+,.1f} | {plain.peak_mb:,.0f} | {tracked.peak_mb:,.0f} |"
            )
    if added:
        lines += [
            "",
            f"Keeping a run in MLflow changed a stage's time by {min(added):+,.1f} s to {max(added):+,.1f} s "
            "here (importing MLflow, opening mlflow.db, and for Train logging the model)."
            + (
                " A stage that took less time with MLflow shows how much one run differs from the next: at"
                " these sizes that is as much as MLflow's cost."
                if min(added) < 0
                else ""
            ),
        ]
    return "\n".join(lines)


def cells_of(measured: Measured | None) -> str:
    if measured is None:
        return "— | — | —"
    if measured.stopped:
        return f"{measured.stopped} | — | —"
    return f"{measured.seconds:,.1f} | {measured.cpu_seconds:,.1f} | {measured.peak_mb:,.0f}"


def growth_table(
    found: dict[tuple[str, int, str], Measured], engines: list[str], sizes: list[int]
) -> list[str]:
    """How many times longer and larger each stage got for every 10× rows."""
    pairs = [(small, large) for small, large in zip(sizes, sizes[1:], strict=False) if large == small * 10]
    lines = [
        "| step | engine | "
        + " | ".join(f"{short(small)} → {short(large)}: time × / memory ×" for small, large in pairs)
        + " |",
        "| --- | --- |" + " ---: |" * len(pairs),
    ]
    for step in STAGES:
        for engine in engines:
            cells = []
            for small, large in pairs:
                before, after = found.get((engine, small, step)), found.get((engine, large, step))
                finished = before and after and not before.stopped and not after.stopped
                cells.append(
                    f"{after.seconds / before.seconds:.1f} / {after.peak_mb / before.peak_mb:.1f}"
                    if finished
                    else "—"
                )
            lines.append(f"| {step} | {engine} | " + " | ".join(cells) + " |")
    return lines


def service_table(found: dict[tuple[str, int, str], Measured], sizes: list[int]) -> list[str]:
    lines = [
        f"| rows | service memory before (MB) | after {SERVICE_REQUESTS:,} requests (MB) |",
        "| ---: | ---: | ---: |",
    ]
    for rows in sizes:
        service = found.get(("pandas", rows, "service"))
        if service and service.stopped:
            lines.append(f"| {rows:,} | {service.stopped} | — |")
        elif service:
            lines.append(f"| {rows:,} | {service.first_mb:,.0f} | {service.peak_mb:,.0f} |")
    return lines


def conclusions(
    found: dict[tuple[str, int, str], Measured], engines: list[str], sizes: list[int]
) -> list[str]:
    """Sentences computed from the figures: where the pandas engine stops on this machine and, by the
    measured growth, on a larger one, and from which size Spark's stages finish sooner."""
    sentences = []
    complete = {
        engine: [rows for rows in sizes if all(finished(found, engine, rows, step) for step in STAGES)]
        for engine in engines
    }
    for engine in engines:
        largest = f"{complete[engine][-1]:,} rows" if complete[engine] else "none of the sizes"
        sentence = f"The `{engine}` engine ran every stage at up to {largest} on this machine"
        stop = next((each for each in found.values() if each.engine == engine and each.stopped), None)
        if stop:
            sentence += f"; at {stop.rows:,} rows its {stop.step} stage was {stop.stopped}"
        sentences.append(sentence + ".")
    if "pandas" in engines and len(complete["pandas"]) >= 2:
        small, large = complete["pandas"][-2:]
        here = psutil.virtual_memory().total / 2**30
        large_machine = f"a {LARGE_MACHINE['cores']}-core, {LARGE_MACHINE['memory_gib']} GiB machine"
        for machine_named, gib in (
            (f"this {here:.0f} GiB machine", here),
            (large_machine, LARGE_MACHINE["memory_gib"]),
        ):
            rows, step = memory_bound(found, small, large, gib * 2**10 * MEMORY_SHARE)
            sentences.append(
                f"By the growth of peak memory from {small:,} to {large:,} rows, the `pandas` engine would "
                f"fit on {machine_named} up to about {rounded(rows)} rows, where {step} would use "
                f"{MEMORY_SHARE:.0%} of its memory (an estimate; more cores make stages faster, not smaller)."
            )
    if len(engines) == 2:
        sentences.append(crossover(found, complete))
    return sentences


def finished(found: dict[tuple[str, int, str], Measured], engine: str, rows: int, step: str) -> bool:
    return (engine, rows, step) in found and not found[engine, rows, step].stopped


def memory_bound(
    found: dict[tuple[str, int, str], Measured], small: int, large: int, budget_mb: float
) -> tuple[float, str]:
    """The rows at which the first stage's peak memory, growing in a straight line through its two
    largest measured sizes, reaches `budget_mb`; and that stage."""
    bounds = []
    for step in STAGES:
        before, after = found["pandas", small, step].peak_mb, found["pandas", large, step].peak_mb
        per_row = max(after - before, 0) / (large - small)
        bounds.append((large + (budget_mb - after) / per_row if per_row else math.inf, step))
    return min(bounds)


def crossover(found: dict[tuple[str, int, str], Measured], complete: dict[str, list[int]]) -> str:
    def total(engine: str, rows: int) -> float:
        return sum(found[engine, rows, step].seconds for step in STAGES)

    both = [rows for rows in complete["pandas"] if rows in complete["spark"]]
    faster = [rows for rows in both if total("spark", rows) < total("pandas", rows)]
    if faster:
        spark, pandas = total("spark", faster[0]), total("pandas", faster[0])
        return (
            f"Spark's five stages together finished sooner than pandas' from {faster[0]:,} rows "
            f"({spark:,.0f} s against {pandas:,.0f} s)."
        )
    beyond = [rows for rows in complete["spark"] if rows not in complete["pandas"]]
    if beyond:
        return f"Pandas was faster wherever both engines finished; at {beyond[0]:,} rows only Spark finished."
    if len(both) < 2:
        return "Too few sizes finished on both engines to compare them."
    small, large = both[-2:]
    slopes = {
        engine: (total(engine, large) - total(engine, small)) / (large - small)
        for engine in ("pandas", "spark")
    }
    compared = (
        f"Pandas' five stages together were faster at every size measured ({total('pandas', large):,.0f} s "
        f"against Spark's {total('spark', large):,.0f} s at {large:,} rows)"
    )
    if slopes["pandas"] <= slopes["spark"]:
        return (
            compared
            + ", and Spark's time grew faster too: on one machine it pays off only where pandas' memory ends."
        )
    overtakes = large + (total("spark", large) - total("pandas", large)) / (
        slopes["pandas"] - slopes["spark"]
    )
    return (
        compared
        + f"; by their growth from {small:,} rows, Spark would overtake at about {rounded(overtakes)} rows."
    )


def short(rows: int) -> str:
    return f"{rows // 1_000_000}M" if rows >= 1_000_000 else f"{rows // 1000}k"


def rounded(rows: float) -> str:
    """Rows to two significant figures, in words past a million: the estimate is not more exact."""
    if math.isinf(rows):
        return "any number of"
    figures = float(f"{rows:.2g}")
    return f"{figures / 1_000_000:g} million" if figures >= 1_000_000 else f"{figures:,.0f}"


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--engine", choices=[*ENGINES, "both"], default="both")
    cli.add_argument(
        "--rows", type=int, nargs="+", help="default: 10k to 10M rows; with --tracking 10k, 100k"
    )
    cli.add_argument(
        "--tracking",
        action="store_true",
        help="measure the pandas project with and without MLflow tracking instead of the engines",
    )
    cli.add_argument(
        "--step-minutes", type=float, default=60, help="stop a step after this long (default 60)"
    )
    cli.add_argument(
        "--resume", action="store_true", help="keep build/benchmark/ and measure only what it lacks"
    )
    cli.add_argument("--no-readme", action="store_true", help="print the tables without updating README.md")
    arguments = cli.parse_args()
    engines = list(ENGINES) if arguments.engine == "both" else [arguments.engine]
    if arguments.tracking:
        engines = ["pandas", "mlflow"]
    sizes = sorted(arguments.rows or (TRACKING_SIZES if arguments.tracking else SIZES))
    if "spark" in engines and not shutil.which("java"):
        cli.error(
            "Spark needs a Java runtime: install one (apt install default-jre-headless), or --engine pandas"
        )
    if not arguments.resume:
        shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    results = benchmark(engines, sizes, arguments.step_minutes, previous_results())
    measured = [each for each in results if each.engine in (*engines, "example") and each.rows in sizes]
    name, table = (
        ("tracking", tracking_report(measured)) if arguments.tracking else ("benchmark", report(measured))
    )
    print(table)
    if not arguments.no_readme:
        update_readme(name, table)


def update_readme(name: str, table: str) -> None:
    """Put `table` between README.md's <!-- begin:name --> and <!-- end:name --> lines."""
    text = README.read_text(encoding="utf-8")
    block = re.compile(rf"(<!-- begin:{name} -->\n).*?(<!-- end:{name} -->)", re.DOTALL)
    README.write_text(block.sub(lambda match: match[1] + table + "\n" + match[2], text), encoding="utf-8")


if __name__ == "__main__":
    main()
