"""Browser fixtures: the session app served over HTTP, driven by the system Chromium.

The server runs werkzeug's threaded server in a background thread for the
whole session and shares the session ``app`` (and its database) with the
other fixtures, so ``world`` builds data the browser then sees. CSRF is on
while a browser test runs (proving the forms carry tokens) and off again
afterwards, as the rest of the suite expects.

Screenshots go to ``E2E_SHOTS`` (default: ``shots`` in the system temp folder), outside the repository.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(os.environ.get("E2E_SHOTS") or Path(tempfile.gettempdir()) / "shots")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def live_server(app, _server):
    """The base URL of the running app, with CSRF protection on for this test."""
    saved = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    yield _server
    app.config["WTF_CSRF_ENABLED"] = saved


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install the Debian 'chromium' package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh context: ``new_page()`` (1280x800) or ``new_page("phone")``.

    Any Content-Security-Policy violation Chromium reports on the console fails the test.
    """
    contexts = []
    violations: list[str] = []

    def watch(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url', '')}: {message.text}")

    def open_page(viewport: str = "desktop"):
        context = browser.new_context(
            base_url=live_server, viewport=VIEWPORTS[viewport], locale="zh-CN"
        )
        context.set_default_timeout(10_000)
        # a form post renders the whole case page again; on a shared 2-core machine running
        # both suites at once that took longer than 10 s now and then
        context.set_default_navigation_timeout(30_000)
        contexts.append(context)
        opened = context.new_page()
        opened.on("console", watch)
        return opened

    yield open_page
    for context in contexts:
        context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(new_page):
    """A desktop-size page in a fresh browser context (no cookies)."""
    return new_page()


@pytest.fixture
def phone(new_page):
    """A phone-size (390x844) page in a fresh browser context."""
    return new_page("phone")


@pytest.fixture
def shot():
    """Save a full-page screenshot as ``<E2E_SHOTS>/<name>-<width>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS / f"{name}-{page.viewport_size['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
