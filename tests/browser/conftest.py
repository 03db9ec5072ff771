"""Real-browser fixtures: the app on 127.0.0.1, Debian's Chromium driven by Playwright.

Chromium comes from the system (``make test`` installs Debian's ``chromium``
package); Playwright never downloads a browser. ``$CHROMIUM`` names another
binary. A missing browser is a failure, not a skip: a skipped accessibility
test would look like a passing one.

Every context routes all traffic through ``browser_support.NetworkGuard``:
requests to 127.0.0.1 go through, anything else is aborted and fails the test.
"""

from __future__ import annotations

import os
import threading

import pytest
from browser_support import (
    CHROMIUM_FLAGS,
    LAUNCH_TIMEOUT_MS,
    LOOPBACK,
    SERVER_STOP_TIMEOUT,
    chromium_path,
    close_and_check,
    guarded_context,
)
from werkzeug.serving import WSGIRequestHandler, make_server

from consent_kit.app import create_app
from consent_kit.testing import make_instance


class _QuietHandler(WSGIRequestHandler):
    """No log line per request: a walk makes hundreds."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app (example surveys) served by a real HTTP server on 127.0.0.1:<free port>."""
    folder = make_instance(tmp_path_factory.mktemp("browser") / "instance")
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    server = make_server(LOOPBACK, 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(SERVER_STOP_TIMEOUT)
        assert not thread.is_alive(), "the test server did not stop"


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """Debian's Chromium, headless. Fails (never skips) when it isn't installed."""
    path = chromium_path()
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {path}. The browser tests need it: run `make test` "
            "(as root it installs Debian's `chromium` package), or `apt-get install chromium`, "
            "or point $CHROMIUM at a Chromium binary.",
            pytrace=False,
        )
    browser = playwright_driver.chromium.launch(
        executable_path=path, headless=True, args=CHROMIUM_FLAGS, timeout=LAUNCH_TIMEOUT_MS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser):
    """Make fresh guarded contexts: ``new_context(viewport=..., java_script_enabled=...)``.

    Each one is closed after the test, and the test fails if any of them tried
    to reach a host other than 127.0.0.1.
    """
    made = []

    def make(**options):
        context = guarded_context(browser, **options)
        made.append(context)
        return context

    yield make
    close_and_check(made)


@pytest.fixture
def page(new_context):
    """A page in a fresh guarded context at 1280×800 with JavaScript on."""
    return new_context().new_page()
