"""Run every ``benchmarks/bench_*.py`` in turn; each prints one JSON line, passed through unchanged.

Usage: ``python benchmarks/run_all.py [extra args passed to every benchmark]``. Exits non-zero if any
benchmark fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for bench in sorted(here.glob("bench_*.py")):
        proc = subprocess.run([sys.executable, str(bench), *argv], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            failed.append(bench.name)
            print(f"{bench.name} failed ({proc.returncode}):\n{proc.stderr}", file=sys.stderr)
            continue
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        print(lines[-1] if lines else "{}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
