"""Signing in and out in Chromium, under the Content-Security-Policy: a viewer's pages, an officer's, and the header
that says who is reading. The page fixture fails a test on any console error, a policy violation among them."""

from __future__ import annotations

import threading

import pytest

from tests.browser.conftest import _free_port
from tests.integration.test_access import PASSWORDS, make_app

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser):
    """A page under the app's own Content-Security-Policy (conftest's bypasses it), recording console errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    yield page
    context.close()


@pytest.fixture(scope="module")
def signed_server(demo_build, tmp_path_factory):
    """The demo warehouse behind sign-in, served from a thread."""
    from werkzeug.serving import make_server

    app = make_app(demo_build[1], tmp_path_factory.mktemp("sign-in"))
    port = _free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def sign_in(page, server: str, role: str, path: str = "/map"):
    page.goto(f"{server}{path}")
    assert page.url == f"{server}/login?next={path}"  # sent to sign in, and back here after
    page.get_by_label("Username").fill(role)
    page.get_by_label("Password").fill(PASSWORDS[role])
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_url(f"{server}{path}")
    page.wait_for_selector("#reader")


def test_a_viewer_signs_in_sees_no_schools_page_and_signs_out(page, signed_server):
    page.goto(f"{signed_server}/login")
    assert page.locator("h1").count() == 1 and page.locator("html").get_attribute("lang") == "en-GB"
    sign_in(page, signed_server, "viewer")
    assert page.locator("#reader").inner_text().startswith("Signed in as viewer (board viewer).")
    page.wait_for_selector("#map-graph .main-svg")
    links = page.locator("#site-nav a").all_inner_texts()
    assert [link.split("\n")[0] for link in links] == ["Overview", "Map", "Trends", "Needs", "Data & methods"]
    # No School points control: the Map's own settings offer the level and the colouring only.
    assert not page.locator("#filter-schools").is_visible()
    page.goto(f"{signed_server}/schools")
    page.wait_for_selector("text=School-level figures are for officers")
    assert page.locator("#school-grid").count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("text=You have signed out.")
    page.goto(f"{signed_server}/map")
    assert page.url == f"{signed_server}/login?next=/map"
    assert not page.problems, page.problems


def test_an_officer_sees_the_schools_page_and_a_wrong_password_is_said_in_words(page, signed_server):
    page.goto(f"{signed_server}/login")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "That username and password do not match."
    page.problems.clear()  # the refused sign-in's 401 is the browser's console error, and expected
    sign_in(page, signed_server, "officer", "/schools")
    page.wait_for_selector("#school-grid .ag-row", timeout=30_000)
    assert any(link.startswith("Schools") for link in page.locator("#site-nav a").all_inner_texts())
    assert not page.problems, page.problems


def test_every_page_works_under_the_content_security_policy(page, signed_server):
    # The page fixture records console errors, and Chromium reports each refused script, style or eval as one.
    sign_in(page, signed_server, "officer", "/")
    for path in ("/", "/map", "/trends", "/needs", "/schools", "/data", "/accessibility"):
        page.goto(f"{signed_server}{path}")
        page.wait_for_selector("h1")
        page.wait_for_load_state("networkidle")
        if path == "/map":
            page.wait_for_selector("#map-graph .main-svg")
        assert not page.problems, (path, page.problems)
    page.goto(f"{signed_server}/meeting")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the first chart slide draws with plotly.js
    page.wait_for_selector(".slide:not([hidden]) .main-svg")
    assert not page.problems, ("/meeting", page.problems)
