"""Exports as a board paper's author gets them: each format a valid file carrying its caption, tables equal to the
page's own, concurrent requests kept apart, and bad requests answered in words."""

from __future__ import annotations

import html
import io
import json
import re
import threading
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import Image
from pypdf import PdfReader

from dashboard.config import Config
from dashboard.domain.filters import parse_query
from dashboard.views.board import CHARTS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CONTACT = "inclusion.data@example.gov.uk"


@pytest.fixture(scope="module")
def app(demo_build):
    from app import create_app

    return create_app(Config(warehouse_path=demo_build[1], contact=CONTACT))


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def path_of(address: str) -> str:
    """The path a file:// address names (spaces and other escapes read back)."""
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    return url2pathname(urlparse(address).path)


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
        assert book.sheetnames == ["Cover", "Notes", "Data"]
        assert book["Data"]["A1"].value == book["Cover"]["A1"].value == title
        cover = [row[0] for row in book["Cover"].iter_rows(values_only=True)]
        assert cover[cover.index("Source and licence") + 1].startswith("Synthetic demo borough")
        text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    elif fmt == "svg":
        assert content.lstrip().startswith(b"<svg")
        text = svg_text(content)
    else:
        assert content[:5] == b"%PDF-"
        text = pdf_text(content)
    assert title in text
    source = "Source and licence" if fmt == "xlsx" else "Source:"  # a workbook's cover gives the label as a heading
    for part in (source, *CAPTION[2:]):
        assert part in text, (fmt, part)
    assert "Synthetic demo data" in text and "shown as c" in text
    assert "Persistent absence, 2024/25, North, primary schools" in text


# Text a reader would take for a figure: a workbook must hold it as a number, never as text.
FIGURE_TEXT = re.compile(r"[-\u2212]?[\d,]+(\.\d+)?%?")


def count(text: str) -> int | None:
    """A count as the page prints it, read here apart from the code under test: '1,006' -> 1006; c -> None."""
    return None if text == "c" else int(text.split(" (")[0].replace(",", ""))


def share(text: str) -> float | None:
    """The share in '272 (22.2%)' -> 22.2; None where the page gives none ('c', '65')."""
    return float(text.split(" (")[1].rstrip("%)")) if " (" in text else None


def cells(column: pd.Series) -> list:
    """A column read back from the workbook, a blank cell as None."""
    return [None if pd.isna(value) else value for value in column]


@pytest.mark.parametrize(
    ("chart", "query", "filters"),
    [
        (
            "localities",
            "?measure=persistent_absence&locality=N&phase=primary",
            "Persistent absence, 2024/25, North, primary schools",
        ),
        # The need mix shows every need in every locality, so its cover names the whole borough, not North and SEMH.
        ("need-mix", "?locality=N&need=SEMH", "EHC plan rate, 2024/25, the whole borough"),
    ],
)
def test_a_workbook_holds_the_pages_figures_as_numbers_one_kind_a_column_in_one_excel_table(
    client, queries, chart, query, filters
):
    response = client.get(f"/export/{chart}.xlsx{query}")
    assert response.status_code == 200
    state, _ = parse_query(query, queries.filter_options())
    panel = CHARTS[chart](queries, state)
    page = panel.table.fillna("")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Cover", "Notes", "Data"]
    assert all(not sheet.merged_cells.ranges for sheet in book)

    cover = [row[0] for row in book["Cover"].iter_rows(values_only=True) if row[0] is not None]
    assert cover[0] == panel.title
    assert cover[cover.index("Filters") + 1] == filters
    assert cover[cover.index("Source and licence") + 1].startswith(
        f"{queries.info().description}, Inclusion Dashboard."
    )
    dated = cover[cover.index("Data version and date") + 1]
    assert dated.startswith("Data to 31 August 2025; loaded on ") and queries.info().version in dated
    assert cover[cover.index("Contact") + 1] == CONTACT

    data = book["Data"]
    assert data["A1"].value == panel.title and data["A2"].value.startswith("This worksheet contains one table.")
    (table,) = data.tables.values()
    assert table.ref == f"A3:{get_column_letter(data.max_column)}{3 + len(page)}" and data.max_row == 3 + len(page)
    assert table.headerRowCount == 1 and table.autoFilter.ref == table.ref and table.tableStyleInfo is not None
    for column in data.iter_cols(min_row=4):
        filled = [cell for cell in column if cell.value is not None]
        assert len({cell.data_type for cell in filled}) <= 1, column[0].column_letter  # one kind a column
        for cell in filled:
            if cell.data_type == "n":
                assert type(cell.value) in (int, float), cell.coordinate
            else:
                assert not FIGURE_TEXT.fullmatch(cell.value), cell.coordinate  # no figure kept as text

    sheet = pd.read_excel(io.BytesIO(response.data), sheet_name="Data", header=2)
    assert [str(c.value) for c in data[3]] == list(sheet.columns)
    if chart == "localities":
        assert cells(sheet["Locality"]) == page["Locality"].tolist()
        for name in ("Persistently absent pupils", "Pupil enrolments"):
            assert cells(sheet[name]) == [count(text) for text in page[name]]
        assert cells(sheet["Persistent absence (%)"]) == [float(text) for text in page["Persistent absence (%)"]]
        ends = [text.split(" to ") for text in page["95% interval"]]
        assert cells(sheet["95% interval: lower"]) == [float(low) for low, _ in ends]
        assert cells(sheet["95% interval: upper"]) == [float(high) for _, high in ends]
        verdicts = page["Compared with the borough"].tolist()
        assert cells(sheet["Compared with the borough"]) == [verdict or None for verdict in verdicts]
        return
    assert cells(sheet["Primary need"]) == page["Primary need"].tolist()
    for place in page.columns[1:]:
        texts = page[place].tolist()
        shares = [share(text) for text in texts]
        if all(value is None for value in shares):  # no share anywhere: a column of counts
            assert cells(sheet[place]) == [count(text) for text in texts]
            status = f"{place}: status"
        else:
            assert cells(sheet[f"{place}: count"]) == [count(text) for text in texts]
            assert cells(sheet[f"{place}: share (%)"]) == shares
            status = f"{place}: count status"
        if "c" in texts:
            assert cells(sheet[status]) == ["c" if text == "c" else None for text in texts]
        else:
            assert status not in sheet.columns


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


def test_a_chart_for_documents_is_16_cm_at_300_dpi_with_its_caption_inside_and_no_small_text(client):
    response = client.get("/export/by-need.png?measure=suspension_rate&size=document")
    assert response.status_code == 200
    assert (
        'filename="suspension-rate-by-primary-need-2024-25-for-documents.png"'
        in response.headers["Content-Disposition"]
    )
    with Image.open(io.BytesIO(response.data)) as image:
        assert abs(image.width - 1890) <= 2  # 16 cm at 300 dpi: 6.3 in x 300
        # The caption wraps inside the image: the rightmost 1% of columns is blank paper.
        pixels = image.convert("L")
        edge = pixels.crop((int(image.width * 0.99), 0, image.width, image.height))
        assert edge.getextrema()[0] > 200
    svg = client.get("/export/by-need.svg?measure=suspension_rate&size=document").data
    root = ET.fromstring(svg)
    sizes = [
        float(match)
        for element in root.iter()
        for match in re.findall(r"font-size:\s*([\d.]+)px", element.get("style", ""))
    ]
    # 605 CSS px drawn 16 cm across: a pixel is 0.75 pt, so 12 px is 9 pt on the page.
    assert sizes and min(sizes) >= 12
    wrong = client.get("/export/by-need.png?size=poster")
    assert wrong.status_code == 404 and b"screen and document" in wrong.data


def test_a_printed_map_names_every_state_in_a_legend_and_dots_suppressed_places(queries):
    from dashboard.figures.maps import for_print

    # Permanent exclusions in 2024/25 are drawn by locality in the demo, and one locality's figure is hidden.
    state, _ = parse_query("?measure=permanent_rate", queries.filter_options())
    printed = for_print(CHARTS["map"](queries, state).figure)
    assert printed.layout.coloraxis.showscale is False  # swatches with names, not a colour bar
    swatches = {trace.name: trace.marker for trace in printed.data if trace.showlegend}
    assert "Suppressed (c), dotted" in swatches
    # On paper the hidden place is white under a dot pattern, never a grey a value class could be taken for.
    assert swatches["Suppressed (c), dotted"].color == "#ffffff"
    assert swatches["Suppressed (c), dotted"].symbol == "square-dot"
    suppressed = next(t for t in printed.data if t.type == "choropleth" and t.name == "suppressed")
    assert len(suppressed.locations) == 1
    dots = [t for t in printed.data if t.type == "scattergeo" and t.mode == "markers" and not t.showlegend]
    assert len(dots) == 1 and len(dots[0].lon) > 100
    marks = next(t for t in printed.data if t.name == "marks")
    assert list(marks.text) == ["c"] and list(marks.textfont.color) == ["#0b0c0c"]  # black ink on white


def test_a_map_drawn_on_the_server_reads_its_boundaries_from_a_file_and_draws_the_same_image(queries):
    """The export browser is given the boundaries' file address, not megabytes every copy of the figure would copy;
    the file holds the level's boundaries as the page is sent them, and the image and the print's dots are the same
    as with the boundaries inside the figure."""
    from dashboard.exports.images import draw
    from dashboard.figures.maps import for_print

    state, _ = parse_query("?measure=permanent_rate", queries.filter_options())  # one locality hidden: dotted
    inline = CHARTS["map"](queries, state).figure
    on_file = CHARTS["map"](queries, state, on_server=True).figure
    pairs = [(a.geojson, b.geojson) for a, b in zip(inline.data, on_file.data, strict=True) if a.type == "choropleth"]
    drawn = [(boundaries, address) for boundaries, address in pairs if boundaries is not None]
    assert drawn and all(isinstance(boundaries, dict) for boundaries, _ in drawn)
    # Each layer that draws places has, on the server, an address holding exactly the boundaries inline beside it.
    for boundaries, address in drawn:
        assert isinstance(address, str) and address.startswith("file:///")
        with open(path_of(address), encoding="utf-8") as held:
            assert json.load(held) == boundaries
    printed_inline, printed_on_file = for_print(inline), for_print(on_file)
    dots = [
        (list(t.lon), list(t.lat))
        for figure in (printed_inline, printed_on_file)
        for t in figure.data
        if t.type == "scattergeo" and t.mode == "markers" and not t.showlegend
    ]
    assert len(dots) == 2 and len(dots[0][0]) > 100 and dots[0] == dots[1]
    assert draw(printed_on_file, "png", 600, 400) == draw(printed_inline, "png", 600, 400)


def test_boundaries_that_cannot_be_written_to_a_file_go_inside_the_figure(queries, tmp_path):
    from dashboard.query.geometry import map_geojson_file

    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    found = map_geojson_file(queries.warehouse, blocked / "boundaries", "locality")
    assert found == queries.map_geojson("locality")
    written = map_geojson_file(queries.warehouse, tmp_path / "boundaries", "locality")
    assert written.startswith("file:///") and (tmp_path / "boundaries").is_dir()
    with open(path_of(written), encoding="utf-8") as held:
        assert held.read() == queries.map_geojson_text("locality")


def test_a_map_whose_boundaries_file_went_with_its_version_is_refused_in_words_without_a_browser_restart(
    tmp_path, monkeypatch
):
    import plotly.graph_objects as go

    from dashboard.exports import images

    held = tmp_path / "old version" / "boundaries.geojson"
    held.parent.mkdir()
    held.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    figure = go.Figure(go.Choropleth(geojson=held.as_uri(), locations=[0], z=[1], featureidkey="id"))
    assert "%20" in held.as_uri()  # its space escaped in the address, and read back: the file is found and drawn
    assert images.draw(figure, "png", 300, 200).startswith(b"\x89PNG")
    held.unlink()  # the version's exports folder pruned while the export waited for the browser
    restarts = []
    monkeypatch.setattr(images, "_stop", lambda: restarts.append(1))
    with pytest.raises(images.ImageExportFailed, match="replaced by a newer data version.*ask for it again"):
        images.draw(figure, "png", 300, 200)
    assert restarts == []


def test_a_map_whose_boundaries_file_goes_while_the_browser_draws_it_is_refused_in_words_without_a_restart(
    tmp_path, monkeypatch
):
    """Found by hand on a served demo: the folder pruned while the browser was fetching the file. The real browser
    fails to fetch it; the reader must be told why, not that the server lacks Chromium, and the browser kept."""
    import plotly.graph_objects as go

    from dashboard.exports import images

    held = tmp_path / "boundaries.geojson"
    held.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    figure = go.Figure(go.Choropleth(geojson=held.as_uri(), locations=[0], z=[1], featureidkey="id"))
    real_calc, restarts = images._calc, []

    def pruned_while_drawn(spec, opts):
        held.unlink(missing_ok=True)
        return real_calc(spec, opts)

    monkeypatch.setattr(images, "_calc", pruned_while_drawn)
    monkeypatch.setattr(images, "_stop", lambda: restarts.append(1))
    with pytest.raises(images.ImageExportFailed, match="replaced by a newer data version.*ask for it again"):
        images.draw(figure, "png", 300, 200)
    assert restarts == []


def test_a_table_download_never_draws_its_chart_and_an_image_draws_it_once(queries, monkeypatch):
    from dashboard.exports.charts import export
    from dashboard.views import map as map_view
    from dashboard.views import overview, trends

    drawn = []

    def counted(name, draw):
        def drawing(*args, **kwargs):
            drawn.append(name)
            return draw(*args, **kwargs)

        return drawing

    for module, name in ((map_view, "choropleth"), (trends, "trend_lines"), (overview, "bar_chart")):
        monkeypatch.setattr(module, name, counted(name, getattr(module, name)))
    for chart in ("map", "trend", "localities"):
        for fmt in ("csv", "xlsx"):
            made = export(queries, chart, fmt, "year=2023/24&locality=N")
            assert made.content and made.filename.endswith(fmt)
    assert drawn == []
    export(queries, "map", "svg", "year=2023/24&locality=N")
    assert drawn == ["choropleth"]


def test_readers_asking_for_the_same_file_at_once_wait_for_one_making_of_it(queries, monkeypatch):
    import shutil
    import time

    from dashboard.exports import cache
    from dashboard.store.versions import exports_folder

    shutil.rmtree(exports_folder(queries.warehouse.path, queries.info().version), ignore_errors=True)
    cache._build.cache_clear()  # nothing made yet, in memory or on disk
    made, real = [], cache.export

    def slow(*args, **kwargs):
        made.append(args[1])
        time.sleep(0.5)  # a drawing takes seconds: the other readers ask while it is being made
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "export", slow)
    together, answers = threading.Barrier(4), []

    def ask():
        together.wait()
        answers.append(cache.cached_export(queries, "localities", "csv", "year=2021/22&measure=suspension_rate"))

    readers = [threading.Thread(target=ask) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(30)
    assert made == ["localities"]
    assert len(answers) == 4 and len({answer.content for answer in answers}) == 1


def test_an_export_is_made_once_for_every_worker_and_every_reader_of_a_role(queries, monkeypatch):
    from dashboard.domain.access import SIGNED_IN, Audience
    from dashboard.exports import cache

    query = "year=2022/23&locality=E&measure=absence_rate"
    ann, bob = Audience("officer", "Ann", SIGNED_IN), Audience("officer", "Bob", SIGNED_IN)
    first = cache.cached_export(queries, "localities", "xlsx", query, audience=ann)
    hits = cache._build.cache_info().hits
    # Another officer asks for the same file: this worker's memory has it (the file names no reader).
    assert cache.cached_export(queries, "localities", "xlsx", query, audience=bob).content == first.content
    assert cache._build.cache_info().hits == hits + 1
    # Another worker (a memory of its own) finds the file on disk beside the version, and makes nothing.
    cache._build.cache_clear()

    def no_drawing(*args, **kwargs):
        raise AssertionError("made again")

    monkeypatch.setattr(cache, "export", no_drawing)
    again = cache.cached_export(
        queries, "localities", "xlsx", "measure=absence_rate&locality=E&year=2022/23", audience=bob
    )
    assert (again.content, again.mimetype, again.filename) == (first.content, first.mimetype, first.filename)
    # A viewer is another reader: not given the officer's file.
    with pytest.raises(AssertionError, match="made again"):
        cache.cached_export(queries, "localities", "xlsx", query, audience=Audience("viewer", "Cat", SIGNED_IN))
