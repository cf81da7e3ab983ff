"""A thousand random and malformed requests, signed in as each role and signed out, against the callbacks, the export
URLs and the data routes: never a 5xx, never a traceback, never data beyond the role; exports still work after."""

from __future__ import annotations

import json
import random
from collections import Counter
from urllib.parse import quote, urlencode

import pytest

from dashboard.domain.filters import FILTER_KEYS
from dashboard.views.board import CHARTS
from tests.integration.test_access import make_app, school_names, sign_in

ROLES = (None, "viewer", "officer", "admin")
PER_ROLE = 260  # 1,040 requests in all
HUGE = "x" * 200_000
GARBAGE = [
    "",
    "\x00",
    "N\x00",
    "\x1b[31m",
    "\r\nSet-Cookie: a=b",
    "\u202eevil",
    "a" * 5000,
    HUGE,
    "'; DROP TABLE fact_census; --",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "%00",
    "all",
    "9999/00",
    "NaN",
    0,
    -1,
    1e308,
    True,
    None,
    [],
    {},
    [1, "two", None],
    {"a": {"b": [1, {"c": None}]}},
]
# Values a real page might send, so that some requests get past the first check and reach the views.
PLAUSIBLE = {
    "measure": ["suspension_rate", "ehcp_rate", "persistent_absence"],
    "year": ["2024/25", "2023/24"],
    "locality": ["N", "S", "E"],
    "level": ["area", "ward", "locality"],
    "schools": ["show", "hide"],
    "compare": ["borough", "expected", "bogus"],
}


def garbage(rng: random.Random):
    return rng.choice(GARBAGE)


def query(rng: random.Random) -> str:
    """A query string of filters, some plausible, some garbage, some unknown keys, some raw control characters."""
    pairs = []
    for _ in range(rng.randint(0, 5)):
        key = rng.choice([*FILTER_KEYS, "urn", "size", "bogus", "\x00", "a" * 300])
        value = rng.choice(PLAUSIBLE.get(key, ["x"])) if rng.random() < 0.5 else str(garbage(rng))[:3000]
        pairs.append((key, value))
    text = urlencode(pairs)
    if rng.random() < 0.1:
        text += "&locality=" + rng.choice(["%00", "%ZZ", "%", "%C3%28", quote("\x07")])
    return text


def callback_body(rng: random.Random, dependencies: list[dict]):
    """A callback request: a real callback's outputs with garbage or plausible inputs, or something malformed."""
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(["not json", "{", "[]", "null", '"x"', "1e999999", HUGE]), "application/json"
    if roll < 0.12:
        return "outputs=a&inputs=b", "application/x-www-form-urlencoded"
    chosen = rng.choice(dependencies)
    outputs = []
    for output in chosen["output"].strip(".").split("..."):
        ident, _, prop = output.rpartition(".")
        outputs.append({"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop})

    def value_for(item):
        if item["id"] == "filter-store" and rng.random() < 0.5:
            store = {key: rng.choice(PLAUSIBLE.get(key, [None])) for key in FILTER_KEYS}
            if rng.random() < 0.5:
                store[rng.choice(FILTER_KEYS)] = garbage(rng)
            return store
        return garbage(rng)

    inputs = [{"id": i["id"], "property": i["property"], "value": value_for(i)} for i in chosen["inputs"]]
    state = [{"id": s["id"], "property": s["property"], "value": value_for(s)} for s in chosen.get("state", [])]
    body = {
        "output": chosen["output"],
        "outputs": outputs if len(outputs) > 1 else (outputs[0] if outputs else garbage(rng)),
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in chosen["inputs"][:1]],
    }
    if rng.random() < 0.15:  # a key missing or of the wrong type
        body[rng.choice(list(body))] = garbage(rng)
    return json.dumps(body), "application/json"


def requests_for(rng: random.Random, dependencies: list[dict], count: int):
    """(method, path, data, content type) for count requests over every kind of route."""
    images = 0
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            data, kind = callback_body(rng, dependencies)
            yield "POST", "/_dash-update-component", data, kind
        elif roll < 0.85:
            chart = rng.choice([*CHARTS, "board-pack", "nope", "..%2F..%2Fapp", "a" * 200])
            fmt = rng.choice(["csv", "xlsx", "csv", "xlsx", "png", "svg", "pdf", "pptx", "exe", ""])
            if fmt in ("png", "svg", "pdf", "pptx") and (images >= 6 or chart == "board-pack"):
                fmt = "csv"  # drawing is slow: a few images make the point, tables the rest
            images += fmt in ("png", "svg", "pdf", "pptx")
            yield "GET", f"/export/{quote(chart, safe='%')}.{fmt}?{query(rng)}", None, None
        else:
            path = rng.choice(
                [
                    f"/geometry/{quote(str(garbage(rng))[:50])}/{rng.choice(['area', 'ward', 'x', '%00'])}.json",
                    f"/admin/report/{quote(str(garbage(rng))[:50])}",
                    "/healthz",
                    "/_dash-layout",
                    "/_dash-dependencies",
                    f"/{quote(str(garbage(rng))[:50])}",
                ]
            )
            yield "GET", path, None, None
        if rng.random() < 0.01:
            yield "GET", f"/meeting?{query(rng)}", None, None


@pytest.fixture(scope="module")
def fuzzed(demo_build, tmp_path_factory):
    served = make_app(demo_build[1], tmp_path_factory.mktemp("fuzz"), export_limit="100000 per minute")
    officer = served.server.test_client()
    assert sign_in(officer, "officer").status_code == 302
    dependencies = officer.get("/_dash-dependencies").get_json()
    return served, dependencies


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
def test_random_and_malformed_requests_never_fail_the_server_or_give_data_beyond_the_role(fuzzed, role, queries):
    served, dependencies = fuzzed
    client = served.server.test_client()
    if role:
        assert sign_in(client, role).status_code == 302
    rng = random.Random(f"fuzz-{role}")
    names = school_names(queries)
    failures, sent, answered = [], 0, Counter()
    for method, path, data, kind in requests_for(rng, dependencies, PER_ROLE):
        response = client.open(path, method=method, data=data, content_type=kind)
        sent += 1
        answered[response.status_code] += 1
        text = response.get_data(as_text=True) if response.mimetype.startswith(("text", "application/json")) else ""
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {method} {path[:120]} {text[:200]}")
        if "Traceback" in text or 'File "/' in text:
            failures.append(f"traceback {method} {path[:120]}")
        if role in (None, "viewer"):
            leaked = [name for name in names if name in text]
            if leaked:
                failures.append(f"school names {leaked[:3]} to {role or 'signed out'}: {method} {path[:120]}")
    assert sent >= PER_ROLE and not failures, "\n".join(failures[:20])
    # Enough of them got past the first checks to reach the views, or the test would prove little.
    print(role, sorted(answered.items()))
    assert answered[200] >= (PER_ROLE // 5 if role else 0), answered
    assert answered[401] >= (PER_ROLE // 2 if role is None else 0), answered
    # Exports still work for everyone afterwards: the export browser was never killed.
    if role in ("officer", "admin"):
        image = client.get("/export/map.png?locality=N")
        assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_nul_byte_in_a_filter_never_reaches_the_export_browser(fuzzed):
    served, _ = fuzzed
    client = served.server.test_client()
    assert sign_in(client, "officer").status_code == 302
    refused = client.get("/export/map.png?locality=%00")
    assert refused.status_code == 400 and "control character" in refused.get_json()["detail"]
    assert client.get("/export/map.png?locality=N").status_code == 200


def test_behind_the_address_check_a_control_character_still_never_reaches_a_caption(queries):
    # The core on its own, as a command line or another front end would call it: the value is echoed as '?'.
    from dashboard.exports.charts import export

    table = export(queries, "map", "xlsx", "locality=N%00orth%1b")
    image = export(queries, "map", "svg", "locality=N%00orth%1b")
    assert image.content.startswith(b"<svg") and b"\x00" not in image.content and b"\x1b" not in image.content
    assert b"There is no locality &#x27;N?orth?&#x27;" in image.content or b"There is no locality 'N?orth?'" in (
        image.content
    )
    import io

    import openpyxl

    cells = [
        str(cell.value)
        for sheet in openpyxl.load_workbook(io.BytesIO(table.content)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert any("There is no locality 'N?orth?'" in text for text in cells)
    assert not any(not char.isprintable() and char not in "\n" for text in cells for char in text)
