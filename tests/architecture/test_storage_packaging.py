"""The SQL store is loaded only where a database is used, and its migrations ship inside the package."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "src" / "baclofen" / "adapters" / "sql" / "migrations"


def test_the_cli_and_the_bootstrap_load_no_database_library_until_a_database_is_used() -> None:
    code = (
        "import sys; from baclofen.entrypoints.cli.app import build_app; build_app(); "
        "from baclofen.bootstrap import bootstrap; bootstrap(); "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'psycopg') if m in sys.modules))"
    )
    env_path = str(ROOT / "src")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": env_path}
    )

    assert out.stdout.strip() == "[]"


def test_the_migrations_are_packaged_so_an_installed_copy_can_upgrade() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]["baclofen"]

    assert "adapters/sql/migrations/script.py.mako" in package_data
    assert (MIGRATIONS / "__init__.py").exists() and (MIGRATIONS / "versions" / "__init__.py").exists()
    assert {"sqlalchemy", "alembic", "psycopg[binary]"} <= {d.split("==")[0] for d in config["project"]["dependencies"]}
