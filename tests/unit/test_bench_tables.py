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
