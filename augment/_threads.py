"""How many CPU threads a generator's fit, sample and transform run on, chosen per call and restored after.

On a CPU, torch's threads and the BLAS/OpenMP threads of numpy and scipy
spin against any other busy process: on 2 cores a fit beside one busy
process ran 3-6x slower with 2 threads than with 1. A generator therefore
runs each call on the threads the machine has free at its start, never
more than torch is allowed (``torch.set_num_threads``, or the limits joblib,
loky and Dask set in their workers), and gives the old counts back after.
"""

import functools
import os
import time

import torch
from threadpoolctl import ThreadpoolController

_PROBES = 3
_PROBE_GAP = 0.001
_controller = None


def _cpus():
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _own_running():
    """Threads of this process that are running or runnable (its OpenMP workers spin for a while after each loop)."""
    running = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as f:
                running += f.read().rpartition(")")[2].split()[0] == "R"
        except OSError:  # the thread ended
            continue
    return running


def others_running():
    """Tasks of other processes on a CPU now, from ``/proc/loadavg``'s running count less this process's threads.

    The fewest of a few reads, so that a task that runs for a moment (a
    short-lived process) is not counted as a busy core. 0 where the count
    cannot be read (not Linux).
    """
    counts = []
    try:
        for probe in range(_PROBES):
            if probe:
                time.sleep(_PROBE_GAP)
            with open("/proc/loadavg") as f:
                total = int(f.read().split()[3].split("/")[0])
            counts.append(total - _own_running())
    except (OSError, ValueError, IndexError):
        return 0
    return max(0, min(counts))


def choose_threads(n_threads):
    """``n_threads`` when given, else the free CPUs now, at most torch's thread count, at least 1."""
    if n_threads is not None:
        return n_threads
    allowed = torch.get_num_threads()
    if allowed == 1:
        return 1
    return max(1, min(allowed, _cpus() - others_running()))


def with_threads(method):
    """Run ``method`` of a generator on ``choose_threads(self.n_threads)`` threads (torch, BLAS, OpenMP).

    A ``fit`` that returns records its count as ``n_threads_``.
    """

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        global _controller
        if _controller is None:
            _controller = ThreadpoolController()
        threads = choose_threads(self.n_threads)
        before = torch.get_num_threads()
        try:
            with _controller.limit(limits=threads):
                torch.set_num_threads(threads)
                result = method(self, *args, **kwargs)
        finally:
            torch.set_num_threads(before)
        if method.__name__ == "fit":
            self.n_threads_ = threads
        return result

    return run
