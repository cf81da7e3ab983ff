"""Exports as a board paper's author gets them: each format a valid file carrying its caption, tables equal to the
page's own, concurrent requests kept apart, and bad requests answered in words."""

from __future__ import annotations

import html
import io
import threading
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from dashboard.config import Config
from dashboard.domain.filters import parse_query
from dashboard.views.board import CHARTS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def app(demo_build):
    from app import create_app

    return create_app(Config(warehouse_path=demo_build[1]))


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def svg_text(content: bytes) -> str:
    root = ET.fromstring(content)  # parses as XML, or fails the test
    return " ".join(t for t in root.itertext())


CAPTION = ("Filters: Persistent absence, 2024/25, North, primary schools", "Source:", "Data to 31 August 2025")


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "xlsx", "csv"])
def test_each_format_is_a_valid_file_that_carries_its_title_filters_source_and_date(client, fmt):
    response = client.get(f"/export/localities.{fmt}?measure=persistent_absence&locality=N&phase=primary")
    assert response.status_code == 200
    assert 'filename="persistent-absence-by-locality-2024-25' in response.headers["Content-Disposition"]
    content = response.data
    title = "Persistent absence by locality, 2024/25"
    if fmt == "png":
        assert content[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(io.BytesIO(content)) as image:
            assert image.width >= 2400  # twice the drawn width: print resolution
        return
    if fmt == "csv":
        assert content.decode("utf-8-sig").splitlines()[0].startswith("Locality,")
        return
    if fmt == "xlsx":
        assert content[:2] == b"PK"
        book = load_workbook(io.BytesIO(content))
        assert book.sheetnames == ["Data", "Notes"]
        assert book["Data"]["A1"].value == title
        notes = " ".join(str(c.value) for row in book["Notes"].iter_rows() for c in row)
        text = f"{title} {notes}"
    elif fmt == "svg":
        assert content.lstrip().startswith(b"<svg")
        text = svg_text(content)
    else:
        assert content[:5] == b"%PDF-"
        text = pdf_text(content)
    assert title in text
    for part in CAPTION[1:]:
        assert part in text, (fmt, part)
    assert "Synthetic demo data" in text and "shown as c" in text
    assert "Persistent absence, 2024/25, North, primary schools" in text


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    chart=st.sampled_from([c for c in CHARTS if not c.startswith("school-")]),
    measure=st.sampled_from(["suspension_rate", "persistent_absence", "ehcp_rate", "permanent_rate"]),
    year=st.sampled_from(["2020/21", "2024/25"]),
    locality=st.sampled_from([None, "N", "W"]),
    extra=st.sampled_from(["", "&phase=primary", "&sen=sen_support", "&level=ward", "&need=ASD"]),
)
def test_an_exported_csv_is_the_pages_own_table(client, queries, chart, measure, year, locality, extra):
    query = f"?measure={measure}&year={year.replace('/', '%2F')}{f'&locality={locality}' if locality else ''}{extra}"
    response = client.get(f"/export/{chart}.csv{query}")
    state, _ = parse_query(query, queries.filter_options())
    panel = CHARTS[chart](queries, state)
    if panel is None:
        assert response.status_code == 404 and b"not shown for these filters" in response.data
        return
    assert response.status_code == 200
    exported = pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if panel.table.empty:
        assert list(exported.columns) == ["Note"] and exported["Note"].iloc[0] == panel.summary
        return
    page = panel.table.astype(str).replace({"nan": "", "None": ""})
    assert list(exported.columns) == [str(c) for c in page.columns]
    assert exported.values.tolist() == page.values.tolist()  # suppressed cells as c, as on the page


def test_a_suppressed_figure_on_the_page_is_c_in_the_csv(client, queries):
    query = "?measure=suspension_rate&year=2024%2F25&level=ward&phase=primary"
    text = client.get(f"/export/map.csv{query}").data.decode("utf-8-sig")
    assert ",c," in text


def test_four_concurrent_exports_each_get_their_own_file(app):
    asked = {
        "trend": "Suspension rate by locality, by academic year",
        "localities": "Persistent absence by locality, 2024/25",
        "need-mix": "Primary need of EHC plans by locality, 2024/25",
        "funnel": "Suspension rate: each school against schools of its phase, 2024/25",
    }
    results: dict[str, bytes] = {}

    def fetch(chart: str) -> None:
        measure = "persistent_absence" if chart == "localities" else "suspension_rate"
        response = app.server.test_client().get(f"/export/{chart}.pdf?measure={measure}")
        results[chart] = response.data

    threads = [threading.Thread(target=fetch, args=(chart,)) for chart in asked]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(results) == set(asked)
    for chart, title in asked.items():
        text = pdf_text(results[chart])
        assert title in text, chart
        assert not any(other in text for name, other in asked.items() if name != chart), chart


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("/export/nonsense.png", b"There is no chart called 'nonsense'"),
        ("/export/map.gif", b"'gif' is not one of them"),
        ("/export/school-trend.png", b"not shown for these filters"),
    ],
)
def test_a_bad_export_request_is_a_404_with_a_sentence(client, url, sentence):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/plain" and sentence in response.data


def test_an_unknown_filter_value_falls_back_as_the_pages_do_and_the_file_says_so(client):
    response = client.get("/export/localities.xlsx?locality=ZZ&measure=suspension_rate")
    assert response.status_code == 200
    notes = [row for row in load_workbook(io.BytesIO(response.data))["Notes"].iter_rows(values_only=True)]
    assert any("There is no locality 'ZZ'" in str(text) for _, text in notes)


def test_one_schools_trend_exports_with_its_name(client, queries):
    urn = queries.school_places()["school"].iloc[0]
    name = queries.school_places()["school_name"].iloc[0]
    response = client.get(f"/export/school-trend.svg?measure=suspension_rate&urn={urn}")
    assert response.status_code == 200
    assert name in svg_text(response.data)


def test_the_board_pack_comes_as_pdf_and_pptx_with_cover_headlines_and_a_chart_a_page(client, queries):
    from pptx import Presentation

    query = "?measure=persistent_absence&locality=N"
    pdf = client.get(f"/export/board-pack.pdf{query}")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]
    assert len(pages) == 7  # cover, headline measures, map, trends, needs, funnel, localities
    assert "Inclusion board pack" in pages[0] and "Synthetic demo data" in pages[0]
    assert "Filters: Persistent absence, 2024/25, North" in pages[0] and "Data to 31 August 2025" in pages[0]
    assert "Headline measures" in pages[1] and "Severe absence" in pages[1]
    assert "Persistent absence by small area, 2024/25: North" in pages[2]
    for page in pages[2:]:
        assert "Source:" in page and "shown as c" in page

    pptx = client.get(f"/export/board-pack.pptx{query}")
    assert pptx.status_code == 200 and pptx.data[:2] == b"PK"
    deck = Presentation(io.BytesIO(pptx.data))
    slides = list(deck.slides)
    assert len(slides) == 7
    assert slides[0].shapes.title.text == "Inclusion board pack"
    assert "Filters: Persistent absence, 2024/25, North" in slides[0].placeholders[1].text
    map_slide = slides[2]
    assert map_slide.shapes.title.text.startswith("Persistent absence in 2024/25 for North")  # its key message
    assert any(shape.shape_type == 13 for shape in map_slide.shapes)  # the chart, as a picture
    notes = map_slide.notes_slide.notes_text_frame.text
    state, _ = parse_query(query, queries.filter_options())
    places = CHARTS["map"](queries, state).table
    assert "95% interval" in notes and len(notes.splitlines()) > len(places)  # every place's figures and interval

    wrong = client.get(f"/export/board-pack.docx{query}")
    assert wrong.status_code == 404 and b"pdf or pptx" in wrong.data


def test_meeting_mode_is_the_packs_sequence_with_the_same_summaries_as_the_pages(client, queries):
    response = client.get("/meeting?measure=suspension_rate&locality=ZZ")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    assert '<html lang="en-GB">' in page and page.count("<h1") == 1
    assert page.count('<section class="slide ') == 7  # cover, headlines, map, trends, needs, funnel, localities
    assert "There is no locality &#x27;ZZ&#x27;" in page  # an unknown filter falls back, and the cover says so
    state, _ = parse_query("?measure=suspension_rate", queries.filter_options())
    for chart in ("map", "trend", "funnel"):
        panel = CHARTS[chart](queries, state)
        # The message is the slide's heading; the figures behind it are the subtitle under it.
        assert f'<h2 class="slide__heading">{html.escape(panel.message)}</h2>' in page
        assert f'<p class="slide__summary">{html.escape(panel.summary)}</p>' in page
    assert "cdn." not in page  # plotly.js, its topojson and the styles all come from this server


def test_without_a_browser_an_image_export_says_so_and_tables_still_download(client, monkeypatch):
    from dashboard.exports import images

    def no_browser(spec, opts):
        raise FileNotFoundError("chromium")

    monkeypatch.setattr(images, "_calc", no_browser)
    response = client.get("/export/trend.png")
    assert response.status_code == 503 and b"needs Debian's chromium" in response.data
    assert client.get("/export/trend.csv").status_code == 200
