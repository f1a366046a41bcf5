"""The domain core imports no I/O, framework, storage or clock; layers import only downwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "baclofen"

FORBIDDEN_IN_DOMAIN = {
    # I/O, processes, network, environment
    "os",
    "io",
    "pathlib",
    "shutil",
    "subprocess",
    "socket",
    "urllib",
    "http",
    "requests",
    "httpx",
    "tempfile",
    "glob",
    "sqlite3",
    "pickle",
    "shelve",
    "logging.config",
    "sys",
    "time",
    "random",
    "asyncio",
    "threading",
    "multiprocessing",
    "json",
    "csv",
    "importlib",
    "builtins",
    "<dynamic>",
    # storage and frameworks
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "pydantic",
    "typer",
    "click",
    "rich",
    "jinja2",
    "matplotlib",
    "dask",
    "distributed",
    "pint",
    "uvicorn",
    # our outer layers
    "baclofen.services",
    "baclofen.adapters",
    "baclofen.entrypoints",
    "baclofen.bootstrap",
    "baclofen.config",
}
# numpy/scipy/numba only inside the PK engine
NUMERIC = {"numpy", "scipy", "numba"}


def _package_of(path: Path, root: Path) -> list[str]:
    """The dotted package of the module at ``path`` (``root`` holds the top-level package folder)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1]


def _imports(path: Path, root: Path = SRC.parent) -> list[str]:
    """Every module ``path`` imports: ``import``, ``from`` (relative ones resolved), and the dynamic
    ``importlib.import_module("x")`` / ``__import__("x")`` (a non-literal name is reported as ``<dynamic>``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _package_of(path, root)
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module.split(".") if node.module else []
            else:
                anchor = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                base = anchor + (node.module.split(".") if node.module else [])
            if node.module:
                names.append(".".join(base))
                # ``from baclofen import bootstrap`` imports the module baclofen.bootstrap
                names.extend(".".join(base + [a.name]) for a in node.names if a.name != "*")
            else:
                names.extend(".".join(base + [a.name]) for a in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            dynamic = (isinstance(func, ast.Name) and func.id == "__import__") or (
                isinstance(func, ast.Attribute) and func.attr == "import_module"
            )
            if dynamic:
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.append(arg.value)
                else:
                    names.append("<dynamic>")
    return names


CLOCK_METHODS = {"now", "utcnow", "today"}
FORBIDDEN_BUILTINS = {"open", "__import__", "eval", "exec"}


def _calls(path: Path) -> list[tuple[str, str]]:
    """Clock reads (any ``X.now()``, ``X.today()``, ``X.utcnow()``, however ``X`` is spelled or aliased)
    and forbidden built-ins (``open``, ``__import__``, ``eval``, ``exec``), as (base, name) pairs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLOCK_METHODS:
            base = node.func.value
            out.append((base.id if isinstance(base, ast.Name) else ast.unparse(base), node.func.attr))
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_BUILTINS:
            out.append(("", node.id))
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
    assert _calls(path) == []


@pytest.mark.parametrize(
    "source",
    [
        "import sqlite3\n",
        "import os.path\n",
        "from os import path\n",
        "from ...services import planning\n",
        "from ... import adapters\n",
        "from ...entrypoints.cli import app\n",
        "import importlib\nimportlib.import_module('sqlite3')\n",
        "from importlib import import_module\nimport_module('socket')\n",
        "x = __import__('os')\n",
    ],
)
def test_the_layer_check_would_catch_a_forbidden_import(tmp_path: Path, source: str) -> None:
    module = tmp_path / "baclofen" / "domain" / "oral" / "bad.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)

    found = _imports(module, root=tmp_path) + [name for _, name in _calls(module) if name == "__import__"]

    assert any(_matches(n, FORBIDDEN_IN_DOMAIN) or n == "__import__" for n in found), found


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\nx = datetime.now()\n",
        "import datetime\nx = datetime.datetime.now()\n",
        "from datetime import date as d\nx = d.today()\n",
        "from datetime import datetime as dt, timezone\nx = dt.utcnow()\n",
        "x = open('f')\n",
    ],
)
def test_the_clock_check_would_catch_a_clock_read_or_file_open(tmp_path: Path, source: str) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(source)

    assert _calls(bad) != []


def test_relative_imports_inside_the_domain_resolve_to_the_domain() -> None:
    good = SRC / "domain" / "oral" / "titration.py"
    imports = _imports(good)

    assert all(not n.startswith(".") for n in imports)
    assert not any(_matches(n, FORBIDDEN_IN_DOMAIN) for n in imports)


#: What the services must not import: they reach the outside world through their ports only.
FORBIDDEN_IN_SERVICES = {
    "baclofen.adapters",
    "baclofen.entrypoints",
    "baclofen.bootstrap",
    "typer",
    "click",
    "rich",
    "fastapi",
    "sqlalchemy",
}


@pytest.mark.parametrize("path", sorted((SRC / "services").rglob("*.py")), ids=lambda p: p.name)
def test_services_import_no_adapters_entrypoints_or_bootstrap(path: Path) -> None:
    bad = [n for n in _imports(path) if _matches(n, FORBIDDEN_IN_SERVICES)]

    assert bad == []


@pytest.mark.parametrize(
    "source",
    [
        "from baclofen.adapters.memory import InMemoryUnitOfWork\n",
        "from ..adapters import memory\n",
        "from baclofen import bootstrap\n",
        "import baclofen.entrypoints.cli.app\n",
    ],
)
def test_the_services_check_would_catch_an_adapter_import(tmp_path: Path, source: str) -> None:
    module = tmp_path / "baclofen" / "services" / "bad.py"
    module.parent.mkdir(parents=True)
    module.write_text(source)

    assert any(_matches(n, FORBIDDEN_IN_SERVICES) for n in _imports(module, root=tmp_path))


def test_the_ports_import_only_the_domain_and_the_standard_library() -> None:
    allowed = {"__future__", "abc", "collections.abc", "contextlib", "datetime", "types", "typing"}

    imports = _imports(SRC / "services" / "ports.py")

    assert [n for n in imports if not _matches(n, allowed | {"baclofen.domain"})] == []


@pytest.mark.parametrize("path", sorted((SRC / "adapters").rglob("*.py")), ids=lambda p: p.name)
def test_adapters_import_no_entrypoints_or_bootstrap(path: Path) -> None:
    bad = [n for n in _imports(path) if _matches(n, {"baclofen.entrypoints", "baclofen.bootstrap", "typer", "click"})]

    assert bad == []


def test_the_bootstrap_imports_no_entrypoint() -> None:
    assert [n for n in _imports(SRC / "bootstrap.py") if _matches(n, {"baclofen.entrypoints"})] == []


#: Standard-library reads of the wall clock (qualified names, however imported).
STDLIB_CLOCK_READS = {
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
    "time.localtime",
    "time.gmtime",
    "time.ctime",
}


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _qualified(node.value, aliases)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _stdlib_clock_reads(path: Path) -> list[str]:
    """Calls that read the wall clock through ``datetime`` or ``time`` (``date.today()``, ``dt.datetime.now()``,
    ``from time import time as t; t()`` ...), resolved through the module's imports. A call on a
    :class:`~baclofen.services.ports.Clock` (``clock.today()``) is not one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    calls = (_qualified(n.func, aliases) for n in ast.walk(tree) if isinstance(n, ast.Call))
    return [name for name in calls if name in STDLIB_CLOCK_READS]


OUTSIDE_ADAPTERS = sorted(
    [*(SRC / "services").rglob("*.py"), *(SRC / "entrypoints").rglob("*.py"), SRC / "bootstrap.py"]
)


@pytest.mark.parametrize("path", OUTSIDE_ADAPTERS, ids=lambda p: str(p.relative_to(SRC)))
def test_only_the_adapters_read_the_clock(path: Path) -> None:
    """Services and entrypoints take "today" from the Clock the bootstrap gives them (adapters/clock.py)."""
    assert _stdlib_clock_reads(path) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from datetime import date\nx = date.today()\n", ["datetime.date.today"]),
        ("import datetime as dt\nx = dt.datetime.now()\n", ["datetime.datetime.now"]),
        ("from datetime import datetime as D\nx = D.utcnow()\n", ["datetime.datetime.utcnow"]),
        ("from time import time as t\nx = t()\n", ["time.time"]),
        ("import time\nx = time.localtime()\n", ["time.localtime"]),
        ("x = services.clock.today()\ny = self.clock.now()\n", []),
        ("from datetime import date\nx = date.fromisoformat('2026-01-01')\n", []),
    ],
)
def test_the_clock_read_check_tells_the_stdlib_clock_from_the_clock_port(
    tmp_path: Path, source: str, found: list[str]
) -> None:
    module = tmp_path / "mod.py"
    module.write_text(source)

    assert _stdlib_clock_reads(module) == found


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
