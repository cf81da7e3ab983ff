"""Shared fixtures: one demo borough per test session, the real public files, and a live app server."""
from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest

from dashboard.config import ROOT, Config
from dashboard.demo import build_demo
from dashboard.warehouse import Warehouse

SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    """A file from ../shared/data, read in place; the test is skipped with a reason if it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {path} is not available (../shared is absent)")
    return path


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> tuple[Path, Path]:
    """The demo borough built once: (folder of extracts, warehouse file)."""
    folder = tmp_path_factory.mktemp("demo")
    extracts, db = folder / "extracts", folder / "warehouse.duckdb"
    build_demo(extracts, db)
    return extracts, db


@pytest.fixture(scope="session")
def warehouse(demo_build) -> Warehouse:
    """Read-only access to the session's demo warehouse."""
    return Warehouse(demo_build[1])


@pytest.fixture()
def template_set(tmp_path) -> Path:
    """A folder holding the aggregated templates exactly as shipped (header plus example row)."""
    folder = tmp_path / "extracts"
    folder.mkdir()
    for path in (ROOT / "data" / "templates").glob("*.csv"):
        if not path.stem.endswith("_pupil"):
            shutil.copy(path, folder / path.name)
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(demo_build):
    """The real app on the demo warehouse, served from a thread on a free local port."""
    from werkzeug.serving import make_server

    from app import create_app

    app = create_app(Config(warehouse_path=demo_build[1]))
    port = _free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh page that records console errors and failed requests; the test fails if any occur."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))
    yield page
    context.close()
