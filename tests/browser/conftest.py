"""Real-browser fixtures: the app on 127.0.0.1, Debian's Chromium driven by Playwright.

Chromium comes from the system (``make test`` installs Debian's ``chromium``
package); Playwright never downloads a browser. ``$CHROMIUM`` names another
binary. A missing browser is a failure, not a skip: a skipped accessibility
test would look like a passing one.

Every context routes all traffic through ``browser_support.NetworkGuard``:
requests to 127.0.0.1 go through, anything else is aborted and fails the test.
"""

from __future__ import annotations

import dataclasses
import os

import pytest
from accessible_support import formats_instance
from browser_formats import CLOSED_SURVEY
from browser_support import (
    CHROMIUM_FLAGS,
    LAUNCH_TIMEOUT_MS,
    chromium_path,
    close_and_check,
    guarded_context,
    serving,
)

from consent_kit.app import create_app


def browser_instance(folder):
    """The example surveys, the formats demo (with its picture) and a closed survey."""
    return formats_instance(folder, examples=True, forms={"closed-demo.yaml": CLOSED_SURVEY})


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app (example surveys) served by a real HTTP server on 127.0.0.1:<free port>."""
    folder = browser_instance(tmp_path_factory.mktemp("browser") / "instance")
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    with serving(app, "browser-test-server") as url:
        yield url


@dataclasses.dataclass(frozen=True)
class EdgeServer:
    """The second server's address, and its app (to make a draft lose its consent)."""

    url: str
    app: object


@pytest.fixture(scope="session")
def edge_server(tmp_path_factory):
    """A second app that allows two code tries a minute, to show "Please wait a minute"."""
    folder = browser_instance(tmp_path_factory.mktemp("browser-edges") / "instance")
    app = create_app({"SESSION_COOKIE_SECURE": False, "CODE_ATTEMPTS_PER_MINUTE": 2},
                     instance=folder, load_entrypoints=False)
    with serving(app, "edge-test-server") as url:
        yield EdgeServer(url, app)


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
