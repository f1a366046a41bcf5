"""REST API throughput and latency on the demo clinic (issue 8/10 item 12), as ratios to a trivial endpoint.

The server is the real one (``baclofen serve``: uvicorn, one worker) on a SQLite demo clinic written by
``baclofen demo-data`` in a temporary directory, reached over loopback. A bounded Python load client
(``--connections`` threads, each with its own keep-alive ``httpx.Client``) sends requests for ``--seconds`` per
endpoint and records every latency. Contenders, all with the demo clinician's token:

* ``healthz``: ``GET /healthz``, the baseline (no authentication, no database): the ratios below are to it;
* ``patient``: ``GET /api/v1/patients/P-0001`` (token check, user read, one read, one durable audit append);
* ``worklist``: ``GET /api/v1/worklist?horizon_days=14`` (every patient of the clinic: timeline, risk, forecast);
* ``titration``: ``POST /api/v1/plans/titration`` (a stateless oral titration plan with its safety rules).

The machine may be shared: the endpoints are measured in ``--rounds`` interleaved rounds (every endpoint once per
round), each round's ratio is to the baseline of that round, and the spread across rounds is printed (min, median,
max). ``server_cpu_ms_per_request`` is the server process's own CPU time (user + system, from ``/proc``) per request:
the figure least disturbed by other work, and what bounds one worker (about 1000 / it requests/s on one core).

Prints one JSON line: per endpoint requests/s, p50 and p99 in ms (over every round), errors, server CPU per
request, and ``ratio_rps_to_healthz`` (median and range over the rounds); and the floor of every audited request on
this disk: one durable SQLite commit (WAL, ``synchronous=FULL``), timed before and after the load.
Usage: ``python benchmarks/bench_api.py [--seconds 3] [--rounds 3] [--connections 4] [--patients 40] [--port 8765]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent / "baclofen"


def _run(*args: str, env: dict[str, str]) -> str:
    proc = subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, check=True)
    return proc.stdout


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _server_cpu_s(pid: int) -> float | None:
    """The CPU time (user + system, seconds) process ``pid`` has used so far; None where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _durable_commits(path: Path, count: int = 300) -> dict[str, float]:
    """The floor of an audited request: one small SQLite commit in WAL mode with ``synchronous=FULL`` (an fsync),
    as the audit log makes, timed ``count`` times on this disk in this run (ms)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE IF NOT EXISTS floor (x)")
        times = []
        for _ in range(count):
            t0 = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO floor VALUES (1)")
            connection.execute("COMMIT")
            times.append(time.perf_counter() - t0)
    finally:
        connection.close()
    return {"p50_ms": round(1000 * statistics.median(times), 3), "p99_ms": round(1000 * _percentile(times, 0.99), 3)}


def _load(
    base: str, method: str, path: str, body: Any, headers: dict[str, str], seconds: float, connections: int, pid: int
) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30.0) as client:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = client.request(method, path, json=body)
                latencies[i].append(time.perf_counter() - t0)
                if r.status_code >= 400:
                    errors[i] += 1

    cpu_before = _server_cpu_s(pid)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu_after = _server_cpu_s(pid)
    flat = [x for part in latencies for x in part]
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {"latencies": flat, "errors": sum(errors), "elapsed": elapsed, "server_cpu_s": cpu}


def _summary(runs: list[dict[str, Any]], baselines: list[float]) -> dict[str, Any]:
    """One endpoint over the rounds: rates per round, latencies and server CPU over all of them, ratios per round."""
    flat = [x for r in runs for x in r["latencies"]]
    rates = [len(r["latencies"]) / r["elapsed"] for r in runs]
    ratios = sorted(rate / base for rate, base in zip(rates, baselines, strict=True) if base)
    cpu = [r["server_cpu_s"] for r in runs]
    return {
        "requests": len(flat),
        "errors": sum(r["errors"] for r in runs),
        "requests_per_second": round(statistics.median(rates), 1),
        "requests_per_second_range": [round(min(rates), 1), round(max(rates), 1)],
        "p50_ms": round(1000 * statistics.median(flat), 2),
        "p99_ms": round(1000 * _percentile(flat, 0.99), 2),
        "server_cpu_ms_per_request": None if None in cpu else round(1000 * sum(cpu) / len(flat), 3),
        "ratio_rps_to_healthz": round(statistics.median(ratios), 4) if ratios else None,
        "ratio_range": [round(ratios[0], 4), round(ratios[-1], 4)] if ratios else None,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--patients", type=int, default=40, help="demo clinic size (40-10000)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        floor_before = _durable_commits(Path(tmp) / "floor.sqlite3")
        env = {**os.environ, "BACLOFEN_SECRET_KEY": secrets.token_urlsafe(48)}
        _run("db", "upgrade", "--database-url", url, env=env)
        size = () if args.patients == 40 else ("--patients", str(args.patients))  # (older versions: 40 only)
        written = _run("demo-data", "--database-url", url, *size, env=env)
        match = re.search(r"clinician\s+(\S+)\s+(\S+)", written)
        if match is None:
            print("no demo clinician login in the demo-data output", file=sys.stderr)
            return 1
        username, password = match.group(1), match.group(2)
        server = subprocess.Popen(
            [str(BIN), "serve", "--database-url", url, "--port", str(args.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = httpx.post(
                f"{base}/api/v1/auth/token", json={"username": username, "password": password}, timeout=10.0
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            contenders = {
                "healthz": ("GET", "/healthz", None, {}),
                "patient": ("GET", "/api/v1/patients/P-0001", None, auth),
                "worklist": ("GET", "/api/v1/worklist?horizon_days=14", None, auth),
                "titration": ("POST", "/api/v1/plans/titration", {"start_date": "2026-12-01"}, auth),
            }
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
            for _ in range(args.rounds):
                for name, (method, path, body, headers) in contenders.items():
                    load = _load(base, method, path, body, headers, args.seconds, args.connections, server.pid)
                    runs[name].append(load)
        finally:
            server.terminate()
            server.wait(timeout=10)
        floor_after = _durable_commits(Path(tmp) / "floor.sqlite3")
    baselines = [len(r["latencies"]) / r["elapsed"] for r in runs["healthz"]]
    results = {name: _summary(endpoint_runs, baselines) for name, endpoint_runs in runs.items()}
    print(
        json.dumps(
            {
                "benchmark": "api",
                "server": f"baclofen serve (uvicorn, 1 worker), SQLite demo clinic ({args.patients} patients)",
                "cpus": os.cpu_count(),
                "load_average_after": os.getloadavg() if hasattr(os, "getloadavg") else None,
                "connections": args.connections,
                "rounds": args.rounds,
                "seconds_per_endpoint_and_round": args.seconds,
                "results": results,
                "durable_sqlite_commit_before_and_after": [floor_before, floor_after],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
