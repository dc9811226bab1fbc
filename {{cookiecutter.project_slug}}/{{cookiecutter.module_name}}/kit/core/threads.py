"""How many threads the numeric libraries may use, so that training does not fight other work for cores.

OpenMP and BLAS start one thread per core the machine has, whatever else runs on it. On a busy
machine, or in a container allowed fewer cores than the machine shows, those threads wait on each
other and training slows down several times; bounded to the free cores, it does not.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from threadpoolctl import ThreadpoolController

# The CPU time a Linux container may use per period (cgroup v2): "max 100000", or "200000 100000" for two cores.
CGROUP_QUOTA = Path("/sys/fs/cgroup/cpu.max")
# Linux's load: its fourth field is "running/all" processes, counted at this moment.
PROCESSES = Path("/proc/loadavg")
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
    """How many cores other processes keep busy: the last minute's load average or, on Linux, the
    processes running right now besides this one, whichever is more."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    try:
        running = int(PROCESSES.read_text(encoding="utf-8").split()[3].split("/")[0]) - 1
    except (OSError, ValueError, IndexError):
        running = 0
    return max(load, running)


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
def bounded() -> Iterator[None]:
    """Run the block with at most one numeric thread per free core, unless the user set the count."""
    if any(name in os.environ for name in USER_SETTINGS):
        yield
        return
    with thread_pools().limit(limits=free_cores()):
        yield
