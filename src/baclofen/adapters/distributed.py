"""Population runs on Dask (``dask.distributed``): a local cluster by default, or any scheduler address.

Each task simulates a run of whole seed blocks (:func:`baclofen.domain.pk.population.simulate_blocks`);
results are merged as they arrive (integer counts add in any order, per-block rows are put back in
block order), so the summary equals the in-process one for the same seed whatever the number of
workers or the chunk size. At most ``max_in_flight`` tasks are outstanding, so memory stays bounded.

Raises
------
InvalidInputError
    For a bad worker count or chunk size, a malformed scheduler address, or a scheduler that does not
    answer within :data:`CONNECT_TIMEOUT_S` seconds, or answers but not as Dask (an HTTP server, a silent
    listener: field ``scheduler``).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.pk.population import (
    PartialAccumulator,
    PopulationProblem,
    PopulationSummary,
    chunk_ranges,
    default_blocks_per_chunk,
    simulate_blocks,
    summarise_population,
)

ProgressCallback = Callable[[int, int], None]

CONNECT_TIMEOUT_S = 5
"""Seconds to wait for a scheduler to answer (Dask's default is 30 s with no clear error)."""
SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")
_ADDRESS = re.compile(
    r"^(?:(?P<protocol>[a-z]+)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
    r":(?P<port>[0-9]{1,5})$"
)
SCHEDULER_EXPECTED = "a Dask scheduler address PROTOCOL://HOST:PORT, e.g. tcp://10.0.0.5:8786 (protocol " + (
    ", ".join(SCHEDULER_PROTOCOLS) + ")"
)


def check_scheduler_address(address: str) -> str:
    """``address`` if it is a scheduler address ``[PROTOCOL://]HOST:PORT``; else InvalidInputError("scheduler")."""
    match = _ADDRESS.match(address.strip()) if isinstance(address, str) else None
    if (
        match is None
        or (match["protocol"] is not None and match["protocol"] not in SCHEDULER_PROTOCOLS)
        or not 1 <= int(match["port"]) <= 65535
    ):
        raise InvalidInputError("scheduler", SCHEDULER_EXPECTED, address)
    return address.strip()


def _scheduler_unusable(address: str, exc: BaseException) -> InvalidInputError:
    why = "no answer" if isinstance(exc, (TimeoutError, OSError)) else "the server there does not speak Dask"
    return InvalidInputError(
        "scheduler",
        f"a Dask scheduler that answers within {CONNECT_TIMEOUT_S} s ({why}: {exc.__class__.__name__})",
        address,
    )


def _probe_scheduler(address: str) -> None:
    """Open and close one Dask connection to ``address`` (the Dask handshake included), all of it bounded by
    :data:`CONNECT_TIMEOUT_S`: a server that is not Dask (an HTTP server, whose reply Dask reads as a frame
    length of exabytes: MemoryError) or a listener that never answers (Dask would wait for minutes) fails
    here, in time, as an InvalidInputError naming ``scheduler``."""
    from distributed.comm.core import connect

    async def once() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=CONNECT_TIMEOUT_S), CONNECT_TIMEOUT_S)
        await comm.close()

    try:
        asyncio.run(once())
    except Exception as exc:  # any failure to speak Dask (MemoryError included) is the same user error
        raise _scheduler_unusable(address, exc) from None


def run_population_on_dask(
    problem: PopulationProblem,
    progress: ProgressCallback | None = None,
    *,
    address: str | None = None,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    processes: bool = False,
    blocks_per_chunk: int | None = None,
    max_in_flight: int | None = None,
) -> PopulationSummary:
    """Simulate ``problem`` on Dask and summarise it; ``progress(done_subjects, total)`` after each chunk.

    Parameters
    ----------
    address : a scheduler address (``tcp://host:8786``); None starts a ``LocalCluster``
    n_workers, threads_per_worker, processes : the local cluster's shape
    blocks_per_chunk : seed blocks per task (default: about 6 million values per task)
    max_in_flight : most tasks outstanding at once (default 2 per worker thread)
    """
    from distributed import Client, LocalCluster, as_completed

    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise InvalidInputError("workers", "a whole number >= 1", n_workers)
    ranges = chunk_ranges(problem, blocks_per_chunk or default_blocks_per_chunk(problem))
    cluster = None
    if address:
        address = check_scheduler_address(address)
        _probe_scheduler(address)
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # not only OSError/TimeoutError: a non-Dask reply can raise anything
            raise _scheduler_unusable(address, exc) from None
    else:
        # One local cluster at a time in a process: two started at once from two threads (two servers' job
        # runners in one test process) were seen to leave one job waiting on its tasks for ever.
        _LOCAL_CLUSTER.acquire()
        try:
            cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=processes,
                dashboard_address=":0",  # a free port: never clash with another cluster on 8787
            )
            client = Client(cluster)
        except BaseException:
            if cluster is not None:
                cluster.close()
            _LOCAL_CLUSTER.release()
            raise
    try:
        limit = max_in_flight or max(2, 2 * sum(client.nthreads().values()))
        [shared] = client.scatter([problem], broadcast=True)
        pending = iter(ranges)
        first = [
            client.submit(simulate_blocks, shared, a, b, pure=False)
            for a, b in (r for _, r in zip(range(limit), pending, strict=False))
        ]
        stream = as_completed(first)
        acc = PartialAccumulator()
        done = 0
        for future in stream:
            part = future.result()
            future.release()
            acc.add(part)
            done += part.n_subjects
            if progress is not None:
                progress(done, problem.n_subjects)
            nxt = next(pending, None)
            if nxt is not None:
                stream.add(client.submit(simulate_blocks, shared, nxt[0], nxt[1], pure=False))
        return summarise_population(problem, acc.result())
    finally:
        client.close()
        if cluster is not None:
            try:
                cluster.close()
            finally:
                _LOCAL_CLUSTER.release()


#: Held while this process runs a population on a local cluster of its own (see run_population_on_dask).
_LOCAL_CLUSTER = threading.Lock()


@dataclass(frozen=True)
class DaskRunner:
    """A population runner (``runner(problem, progress)``) bound to a cluster configuration."""

    address: str | None = None
    n_workers: int = 2
    threads_per_worker: int = 1
    processes: bool = False
    blocks_per_chunk: int | None = None

    def __call__(self, problem: PopulationProblem, progress: ProgressCallback | None = None) -> PopulationSummary:
        return run_population_on_dask(
            problem,
            progress,
            address=self.address,
            n_workers=self.n_workers,
            threads_per_worker=self.threads_per_worker,
            processes=self.processes,
            blocks_per_chunk=self.blocks_per_chunk,
        )
