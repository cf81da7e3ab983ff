"""Benchmark: a filter change as the app serves it, against a naive Dash map in the same run, and the load.

Run: .venv/bin/python -m benchmarks.map_update [warehouse] [--load]   (or: make bench)

- The Map page's callback posted to Dash's own endpoint (/_dash-update-component) as a browser posts it, with the
  level's boundaries already in the browser, for filter states never asked for before: server time p50 / p95 and
  the bytes of the response.
- A naive Dash app built here, served the same way: the fact rows held in pandas, filtered and grouped per request,
  and a whole go.Figure with the boundaries returned every time (what many Dash apps do). Both answer the same
  states: the suspension rate for every small area of the borough, in each year, for the borough and each locality.
- The served map over a wider set: every measure, year, locality, map level and the slices each level offers.
- Every page's callbacks, the same way: p50 / p95.
- Every chart exported in every format (PNG, SVG, PDF, CSV, XLSX), the export browser warm: the slowest.
- The board pack as PDF and PPTX; meeting mode's slide change in Chromium (with Playwright installed).
- With --load: the demo borough built from scratch, protection included.
Ratios come from this one run; absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from benchmarks.chromium import CHROMIUM, FLAGS
from dashboard.config import Config
from dashboard.domain.filters import FilterState
from dashboard.domain.reference import PHASES, SEN_PROVISION
from dashboard.publish.registry import MEASURE_COUNTS, canonical, offered
from dashboard.query.queries import Queries
from dashboard.store.warehouse import Warehouse

TARGETS = {
    "map p95 ms": 50,
    "map KB": 30,
    "speed-up": 3,
    "size-down": 5,
    "page p95 ms": 150,
    "export s": 2,
    "pack s": 15,  # the board pack, PDF or PPTX, cold
    "pack cached s": 1,  # the same pack again, from the cache
    "pack MB": 3,
    "slide ms": 300,
    "load s": 180,
}
MEASURES = ("suspension_rate", "persistent_absence", "absence_rate", "severe_absence", "ehcp_rate", "permanent_rate")


def comparison_states(queries: Queries) -> list[FilterState]:
    """What the naive map can also answer: the suspension rate by small area, each year, borough and localities."""
    options = queries.filter_options()
    localities = [None] + [code for code, _ in options.localities]
    return [FilterState(year=year, locality=locality) for year, _ in options.years for locality in localities]


def wide_states(queries: Queries) -> list[FilterState]:
    """Every measure, year and locality at each map level, with each SEN provision and phase where the level has it."""
    options = queries.filter_options()
    localities = [None] + [code for code, _ in options.localities]
    slices = [{}] + [{"sen": s} for s in SEN_PROVISION] + [{"phase": p} for p in PHASES]
    states = []
    for measure, (year, _), locality, level, extra in itertools.product(
        MEASURES, options.years, localities, ("area", "ward", "locality"), slices
    ):
        numerator = MEASURE_COUNTS[measure][0]
        if offered(numerator, canonical([level, *extra])):
            states.append(FilterState(measure=measure, year=year, locality=locality, level=level, **extra))
    return states


def post(client, callback: str, app: Dash, value, extra_state: list | None = None) -> tuple[float, int]:
    """Post one callback as the browser does; returns (seconds on the server, bytes of the response)."""
    spec = app.callback_map[callback]
    outputs = []
    for part in callback.strip(".").split("..."):
        name, prop = part.rsplit(".", 1)
        outputs.append({"id": json.loads(name) if name.startswith("{") else name, "property": prop})
    inputs = [{"id": i["id"], "property": i["property"], "value": value} for i in spec["inputs"]]
    body = {
        "output": callback,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": extra_state or [],
    }
    started = time.perf_counter()
    response = client.post("/_dash-update-component", json=body)
    seconds = time.perf_counter() - started
    if response.status_code not in (200, 204):
        raise RuntimeError(f"{callback[:40]} answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
    return seconds, len(response.get_data())


def served_map(app: Dash, states: list[FilterState]) -> tuple[list[float], list[int]]:
    """The map callback for each state, the level's boundaries already drawn: layers go back as a Patch."""
    client = app.server.test_client()
    callback = next(k for k in app.callback_map if k.startswith("..map-graph.figure"))
    times, sizes = [], []
    for state in states:
        loaded = {"id": "map-loaded", "property": "data", "value": f"{state.level}|{state.schools}"}
        seconds, size = post(client, callback, app, state.as_dict(), [loaded])
        times.append(seconds)
        sizes.append(size)
    return times, sizes


def naive_app(warehouse: Warehouse, queries: Queries) -> Dash:
    """A straightforward Dash map: fact rows in pandas, filtered per request, a whole figure with boundaries back."""
    census = warehouse.query(
        "SELECT f.academic_year, f.home_area_code AS area, a.locality_code, f.pupils "
        "FROM fact_census f JOIN area a ON a.area_code = f.home_area_code"
    )
    suspensions = warehouse.query(
        "SELECT f.academic_year, f.home_area_code AS area, a.locality_code, f.exclusions "
        "FROM fact_exclusion f JOIN area a ON a.area_code = f.home_area_code "
        "WHERE f.term = 'Full year' AND f.exclusion_type = 'suspension'"
    )
    # The boundaries as loaded, each with its code and name as a boundary file carries them (ONS's LSOA21CD and
    # LSOA21NM): a naive app draws the file it was given.
    shapes = warehouse.query(
        "SELECT g.area_code, a.area_name, g.geojson FROM area_geometry g JOIN area a USING (area_code) ORDER BY 1"
    )
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": code, "properties": {"code": code, "name": name}, "geometry": json.loads(shape)}
            for code, name, shape in zip(shapes["area_code"], shapes["area_name"], shapes["geojson"])
        ],
    }
    app = Dash(__name__)
    app.layout = html.Div([dcc.Store(id="naive-state"), dcc.Graph(id="naive-map")])

    @app.callback(Output("naive-map", "figure"), Input("naive-state", "data"))
    def draw(state: dict):
        def rows(frame: pd.DataFrame) -> pd.DataFrame:
            frame = frame[frame["academic_year"] == state["year"]]
            return frame[frame["locality_code"] == state["locality"]] if state.get("locality") else frame

        pupils = rows(census).groupby("area")["pupils"].sum()
        counted = rows(suspensions).groupby("area")["exclusions"].sum().reindex(pupils.index).fillna(0)
        rate = (counted / pupils * 100).reset_index(name="rate")
        figure = go.Figure(
            go.Choropleth(
                geojson=geojson,
                locations=rate["area"],
                z=rate["rate"],
                featureidkey="id",
                colorscale="Blues",
                hovertemplate="%{location}: %{z:.2f} per 100 pupils<extra></extra>",
            )
        )
        figure.update_geos(fitbounds="locations", visible=False)
        return figure

    return app


def naive_map(app: Dash, states: list[FilterState]) -> tuple[list[float], list[int]]:
    """The naive map's callback for each state, served by Dash: seconds and bytes."""
    client = app.server.test_client()
    callback = next(iter(app.callback_map))
    results = [post(client, callback, app, {"year": s.year, "locality": s.locality}) for s in states]
    return [t for t, _ in results], [b for _, b in results]


def pages(app: Dash, states: list[FilterState]) -> dict[str, list[float]]:
    """Every callback a filter change sets off on each page, each for each state."""
    client = app.server.test_client()
    wanted = {
        "Overview": "..overview-selection",
        "Trends": '..{"panel":"trend"',
        "Needs: need mix": '{"panel":"need-mix"',
        "Needs: broad areas": '{"panel":"broad-mix"',
        "Needs: by SEN provision": '{"panel":"by-sen"',
        "Needs: by need": '{"panel":"by-need"',
        "Schools grids": '..{"type":"view","view":"schools-summary"}',
        "Schools funnel": '{"panel":"funnel"',
        "Map table": "map-table.children",
        "Data": "data-content",
    }
    found = {}
    for name, prefix in wanted.items():
        callback = next(k for k in app.callback_map if k.startswith(prefix))
        extra = [{"id": "tab-choices", "property": "data", "value": {"map": "table"}}] if name == "Map table" else None
        found[name] = [_post_page(client, callback, app, state, extra)[0] for state in states]
    return found


def _post_page(client, callback: str, app: Dash, state: FilterState, extra: list | None):
    if extra is None:
        return post(client, callback, app, state.as_dict())
    # The map table's second input is the tabs chosen: the table is built when its tab is open.
    spec = app.callback_map[callback]
    values = [state.as_dict(), extra[0]["value"]]
    inputs = [{"id": i["id"], "property": i["property"], "value": v} for i, v in zip(spec["inputs"], values)]
    body = {
        "output": callback,
        "outputs": {"id": "map-table", "property": "children"},
        "inputs": inputs,
        "changedPropIds": ["filter-store.data"],
        "state": [],
    }
    started = time.perf_counter()
    response = client.post("/_dash-update-component", json=body)
    return time.perf_counter() - started, len(response.get_data())


def exports(app: Dash, states: list[FilterState]) -> dict[str, list[float]]:
    """Seconds to export each chart in each format for a few states, the export browser already started."""
    from dashboard.domain.filters import to_query
    from dashboard.exports.charts import CHARTS, FORMATS

    client = app.server.test_client()
    client.get("/export/trend.png")  # starts the one export browser, as the first export of a served app does
    found: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    for state in states:
        for chart in CHARTS:
            if chart.startswith("school-"):
                continue
            for fmt in FORMATS:
                started = time.perf_counter()
                response = client.get(f"/export/{chart}.{fmt}{to_query(state)}")
                if response.status_code == 200:
                    found[fmt].append(time.perf_counter() - started)
    return found


def board_packs(app: Dash, states: list[FilterState]) -> dict[str, list[float]]:
    """Seconds to make the board pack as PDF and as PPTX for each state, cold and then again from the cache, and
    the PDF's size in megabytes."""
    from dashboard.domain.filters import to_query

    client = app.server.test_client()
    found: dict[str, list[float]] = {"PDF": [], "PDF cached": [], "PPTX": [], "PPTX cached": [], "PDF MB": []}
    for state in states:
        for fmt in ("pdf", "pptx"):
            for kind in ("", " cached"):
                started = time.perf_counter()
                response = client.get(f"/export/board-pack.{fmt}{to_query(state)}")
                if response.status_code != 200:
                    raise RuntimeError(f"board pack {fmt} answered {response.status_code}")
                found[fmt.upper() + kind].append(time.perf_counter() - started)
            if fmt == "pdf":
                found["PDF MB"].append(len(response.get_data()) / 1024 / 1024)
    return found


def meeting_slides(app: Dash, state: FilterState) -> list[float] | None:
    """Seconds from a key press to the next slide shown, in Chromium, over the whole sequence and back.

    Needs Playwright (make install-test); returns None without it.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    from werkzeug.serving import make_server

    from dashboard.domain.filters import to_query

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"http://127.0.0.1:{server.port}/meeting{to_query(state)}")
        page.wait_for_function("document.querySelectorAll('.slide__chart .main-svg').length > 0")
        count = page.locator(".slide").count()
        for key in ["ArrowRight"] * (count - 1) + ["ArrowLeft"] * (count - 1):
            # Time to the next painted frame after the slide changes, as the room sees it.
            seconds = page.evaluate(
                """key => new Promise(done => {
                    const started = performance.now();
                    document.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
                    const painted = () => done((performance.now() - started) / 1000);
                    requestAnimationFrame(() => requestAnimationFrame(painted));
                })""",
                key,
            )
            times.append(seconds)
        browser.close()
    server.shutdown()
    return times


def percentile(values: list[float], share: float) -> float:
    """The share-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def load_time() -> float:
    """Seconds to build the demo borough from scratch into a temporary warehouse, protection included."""
    from dashboard.sources.demo.extracts import build_demo

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        build_demo(Path(folder) / "extracts", Path(folder) / "warehouse.duckdb")
        return time.perf_counter() - started


def line(name: str, times: list[float], sizes: list[int] | None = None) -> str:
    """One result line: p50 / p95 in ms, and mean and largest KB where sizes are given."""
    text = f"  {name:<34} p50 {percentile(times, 0.5) * 1000:6.1f} ms  p95 {percentile(times, 0.95) * 1000:6.1f} ms"
    if sizes:
        text += f"  mean {statistics.mean(sizes) / 1024:6.1f} KB  max {max(sizes) / 1024:6.1f} KB"
    return text


def main() -> None:
    """Print the served map against the naive one, the wider map set, every page, and (with --load) the load."""
    parser = argparse.ArgumentParser(description="What a filter change costs as served, against a naive Dash map.")
    parser.add_argument(
        "warehouse",
        nargs="?",
        type=Path,
        default=Config().warehouse_path,
        help="warehouse file to measure (default: the configured one)",
    )
    parser.add_argument("--load", action="store_true", help="also time building the demo borough, protection included")
    args = parser.parse_args()
    if not args.warehouse.exists():
        parser.error(f"no warehouse at {args.warehouse}: build the demo with 'make demo' or give a path")
    from app import create_app

    app = create_app(Config(warehouse_path=args.warehouse))
    # A served app warms its look-ups in the background at start; measure it as it runs once that is done.
    for thread in threading.enumerate():
        if thread.name == "warm":
            thread.join()
    queries = Queries(Warehouse(args.warehouse))
    naive = naive_app(queries.warehouse, queries)
    compared, wide = comparison_states(queries), wide_states(queries)
    # Each app answers one request first, as a served app has: boundaries read, classes fixed, labels known.
    served_map(app, [FilterState(measure="absence_rate", year=compared[0].year, level="locality")])
    naive_map(naive, [FilterState(year=compared[-1].year, locality="none")])
    served_times, served_sizes, naive_times, naive_sizes = [], [], [], []
    for state in compared:
        # Each state both ways, one after the other: a machine that slows down for a while slows both alike.
        (seconds,), (size,) = served_map(app, [state])
        served_times.append(seconds)
        served_sizes.append(size)
        (seconds,), (size,) = naive_map(naive, [state])
        naive_times.append(seconds)
        naive_sizes.append(size)
    print(f"{args.warehouse}: {len(queries.place_table('area'))} small areas")
    print(f"Map filter change, suspension rate by small area, {len(compared)} states never asked for before:")
    print(line("served (layers as a Patch)", served_times, served_sizes))
    print(line("naive (whole figure, boundaries)", naive_times, naive_sizes))
    speed = percentile(naive_times, 0.5) / percentile(served_times, 0.5)
    size = statistics.mean(naive_sizes) / statistics.mean(served_sizes)
    print(
        f"  ratios naive / served: time p50 {speed:.1f}x, p95 "
        f"{percentile(naive_times, 0.95) / percentile(served_times, 0.95):.1f}x, bytes {size:.1f}x"
    )
    wide_times, wide_sizes = served_map(app, wide)
    print(f"Map filter change, every measure, level and slice offered ({len(wide)} states):")
    print(line("served", wide_times, wide_sizes))
    print("Every page's callbacks (30 states):")
    page_times = pages(app, wide[:: max(1, len(wide) // 30)][:30])
    for name, times in page_times.items():
        print(line(name, times))
    print("One chart export, every chart (3 states), warm:")
    export_times = exports(app, compared[:: max(1, len(compared) // 3)][:3])
    for fmt, times in export_times.items():
        print(line(fmt.upper(), times))
    print("Board pack (3 states):")
    pack_times = board_packs(app, compared[:: max(1, len(compared) // 3)][:3])
    for fmt, times in pack_times.items():
        if fmt != "PDF MB":
            print(line(fmt, times))
    print(f"  PDF size {max(pack_times['PDF MB']):.2f} MB")
    slide_times = meeting_slides(app, compared[-1])
    if slide_times:
        print(line("Meeting mode slide change", slide_times))
    measured = {
        "map p95 ms": max(percentile(served_times, 0.95), percentile(wide_times, 0.95)) * 1000,
        "map KB": max(served_sizes + wide_sizes) / 1024,
        "speed-up": speed,
        "size-down": size,
        "page p95 ms": max(percentile(times, 0.95) for times in page_times.values()) * 1000,
        "export s": max(max(times) for times in export_times.values() if times),
        "pack s": max(max(pack_times["PDF"]), max(pack_times["PPTX"])),
        "pack cached s": max(max(pack_times["PDF cached"]), max(pack_times["PPTX cached"])),
        "pack MB": max(pack_times.pop("PDF MB")),
    }
    if slide_times:
        measured["slide ms"] = max(slide_times) * 1000
    if args.load:
        measured["load s"] = load_time()
        print(f"Demo build with protection: {measured['load s']:.0f} s")
    print("Targets:")
    for name, value in measured.items():
        # Ratios must reach their target; times and sizes must stay within theirs.
        met = value >= TARGETS[name] if name in ("speed-up", "size-down") else value <= TARGETS[name]
        print(
            f"  {name:<12} {value:8.2f}  target {'>=' if name in ('speed-up', 'size-down') else '<='} "
            f"{TARGETS[name]:<4}  {'met' if met else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
