"""How many threads the numeric libraries may use, so that training does not fight other work for cores.

OpenMP and BLAS start one thread per core the machine has, whatever else runs on it. On a busy
machine, or in a container allowed fewer cores than the machine shows, those threads wait on each
other and training slows down several times; bounded to the free cores, it does not.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from threadpoolctl import ThreadpoolController

# The CPU time a Linux container may use per period (cgroup v2): "max 100000", or "200000 100000" for two cores.
CGROUP_QUOTA = Path("/sys/fs/cgroup/cpu.max")
# Linux's time every core has spent, by kind, since boot: the first line sums all cores.
CPU_TIMES = Path("/proc/stat")
# How long busy_cores watches the cores on Linux: long enough for its clock ticks (a hundredth of a
# second) to count, short enough to pay at the start of a command.
WATCH_SECONDS = 0.1
# Environment variables by which a user sets the thread count; the commands then keep out of it.
USER_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity, within the container's quota if it has one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = CGROUP_QUOTA.read_text(encoding="utf-8").split()
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cores


def busy_cores() -> float:
    """How many cores other processes keep busy: on Linux, measured over WATCH_SECONDS; elsewhere the
    last minute's load average.

    The load average lags: for a minute after a stage of `run all` or a command run just before, it
    still counts this project's own work, and the next stage would leave a free core idle.
    """
    try:
        working_before, all_before = cpu_ticks()
        own_before = own_cpu_seconds()
        time.sleep(WATCH_SECONDS)
        working_after, all_after = cpu_ticks()
        own_ticks = (own_cpu_seconds() - own_before) * os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if all_after == all_before:
        return 0.0
    # The ticks count every core of the machine: the share of them others worked, times the cores.
    others = working_after - working_before - own_ticks
    return max(0.0, others / (all_after - all_before) * (os.cpu_count() or 1))


def cpu_ticks() -> tuple[int, int]:
    """Linux's clock ticks of all cores since boot: those spent working, and all of them."""
    fields = CPU_TIMES.read_text(encoding="utf-8").split("\n", 1)[0].split()
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, fields[1:9])
    working = user + nice + system + irq + softirq + steal
    return working, working + idle + iowait


def own_cpu_seconds() -> float:
    """The CPU time this process has used so far, all its threads together."""
    times = os.times()
    return times.user + times.system


def free_cores() -> int:
    """The usable cores that other processes do not keep busy; at least one."""
    cores = usable_cores()
    return max(1, min(cores, round(cores - busy_cores())))


@functools.cache
def thread_pools() -> ThreadpoolController:
    """The numeric libraries' thread pools, looked up once, on first use: importing scikit-learn loads
    them all. Looking them up goes through every library the process has loaded (about 5 ms), which
    every request to the prediction service would otherwise pay."""
    return ThreadpoolController()


@contextmanager
def bounded(cores: int | None = None) -> Iterator[None]:
    """Run the block with at most one numeric thread per free core, or per core of `cores` when the
    caller counted them already, unless the user set the count."""
    if any(name in os.environ for name in USER_SETTINGS):
        yield
        return
    with thread_pools().limit(limits=cores or free_cores()):
        yield
