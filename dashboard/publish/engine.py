"""Where the load's protection runs: its independent systems on dask.distributed (a LocalCluster on this machine, or
a running scheduler's cluster), or in the loading process when the load is too small to be worth the workers."""

from __future__ import annotations

import ctypes
import itertools
import logging
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dashboard.config import Config


@dataclass(frozen=True)
class Engine:
    """How to run independent jobs: scheduler is a dask scheduler's address ('' for a LocalCluster of workers
    processes, 0 meaning one per core); a load of fewer rows than in_process runs in this process; a system of more
    cells than blocks_above is protected locality by locality, then where they meet."""

    scheduler: str = ""
    workers: int = 0
    in_process: int = 1_000_000
    blocks_above: int = 20_000

    @classmethod
    def from_config(cls, config: Config | None = None) -> Engine:
        """The engine the settings (INCLUSION_DASK_SCHEDULER, INCLUSION_PROTECT_WORKERS, ...) describe."""
        config = config or Config()
        return cls(
            config.dask_scheduler, config.protect_workers, config.protect_in_process, config.protect_blocks_above
        )

    def describe(self, rows: int) -> str:
        """Where a load of rows runs, in words for its report."""
        if self.scheduler:
            return f"the dask cluster at {self.scheduler}"
        if rows < self.in_process or self.worker_count == 1:
            return "the loading process"
        return f"a local dask cluster of {self.worker_count} worker processes"

    @property
    def worker_count(self) -> int:
        """Worker processes of a LocalCluster."""
        return self.workers or os.cpu_count() or 1

    def map(self, function: Callable, jobs: Sequence[tuple], rows: int, sizes: Sequence[int] | None = None) -> list:
        """function(*job) for every job, in the jobs' order whichever worker ran each; sizes (rows per job) start the
        largest first, so no worker is left with a large job at the end."""
        if not self.scheduler and (rows < self.in_process or self.worker_count == 1):
            return [function(*job) for job in jobs]
        from distributed import Client, LocalCluster

        if self.scheduler:
            with Client(self.scheduler) as client:
                return _gather(client, function, jobs, sizes)
        # One thread a worker: the protection is numpy and HiGHS, which would only contend for one process's GIL.
        with (
            LocalCluster(
                n_workers=self.worker_count,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            return _gather(client, function, jobs, sizes)


def _gather(client, function: Callable, jobs: Sequence[tuple], sizes: Sequence[int] | None) -> list:
    """Each job's result, in the jobs' order. Only a few jobs are on the workers at a time (two a worker: one running,
    one waiting), largest first: a job's tables go to a worker when it is about to be run, so a worker holds its
    jobs' tables, not its share of the whole load's (England's 151 LAs, scattered at once, took 4.3 GB a worker)."""
    from distributed import as_completed

    sizes = sizes or [0] * len(jobs)
    waiting = iter(sorted(range(len(jobs)), key=lambda i: -sizes[i]))
    window = 2 * max(1, len(client.scheduler_info()["workers"]))
    results, index, running = [None] * len(jobs), {}, as_completed()

    def submit(i: int) -> None:
        # Tables go to the workers as data (scattered), not inside the task graph, which the scheduler would copy.
        # Each dict goes whole, in a list: a dict given to scatter would be scattered under its own keys as task
        # names, and two years' tables of one count would share a name.
        data = [client.scatter([part], hash=False)[0] if isinstance(part, dict) else part for part in jobs[i]]
        future = client.submit(_released, function, *data, priority=sizes[i], pure=False)
        index[future.key] = i
        running.add(future)

    for i in itertools.islice(waiting, window):
        submit(i)
    for future in running:
        results[index.pop(future.key)] = future.result()  # a job that raised raises here, as it would in process
        future.release()
        following = next(waiting, None)
        if following is not None:
            submit(following)
    return results


def _released(function: Callable, *job):
    """function(*job) on a worker, then the memory it freed given back (the next job starts from what is held)."""
    try:
        return function(*job)
    finally:
        release_memory()


def release_memory() -> None:
    """Give the memory this process has freed back to the system. glibc's allocator keeps a freed block it cannot
    return whole (live ones sit between), so a worker's memory would otherwise only grow from job to job: England's
    largest national stage, alone in a process, peaked at 1.47, 1.95 and 2.24 GB over its three attempts without
    this, 1.48 GB at each with it (dask's documentation gives the same call for the same reason)."""
    if platform.libc_ver()[0] == "glibc":  # elsewhere the allocator is another one, without this call
        ctypes.CDLL("libc.so.6").malloc_trim(0)
