"""Use cases: a population simulation as a background job (``POST /api/v1/simulations/population``).

:meth:`PopulationJobs.submit` checks the simulation at once (every field, as ``baclofen simulate`` does, and the
population against :attr:`PopulationJobs.max_subjects`), stores a queued :class:`~baclofen.domain.jobs.JobRecord`
and returns it; the simulation then runs in the background of this process, one job at a time, on the
:data:`~baclofen.services.simulation.PopulationRunner` it was given (the bootstrap gives Dask: a local cluster, or a
scheduler's address), reporting each chunk of subjects done into the stored job. It ends succeeded (with the
same result document as ``baclofen simulate ... --json``), failed (with the error) or cancelled. A server that
starts marks the jobs it finds queued or running as failed (:data:`~baclofen.domain.jobs.INTERRUPTED`):
nothing is left "running" forever.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError, ServiceError
from baclofen.domain.jobs import (
    INTERRUPTED,
    JobRecord,
    cancel_job,
    fail_job,
    finish_job,
    report_progress,
    start_job,
)
from baclofen.domain.pk.population import PopulationProblem, PopulationSummary
from baclofen.services.commands import SimulateOral, SimulatePlan
from baclofen.services.ports import Clock, JobRepository
from baclofen.services.simulation import (
    MAX_POPULATION_IN_PROCESS,
    PopulationRunner,
    ProgressCallback,
    SimulationResult,
    simulate_oral,
    simulate_plan,
)

__all__ = [
    "DEFAULT_MAX_SUBJECTS",
    "MAX_UNFINISHED_JOBS",
    "PopulationJobs",
    "SubmitPopulationJob",
]

_log = logging.getLogger(__name__)

#: The largest population one job simulates by default: the CLI's in-process limit (a computing limit).
DEFAULT_MAX_SUBJECTS = int(MAX_POPULATION_IN_PROCESS.default)
#: The most jobs a server holds queued or running at once; more are refused (503) until one ends.
MAX_UNFINISHED_JOBS = 10


@dataclass(frozen=True, slots=True)
class SubmitPopulationJob:
    """A population simulation to run as a job: the typed ``simulation`` (its ``population`` set), the
    ``request`` document it was read from (JSON values, kept with the job), and who submits it for which clinic
    (``submitted_by``: the audit log's ``role:username``)."""

    simulation: SimulateOral | SimulatePlan
    request: Mapping[str, Any]
    clinic_id: str
    submitted_by: str


class _Checked(Exception):
    """Raised by the checking runner: the simulation's fields were all read, up to its population problem."""


def _checking_runner(problem: PopulationProblem, progress: ProgressCallback | None = None) -> PopulationSummary:
    raise _Checked()


class _Cancelled(Exception):
    """Raised from the progress callback of a job asked to stop: ends the run between two chunks."""


def _simulate(
    simulation: SimulateOral | SimulatePlan, runner: PopulationRunner, progress: ProgressCallback | None = None
) -> SimulationResult:
    if isinstance(simulation, SimulatePlan):
        return simulate_plan(simulation, runner=runner, progress=progress)
    return simulate_oral(simulation, runner=runner, progress=progress)


class PopulationJobs:
    """The population jobs of one server: submitted, run in the background (one at a time), read and cancelled.

    Parameters
    ----------
    jobs, clock : where jobs are kept, and the clinic's clock (submitted, started, finished times)
    runner : runs a population (``runner(problem, progress)``); the bootstrap gives Dask's
    to_document : the result document of a simulation (the JSON values of ``baclofen simulate ... --json``)
    max_subjects : the largest population of one job (default :data:`DEFAULT_MAX_SUBJECTS`)
    max_unfinished : the most jobs queued or running at once (default :data:`MAX_UNFINISHED_JOBS`)
    executor : where jobs run (default: one background thread, created at the first job)
    """

    def __init__(
        self,
        jobs: JobRepository,
        clock: Clock,
        runner: PopulationRunner,
        *,
        to_document: Callable[[SimulationResult], Mapping[str, Any]],
        max_subjects: int = DEFAULT_MAX_SUBJECTS,
        max_unfinished: int = MAX_UNFINISHED_JOBS,
        executor: Executor | None = None,
    ) -> None:
        for name, value in (("max_subjects", max_subjects), ("max_unfinished", max_unfinished)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInputError(name, "a whole number >= 1", value)
        self.jobs = jobs
        self.clock = clock
        self.runner = runner
        self.max_subjects = max_subjects
        self.max_unfinished = max_unfinished
        self._to_document = to_document
        self._executor = executor
        self._lock = threading.Lock()
        self._running: dict[str, Future[None]] = {}
        self._stop: dict[str, threading.Event] = {}

    # --- submitting and running ----------------------------------------------------------------------------

    def check(self, simulation: SimulateOral | SimulatePlan) -> None:
        """Raise ``InvalidInputError`` (naming the field) unless ``simulation`` can run as a job: a population of
        1 to :attr:`max_subjects` and every field valid (the typical subject is simulated; not the population)."""
        population = simulation.population
        if population is None:
            raise InvalidInputError("population", f"a number of virtual subjects 1..{self.max_subjects:,}", None)
        if isinstance(population, int) and not isinstance(population, bool) and population > self.max_subjects:
            raise InvalidInputError(
                "population", f"at most {self.max_subjects:,} subjects in one job (a computing limit)", population
            )
        try:
            _simulate(simulation, _checking_runner)
        except _Checked:
            return
        raise InvalidInputError("population", "a simulation with a virtual population", population)  # not reached

    def submit(self, command: SubmitPopulationJob) -> JobRecord:
        """Check the simulation (:meth:`check`), store it as a queued job and start it in the background.

        Raises ``InvalidInputError`` naming a bad field, ``ServiceError`` when :attr:`max_unfinished` jobs are
        already queued or running here."""
        simulation = command.simulation
        self.check(simulation)
        assert simulation.population is not None  # checked
        job = JobRecord(
            job_id=f"job-{uuid.uuid4().hex}",
            clinic_id=command.clinic_id,
            submitted_by=command.submitted_by,
            kind="regimen" if isinstance(simulation, SimulatePlan) else "oral",
            request=dict(command.request),
            submitted_at=self.clock.now(),
            total=simulation.population,
        )
        with self._lock:
            self._running = {k: f for k, f in self._running.items() if not f.done()}
            if len(self._running) >= self.max_unfinished:
                raise ServiceError(f"{len(self._running)} population jobs are queued or running: try again later")
            self.jobs.add(job)
            self._stop[job.job_id] = threading.Event()
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="baclofen-job")
            self._running[job.job_id] = self._executor.submit(self._run, job.job_id, simulation)
        return job

    def _run(self, job_id: str, simulation: SimulateOral | SimulatePlan) -> None:
        stop = self._stop[job_id]
        try:
            job = self.jobs.get(job_id)
            if stop.is_set() or job.status.finished:
                return
            state = {"job": start_job(job, self.clock.now())}
            if not self._store(state["job"], stop):
                return

            def progress(done: int, total: int) -> None:
                state["job"] = report_progress(state["job"], done, total)
                if not self._store(state["job"], stop):
                    raise _Cancelled()

            try:
                result = _simulate(simulation, self.runner, progress)
            except _Cancelled:
                return  # cancel() stored the cancelled job
            except InvalidInputError as exc:
                self._store(fail_job(state["job"], str(exc), self.clock.now()), stop)
            except Exception as exc:  # any failure of the run is the job's, kept with it (and logged)
                _log.exception("population job %s failed", job_id)
                self._store(fail_job(state["job"], f"{type(exc).__name__}: {exc}", self.clock.now()), stop)
            else:
                self._store(finish_job(state["job"], self._to_document(result), self.clock.now()), stop)
        finally:
            with self._lock:
                self._stop.pop(job_id, None)

    def _store(self, job: JobRecord, stop: threading.Event) -> bool:
        """Store ``job`` (started, progressed or finished) unless it was cancelled meanwhile: the cancellation
        stands (False then)."""
        with self._lock:
            if stop.is_set():
                return False
            self.jobs.update(job)
            return True

    # --- reading, cancelling, restarting -------------------------------------------------------------------

    def get(self, job_id: str, clinic_id: str) -> JobRecord:
        """The job of ``clinic_id``; another clinic's is answered as one that does not exist (NotFoundError)."""
        job = self.jobs.get(job_id)
        if job.clinic_id != clinic_id:
            raise NotFoundError(f"no job {job_id!r}")
        return job

    def for_clinic(self, clinic_id: str, *, limit: int = 50) -> tuple[JobRecord, ...]:
        """The clinic's latest ``limit`` jobs, newest first."""
        return self.jobs.for_clinic(clinic_id, limit=limit)

    def cancel(self, job_id: str, clinic_id: str, by: str) -> JobRecord:
        """Cancel the clinic's unfinished job (a running one stops after its current chunk of subjects).

        Raises ``NotFoundError`` for another clinic's, ``ConflictError`` for a finished one."""
        with self._lock:
            job = self.get(job_id, clinic_id)
            cancelled = cancel_job(job, self.clock.now(), by)
            stop = self._stop.get(job_id)
            if stop is not None:
                stop.set()
            future = self._running.get(job_id)
            if future is not None:
                future.cancel()
            self.jobs.update(cancelled)
        return cancelled

    def interrupt_unfinished(self) -> tuple[JobRecord, ...]:
        """Mark failed (:data:`~baclofen.domain.jobs.INTERRUPTED`) every job found queued or running that this
        server is not running: what a server does when it starts (a job of a stopped server never ends)."""
        failed = []
        with self._lock:
            for job in self.jobs.unfinished():
                if job.job_id in self._running:
                    continue
                try:
                    ended = fail_job(job, INTERRUPTED, self.clock.now())
                    self.jobs.update(ended)
                except (ConflictError, NotFoundError):  # ended meanwhile
                    continue
                failed.append(ended)
        return tuple(failed)

    def wait(self, job_id: str, timeout_s: float | None = None) -> JobRecord:
        """The job once this server has run it (at most ``timeout_s`` seconds; then as it stands)."""
        with self._lock:
            future = self._running.get(job_id)
        if future is not None:
            try:
                future.result(timeout=timeout_s)
            except Exception:  # a timeout or a cancelled future: the job is answered as it stands
                _log.debug("job %s not finished after %s s", job_id, timeout_s)
        return self.jobs.get(job_id)

    def close(self) -> None:
        """Stop taking jobs; queued ones are dropped (marked interrupted at the next start), a running one ends."""
        with self._lock:
            executor, self._executor = self._executor, None
            for stop in self._stop.values():
                stop.set()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
