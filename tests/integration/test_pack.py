"""The board pack as a board paper's author gets it: an A4 landscape PDF that is tagged, readable when printed and
in greys, with contents that point at the right pages; a 16:9 deck whose shapes stay on the slide; both cached."""

from __future__ import annotations

import io
import re
import shutil

import pdfplumber
import pikepdf
import pytest
from pptx import Presentation
from pptx.util import Inches

from dashboard.config import Config
from dashboard.domain.filters import parse_query
from dashboard.views.board import CHARTS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

A4_LANDSCAPE = (841.89, 595.28)  # points: 297 by 210 mm
WHOLE = "?measure=suspension_rate&year=2024/25"
NORTH_SEMH = "?measure=suspension_rate&locality=N&need=SEMH"


@pytest.fixture(scope="module")
def client(demo_build):
    from app import create_app

    return create_app(Config(warehouse_path=demo_build[1])).server.test_client()


@pytest.fixture(scope="module")
def packs(client):
    found = {}
    for query in (WHOLE, NORTH_SEMH):
        response = client.get(f"/export/board-pack.pdf{query}")
        assert response.status_code == 200 and response.data[:5] == b"%PDF-"
        found[query] = response.data
    return found


def page_texts(content: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_every_page_is_a4_landscape_and_no_text_prints_under_10_pt(packs):
    for content in packs.values():
        assert len(content) <= 3 * 1024 * 1024
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            assert len(pdf.pages) >= 9  # cover, contents, summary, changes, charts, glossary
            for page in pdf.pages:
                assert (round(page.width, 0), round(page.height, 0)) == (842, 595)
                for char in page.chars:
                    # A turned character's height on the page is its width across: an axis title, say.
                    size = char["size"] if char["upright"] else char["x1"] - char["x0"]
                    assert size >= 9.99, (page.page_number, char["text"], size)


def test_the_pack_is_tagged_in_british_english_with_a_title_bookmarks_and_alt_text(packs, queries):
    with pikepdf.open(io.BytesIO(packs[WHOLE])) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.docinfo["/Title"]) == "Inclusion board pack: Suspension rate, 2024/25, the whole borough"
        with pdf.open_outline() as outline:
            marks = [item.title for item in outline.root]
        alts = [
            str(obj.Alt) for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure"
        ]
    state, _ = parse_query(WHOLE, queries.filter_options())
    messages = [CHARTS[name](queries, state).message for name in ("map", "trend", "need-mix", "funnel", "localities")]
    assert marks[:2] == ["Inclusion board pack: Suspension rate, 2024/25, the whole borough", "Contents"]
    assert marks[2:5] == ["Summary of measures", "What has changed since the last data version", messages[0]]
    assert marks[-1] == "Glossary" and all(message in marks for message in messages)
    summaries = [CHARTS[name](queries, state).summary for name in ("map", "trend", "need-mix", "funnel", "localities")]
    assert alts == summaries  # each chart's alt text is its summary sentence, in page order


def test_the_contents_page_numbers_point_at_their_pages(packs):
    for content in packs.values():
        pages = page_texts(content)
        entries = re.findall(r"^\d+\. (.+?)[ .]*?(\d+)$", pages[1], flags=re.MULTILINE)
        assert len(entries) >= 7
        for name, number in entries:
            heading = pages[int(number) - 1].splitlines()[0]
            assert heading == name.rstrip(" ."), (name, number, heading)


def test_every_page_carries_the_source_date_and_its_number(packs):
    pages = page_texts(packs[WHOLE])
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Source: Synthetic demo borough" in text and "loaded on" in text


def test_the_summary_page_gives_each_measure_its_year_the_year_before_and_a_benchmark(packs, queries):
    from dashboard.views.overview import overview

    summary = page_texts(packs[WHOLE])[2]
    state, _ = parse_query(WHOLE, queries.filter_options())
    cards, _, _ = overview(queries, state)
    assert summary.startswith("Summary of measures")
    for card in cards:
        assert card.measure.label.split()[0] in summary
    # Suspension rate: 9.02 per 100 pupils in 2024/25 against 8.69 the year before (the demo's Overview cards).
    assert "9.02 per 100 pupils" in summary and "8.69" in summary and "2023/24" in summary
    # The demo board's targets, from the cards: suspensions off track, persistent absence on track (worked in
    # test_pages), in their own columns (whose headers and cells wrap, so single lines are looked for).
    assert "at most 8.50 off track" in summary and "on track" in summary and "by 2025/26" in summary
    assert "Board target: the next target for the place chosen." in summary
    assert "No board targets are loaded" not in summary


def test_a_filtered_pack_names_only_the_filters_each_chart_answers_to(packs):
    pages = page_texts(packs[NORTH_SEMH])
    cover = pages[0]
    assert "Filters: Suspension rate, 2024/25, North, primary need SEMH" in cover
    need_mix = next(p for p in pages if p.startswith("SLCN is the most common primary need"))
    # The need mix shows every need in every locality: its page must not claim North or SEMH alone.
    assert "Filters: EHC plan rate, 2024/25, the whole borough." in need_mix
    assert "primary need SEMH" not in need_mix
    assert "Left out: Suspension rate: each school against schools of its phase" in cover


def test_the_glossary_writes_out_every_need_code_and_the_symbols(packs):
    glossary = " ".join(page_texts(packs[WHOLE])[-2:])
    for words in ("Speech, language and communication needs", "Social, emotional and mental health", "Funnel plot"):
        assert words in glossary
    assert "95% confidence interval" in glossary and "shown as c" in glossary


def test_the_changes_page_says_when_there_is_no_earlier_version_and_when_nothing_moved(demo_build, tmp_path):
    from dashboard.exports.pack import build_pack
    from dashboard.query.queries import Queries
    from dashboard.store.versions import serve_version, versions_folder
    from dashboard.store.warehouse import Warehouse

    path = tmp_path / "warehouse.duckdb"
    folder = versions_folder(path)
    folder.mkdir()
    first = folder / "20260101-000000-a.duckdb"
    shutil.copy(demo_build[1], first)
    serve_version(path, first)
    assert build_pack(Queries(Warehouse(path)), WHOLE).changes is None
    second = folder / "20260102-000000-b.duckdb"
    shutil.copy(demo_build[1], second)
    serve_version(path, second)
    version, rows = build_pack(Queries(Warehouse(path)), WHOLE).changes
    assert rows == []  # the same data loaded twice: no figure or verdict moved
    assert version == Queries(Warehouse(first)).info().version


def test_the_deck_is_16_by_9_with_every_shape_on_its_slide_real_alt_text_and_short_notes(client, queries):
    response = client.get(f"/export/board-pack.pptx{NORTH_SEMH}")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    deck = Presentation(io.BytesIO(response.data))
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    for layout in deck.slide_layouts:  # the layouts are 16:9 too, not 4:3 ones on a wide slide
        for shape in layout.placeholders:
            assert shape.left + shape.width <= deck.slide_width
    state, _ = parse_query(NORTH_SEMH, queries.filter_options())
    summaries = {CHARTS[name](queries, state).summary for name in ("map", "trend", "need-mix", "localities")}
    pictures = []
    for slide in deck.slides:
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= deck.slide_width, shape.name
            assert 0 <= shape.top and shape.top + shape.height <= deck.slide_height, shape.name
            if shape.shape_type == 13:
                pictures.append(shape._element.nvPicPr.cNvPr.get("descr"))
        title = slide.shapes.title.text
        assert len(title.split()) <= 12 or title.startswith("Appendix:"), title
        assert len(slide.notes_slide.notes_text_frame.text) <= 1500
    assert set(pictures) == summaries  # alt text is each chart's summary, never "image.png"


def test_a_chart_is_drawn_for_its_place_with_no_text_under_the_smallest_size(queries):
    from dashboard.exports.images import placed

    state, _ = parse_query(WHOLE, queries.filter_options())
    figure = placed(CHARTS["funnel"](queries, state).figure, 1180, 470, 24)
    sizes = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("font") and isinstance(value, dict) and isinstance(value.get("size"), (int, float)):
                    sizes.append(value["size"])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(figure.to_plotly_json())
    assert sizes and min(sizes) >= 24
    assert (figure.layout.width, figure.layout.height) == (1180, 470) and figure.layout.title.text is None


def test_a_repeated_download_is_served_from_the_cache(client):
    from dashboard.exports.cache import _build

    first = client.get(f"/export/board-pack.pdf{WHOLE}")
    before = _build.cache_info().hits
    again = client.get("/export/board-pack.pdf?year=2024/25&measure=suspension_rate")  # the same filters reordered
    assert again.data == first.data and _build.cache_info().hits == before + 1


def test_the_changes_page_lists_a_figure_and_a_verdict_that_moved_since_the_version_before(demo_build, tmp_path):
    import duckdb

    from dashboard.exports.pack import build_pack
    from dashboard.query.queries import Queries
    from dashboard.store.versions import serve_version, versions_folder
    from dashboard.store.warehouse import Warehouse

    path = tmp_path / "warehouse.duckdb"
    folder = versions_folder(path)
    folder.mkdir()
    before, now = folder / "20260101-000000-a.duckdb", folder / "20260102-000000-b.duckdb"
    shutil.copy(demo_build[1], before)
    shutil.copy(demo_build[1], now)
    # The version before counted 100 more suspensions in the borough in 2024/25: 4,224 of 45,737 pupils.
    borough = " AND ".join(
        f"{dimension} IS NULL"
        for dimension in (
            "term", "area", "ward", "locality", "school", "cluster", "school_locality", "phase", "sen", "need",
            "broad_area", "reason",
        )
    )  # fmt: skip
    with duckdb.connect(str(before)) as con:
        con.execute(
            "UPDATE published SET value = value + 100 WHERE count = 'suspensions' AND academic_year = '2024/25' "
            f"AND family = 'borough' AND {borough}"
        )
    serve_version(path, now)
    _, rows = build_pack(Queries(Warehouse(path)), WHOLE).changes
    # 4,224 / 45,737 x 100 = 9.235 -> 9.24 before; 4,124 / 45,737 x 100 = 9.017 -> 9.02 now. Against 8.69 in
    # 2023/24, 9.24 was a significant rise (worse); 9.02 is not.
    assert rows[0] == ("Suspension rate, 2024/25", "9.24 per 100 pupils", "9.02 per 100 pupils")
    assert rows[1] == ("Suspension rate: change on the year before", "worse", "no significant change")
