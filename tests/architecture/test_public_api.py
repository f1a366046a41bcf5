"""The public API of ``baclofen.services`` (names and signatures) is pinned in tests/architecture/public_api.txt,
so that a change to what a REST layer, a web page or a script calls is a deliberate one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("update_public_api", ROOT / "scripts" / "update_public_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_services_api_matches_its_snapshot() -> None:
    script = _script()
    expected = script.SNAPSHOT.read_text()

    actual = script.render_public_api()

    assert actual == expected, (
        "The public API of baclofen.services changed (- snapshot, + code):\n"
        + script.difference(expected, actual)
        + "\nIf the change is deliberate, run `python scripts/update_public_api.py` (or `make public-api`) and "
        "commit tests/architecture/public_api.txt with it; otherwise restore the names and signatures."
    )


def test_the_snapshot_names_every_service_module() -> None:
    text = (ROOT / "tests" / "architecture" / "public_api.txt").read_text()

    for path in sorted((ROOT / "src" / "baclofen" / "services").glob("[!_]*.py")):
        assert f"baclofen.services.{path.stem}." in text, path.name
