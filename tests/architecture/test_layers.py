"""The domain core imports no I/O, framework, storage or clock; layers import only downwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "baclofen"

FORBIDDEN_IN_DOMAIN = {
    # I/O, processes, network, environment
    "os", "io", "pathlib", "shutil", "subprocess", "socket", "urllib", "http", "requests", "httpx",
    "tempfile", "glob", "sqlite3", "pickle", "shelve", "logging.config", "sys", "time", "random",
    "asyncio", "threading", "multiprocessing", "json", "csv",
    # storage and frameworks
    "sqlalchemy", "alembic", "psycopg", "fastapi", "starlette", "pydantic", "typer", "click", "rich",
    "jinja2", "matplotlib", "dask", "distributed", "pint", "uvicorn",
    # our outer layers
    "baclofen.services", "baclofen.adapters", "baclofen.entrypoints", "baclofen.bootstrap", "baclofen.config",
}
# numpy/scipy/numba only inside the PK engine
NUMERIC = {"numpy", "scipy", "numba"}
FORBIDDEN_CALLS = {("datetime", "now"), ("date", "today"), ("datetime", "today"), ("datetime", "utcnow")}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _calls(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            out.append((node.value.id, node.attr))
        if isinstance(node, ast.Name) and node.id == "open":
            out.append(("", "open"))
    return out


def _matches(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


DOMAIN_FILES = sorted((SRC / "domain").rglob("*.py"))


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_domain_module_imports_no_io_framework_or_storage(path: Path) -> None:
    bad = [n for n in _imports(path) if _matches(n, FORBIDDEN_IN_DOMAIN)]
    in_pk = "pk" in path.relative_to(SRC / "domain").parts
    if not in_pk:
        bad += [n for n in _imports(path) if _matches(n, NUMERIC)]

    assert bad == []


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_domain_module_reads_no_clock_and_opens_no_file(path: Path) -> None:
    calls = set(_calls(path))

    assert calls & (FORBIDDEN_CALLS | {("", "open")}) == set()


def test_the_layer_check_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nfrom datetime import datetime\nx = datetime.now()\n")

    assert _matches(_imports(bad)[0], FORBIDDEN_IN_DOMAIN)
    assert ("datetime", "now") in set(_calls(bad))


@pytest.mark.parametrize("path", sorted((SRC / "services").rglob("*.py")), ids=lambda p: p.name)
def test_services_import_no_adapters_or_entrypoints(path: Path) -> None:
    bad = [n for n in _imports(path) if _matches(n, {"baclofen.adapters", "baclofen.entrypoints",
                                                      "typer", "click", "rich", "fastapi", "sqlalchemy"})]

    assert bad == []


def test_the_domain_package_imports_without_outer_layers_loaded() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, baclofen.domain as d\n"
        "for m in pkgutil.walk_packages(d.__path__, 'baclofen.domain.'): importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('typer','click','rich','sqlalchemy','fastapi',"
        "'matplotlib','dask','distributed','pydantic') or m.startswith('baclofen.entrypoints')]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == ""
