"""make bench's table: England's row carries what make bench-england measured, named for what it is, with no verdict."""

from __future__ import annotations

import json

from benchmarks import scales


def test_englands_row_names_the_figures_bench_england_measured_and_claims_no_target(tmp_path, monkeypatch):
    measured = {
        "extracts": {"seconds": 906.0, "loader peak MB": 921, "areas": 33755},
        "read": {"seconds": 316.2, "loader peak MB": 16384},
        "LAs protected alone": [{"la": "E06000017", "small areas": 26, "cells": 15656, "protection s": 18.6}],
        "map": {"districts.json: places": 296, "districts.json: MB": 4.57, "districts, SVG: redraw p95 ms": 529},
    }
    (tmp_path / "england.json").write_text(json.dumps(measured))
    monkeypatch.setattr(scales, "BENCH", tmp_path)
    row = scales.england_so_far()
    assert row["extracts written s"] == 906.0 and row["read peak MB"] == 16384
    assert row["E06000017 (26 small areas) protected alone s"] == 18.6
    # A drawing in a bare page is not the app's redraw: it is named as drawn alone, and no target is judged.
    assert row["drawn alone, districts, SVG: redraw p95 ms"] == 529
    assert "redraw p95 ms" not in row and not any("MB" in k and "drawn" in k for k in row)
    table = scales.markdown({"england": {"not measured": "its publication cannot be protected yet"} | row})
    assert "| drawn alone, districts, SVG: redraw p95 ms | 529 |" in table
    assert "| target |" not in table and "met" not in table


def test_without_bench_england_the_row_says_only_why(tmp_path, monkeypatch):
    monkeypatch.setattr(scales, "BENCH", tmp_path)
    assert scales.england_so_far() == {}


def test_englands_served_figures_are_judged_and_named_as_from_a_stand_in_while_its_load_is_missed(
    tmp_path, monkeypatch
):
    label = "users, 2 web workers,"
    served = {
        "areas": 33755,
        "map p95 ms": 150.0,
        "redraw p95 ms": 2500,
        "first map s": 3.1,
        "time ratio": 25.0,
        "bytes ratio": 40.0,
        f"{label} map p95 ms": 900.0,
        f"{label} errors": 0,
        f"{label} web worker peak MB": 1700,
    }
    (tmp_path / "england.json").write_text(json.dumps({"served": served}))
    monkeypatch.setattr(scales, "BENCH", tmp_path)
    row = {"load": "not measured: its publication cannot be protected yet"} | scales.england_so_far()
    assert row["served from"].startswith("a STAND-IN publication")
    checks = scales.verdicts("england", row)
    # England's targets: server p95 200 ms, redraw 2 s, first map 8 s, 20x time, 50x bytes, load 60 min, 1.5 GB.
    met = {name: check["met"] for name, check in checks.items()}
    assert met == {
        "map p95 ms": True,
        "redraw p95 ms": False,
        "first map s": True,
        "time ratio": True,
        "bytes ratio": False,
        "load s": False,
        "web worker peak MB": False,
    }  # the 25 users' target is the county's: England's users are reported, not judged
    assert checks["load s"]["measured"] == "not measured"
    table = scales.markdown({"england": row | {"targets": checks}})
    assert "| load s | not measured | <= 3600 | MISSED |" in table
    assert "| web worker peak MB | 1700 | <= 1536 | MISSED |" in table


def test_englands_served_figures_from_its_own_load_are_named_so_and_carry_no_stand_in_warning(tmp_path, monkeypatch):
    served = {"areas": 33755, "map p95 ms": 120.0, "from": "load"}
    (tmp_path / "england.json").write_text(json.dumps({"served": served}))
    monkeypatch.setattr(scales, "BENCH", tmp_path)
    row = scales.england_so_far()
    assert row["served from"] == "England's own load, protected"
    assert "from" not in row and row["map p95 ms"] == 120.0
    assert "STAND-IN" not in scales.markdown({"england": row | {"targets": scales.verdicts("england", row)}})


def test_englands_load_from_bench_england_is_judged_against_an_hour_and_its_workers_memory(tmp_path, monkeypatch):
    load = {
        "seconds": 3900.5,
        "loader peak MB": 17000,
        "worker peak MB": 1200,
        "protection seconds": 3100.0,
        "cells": 9000000,
        "hidden": 2500000,
        "England's own cells": 60000,
        "England's own hidden": 9000,
    }
    (tmp_path / "england.json").write_text(json.dumps({"load": load}))
    monkeypatch.setattr(scales, "BENCH", tmp_path)
    row = scales.england_so_far()
    assert row["load s"] == 3900.5 and row["load: protection s"] == 3100.0 and row["England's own hidden"] == 9000
    assert scales.verdicts("england", row) == {
        "load s": {"measured": 3900.5, "target": 3600, "met": False},
        "load worker peak MB": {"measured": 1200, "target": 1536, "met": True},
    }


def test_the_25_users_are_judged_at_county_scale():
    label = "users, 2 web workers,"
    row = {f"{label} map p95 ms": 320.0, f"{label} errors": 0, "map p95 ms": 6.7}
    checks = scales.verdicts("county", row)
    assert checks["25 users map p95 ms"] == {"measured": 320.0, "target": 300, "met": False}
    assert checks["25 users errors"]["met"] and checks["map p95 ms"]["met"]
