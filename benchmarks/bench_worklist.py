"""The clinic worklist as the clinic grows (issue 8/10 item 12): 40, 400 and 4,000 patients by default.

For each size a SQLite demo clinic is built in a temporary directory: the demo clinic of that size
(:func:`baclofen.services.demo_clinic.write_demo_clinic`, the same mix in every block of 40 patients) is written
through the use cases on an in-memory store, then stored in the SQLite file in one commit (writing 4,000 patients'
29,000 refill visits one durable commit each would take the better part of an hour on a shared disk). Then:

* ``use_case``: :func:`baclofen.services.clinic.compute_clinic_worklist` in process over the SQL store, every
  patient of the clinic (one warm-up, then ``--repeats`` timed calls: median wall and CPU seconds);
* ``use_case_one_by_one`` (sizes up to ``--one-by-one-up-to``): the same with the patients' records read one
  patient at a time (the unit of work's prefetch switched off): what the batch loading saves, in the same run;
* ``served``: ``GET /api/v1/worklist`` on the real server (``baclofen serve``, uvicorn, one worker), one
  connection, with ``GET /healthz`` on the same server as the baseline (its ratio) and the server's CPU per request.

Per-patient figures (``ms_per_patient``) show how the cost scales: constant per patient means linear.
Prints one JSON line. Usage:
``python benchmarks/bench_worklist.py [--sizes 40,400,4000] [--repeats 3] [--one-by-one-up-to 400] [--port 8766]``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.adapters.sql import SqlUnitOfWork, create_database_engine, upgrade_database
from baclofen.bootstrap import bootstrap
from baclofen.domain.records import DEMO_CLINIC_ID, Role
from baclofen.services import clinic
from baclofen.services.commands import ComputeWorklist
from baclofen.services.demo_clinic import demo_logins
from baclofen.services.ports import UnitOfWork

BIN = Path(sys.executable).parent / "baclofen"
AS_OF = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SEED = 1


class _OneByOne(SqlUnitOfWork):
    """The SQL unit of work without its prefetch: each patient's records read one at a time, as before it."""

    prefetch_patients = UnitOfWork.prefetch_patients

    def another(self) -> _OneByOne:
        return _OneByOne(self.engine)


def _build(url: str, patients: int) -> dict[str, Any]:
    """The demo clinic of ``patients`` written in memory through the use cases, then stored at ``url`` at once."""
    started = time.perf_counter()
    memory = bootstrap(passwords=Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1))
    demo = memory.write_demo_clinic(AS_OF, SEED, patients)
    written = time.perf_counter() - started
    engine = create_database_engine(url)
    upgrade_database(engine)
    store = memory.uow.store  # type: ignore[attr-defined]
    with SqlUnitOfWork(engine) as uow:
        uow.prefetch_patients(demo.patient_ids)
        for kind, records in (("patients", store.patients), ("pumps", store.pumps), ("diary", store.diary)):
            for _, record in records.values():
                getattr(uow, kind).add(record)
        for _, alert in store.alerts.values():
            uow.alerts.add(alert)
        uow.commit()
    sql = bootstrap(database_url=url)
    sql.clinics.add(memory.clinics.get(DEMO_CLINIC_ID))
    for login in demo.logins:
        sql.users.add(memory.users.by_username(login.username))
    engine.dispose()
    return {
        "patients": len(demo.patient_ids),
        "pumps": len(demo.pump_ids),
        "refill_visits": demo.visit_count,
        "diary_entries": demo.diary_entry_count,
        "alerts": demo.alert_count,
        "build_seconds": round(time.perf_counter() - started, 1),
        "of_which_use_cases_in_memory_seconds": round(written, 1),
    }


def _time_use_case(url: str, patient_ids: tuple[str, ...], repeats: int, one_by_one: bool) -> dict[str, Any]:
    services = bootstrap(database_url=url)
    engine = services.uow.engine  # type: ignore[attr-defined]
    command = ComputeWorklist(patient_ids, AS_OF, 14)
    walls, cpus, items = [], [], 0
    for n in range(repeats + 1):
        uow = _OneByOne(engine) if one_by_one else services.uow.another()
        w0, c0 = time.perf_counter(), time.process_time()
        worklist = clinic.compute_clinic_worklist(uow, command, clinic=services.settings)
        if n:  # the first is the warm-up
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        items = len(worklist.items)
    engine.dispose()
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return {
        "seconds": round(wall, 4),
        "cpu_seconds": round(cpu, 4),
        "ms_per_patient": round(1000 * wall / len(patient_ids), 3),
        "cpu_ms_per_patient": round(1000 * cpu / len(patient_ids), 3),
        "items": items,
        "repeats": repeats,
    }


def _server_cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_requests(client: httpx.Client, path: str, count: int, pid: int) -> dict[str, Any]:
    client.get(path).raise_for_status()  # warm-up
    cpu0, times = _server_cpu_s(pid), []
    for _ in range(count):
        t0 = time.perf_counter()
        client.get(path).raise_for_status()
        times.append(time.perf_counter() - t0)
    cpu1 = _server_cpu_s(pid)
    cpu = None if cpu0 is None or cpu1 is None else round(1000 * (cpu1 - cpu0) / count, 3)
    return {"requests": count, "median_ms": round(1000 * statistics.median(times), 2), "server_cpu_ms_per_request": cpu}


def _served(url: str, port: int, patients: int, worklist_requests: int) -> dict[str, Any]:
    env = {**os.environ, "BACLOFEN_SECRET_KEY": secrets.token_urlsafe(48)}
    server = subprocess.Popen(
        [str(BIN), "serve", "--database-url", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        login = next(x for x in demo_logins(SEED) if x.role is Role.CLINICIAN)
        token = httpx.post(
            f"{base}/api/v1/auth/token", json={"username": login.username, "password": login.password}, timeout=30.0
        ).json()["access_token"]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600.0) as client:
            healthz = _timed_requests(client, "/healthz", 300, server.pid)
            worklist = _timed_requests(client, "/api/v1/worklist?horizon_days=14", worklist_requests, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    worklist["ms_per_patient"] = round(worklist["median_ms"] / patients, 3)
    worklist["ratio_time_to_healthz"] = round(worklist["median_ms"] / healthz["median_ms"], 1)
    return {"healthz": healthz, "worklist": worklist}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,400,4000", help="clinic sizes (patients, 40-10000), comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one-by-one-up-to", type=int, default=400)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = f"sqlite:///{Path(tmp) / f'clinic-{size}.sqlite3'}"
            built = _build(url, size)
            ids = tuple(f"P-{n + 1:04d}" for n in range(size))
            result: dict[str, Any] = {"clinic": built}
            result["use_case"] = _time_use_case(url, ids, args.repeats, one_by_one=False)
            if size <= args.one_by_one_up_to:
                result["use_case_one_by_one"] = _time_use_case(url, ids, max(1, args.repeats // 2), one_by_one=True)
                result["one_by_one_over_prefetched"] = round(
                    result["use_case_one_by_one"]["seconds"] / result["use_case"]["seconds"], 2
                )
            result["served"] = _served(url, args.port, size, max(2, args.repeats))
            results[str(size)] = result
    base = results[str(sizes[0])]["use_case"]["cpu_ms_per_patient"]
    for result in results.values():  # linear scaling: 1.0
        result["cpu_per_patient_ratio_to_smallest"] = round(result["use_case"]["cpu_ms_per_patient"] / base, 2)
    print(
        json.dumps(
            {
                "benchmark": "worklist",
                "cpus": os.cpu_count(),
                "load_average_after": os.getloadavg() if hasattr(os, "getloadavg") else None,
                "as_of": AS_OF.isoformat(),
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
