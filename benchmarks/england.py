"""How far England gets on this machine: its extracts written, read by the ingest, and LAs of every size protected.

Run: .venv/bin/python -m benchmarks.england [--reuse] [--sample CODE,CODE,...]   (or: make bench-england)

One step after the other, written to bench/england.json:
- the extracts: `python -m dashboard.demo --scale england` (two processes), its seconds and peak memory;
- the ingest reading them (parse, type, check and count every file; nothing protected or written), seconds and peak
  memory, in a process of its own;
- a sample of LAs from the smallest to the largest, each made and protected alone as the demo borough is (one
  process, the systems one after another): small areas, cells, hidden cells and the protection's seconds;
- England's extracts loaded as a country (`load` step): each LA protected alone on the dask engine (two workers
  unless INCLUSION_PROTECT_WORKERS says otherwise), then England's figures jointly, into bench/warehouses/
  england.duckdb: seconds, peak memory of the loader and of its largest worker, cells published and hidden; what
  each system's joint stage was given is kept (bench/warehouses/england-joint);
- the joint stage run again alone from what the load kept (`joint` step: minutes, where the load takes over an
  hour), each system's seconds and national cells hidden;
- England's maps drawn in Chromium (software WebGL), simplified as the app simplifies each level: its 33,755 small
  areas at once as SVG (`choropleth` on a geo subplot) and as WebGL (`choroplethmap`, a blank style, no tiles), and
  what the app draws instead (a level of more than 2,500 places a locality at a time): England by district, and
  Kent's small areas with the other LAs whole; each drawn once and then given new values eight times, each timed
  to plotly_afterplot and the next frame;
- England's extracts loaded into a warehouse with a STAND-IN publication (small counts hidden, nothing else;
  benchmarks.england_served), each in a process of its own: seconds and peak memory;
- the app served from England's own load where the `load` step has made one (from the stand-in otherwise),
  measured as every scale is (benchmarks.scales): the map's filter change against the naive
  map, the first map and redraws in Chromium, one export, 25 users on two web workers and their peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.chromium import CHROMIUM, WEBGL_FLAGS
from benchmarks.scales import BENCH, WAREHOUSES, percentile, run_measured
from dashboard.config import ROOT

SHARED_DATA = ROOT.parent / "shared" / "data"
EXTRACTS = WAREHOUSES / "england-extracts"
# Rutland (26 small areas), Hartlepool (57), Walsall (169), Birmingham (659) and Kent (938).
STEPS = ("extracts", "read", "protect", "load", "joint", "map", "warehouse", "serve")
# England's extracts loaded as a country, each LA protected alone and then England's figures jointly.
COUNTRY = WAREHOUSES / "england.duckdb"
# What each system and year's joint stage was given by the load, kept so that the joint stage can be run again alone
# (the `joint` step): the LAs protected alone are most of England's load, the joint stage a few minutes of it.
JOINT = WAREHOUSES / "england-joint"
# England's warehouse with a stand-in publication (benchmarks.england_served): never a reader's.
STANDIN = WAREHOUSES / "england-standin.duckdb"
BOUNDARIES = SHARED_DATA / "boundaries" / "lsoa2021_england_5dp.geojson.gz"
SAMPLE = ("E06000017", "E06000001", "E08000030", "E08000025", "E10000016")


def extract_sizes(folder: Path) -> dict:
    """The extracts' size on disk, attendance rows, and the pupil-term rows counted into them (each pupil-term row is
    one enrolment in its cell's term)."""
    import duckdb

    attendance = str(folder / "attendance.csv")
    ((rows, pupil_terms),) = duckdb.sql(
        f"SELECT count(*), sum(enrolments) FILTER (WHERE term <> 'Full year') FROM read_csv('{attendance}')"
    ).fetchall()
    size = sum(path.stat().st_size for path in folder.glob("*.csv"))
    return {"files MB": round(size / 2**20), "attendance rows": rows, "pupil-term rows": int(pupil_terms)}


def read_extracts(folder: Path, out: Path) -> None:
    """The ingest's reading of the extracts, as a load does it before protecting: rows per table into out."""
    from dashboard.ingest.build import build_tables

    path, code_field = "boundaries/lsoa2021_england_5dp.geojson.gz", "LSOA21CD"
    tables, report = build_tables(
        folder, boundaries=SHARED_DATA / path, code_field=code_field, data_kind="synthetic", area_kind="country"
    )
    if report.errors:
        raise SystemExit(f"England's extracts did not validate: {report.errors[:3]}")
    out.write_text(json.dumps({name: len(table) for name, table in tables.items()}))


def protect_la(code: str, out: Path) -> None:
    """One LA made and protected alone, as the demo borough is: its size and the protection's cost into out."""
    from dashboard.ingest.build import build_tables
    from dashboard.publish.engine import Engine
    from dashboard.publish.protect import publish
    from dashboard.sources.demo.england import write_england

    with tempfile.TemporaryDirectory() as folder:
        made = write_england(Path(folder), SHARED_DATA, workers=1, only={code})
        tables, report = build_tables(Path(folder), data_kind="synthetic")
        if report.errors:
            raise SystemExit(f"{code}'s extracts did not validate: {report.errors[:3]}")
    started = time.perf_counter()
    publication = publish(tables, 4, Engine(workers=1))
    seconds = time.perf_counter() - started
    hidden = int((publication.published["status"] != "shown").sum())
    row = {"la": code, "small areas": made.areas, "schools": made.schools, "cells": len(publication.published)}
    out.write_text(json.dumps(row | {"hidden": hidden, "protection s": round(seconds, 1)}))


# One map drawn, then new values for its first layer, timed in the page: plotly_afterplot, then the frame after it is
# painted. Each file is one layer; the layers after the first keep their colour, as the localities outside a chosen
# one do in the app.
MAP_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>England</title>
<script src="plotly.js"></script></head><body><main><h1>England</h1><div id="map" style="width:1400px;height:900px">
</div></main></body></html>"""
MAP_TIMING = """async ([kind, changes, files]) => {
  const layers = await Promise.all(files.map(async file => (await fetch(file)).json()));
  const div = document.getElementById('map');
  const painted = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const values = (n, seed) => Array.from({length: n}, (_, i) => (i * 7919 + seed * 104729) % 7);
  const traces = layers.map((geojson, layer) => ({
    type: kind, geojson, featureidkey: 'id', locations: geojson.features.map(f => f.id),
    z: layer ? geojson.features.map(() => 0) : values(geojson.features.length, 0),
    zmin: 0, zmax: 6, marker: {line: {width: 0.2, color: '#505050'}}}));
  const layout = kind === 'choroplethmap'
    ? {map: {style: 'white-bg', center: {lon: -1.9, lat: 52.8}, zoom: 5.2}, margin: {t: 0, b: 0, l: 0, r: 0}}
    : {geo: {fitbounds: 'locations', visible: false}, margin: {t: 0, b: 0, l: 0, r: 0}};
  let started = performance.now();
  await Plotly.newPlot(div, traces, layout, {topojsonURL: 'topojson/'});
  await painted();
  const first = performance.now() - started;
  const redraws = [];
  for (let change = 1; change <= changes; change++) {
    started = performance.now();
    await Plotly.restyle(div, {z: [values(layers[0].features.length, change)]}, [0]);
    await painted();
    redraws.push(performance.now() - started);
  }
  return {first, redraws};
}"""
# The maps timed: England's small areas all at once, as SVG (the app's map before it drew a level of more than
# Config.map_places places a locality at a time) and as WebGL; and what the app draws now: England by district (its
# wards), and the largest LA's small areas (Kent, 938) with the other LAs whole around them.
SCENES = {
    "small areas, SVG": ("choropleth", ["areas.json"]),
    "small areas, WebGL": ("choroplethmap", ["areas.json"]),
    "districts, SVG": ("choropleth", ["districts.json"]),
    "Kent's small areas and the other LAs, SVG": ("choropleth", ["kent.json", "others.json"]),
}
KENT = "E10000016"


def england_layers() -> dict[str, dict]:
    """England's boundaries as the app serves them, by file name: every small area, every district and the LAs
    (dissolved from small areas as the app dissolves wards and localities, each level simplified as a coverage), Kent's
    small areas, and the LAs other than Kent."""
    import geopandas as gpd
    import pandas as pd

    from dashboard.ingest.boundaries import read_boundaries, to_feature_collection
    from dashboard.query.geometry import dissolved, simplified_for
    from dashboard.sources.demo.england import ENGLAND_BOUNDARIES, england_las

    # Each small area's LA and district as the extracts give them, its outline as the ingest reads (and repairs) it.
    path, code_field = ENGLAND_BOUNDARIES
    areas = read_boundaries(SHARED_DATA / path, code_field)
    places = pd.concat(
        [pd.DataFrame(la.areas.drop(columns="geometry")).assign(la=la.code) for la in england_las(SHARED_DATA)]
    )
    areas = areas.merge(places[["code", "ward_code", "la"]], on="code").sort_values("code", ignore_index=True)

    def level(frame: pd.DataFrame, by: str | None, name: str) -> gpd.GeoDataFrame:
        shapes = pd.Series(frame.geometry.to_numpy(), index=frame["code" if by is None else by].to_numpy())
        shapes = shapes if by is None else dissolved(shapes)
        return gpd.GeoDataFrame(
            {"code": list(shapes.index), "name": list(shapes.index)}, geometry=simplified_for(name, shapes.to_numpy())
        )

    def collection(frame: gpd.GeoDataFrame, keep=None) -> dict:
        made = to_feature_collection(frame)
        for number, feature in enumerate(made["features"]):
            feature["id"] = number  # as the app numbers places
        made["features"] = [f for f in made["features"] if keep is None or keep(f)]
        return made

    small = level(areas, None, "area")
    kent = set(areas.loc[areas["la"] == KENT, "code"])
    return {
        "areas.json": collection(small),
        "districts.json": collection(level(areas, "ward_code", "ward")),
        "kent.json": collection(small, lambda f: f["properties"]["code"] in kent),
        "others.json": collection(level(areas, "la", "locality"), lambda f: f["properties"]["code"] != KENT),
    }


def england_map(changes: int = 8) -> dict:
    """England's maps drawn in Chromium (SCENES): each file's size, each scene's first draw and redraws."""
    import http.server
    import threading
    from functools import partial

    import plotly.offline
    from playwright.sync_api import sync_playwright

    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, collection in england_layers().items():
            (Path(folder) / name).write_text(json.dumps(collection, separators=(",", ":")))
            results[f"{name}: places"] = len(collection["features"])
            results[f"{name}: MB"] = round((Path(folder) / name).stat().st_size / 2**20, 2)
        (Path(folder) / "plotly.js").write_text(plotly.offline.get_plotlyjs())  # the full bundle: it has WebGL maps
        (Path(folder) / "index.html").write_text(MAP_PAGE)
        shutil.copytree(ROOT / "assets" / "topojson", Path(folder) / "topojson")  # as the app serves it: no CDN
        quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *args: None})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(quiet, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=WEBGL_FLAGS)
                for scene, (kind, files) in SCENES.items():
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
                    timed = page.evaluate(MAP_TIMING, [kind, changes, files])
                    results[f"{scene}: first draw s"] = round(timed["first"] / 1000, 2)
                    results[f"{scene}: redraw p50 ms"] = round(percentile(timed["redraws"], 0.5))
                    results[f"{scene}: redraw p95 ms"] = round(percentile(timed["redraws"], 0.95))
                    page.close()
                browser.close()
        finally:
            server.shutdown()
    return results


def kept_national_stage(frames: list, parts: list, threshold: int, year: str):
    """The load's national stage of one system and year, its inputs kept in JOINT first."""
    import dashboard.publish.national as national

    # In the loading process the module's national_stage is this function (load_country put it there, keeping the
    # real one on it); on a dask worker the module is imported afresh, unchanged.
    national_stage = getattr(national.national_stage, "real", national.national_stage)
    JOINT.mkdir(parents=True, exist_ok=True)
    first = frames[0]["count"].iloc[0]  # a count belongs to one system: it names the system
    with (JOINT / f"{first}-{year.replace('/', '-')}.pkl").open("wb") as kept:
        pickle.dump((frames, parts, threshold, year), kept)
    return national_stage(frames, parts, threshold, year)


def joint_again(folder: Path) -> dict:
    """Every kept national stage run again, one after the other in this process: seconds and what it hid, by system
    and by family."""
    from dashboard.publish.national import national_stage

    systems, families, started = {}, {}, time.perf_counter()
    for path in sorted(folder.glob("*.pkl")):
        frames, parts, threshold, year = pickle.loads(path.read_bytes())
        began = time.perf_counter()
        cells = national_stage(frames, parts, threshold, year)
        shown = cells[cells["status"] != "not published"]
        systems[path.stem] = {
            "seconds": round(time.perf_counter() - began, 1),
            "LAs": len(parts),
            "national cells": len(shown),
            "hidden": int(shown["_hidden"].sum()),
            "small": int(shown["_primary"].sum()),
        }
        for (count, family), rows in shown.groupby(["count", "family"]):
            tally = families.setdefault(f"{count} by {family}", [0, 0])
            tally[0] += len(rows)
            tally[1] += int(rows["_hidden"].sum())
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "national cells": sum(system["national cells"] for system in systems.values()),
        "hidden": sum(system["hidden"] for system in systems.values()),
        "families (cells, hidden)": families,
        "systems": systems,
    }


def load_country(folder: Path, db: Path, out: Path) -> None:
    """England's extracts loaded as a country (the real publication, on the configured engine): what it published
    and hid, and the protection's seconds, into out."""
    import duckdb

    import dashboard.publish.national as national
    from dashboard.ingest.build import load
    from dashboard.store.versions import versions_folder

    shutil.rmtree(versions_folder(db), ignore_errors=True)
    shutil.rmtree(JOINT, ignore_errors=True)
    db.unlink(missing_ok=True)
    kept_national_stage.real = national.national_stage
    national.national_stage = kept_national_stage  # each system's joint stage kept for the `joint` step
    started = time.perf_counter()
    load(
        folder,
        db,
        boundaries=BOUNDARIES,
        code_field="LSOA21CD",
        data_kind="synthetic",
        area_kind="country",
        description="Synthetic England: every LA",
    )
    seconds = time.perf_counter() - started
    from dashboard.publish.national import PLACES
    from dashboard.publish.registry import KEY_COLUMNS

    # England's own cells: in no place of any LA (the sums over LAs).
    own = " AND ".join(f"{column} IS NULL" for column in KEY_COLUMNS if column in PLACES)
    con = duckdb.connect(str(db), read_only=True)
    try:
        method, protection = con.execute("SELECT method, seconds FROM publication").fetchone()
        cells, hidden, national, national_hidden = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE status = 'suppressed'), count(*) FILTER (WHERE {own}), "
            f"count(*) FILTER (WHERE {own} AND status = 'suppressed') FROM published"
        ).fetchone()
    finally:
        con.close()
    out.write_text(
        json.dumps(
            {
                "load seconds": round(seconds, 1),
                "protection seconds": round(protection, 1),
                "protection": method,
                "cells": cells,
                "hidden": hidden,
                "England's own cells": national,
                "England's own hidden": national_hidden,
            }
        )
    )


def _in_own_process(arguments: list[str], what: str) -> dict:
    """This module run again with arguments, measured; with what it wrote."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "benchmarks.england", *arguments, "--into", out.name]
        measured = run_measured(command, dict(os.environ), what)
        return {**measured, **json.loads(Path(out.name).read_text())}


def main(argv: list[str] | None = None) -> int:
    """Measure England's extracts, their reading and a sample of LAs protected alone; write bench/england.json."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.england", description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep extracts already written (their figures too)")
    parser.add_argument("--sample", default=",".join(SAMPLE), help="LA codes to protect alone, comma-separated")
    parser.add_argument("--steps", default=",".join(STEPS), help="which steps, comma-separated")
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)  # one step, run in a process of its own
    parser.add_argument("--protect", help=argparse.SUPPRESS)
    parser.add_argument("--country", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tables", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--standin", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.read:
        read_extracts(args.read, args.into)
        return 0
    if args.protect:
        protect_la(args.protect, args.into)
        return 0
    if args.country:
        load_country(args.country, COUNTRY, args.into)
        return 0
    if args.tables:
        from benchmarks.england_served import write_tables

        write_tables(args.tables, BOUNDARIES, STANDIN, args.into)
        return 0
    if args.standin:
        from benchmarks.england_served import standin_publication

        standin_publication(args.standin, args.into)
        return 0
    if not (SHARED_DATA / "boundaries" / "lsoa2021_england_5dp.geojson.gz").exists():
        print(f"England needs its boundaries in {SHARED_DATA / 'boundaries'}: not measured.", file=sys.stderr)
        return 1
    steps = set(args.steps.split(","))
    results_path = BENCH / "england.json"
    # A run of some steps keeps the others' figures from the last run beside them.
    results: dict = json.loads(results_path.read_text()) if results_path.exists() and steps != set(STEPS) else {}
    WAREHOUSES.mkdir(parents=True, exist_ok=True)
    record = WAREHOUSES / "england.extracts.json"
    if "extracts" in steps or "read" in steps:
        if args.reuse and record.exists() and (EXTRACTS / "attendance.csv").exists():
            results["extracts"] = json.loads(record.read_text()) | {"measured": "in an earlier run, extracts reused"}
        else:
            print("england: writing the extracts (two processes)...", flush=True)
            command = [sys.executable, "-m", "dashboard.demo", "--scale", "england", "--out", str(EXTRACTS)]
            results["extracts"] = run_measured(command, dict(os.environ), "writing England's extracts")
            results["extracts"] |= extract_sizes(EXTRACTS)
            record.write_text(json.dumps(results["extracts"]))
    BENCH.mkdir(exist_ok=True)
    results_path.write_text(json.dumps(results, indent=2))  # after each step: a later step failing loses nothing
    if "read" in steps:
        print("england: the ingest reading the extracts...", flush=True)
        results["read"] = _in_own_process(["--read", str(EXTRACTS)], "reading England's extracts")
        results_path.write_text(json.dumps(results, indent=2))
    if "protect" in steps:
        results["LAs protected alone"] = []
        for code in args.sample.split(","):
            print(f"england: {code} made and protected alone...", flush=True)
            results["LAs protected alone"].append(_in_own_process(["--protect", code], f"protecting {code}"))
            results_path.write_text(json.dumps(results, indent=2))
    if "load" in steps:
        print("england: its extracts loaded as a country, each LA protected alone, then England jointly...", flush=True)
        results["load"] = _in_own_process(["--country", str(EXTRACTS)], "loading England as a country")
        results_path.write_text(json.dumps(results, indent=2))
    if "joint" in steps and JOINT.exists():
        print("england: the joint stage run again alone, from what the load kept...", flush=True)
        results["joint"] = joint_again(JOINT)
        results_path.write_text(json.dumps(results, indent=2))
    if "map" in steps:
        print("england: the maps in Chromium...", flush=True)
        results["map"] = england_map()
        results_path.write_text(json.dumps(results, indent=2))
    if "warehouse" in steps:
        from dashboard.store.versions import versions_folder

        shutil.rmtree(versions_folder(STANDIN), ignore_errors=True)
        STANDIN.unlink(missing_ok=True)
        print("england: its extracts loaded into a warehouse (not protected)...", flush=True)
        results["warehouse"] = _in_own_process(["--tables", str(EXTRACTS)], "loading England's extracts")
        results_path.write_text(json.dumps(results, indent=2))
        print("england: its stand-in publication (small counts hidden, nothing else)...", flush=True)
        results["stand-in publication"] = _in_own_process(["--standin", str(STANDIN)], "the stand-in publication")
        results_path.write_text(json.dumps(results, indent=2))
    if "serve" in steps:
        from benchmarks.england_served import serve

        # England's own load, protected, once there is one; the stand-in served only before England could be loaded.
        served = COUNTRY if COUNTRY.exists() else STANDIN
        print(f"england: served from {'its own load' if served == COUNTRY else 'the stand-in'}...", flush=True)
        results["served"] = serve(served) | {"from": "load" if served == COUNTRY else "stand-in"}
        results_path.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
