"""The Flask side of the app: health check, a missing warehouse, malformed requests, nothing from a CDN."""

from __future__ import annotations

import json
import re

import pytest

from app import create_app
from dashboard.config import Config


@pytest.fixture(scope="module")
def client(demo_build):
    return create_app(Config(warehouse_path=demo_build[1])).server.test_client()


def test_healthz_reports_status_and_data_version(client, warehouse):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["data_version"] == warehouse.info().version
    assert body["data_kind"] == "synthetic" and body["latest_year"] == "2024/25"


def test_without_a_warehouse_the_app_says_how_to_load_data(tmp_path):
    client = create_app(Config(warehouse_path=tmp_path / "missing.duckdb")).server.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "no data"
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert "No data has been loaded" in layout.get_data(as_text=True)


@pytest.mark.parametrize("payload", ["not json", json.dumps({"output": "nonsense", "inputs": "x"}), json.dumps([1, 2])])
def test_a_malformed_callback_request_gets_a_sentence_not_a_traceback(client, payload):
    response = client.post("/_dash-update-component", data=payload, content_type="application/json")
    assert 400 <= response.status_code < 500
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text


def test_nothing_is_fetched_from_another_site(client):
    page = client.get("/map").get_data(as_text=True)
    addresses = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert addresses and all(a.startswith("/") for a in addresses), addresses
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "http://" not in layout and "https://" not in layout
    assert client.get("/assets/topojson/world_110m.json").status_code == 200
    assert client.get("/assets/bootstrap.min.css").status_code == 200


def test_a_click_on_the_map_filters_to_the_place_or_the_outside_locality_clicked(demo_build, warehouse):
    app = create_app(Config(warehouse_path=demo_build[1]))
    client = app.server.test_client()
    name = next(k for k, v in app.callback_map.items() if v["inputs"] == [{"id": "map-graph", "property": "clickData"}])

    def click(point: dict, drawn: str = "area|hide"):
        body = {
            "output": name,
            "outputs": {"id": "filter-locality", "property": "value"},
            "inputs": [{"id": "map-graph", "property": "clickData", "value": {"points": [point]}}],
            "state": [{"id": "map-loaded", "property": "data", "value": drawn}],
            "changedPropIds": ["map-graph.clickData"],
        }
        response = client.post("/_dash-update-component", json=body)
        return response.get_json()["response"]["filter-locality"]["value"] if response.status_code == 200 else None

    # Places are named by their positions in the level's list of places, ordered by code.
    areas = warehouse.query("SELECT area_code, locality_code FROM area ORDER BY area_code")
    wards = warehouse.query("SELECT ward_code, mode(locality_code) AS locality FROM area GROUP BY 1 ORDER BY 1")
    assert click({"location": 0}) == areas["locality_code"].iat[0]
    assert click({"location": len(areas) - 1}) == areas["locality_code"].iat[-1]
    assert click({"location": 3}, "ward|hide") == wards["locality"].iat[3]
    # A locality drawn outside the selection, or a school, carries its locality's code.
    assert click({"location": 2, "customdata": "W"}) == "W"
    # Nothing to narrow to: no update, and no error.
    assert click({"location": len(areas)}) is None
    assert click({"location": 0}, "nonsense") is None
    assert click({"location": "X01000001"}) is None
