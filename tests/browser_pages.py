"""Fixtures of the browser tests (``tests/test_browser_*.py`` import them): Playwright drives
Debian's Chromium (headless) against a real Ruta server.

The server is started as it is deployed (``uvicorn api.main:app``) on a store of its own with
one person per role. Without Chromium (``apt-get install chromium``) these tests are skipped
with a reason, unless ``RUTA_REQUIRE_BROWSER=1`` (CI sets it), which makes a missing browser a
failure. Each test's last screen is kept as a PNG in ``test-artifacts/screenshots`` (or
``RUTA_TEST_ARTIFACTS``), for a person to look at after a CI run.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from engine import RuleBaseDocuments
from servers import ROOT, free_port, start, stop, wait_until_up
from store import Store

CHROMIUM = Path(os.environ.get("RUTA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("RUTA_TEST_ARTIFACTS", str(ROOT / "test-artifacts")))
#: The flags this machine's Chromium needs headless and offline (no sandbox as root, no
#: background connections to Google's hosts, which the closed network refuses).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: The people of the test office: name → (role, office).
PEOPLE: dict[str, tuple[str, str | None]] = {
    "carla": ("caseworker", "oam-cucuta"),
    "ana": ("policy_author", None),
    "pablo": ("policy_approver", None),
    "aurelio": ("auditor", None),
}


@dataclass(frozen=True)
class Site:
    """A running Ruta: its address, each person's token, its store."""

    url: str
    tokens: dict[str, str]
    store_url: str


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    store_url = f"sqlite:///{folder / 'ruta.db'}"
    store = Store(store_url)
    store.upgrade()
    store.rule_bases.seed(RuleBaseDocuments.from_directory(None))
    tokens = {
        name: store.add_user(name, role, by="test", office=office)
        for name, (role, office) in PEOPLE.items()
    }
    store.close()
    port = free_port()
    env = {
        "RUTA_DATABASE_URL": store_url,
        "RUTA_DATA_DIR": str(folder),
        "RUTA_DATA_KEY": Fernet.generate_key().decode(),
        "RUTA_POLL_SECONDS": "0.2",
        "RUTA_SIMULATION_WORKERS": "1",
    }
    process = start(port, env, log=folder / "server.log")
    try:
        wait_until_up(port, process)
        yield Site(f"http://127.0.0.1:{port}", tokens, store_url)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("RUTA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium) for browser tests")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser window (no cookies), 1280×900, Spanish; its last screen is kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-CO")
    opened = context.new_page()
    yield opened
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        opened.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    finally:
        context.close()


def log_in(page: Page, site: Site, who: str, path: str = "/") -> None:
    """Log ``who`` in through the login page and land on ``path``."""
    page.goto(f"{site.url}/login?next={path}")
    page.get_by_label(re.compile("Token de acceso|Access token")).fill(site.tokens[who])
    page.get_by_role("button", name=re.compile("^(Ingresar|Log in)$")).click()
    page.wait_for_url(f"{site.url}{path}")


def screenshot(page: Page, name: str) -> Path:
    """Keep the current window (1280×900) as ``name``.png among the artifacts; the README's
    pictures in docs/screenshots are these."""
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    target = shots / f"{name}.png"
    page.screenshot(path=str(target))  # the window as a person sees it, for the README
    return target


def serious_accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.1 A/AA on the current page that are serious or
    critical, each with the rule and the elements it found."""
    import axe_playwright_python.sync_playwright as axe

    results = axe.Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    found = results.response.get("violations", [])
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]


def first_render_seconds(page: Page) -> float:
    """From navigation start to the first contentful paint, as the browser measured it."""
    value = page.evaluate(
        "() => { const p = performance.getEntriesByName('first-contentful-paint')[0];"
        " return p ? p.startTime / 1000 : null; }"
    )
    if value is None:
        time.sleep(0.2)
        value = page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd / 1000"
        )
    return float(value)


def json_of(page: Page, selector: str) -> Any:
    return json.loads(page.locator(selector).inner_text())
