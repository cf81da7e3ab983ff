"""A level with more places than a map draws at once (England's 33,755 small areas): the whole area is drawn at a
coarser level, saying why and how to see the finer one, and a chosen locality is drawn from its own boundaries.

The demo borough stands in for England here, with the limit lowered below its 170 small areas (INCLUSION_MAP_PLACES)."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from app import create_app
from dashboard.config import Config
from dashboard.domain.filters import FilterState
from dashboard.query.queries import Queries
from dashboard.views.map import geometry_name, map_view

YEAR = "2023/24"
MAP = [
    {"id": "map-graph", "property": "figure"},
    {"id": "map-loaded", "property": "data"},
    {"id": {"type": "view", "view": "map-summary"}, "property": "children"},
    {"id": "map-note", "property": "children"},
]


def areas_of(warehouse, locality: str) -> dict[int, str]:
    """A locality's small areas by their feature ids: each one's position among all small areas ordered by code."""
    rows = warehouse.query(
        "SELECT row_number() OVER (ORDER BY area_code) - 1 AS id, area_code, locality_code FROM area ORDER BY 1"
    )
    mine = rows[rows["locality_code"] == locality]
    return dict(zip(mine["id"].astype(int), mine["area_code"], strict=True))


@pytest.mark.parametrize(
    ("most", "drawn", "places"),
    [(2500, "area", 170), (100, "ward", 20), (10, "locality", 4)],
)
def test_the_whole_area_is_drawn_at_the_finest_level_a_map_can_hold(warehouse, most, drawn, places):
    view = map_view(Queries(warehouse, map_places=most), FilterState(year=YEAR, level="area"), with_geometry=True)
    assert view.level == drawn
    assert len(view.table) == places
    assert sum(len(trace.locations) for trace in view.figure.data[:5]) == places
    said = (
        f"Shown by {drawn}: the borough's small areas are too many to draw at once. "
        "To see small areas, choose a locality in the filters or click one on the map."
    )
    assert said in view.note if drawn != "area" else "too many" not in (view.note or "")
    assert "by " + {"area": "small area", "ward": "ward", "locality": "locality"}[drawn] in view.title


def test_a_chosen_locality_is_drawn_at_the_level_asked_from_its_own_boundaries(warehouse):
    queries = Queries(warehouse, map_places=100)
    east = areas_of(warehouse, "E")
    assert 0 < len(east) < 170
    state = FilterState(year=YEAR, level="area", locality="E")

    def served(level: str, locality: str | None) -> str:  # the addresses the Map page gives, for version v1
        return f"/geometry/v1/{geometry_name(level, locality)}.json"

    view = map_view(queries, state, with_geometry=False, geometry=served)
    assert view.level == "area" and "too many" not in (view.note or "")
    addresses = {trace["name"]: trace["geojson"] for trace in view.patch["traces"]}
    # The other localities are drawn whole, from the localities' boundaries; East's places from East's alone.
    assert addresses.pop("outside") == "/geometry/v1/locality.json"
    assert set(addresses.values()) == {"/geometry/v1/area/E.json"}
    inside = [i for trace in view.patch["traces"][1:5] for i in trace["locations"]]
    assert sorted(inside) == sorted(east)
    # An export holds the boundaries themselves: East's small areas and the four localities, nothing else.
    whole = map_view(queries, state, with_geometry=True).figure
    held = {f["id"]: f["properties"]["code"] for t in whole.data[1:5] if t.geojson for f in t.geojson["features"]}
    assert held == east


def test_the_app_serves_one_localitys_boundaries_and_redraws_when_another_is_chosen(demo_build, warehouse):
    client = create_app(Config(warehouse_path=demo_build[1], map_places=100)).server.test_client()
    version = warehouse.info().version
    served = client.get(f"/geometry/{version}/area/W.json")
    assert served.status_code == 200
    assert {f["id"]: f["properties"]["code"] for f in served.get_json()["features"]} == areas_of(warehouse, "W")
    missing = client.get(f"/geometry/{version}/area/Nowhere.json")
    assert missing.status_code == 404 and missing.get_json()["detail"] == "There is no locality 'Nowhere'."
    # A locality code an LA wrote with a slash reaches the route (quoted in the address, as the view writes it).
    slashed = client.get(f"/geometry/{version}/area/{geometry_name('area', 'N/E').split('/', 1)[1]}.json")
    assert slashed.status_code == 404 and slashed.get_json()["detail"] == "There is no locality 'N/E'."

    def change(loaded: str | None, **filters) -> dict:
        names = [f"{json.dumps(o['id'], separators=(',', ':')) if isinstance(o['id'], dict) else o['id']}" for o in MAP]
        body = {
            "output": ".." + "...".join(f"{name}.{o['property']}" for name, o in zip(names, MAP, strict=True)) + "..",
            "outputs": MAP,
            "inputs": [{"id": "filter-store", "property": "data", "value": {"year": YEAR, "level": "area", **filters}}],
            "state": [{"id": "map-loaded", "property": "data", "value": loaded}],
            "changedPropIds": ["filter-store.data"],
        }
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["response"]

    whole = change(None)
    assert whole["map-loaded"]["data"] == "ward|hide"
    assert "the borough's small areas are too many to draw at once" in str(whole["map-note"]["children"])
    east = change("ward|hide", locality="E")
    assert east["map-loaded"]["data"] == "area|hide|E"
    assert {t["geojson"] for t in east["map-graph"]["figure"]["data"][1:6]} == {f"/geometry/{version}/area/E.json"}
    # Another locality's small areas are other boundaries: the whole figure is sent again, never a patch of values.
    west = change("area|hide|E", locality="W")
    assert west["map-loaded"]["data"] == "area|hide|W"
    assert {t["geojson"] for t in west["map-graph"]["figure"]["data"][1:6]} == {f"/geometry/{version}/area/W.json"}
    # Within one locality, a new year is its values alone.
    later = change("area|hide|W", locality="W", year="2024/25")
    assert "__dash_patch_update" in later["map-graph"]["figure"] and "data" not in later["map-graph"]["figure"]


def _typed_arrays_read(value):
    """A figure's JSON with plotly.py's typed arrays ({'dtype', 'bdata'}) read into lists, as plotly.js reads them."""
    if isinstance(value, dict):
        if set(value) == {"dtype", "bdata"}:
            return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
        return {key: _typed_arrays_read(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed_arrays_read(item) for item in value]
    return value


@pytest.mark.parametrize(
    "filters",
    [{"schools": "show"}, {"locality": "N", "measure": "ehcp_rate"}, {"level": "locality", "measure": "absence_rate"}],
)
def test_the_page_is_sent_the_same_whole_map_plotly_py_would_have_checked_and_made(demo_build, warehouse, filters):
    app = create_app(Config(warehouse_path=demo_build[1]))
    state = FilterState(**{"year": YEAR, "level": "area", **filters})
    names = [f"{json.dumps(o['id'], separators=(',', ':')) if isinstance(o['id'], dict) else o['id']}" for o in MAP]
    body = {
        "output": ".." + "...".join(f"{name}.{o['property']}" for name, o in zip(names, MAP, strict=True)) + "..",
        "outputs": MAP,
        "inputs": [{"id": "filter-store", "property": "data", "value": state.as_dict()}],
        "state": [{"id": "map-loaded", "property": "data", "value": "nothing drawn yet"}],
        "changedPropIds": ["filter-store.data"],
    }
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    sent = response.get_json()["response"]["map-graph"]["figure"]
    version = warehouse.info().version

    def served(level: str, locality: str | None) -> str:
        return f"/geometry/{version}/{geometry_name(level, locality)}.json"

    checked = map_view(Queries(warehouse), state, with_geometry=False, geometry=served).whole_figure()
    assert isinstance(checked, go.Figure) and sent["layout"]["template"]  # the house style, as plotly.py adds it
    assert _typed_arrays_read(sent) == _typed_arrays_read(json.loads(pio.to_json(checked)))


def test_a_locality_drawn_alone_is_outlined_alone_and_every_locality_still_named(warehouse):
    queries = Queries(warehouse, map_places=100)
    state = FilterState(year=YEAR, level="area", locality="E")
    figure = map_view(queries, state, with_geometry=True).figure
    outlines, names = (t for t in figure.data if t.type == "scattergeo" and t.name.startswith("locality"))
    # East's own outline, inside East's bounds (its small areas' as drawn, the outline let move 20 m more); the other
    # localities are drawn whole, with their borders, beneath it.
    east = [f for t in figure.data[1:5] if t.geojson for f in t.geojson["features"]]
    east_lon = [p[0] for f in east for ring in _rings(f["geometry"]) for p in ring]
    east_lat = [p[1] for f in east for ring in _rings(f["geometry"]) for p in ring]
    lon, lat = [x for x in outlines.lon if x is not None], [y for y in outlines.lat if y is not None]
    assert lon and min(lon) >= min(east_lon) - 0.0003 and max(lon) <= max(east_lon) + 0.0003
    assert min(lat) >= min(east_lat) - 0.0003 and max(lat) <= max(east_lat) + 0.0003
    assert len(names.text) == 4
    # The whole borough drawn at once outlines all four.
    whole = map_view(Queries(warehouse), FilterState(year=YEAR, level="area"), with_geometry=True).figure
    every = next(t for t in whole.data if t.name == "locality outlines")
    assert len([x for x in every.lon if x is not None]) > 2 * len(lon)
    assert outlines.lon[0] in every.lon


def _rings(geometry: dict) -> list:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def test_localities_too_many_to_name_at_once_are_named_only_when_one_is_chosen(warehouse, monkeypatch):
    import dashboard.views.map as map_module

    def names(state: FilterState) -> tuple:
        figure = map_view(Queries(warehouse), state, with_geometry=True).figure
        return next(t for t in figure.data if t.name == "locality names").text

    assert len(names(FilterState(year=YEAR, level="ward"))) == 4  # the borough's four localities, named
    monkeypatch.setattr(map_module, "NAMED_AT_ONCE", 3)  # as if the borough were England, with its 151 LAs
    assert names(FilterState(year=YEAR, level="ward")) == ()
    assert len(names(FilterState(year=YEAR, level="ward", locality="E"))) == 4
