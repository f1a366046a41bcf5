"""REST API throughput and latency on the demo clinic (issue 8/10 item 12), as ratios to a trivial endpoint.

The server is the real one (``baclofen serve``: uvicorn, one worker) on a SQLite demo clinic written by
``baclofen demo-data`` in a temporary directory, reached over loopback. A bounded Python load client
(``--connections`` threads, each with its own keep-alive ``httpx.Client``) sends requests for ``--seconds`` per
endpoint and records every latency. Contenders, all with the demo clinician's token:

* ``healthz``: ``GET /healthz``, the baseline (no authentication, no database): the ratios below are to it;
* ``patient``: ``GET /api/v1/patients/P-0001`` (token check, one read, one audit append);
* ``worklist``: ``GET /api/v1/worklist?horizon_days=14`` (every patient of the clinic: timeline, risk, forecast);
* ``titration``: ``POST /api/v1/plans/titration`` (a stateless oral titration plan with its safety rules).

Prints one JSON line: per endpoint requests/s, p50 and p99 in ms, errors, and ``ratio_rps_to_healthz``.
Usage: ``python benchmarks/bench_api.py [--seconds 5] [--connections 4] [--port 8765]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
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


def _load(
    base: str, method: str, path: str, body: Any, headers: dict[str, str], seconds: float, connections: int
) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=10.0) as client:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = client.request(method, path, json=body)
                latencies[i].append(time.perf_counter() - t0)
                if r.status_code >= 400:
                    errors[i] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for part in latencies for x in part]
    return {
        "requests": len(flat),
        "errors": sum(errors),
        "requests_per_second": round(len(flat) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(flat), 2),
        "p99_ms": round(1000 * _percentile(flat, 0.99), 2),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        env = {**os.environ, "BACLOFEN_SECRET_KEY": secrets.token_urlsafe(48)}
        _run("db", "upgrade", "--database-url", url, env=env)
        written = _run("demo-data", "--database-url", url, env=env)
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
            results = {
                name: _load(base, method, path, body, headers, args.seconds, args.connections)
                for name, (method, path, body, headers) in contenders.items()
            }
        finally:
            server.terminate()
            server.wait(timeout=10)
    baseline = results["healthz"]["requests_per_second"]
    for r in results.values():
        r["ratio_rps_to_healthz"] = round(r["requests_per_second"] / baseline, 4) if baseline else None
    print(
        json.dumps(
            {
                "benchmark": "api",
                "server": "baclofen serve (uvicorn, 1 worker), SQLite demo clinic (40 patients, 15 pumps)",
                "connections": args.connections,
                "seconds_per_endpoint": args.seconds,
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
