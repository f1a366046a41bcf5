"""The web pages in a real browser: Playwright drives Debian's Chromium (``/usr/bin/chromium``; ``make test`` installs
it when it runs as root) against the real server (uvicorn on a free loopback port) over a SQLite demo clinic written
by ``baclofen demo-data``. axe-core (``tests/web/node_modules``, ``npm ci`` by ``make test``) is injected into every
page: no serious or critical violation. Any console error fails the test. Screenshots are kept under
``tests/web/artifacts/`` (git-ignored; CI keeps them as artefacts).

Outside CI a machine without Chromium skips these tests with that reason; in CI (``$CI`` set) they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
CHROMIUM = os.environ.get("BACLOFEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SECRET = "a-browser-test-secret-that-is-long-enough-for-hs256"
PHONE = {"width": 360, "height": 740}

pytestmark = pytest.mark.browser

if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
    if os.environ.get("CI"):
        raise RuntimeError(f"the browser tests need Chromium at {CHROMIUM}: make test installs it (apt-get, as root)")
    pytest.skip(
        f"no Chromium at {CHROMIUM} (apt-get install chromium, or make test as root); skipped outside CI only",
        allow_module_level=True,
    )


def _cli(*args: str) -> str:
    code = "from baclofen.entrypoints.cli.app import main; main()"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    logins: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import uvicorn

    from baclofen.bootstrap import bootstrap
    from baclofen.entrypoints.api import ApiSettings
    from baclofen.entrypoints.web import create_site

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'demo.sqlite3'}"
    _cli("db", "upgrade", "--database-url", url)
    written = json.loads(_cli("demo-data", "--database-url", url, "--json"))
    logins = {x["role"]: x for x in written["logins"]}
    app = create_site(bootstrap(database_url=url), ApiSettings(secret_key=SECRET))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", logins)
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert AXE.exists(), f"axe-core is missing: run `npm ci --prefix {HERE}` (make test does)"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page with its console errors (each fails the test) and its screenshots."""

    page: Any
    name: str
    errors: list[str] = field(default_factory=list)

    def check(self, label: str) -> None:
        """No serious or critical axe-core violation on this page; a screenshot as an artefact."""
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{label}.png"), full_page=True)
        width = self.page.viewport_size["width"]
        assert self.page.evaluate("document.documentElement.scrollWidth") <= width, f"{label}: scrolls sideways"
        # evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not govern
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        found = self.page.evaluate("async () => (await axe.run(document)).violations")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found
            if v.get("impact") in ("serious", "critical")
        ]
        assert bad == [], f"{label}: axe-core violations: {bad}"


@pytest.fixture
def tab(browser: Any, request: pytest.FixtureRequest) -> Iterator[Tab]:
    viewport = PHONE if "phone" in request.node.name else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    opened = Tab(page, request.node.name)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    yield opened
    context.close()
    assert opened.errors == [], f"console errors: {opened.errors}"


def _log_in(tab: Tab, server: Server, role: str) -> None:
    """Log in with the keyboard only: the first Tab reaches the skip link, then the fields in order."""
    page = tab.page
    page.goto(server.url + "/")
    page.wait_for_selector("h1:has-text('Log in')")
    tab.check("login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(5):
        if page.evaluate("document.activeElement.id") == "username":
            break
        page.keyboard.press("Tab")
    page.keyboard.type(server.logins[role]["username"])
    page.keyboard.press("Tab")
    page.keyboard.type(server.logins[role]["password"])
    page.keyboard.press("Enter")


def test_a_nurse_reads_the_worklist_and_acknowledges_an_alert(tab: Tab, server: Server) -> None:
    page = tab.page
    _log_in(tab, server, "nurse")
    page.wait_for_selector("h1:has-text('Clinic worklist')")
    items = page.locator("ol.worklist > li")
    assert items.count() >= 5
    first = items.first
    first.locator("summary").click()
    assert first.locator("details ul.sources li").count() >= 1
    tab.check("worklist")

    # filter by kind through the form (query parameters), then acknowledge an alert with a reason in one step
    page.get_by_label("Show").select_option("alert")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/worklist?kind=alert*")
    alert_item = page.locator("ol.worklist > li", has=page.locator("form.ack")).first
    alert_item.get_by_label("Reason for acknowledging").fill("called the patient, refill booked")
    alert_item.get_by_role("button", name="Acknowledge").click()
    confirmed = page.locator("li.acknowledged")
    confirmed.wait_for()
    assert "called the patient, refill booked" in confirmed.inner_text()
    tab.check("acknowledged")


def test_a_patient_on_a_phone_logs_a_red_flag_and_is_told_what_to_do(tab: Tab, server: Server) -> None:
    page = tab.page
    _log_in(tab, server, "patient")
    page.wait_for_selector("h1:has-text('Your day')")
    assert page.locator("text=Warning signs").count() >= 1
    tab.check("today")

    page.get_by_role("link", name="Log how you feel today").click()
    page.wait_for_selector("h1:has-text('How are you today?')")
    tab.check("diary")
    page.get_by_label("Doses missed").fill("2")
    page.get_by_label("How often spasms came").select_option("3")
    page.get_by_label("How strong they were").select_option("2")
    page.get_by_label("high fever", exact=True).check()
    page.get_by_label("more spasms or stiffness").check()
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_selector("h2:has-text('What to do now')")
    assert "Contact your clinic now" in page.inner_text("section.urgent")
    tab.check("advice")
