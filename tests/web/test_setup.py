"""`make test` sets up the browser tests itself: Debian's Chromium when it runs as root and Chromium is missing, and
axe-core from the committed lockfile."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _target(makefile: str, name: str) -> str:
    found = re.search(rf"^{name}:.*?(?=^\S|\Z)", makefile, re.S | re.M)
    assert found is not None, f"no target {name}"
    return found.group(0)


def test_make_test_installs_chromium_as_root_and_axe_core_from_the_lockfile() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    browser = _target(makefile, "browser")
    system = _target(makefile, "system")

    assert "browser" in _target(makefile, "test").splitlines()[0].split(":", 1)[1].split()
    assert "system" in browser.splitlines()[0].split(":", 1)[1].split()
    assert "chromium:/usr/bin/chromium" in makefile and "poppler-utils:/usr/bin/pdftotext" in makefile
    assert 'id -u)" = 0' in system
    assert re.search(r"apt-get install -y\b.*\$\$missing", system)
    assert "npm ci --prefix $(WEB_TESTS)" in makefile
    lock = json.loads((ROOT / "tests" / "web" / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/axe-core"]["version"].startswith("4.")
