"""Browser fixtures: the real app served from a thread, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from benchmarks.chromium import CHROMIUM, FLAGS
from dashboard.config import Config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(config: Config):
    """The real app for config, served from a thread on a free local port: its address."""
    from werkzeug.serving import make_server

    from app import create_app

    port = _free_port()
    server = make_server("127.0.0.1", port, create_app(config).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def live_server(demo_build):
    """The real app on the demo warehouse, served from a thread on a free local port."""
    with served(Config(warehouse_path=demo_build[1])) as address:
        yield address


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh page that records console errors and failed requests; the test fails if any occur."""
    # Playwright's wait_for_function evaluates its predicate with eval, which the app's Content-Security-Policy
    # forbids: these pages bypass it, and tests/browser/test_sign_in.py opens every page under the policy.
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))
    yield page
    context.close()
