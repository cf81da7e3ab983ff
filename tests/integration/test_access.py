"""Who may see what, through crafted HTTP requests: each role's pages, callbacks, exports and data routes; signing in
and out, expiry, lock-out and rate limits; security headers; data administration through the browser."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import time
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

import app as app_module
from app import create_app
from dashboard.config import Config
from dashboard.domain.access import SIGNED_IN, Audience
from dashboard.domain.filters import FilterState
from dashboard.store.versions import current_version, list_versions
from dashboard.views.board import CHARTS
from tests.conftest import rows_of, write_rows

PASSWORDS = {role: f"the {role}'s long passphrase" for role in ("viewer", "officer", "admin")}
SCHOOLS_REFUSAL = "School-level figures are for officers"
SECRET = "k" * 64


def users_file(folder: Path) -> Path:
    """A users file with one person in each role (named after it); fast hashes, as a test needs no more."""
    path = folder / "users.csv"
    rows = [
        f"{role},{role},{generate_password_hash(pw, method='pbkdf2:sha256:1000')}" for role, pw in PASSWORDS.items()
    ]
    path.write_text("username,role,password_hash\n" + "\n".join(rows) + "\n")
    return path


def make_app(db: Path, folder: Path, **settings):
    settings = {"users_file": users_file(folder), "secret_key": SECRET, "signin_limit": "1000 per minute", **settings}
    return create_app(Config(warehouse_path=db, **settings))


def form_token(client, path: str = "/login") -> str:
    return re.search(r'name="token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, username: str, password: str | None = None, next_page: str = "/"):
    token = form_token(client)
    password = PASSWORDS.get(username, "") if password is None else password
    return client.post("/login", data={"username": username, "password": password, "token": token, "next": next_page})


@pytest.fixture(scope="module")
def served(demo_build, tmp_path_factory):
    """The demo warehouse behind sign-in, with a viewer, an officer and an administrator."""
    return make_app(demo_build[1], tmp_path_factory.mktemp("access"))


@pytest.fixture()
def as_role(served):
    """A test client signed in as the role asked for (None: signed out)."""

    def client_for(role: str | None):
        client = served.server.test_client()
        if role:
            assert sign_in(client, role).status_code == 302
        return client

    return client_for


def output_name(outputs: list[dict]) -> str:
    """The callback's name as Dash's renderer writes it: 'id.prop', or '..id.prop...id.prop..' for several."""
    names = [
        f"{json.dumps(o['id'], sort_keys=True, separators=(',', ':')) if isinstance(o['id'], dict) else o['id']}"
        f".{o['property']}"
        for o in outputs
    ]
    return names[0] if len(names) == 1 else ".." + "...".join(names) + ".."


def callback(client, outputs, inputs, state=()):
    """Post one callback request as Dash's renderer does."""
    body = {
        "output": output_name(outputs),
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": list(inputs),
        "state": list(state),
        "changedPropIds": [],
    }
    return client.post("/_dash-update-component", json=body)


def filters(**values):
    return {
        "id": "filter-store",
        "property": "data",
        "value": {"year": "2024/25", "measure": "suspension_rate", **values},
    }


def links(layout: str) -> set[str]:
    """Every link address in a served layout (Dash writes '/' as \\u002f, so the JSON is read, not searched)."""
    found, stack = set(), [json.loads(layout)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("href"), str):
                found.add(node["href"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def state() -> FilterState:
    return FilterState(year="2024/25", measure="suspension_rate")


FUNNEL = {"id": {"type": "panel", "panel": "funnel"}, "property": "children"}


def school_names(queries) -> set[str]:
    """The demo's school names that are not also part of a place's or cluster's name, to spot a school in a reply."""
    places = " ".join(
        str(name) for level in ("locality", "ward", "area", "cluster") for name in queries.labels(level).values()
    )
    return {name for name in queries.labels("school").values() if len(name) > 8 and name not in places}


def test_signed_out_readers_get_the_sign_in_page_or_401_and_never_data(as_role):
    client = as_role(None)
    page = client.get("/map?locality=N", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/map")
    for path in ("/_dash-layout", "/_dash-dependencies", "/export/map.csv", "/geometry/v/area.json", "/meeting"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.get_json()["detail"] == "Sign in to see the dashboard."
    assert callback(client, [FUNNEL], [filters()]).status_code == 401
    assert client.get("/healthz").status_code == 200  # the load balancer's check needs no sign-in
    sign_in_page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en-GB">' in sign_in_page and "<h1" in sign_in_page and 'for="password"' in sign_in_page


def test_a_viewer_sees_the_aggregates_and_is_refused_every_school_level_view(as_role, queries):
    client = as_role("viewer")
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Signed in as viewer (board viewer)." in layout
    assert "/map" in links(layout) and "/schools" not in links(layout)
    # Crafted requests for school-level data: the funnel's callback, the school's charts, their files.
    refused = callback(client, [FUNNEL], [filters()])
    assert refused.status_code == 403 and SCHOOLS_REFUSAL in refused.get_json()["detail"]
    detail = [
        {"id": {"type": "panel", "panel": "school-trend"}, "property": "children"},
        {"id": {"type": "panel", "panel": "school-needs"}, "property": "children"},
    ]
    urn = next(iter(queries.labels("school")))
    assert (
        callback(client, detail, [{"id": "school-pick", "property": "value", "value": urn}, filters()]).status_code
        == 403
    )
    for path in ("/export/funnel.csv", "/export/school-trend.png", f"/export/map.csv?urn={urn}"):
        response = client.get(path)
        assert response.status_code == 403 and SCHOOLS_REFUSAL in response.get_data(as_text=True), path
    # The Schools page itself is a sentence, not its components.
    page = callback(
        client,
        [
            {"id": "page-content", "property": "children"},
            {"id": "trend-options", "property": "className"},
            {"id": "map-options", "property": "className"},
            {"id": "filter-column", "property": "className"},
        ],
        [{"id": "url", "property": "pathname", "value": "/schools"}],
    )
    assert page.status_code == 200 and SCHOOLS_REFUSAL in page.get_data(as_text=True)
    assert "school-grid" not in page.get_data(as_text=True)
    # Allowed: the map and its table as files, for the borough and a locality.
    assert client.get("/export/map.csv?locality=N").status_code == 200
    names = school_names(queries)
    assert names
    # School points asked for on the map are taken off, with the reason, in the page and in its files.
    shown = callback(
        client,
        [
            {"id": "map-graph", "property": "figure"},
            {"id": "map-loaded", "property": "data"},
            {"id": {"type": "view", "view": "map-summary"}, "property": "children"},
            {"id": "map-note", "property": "children"},
        ],
        [filters(schools="show")],
        [{"id": "map-loaded", "property": "data", "value": None}],
    )
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and SCHOOLS_REFUSAL in text
    assert not [name for name in names if name in text]
    mapped = client.get("/export/map.svg?schools=show")
    assert mapped.status_code == 200 and not [name for name in names if name in mapped.get_data(as_text=True)]
    # Early identification lists localities, wards and clusters for a viewer, and schools too for an officer.
    early = client.get("/export/early-identification.csv").get_data(as_text=True)
    assert ",Cluster," in early and ",School," not in early
    viewer = Audience("viewer", "viewer", SIGNED_IN)
    assert "Schools are listed for officers only." in CHARTS["early-identification"](queries, state(), viewer).notes
    officer_early = as_role("officer").get("/export/early-identification.csv").get_data(as_text=True)
    assert ",School," in officer_early


def test_a_viewers_board_pack_and_meeting_leave_the_funnel_out_and_say_why(as_role):
    import pdfplumber

    viewer, officer = as_role("viewer"), as_role("officer")
    meeting = viewer.get("/meeting").get_data(as_text=True)
    assert "Left out: the funnel chart. School-level figures are for officers" in meeting
    assert 'data-chart="funnel"' not in meeting and 'data-chart="map"' in meeting
    assert 'data-chart="funnel"' in officer.get("/meeting").get_data(as_text=True)
    pack = viewer.get("/export/board-pack.pdf")
    assert pack.status_code == 200
    with pdfplumber.open(io.BytesIO(pack.data)) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "School-level figures are for officers" in " ".join(text.split())
    assert "each school against schools of its phase" not in text


def test_an_officer_sees_schools_but_not_data_administration(as_role, queries):
    client = as_role("officer")
    funnel = callback(client, [FUNNEL], [filters()])
    assert funnel.status_code == 200
    names = school_names(queries)
    assert [name for name in names if name in funnel.get_data(as_text=True)]
    assert client.get("/export/funnel.csv").status_code == 200
    assert "/schools" in links(client.get("/_dash-layout").get_data(as_text=True))
    refused = client.get("/admin")
    assert refused.status_code == 403 and "Data administration is for administrators." in refused.get_data(as_text=True)
    assert client.post("/admin/rollback", data={"token": "x"}).status_code == 403


def test_a_wrong_password_is_refused_and_no_password_reaches_the_log(served, caplog, capfd):
    events = logging.getLogger("inclusion.events")
    events.addHandler(caplog.handler)
    try:
        client = served.server.test_client()
        wrong = sign_in(client, "officer", "not the passphrase")
        assert wrong.status_code == 401 and "That username and password do not match." in wrong.get_data(as_text=True)
        assert client.get("/_dash-layout").status_code == 401
        assert sign_in(client, "officer").status_code == 302
    finally:
        events.removeHandler(caplog.handler)
    logged = caplog.text + "".join(capfd.readouterr())
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "inclusion.events"]
    assert [r["event"] for r in records if r.get("user") == "officer"][-2:] == ["sign-in failed", "signed in"]
    assert "not the passphrase" not in logged and PASSWORDS["officer"] not in logged


def test_an_account_locks_after_five_wrong_passwords_even_against_the_right_one(demo_build, tmp_path):
    client = make_app(demo_build[1], tmp_path).server.test_client()
    answers = [sign_in(client, "viewer", f"guess {n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    locked = sign_in(client, "viewer")
    assert locked.status_code == 429 and "locked for 15 minutes" in locked.get_data(as_text=True)
    assert sign_in(client, "officer").status_code == 302  # another account is not locked


def test_sign_in_attempts_are_rate_limited_per_address(demo_build, tmp_path):
    client = make_app(demo_build[1], tmp_path, signin_limit="3 per minute").server.test_client()
    answers = [sign_in(client, "nobody", "x").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]


def test_a_session_ends_after_the_idle_time_and_on_signing_out(demo_build, tmp_path):
    served = make_app(demo_build[1], tmp_path)
    served.server.permanent_session_lifetime = dt.timedelta(seconds=1)
    client = served.server.test_client()
    assert sign_in(client, "viewer").status_code == 302
    assert client.get("/_dash-layout").status_code == 200
    time.sleep(2.2)
    assert client.get("/_dash-layout").status_code == 401  # idle too long: signed out
    served.server.permanent_session_lifetime = dt.timedelta(minutes=60)
    assert sign_in(client, "viewer").status_code == 302
    out = client.post("/logout")
    assert out.status_code == 200 and "You have signed out." in out.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_a_session_ends_after_its_longest_life_however_busy(demo_build, tmp_path):
    client = make_app(demo_build[1], tmp_path, session_hours=0).server.test_client()
    assert sign_in(client, "viewer").status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_a_form_posted_without_its_token_and_a_return_to_another_site_are_refused(as_role):
    client = as_role(None)
    forged = client.post("/login", data={"username": "viewer", "password": PASSWORDS["viewer"]})
    assert forged.status_code == 400 and client.get("/_dash-layout").status_code == 401
    away = sign_in(client, "viewer", next_page="https://evil.example/")
    assert away.status_code == 302 and away.headers["Location"] == "/"


def test_the_demo_needs_no_sign_in_and_says_so(demo_build):
    client = create_app(Config(warehouse_path=demo_build[1])).server.test_client()
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Demo: anyone can open it, no sign-in." in layout and "/schools" in links(layout)
    assert client.get("/login").status_code == 302  # nothing to sign in to


def test_real_data_needs_sign_in_unless_the_la_turns_it_off(demo_build, tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "_synthetic", lambda queries: False)  # the demo warehouse read as real data
    closed = create_app(Config(warehouse_path=demo_build[1])).server.test_client()
    refused = closed.get("/", headers={"Accept": "text/html"})
    assert refused.status_code == 503 and "nobody can sign in yet" in refused.get_data(as_text=True)
    assert closed.get("/export/map.csv").status_code == 503
    opened = create_app(Config(warehouse_path=demo_build[1], open_access="viewer")).server.test_client()
    layout = opened.get("/_dash-layout").get_data(as_text=True)
    assert "Open access: sign-in is turned off; everyone sees what a board viewer sees." in layout
    assert opened.get("/export/funnel.csv").status_code == 403


def test_every_response_carries_the_security_headers(as_role):
    client = as_role("viewer")
    for path in ("/", "/_dash-layout", "/export/map.csv", "/login"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "'unsafe-eval'" not in policy and "script-src 'self' 'sha256-" in policy
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # not behind TLS here


def test_behind_tls_cookies_are_secure_and_browsers_are_told_to_keep_to_https(demo_build, tmp_path):
    client = make_app(demo_build[1], tmp_path, https=True).server.test_client()
    assert client.get("/login").status_code == 302  # plain HTTP is sent to HTTPS
    secure = client.get("/login", base_url="https://localhost")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    token = re.search(r'name="token" value="([^"]+)"', secure.get_data(as_text=True)).group(1)
    signed = client.post(
        "/login",
        data={"username": "viewer", "password": PASSWORDS["viewer"], "token": token},
        base_url="https://localhost",
    )
    assert signed.status_code == 302
    cookie = signed.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_responses_are_compressed(as_role):
    response = as_role("viewer").get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_an_administrator_loads_a_folder_through_the_browser_sees_the_report_and_rolls_back(template_set, tmp_path):
    db = tmp_path / "wh.duckdb"
    client = make_app(db, tmp_path).server.test_client()
    assert sign_in(client, "admin").status_code == 302

    def upload(folder: Path):
        token = form_token(client, "/admin")
        files = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(folder.glob("*.csv"))]
        response = client.post(
            "/admin/load",
            data={"token": token, "files": files, "data_kind": "real"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        for _ in range(600):
            page = client.get("/admin").get_data(as_text=True)
            if "A load is running" not in page:
                return page
            time.sleep(0.1)
        raise AssertionError("the load did not finish in a minute")

    page = upload(template_set)
    assert "was <strong>loaded</strong>" in page and len(list_versions(db)) == 1
    time.sleep(1.1)  # versions are named by the second they were loaded
    rows = rows_of(template_set / "census.csv")
    write_rows(template_set / "census.csv", [rows[0], rows[1][:5] + ["twelve"]])
    refused = upload(template_set)
    assert "was <strong>refused</strong>" in refused and "census.csv, row 2, column &#x27;pupils&#x27;" in refused
    assert len(list_versions(db)) == 1  # a refused load changes nothing
    write_rows(template_set / "census.csv", [rows[0], rows[1][:5] + ["24"]])
    upload(template_set)
    first, second = list_versions(db)
    assert current_version(db) == second
    report = re.search(r'href="(/admin/report/[^"]+)"', client.get("/admin").get_data(as_text=True)).group(1)
    assert second.stem in client.get(report).get_data(as_text=True)
    rolled = client.post("/admin/rollback", data={"token": form_token(client, "/admin")})
    assert rolled.status_code == 302 and current_version(db) == first
    assert client.post("/admin/rollback", data={"token": "forged"}).status_code == 400


def test_single_sign_on_gives_the_role_the_councils_groups_map_to_and_refuses_anyone_without_one(demo_build, tmp_path):
    served = make_app(
        demo_build[1],
        tmp_path,
        oidc_metadata_url="https://login.council.example/.well-known/openid-configuration",
        oidc_client_id="inclusion",
        oidc_client_secret="s3cret",
        oidc_roles="Inclusion Board=viewer,Inclusion Officers=officer",
    )
    claims = {"sub": "4f1c", "email": "ana@council.example", "roles": ["Inclusion Officers"]}
    # The council's provider is stood in for at the point authlib hands back its checked ID token's claims.
    served.sign_in.sso.authorize_access_token = lambda: {"userinfo": claims}
    client = served.server.test_client()
    assert "Sign in with your council account" in client.get("/login").get_data(as_text=True)
    signed = client.get("/login/sso/callback")
    assert signed.status_code == 302
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Signed in as ana@council.example (officer)." in layout and "/schools" in links(layout)
    claims["roles"] = ["Finance"]
    stranger = served.server.test_client()
    refused = stranger.get("/login/sso/callback")
    assert refused.status_code == 403 and "no role for this dashboard" in refused.get_data(as_text=True)
    assert stranger.get("/_dash-layout").status_code == 401


def test_an_oversized_body_or_address_is_refused_with_a_sentence(as_role):
    client = as_role("officer")
    huge = client.post("/_dash-update-component", data=b"x" * (5 * 1024 * 1024), content_type="application/json")
    assert huge.status_code == 413 and "Traceback" not in huge.get_data(as_text=True)
    long = client.get("/export/map.csv?locality=" + "N" * 3000)
    assert long.status_code == 414 and "too long" in long.get_json()["detail"]
