"""The real app in Debian's Chromium: the Map page, filters in the URL, bad links, and the shell's accessibility."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from layouts.pages import PAGES
from tests.browser.test_accessibility import choose_next_by_keyboard

pytestmark = pytest.mark.browser
AREA_PATHS = "#map-graph path.choroplethlocation"


def area_fills(page) -> list[str]:
    return page.eval_on_selector_all(AREA_PATHS, "paths => paths.map(p => getComputedStyle(p).fill)")


def downloads_aside(problems: list[str]) -> list[str]:
    """Problems other than a download's own request, which Chromium reports as aborted once the file is saved."""
    return [p for p in problems if not p.startswith("request failed:") or "/export/" not in p]


def query_of(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def open_map(page, base: str, query: str = "") -> None:
    page.goto(f"{base}/map{query}")
    page.wait_for_selector(AREA_PATHS, state="attached", timeout=30_000)
    page.wait_for_function("document.querySelector('.map-summary').textContent.length > 0")
    page.wait_for_timeout(300)  # let plotly finish colouring the paths


MAP_STILL = """() => {
    const map = document.querySelector('#map-graph');
    const drawing = map && !document.querySelector('[data-dash-is-loading]') ? map.innerHTML : null;
    if (drawing === null || window.__map !== drawing) { window.__map = drawing; window.__mapStill = 0; return false; }
    return ++window.__mapStill >= 5;
}"""


def map_drawn(page) -> None:
    """Wait until Dash has answered and plotly's drawing of the map has stood still for half a second.

    Leaving the page while plotly is still drawing makes plotly throw on the graph Dash has just unmounted:
    harmless to a reader, but a page error all the same, so a test waits for the drawing as a reader would.
    """
    page.evaluate("window.__map = undefined")
    page.wait_for_function(MAP_STILL, polling=100, timeout=30_000)


def test_the_map_redraws_and_the_link_changes_when_the_locality_changes(page, live_server):
    open_map(page, live_server)
    assert query_of(page) == {"year": "2024/25"}  # the default measure is left out of links
    before = area_fills(page)
    assert len(before) >= 160 and len(set(before)) >= 5  # one path per small area, several colour classes
    span = "() => { const r = document.querySelector('#map-graph .js-plotly-plot').layout.geo.lonaxis.range; "
    span += "return r[1] - r[0]; }"
    whole = page.evaluate(span)

    updates = []
    page.on("response", lambda r: updates.append(r) if "_dash-update-component" in r.url else None)
    page.select_option("#filter-locality", "N")
    page.wait_for_function("document.querySelector('.map-summary').textContent.includes('for North')")
    page.wait_for_timeout(300)

    assert query_of(page)["locality"] == "N"
    after = area_fills(page)
    # North's small areas, and the other three localities drawn whole, white, as outside the selection.
    assert after.count("rgb(255, 255, 255)") == 3
    assert 30 <= len(after) - 3 < len(before) - 100 and after != before
    assert page.evaluate(span) < whole * 0.8  # zoomed to North
    # Geometry went to the browser once; the filter change sent only new values (a Patch).
    bodies = [r.text() for r in updates if r.request.post_data and "map-graph" in r.request.post_data]
    assert bodies and all("FeatureCollection" not in body for body in bodies)
    assert page.problems == []


def test_two_filters_and_the_table_follow_each_other(page, live_server):
    open_map(page, live_server)
    page.select_option("#filter-measure", "persistent_absence")
    page.wait_for_function("document.querySelector('.map-summary').textContent.startsWith('Persistent absence')")
    page.select_option("#filter-measure", "suspension_rate")
    page.select_option("#filter-phase", "primary")
    page.wait_for_function("document.querySelector('.map-summary').textContent.includes('primary schools')")
    # By phase the publication offers wards and localities, not small areas: the map draws wards and says why.
    page.wait_for_function(
        "document.querySelector('#map-note').textContent.startsWith("
        "'Shown by ward: small areas are not published with the phase chosen.')"
    )
    page.wait_for_function("document.querySelector('#map-graph').textContent.includes('by ward')")
    # The filter panel says the same before any page has to refuse a view.
    page.wait_for_function(
        "document.querySelector('#filter-hint').textContent.includes('by locality, ward and school')"
    )
    # The Map level control shows the level drawn, small areas greyed out, and the link says the same.
    page.wait_for_function("document.querySelector('#filter-level').value === 'ward'")
    assert page.eval_on_selector("#filter-level option[value='area']", "option => option.disabled")
    assert not page.eval_on_selector("#filter-level option[value='ward']", "option => option.disabled")
    assert query_of(page) == {"year": "2024/25", "phase": "primary", "level": "ward"}
    # Clearing the phase offers small areas again; the map stays at the ward level drawn until another is chosen.
    page.select_option("#filter-phase", "all")
    page.wait_for_function("!document.querySelector('#filter-level option[value=\\'area\\']').disabled")
    page.wait_for_function("!document.querySelector('#map-note').textContent.includes('Shown by ward')")
    page.select_option("#filter-phase", "primary")
    page.wait_for_function("document.querySelector('#map-note').textContent.startsWith('Shown by ward')")
    page.get_by_role("tab", name="Table").click()
    header = page.inner_text("#map-table thead")
    assert "Suspension rate (per 100 pupils)" in header
    cells = page.eval_on_selector_all("#map-table tbody tr td:nth-child(3)", "tds => tds.map(td => td.textContent)")
    assert "c" in cells and any(re.fullmatch(r"\d+\.\d+", c) for c in cells)  # small groups suppressed, others shown
    assert page.problems == []


def test_a_copied_link_opens_the_same_view(page, browser, live_server):
    open_map(page, live_server, "?measure=ehcp_rate&year=2020%2F21&locality=E&need=ASD")
    assert page.input_value("#filter-measure") == "ehcp_rate"
    assert page.input_value("#filter-locality") == "E"
    assert page.input_value("#filter-need") == "ASD"
    summary = page.inner_text(".map-summary")
    assert summary.startswith("EHC plan rate in 2020/21 for East, primary need ASD")
    other = browser.new_page(bypass_csp=True)  # see conftest.page
    other.goto(page.url)
    other.wait_for_function(
        "document.querySelector('.map-summary') && document.querySelector('.map-summary').textContent.length > 0"
    )
    assert other.inner_text(".map-summary") == summary
    other.close()
    assert page.problems == []


def test_an_unknown_filter_value_in_a_link_gets_a_clear_message(page, live_server):
    open_map(page, live_server, "?locality=Narnia&measure=suspension_rate")
    message = page.inner_text("#messages")
    assert "There is no locality 'Narnia' in the data, so this view shows all localities instead." in message
    assert "locality" not in query_of(page)
    assert page.input_value("#filter-locality") == "all"
    assert "Traceback" not in page.content() and "Error" not in page.title()
    assert page.problems == []


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_every_page_loads_says_the_data_is_synthetic_and_has_one_h1(page, live_server, path):
    page.goto(live_server + path)
    page.wait_for_selector("#page-content h1")
    assert page.locator("h1").count() == 1
    assert "Synthetic demo data" in page.inner_text("header")
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.problems == []


def test_the_shell_works_by_keyboard_with_landmarks_and_labels(page, live_server):
    page.goto(live_server + "/map")
    page.wait_for_selector("#filter-locality")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    for landmark in ("header", "nav", "main", "aside", "footer"):
        assert page.locator(landmark).count() == 1, landmark
    for select in page.query_selector_all("aside select"):
        assert page.locator(f"label[for='{select.get_attribute('id')}']").count() == 1
    # Every filter can be changed from the keyboard alone.
    page.focus("#filter-phase")
    choose_next_by_keyboard(page)
    page.wait_for_function("new URLSearchParams(location.search).get('phase') === 'primary'")
    assert page.problems == []


def test_an_unknown_page_says_so(page, live_server):
    page.goto(live_server + "/nowhere")
    page.wait_for_selector("#page-content h1")
    assert page.inner_text("#page-content h1") == "Page not found"
    assert page.problems == []


PAGE_CHANGES = {
    "/": [("year", "2022/23"), ("locality", "W")],
    "/trends": [("measure", "absence_rate"), ("by", "need")],
    "/needs": [("year", "2021/22"), ("measure", "persistent_absence")],
    "/schools": [("phase", "special"), ("year", "2022/23")],
}


VIEW_TEXT = """() => [...document.querySelectorAll(
    '#page-content .panel-summary, #page-content table, #overview-cards, .schools-summary, '
    + '#page-content .ag-pinned-left-cols-container')]
    .map(e => e.textContent).join('\\n')"""


def settled_text(page) -> str:
    """What the view says (summaries, tables, cards, grid rows) once Dash has finished answering.

    Chart drawings are left out: their tick labels depend on the window, not on the data.
    """
    text = None
    for _ in range(60):
        page.wait_for_function("!document.querySelector('[data-dash-is-loading]')", timeout=30_000)
        page.wait_for_timeout(500)
        current = page.evaluate(VIEW_TEXT)
        if current == text:
            return current
        text = current
    raise AssertionError("the page did not settle")


@pytest.mark.parametrize("path", list(PAGE_CHANGES))
def test_two_filters_change_each_pages_figures_and_its_link_opens_the_same_view(page, browser, live_server, path):
    page.goto(live_server + path)
    page.wait_for_selector("#page-content .panel-summary, #page-content .ag-row", timeout=30_000)
    before = settled_text(page)
    assert "No data for this selection" not in before
    for key, value in PAGE_CHANGES[path]:
        page.select_option(f"#filter-{key}", value)
        page.wait_for_function(f"new URLSearchParams(location.search).get('{key}') === '{value}'")
    after = settled_text(page)
    assert after != before
    for _key, value in PAGE_CHANGES[path]:
        assert value in page.url.replace("%2F", "/")
    # Every chart has its table: a table element on the page, or the grid with its CSV download.
    assert page.locator("#page-content table").count() + page.locator("#page-content .ag-root").count() >= 1
    assert page.locator("#page-content .js-plotly-plot").count() + page.locator("#page-content .ag-root").count() >= 1
    other = browser.new_page(bypass_csp=True)  # see conftest.page
    other.goto(page.url)
    other.wait_for_selector("#page-content .panel-summary, #page-content .ag-row", timeout=30_000)
    reopened = settled_text(other)
    for _ in range(20):  # a busy machine may still be filling the later panels
        if reopened == after:
            break
        reopened = settled_text(other)
    assert reopened == after
    other.close()
    assert page.problems == []


def test_a_panel_table_downloads_as_csv_with_suppression(page, live_server):
    page.goto(live_server + "/needs?year=2020%2F21")
    page.wait_for_selector("#page-content .panel-summary")
    settled_text(page)
    page.get_by_role("button", name="Download", exact=True).first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Table as CSV").first.click()
    assert download.value.suggested_filename.endswith(".csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.startswith("Primary need,East,North,South & Central,West")
    assert ",c," in text or text.rstrip().endswith(",c") or ",c\n" in text
    assert downloads_aside(page.problems) == []


def test_a_chart_downloads_as_a_captioned_png_for_the_pages_filters(page, live_server):
    from PIL import Image

    page.goto(live_server + "/trends?measure=persistent_absence&phase=primary")
    page.wait_for_selector("#page-content .panel-summary")
    settled_text(page)
    page.get_by_role("button", name="Download", exact=True).first.click()
    link = page.get_by_role("link", name="Chart as PNG image").first
    assert "measure=persistent_absence" in link.get_attribute("href") and "phase=primary" in link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("persistent-absence")
    with Image.open(download.value.path()) as image:
        assert image.format == "PNG" and image.width >= 2400  # drawn at twice the width, for print
    assert downloads_aside(page.problems) == []


def test_the_table_tab_shows_the_same_figures_as_the_chart(page, live_server):
    page.goto(live_server + "/trends")
    page.wait_for_selector("#page-content .js-plotly-plot")
    trend = page.locator("section[aria-labelledby='trend-title']")
    trend.get_by_role("tab", name="Table").click()
    table = trend.locator("table").first
    table.wait_for(state="visible")
    assert "Borough" in table.inner_text() and "2024/25" in table.inner_text()
    # Beneath it, the reasons for suspensions: a chart with its own table, led by the largest reason.
    reasons = page.locator("section[aria-labelledby='reasons-title']")
    reasons.locator(".js-plotly-plot").wait_for()
    reasons.get_by_role("tab", name="Table").click()
    rows = reasons.locator("table tbody tr")
    rows.first.wait_for(state="visible")
    first_reason = rows.first.locator("td, th").first.inner_text()
    assert first_reason in reasons.locator(".panel-summary").inner_text()
    assert rows.last.locator("td, th").first.inner_text() == "All reasons"
    assert page.problems == []


def test_map_levels_redraw_the_geometry_and_a_click_filters_every_view(page, live_server):
    open_map(page, live_server, "?level=locality")
    assert len(area_fills(page)) == 4
    # The table is built when its tab is opened: the whole borough the summary quotes, then one row per locality.
    page.get_by_role("tab", name="Table").click()
    page.wait_for_function("document.querySelectorAll('#map-table tbody tr').length === 5")
    assert page.inner_text("#map-table tbody tr:first-child th") == "The whole borough"
    page.get_by_role("tab", name="Chart").click()
    page.wait_for_selector(AREA_PATHS, state="attached")
    page.select_option("#filter-level", "ward")
    page.wait_for_function(f"document.querySelectorAll('{AREA_PATHS}').length === 20")
    page.select_option("#filter-schools", "show")
    page.wait_for_selector("#map-graph .scattergeo path.point", state="attached")
    assert page.locator("#map-graph .scattergeo path.point").count() == 127
    # Clicking a ward narrows the filters to its locality, and the link follows.
    box = page.locator(AREA_PATHS).nth(0).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("new URLSearchParams(location.search).get('locality') !== null")
    locality = query_of(page)["locality"]
    assert page.input_value("#filter-locality") == locality
    # The links carry the filters one callback after the address does: a click before that would drop the locality.
    page.wait_for_function(
        "l => [...document.querySelectorAll('a')].some(a => a.textContent.trim() === 'Overview' "
        "&& new URL(a.href).searchParams.get('locality') === l)",
        arg=locality,
    )
    map_drawn(page)
    page.get_by_role("link", name="Overview").click()
    page.wait_for_selector("#overview-cards .headline-card")
    assert "(selected)" in page.inner_text("#page-content table")
    assert page.problems == []


def test_the_funnel_plot_renders_and_names_an_outlier(page, live_server):
    page.goto(live_server + "/schools")
    page.wait_for_selector("#page-content .js-plotly-plot .scatterlayer", timeout=30_000)
    settled_text(page)
    names = page.eval_on_selector_all(
        "#page-content .js-plotly-plot .scatterlayer .textpoint text", "ts => ts.map(t => t.textContent)"
    )
    assert [n for n in names if n.strip()], "an outlier school is labelled on the funnel plot"
    assert "Beyond the 99.8% limits, which" in page.inner_text("#page-content .panel-summary")
    # A councillor reads the chart from words on the page: the how-to-read line beside it and axes in words.
    assert "How to read this: each dot is a school." in page.inner_text("#page-content .chart-panel")
    titles = page.eval_on_selector_all(
        "#page-content .js-plotly-plot .g-ytitle, .g-xtitle", "ts => ts.map(t => t.textContent)"
    )
    assert "Times the borough rate for its phase" in " ".join(titles)
    assert "Suspensions expected at the borough rate for its phase" in " ".join(titles)
    assert page.problems == []


def test_the_map_colours_places_better_similar_or_worse_with_words_in_legend_and_table(page, live_server):
    open_map(page, live_server)
    by_rate = area_fills(page)
    page.select_option("#filter-colour", "verdict")
    page.wait_for_function("new URLSearchParams(location.search).get('colour') === 'verdict'")
    page.wait_for_function("document.querySelector('#map-graph').textContent.includes('Worse than the borough')")
    page.wait_for_timeout(300)
    fills = area_fills(page)
    # Okabe-Ito blue, yellow and vermillion for better, similar and worse, instead of the rate's classes.
    assert {"rgb(0, 114, 178)", "rgb(240, 228, 66)", "rgb(213, 94, 0)"} <= set(fills) and fills != by_rate
    legend = page.inner_text("#map-graph")
    assert all(
        words in legend for words in ("Better than the borough", "Similar to the borough", "Worse than the borough")
    )
    page.get_by_role("tab", name="Table").click()
    page.wait_for_selector("#map-table table")
    table = page.inner_text("#map-table")
    assert "Compared with the borough" in table and "95% interval" in table and "Worse than the borough" in table
    assert page.problems == []


def test_compared_with_expected_given_deprivation_changes_the_legend_colours_and_table(page, live_server):
    open_map(page, live_server, "?colour=verdict&level=ward")
    page.wait_for_function(
        "(document.querySelector('#map-graph') || {textContent: ''}).textContent.includes('Worse than the borough')"
    )
    page.wait_for_timeout(300)
    against_borough = area_fills(page)
    page.get_by_role("tab", name="Table").click()
    page.wait_for_selector("#map-table table")
    borough_table = page.inner_text("#map-table")
    # The choice is a labelled control in the filters, used from the keyboard like the rest.
    page.get_by_label("Compared with").select_option("expected")
    page.wait_for_function("new URLSearchParams(location.search).get('compare') === 'expected'")
    page.wait_for_function(
        "(document.querySelector('#map-graph') || {textContent: ''}).textContent"
        ".includes('against expected given deprivation')"
    )
    page.wait_for_function(
        "(document.querySelector('#map-table') || {textContent: ''}).textContent.includes('Times expected')"
    )
    page.wait_for_timeout(300)
    legend = page.inner_text("#map-graph")
    assert "Worse than expected given deprivation" in legend and "Worse than the borough" not in legend
    table = page.inner_text("#map-table")
    assert "Compared with expected given deprivation" in table and "Compared with the borough" not in table
    assert table != borough_table
    page.get_by_role("tab", name="Chart").click()
    page.wait_for_timeout(300)
    assert area_fills(page) != against_borough  # some wards change colour: the verdicts moved
    assert "Against the count expected for their pupils" in page.inner_text(".map-summary")
    assert page.problems == []


def test_meeting_mode_runs_from_the_keyboard_forward_back_and_out(page, live_server):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(live_server + "/meeting?measure=persistent_absence&locality=N")
    page.wait_for_selector("#slide-1:not([hidden])")
    page.wait_for_function("document.querySelectorAll('.slide__chart .main-svg').length > 0")  # charts drawn
    # Large type for the back of the room, and the filters and data status on every slide.
    assert float(page.eval_on_selector("body", "e => parseFloat(getComputedStyle(e).fontSize)")) >= 28
    status = page.inner_text(".meeting-bar__status")
    assert "Persistent absence, 2024/25, North" in status and "Data to" in status
    assert page.locator("h1").count() == 1

    def showing() -> int:
        return int(page.eval_on_selector("main", "m => [...m.children].findIndex(s => !s.hidden)")) + 1

    page.keyboard.press("ArrowRight")
    assert showing() == 2 and page.inner_text("#slide-2 h2") == "Headline measures"
    page.keyboard.press(" ")
    assert showing() == 3
    heading = page.inner_text("#slide-3 h2")
    assert heading == "North: persistent absence of 22.2% in 2024/25"  # the key message is the heading
    assert heading in page.inner_text("#meeting-position")  # and is said aloud by the live region
    # The figures behind it are the subtitle, and the chart is described by them.
    summary = page.inner_text("#slide-3 .slide__summary")
    assert summary.startswith("Persistent absence in 2024/25 for North")
    assert page.get_attribute("#slide-3 [role=img]", "aria-label") == summary
    page.keyboard.press("ArrowLeft")
    assert showing() == 2
    page.keyboard.press("End")
    last = showing()
    page.get_by_role("button", name="Previous").click()
    assert showing() == last - 1
    page.keyboard.press("Home")
    assert showing() == 1
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r".*/\?.*measure=persistent_absence.*"))
    assert query_of(page)["locality"] == "N"
    assert page.problems == []


# The shown slide measured: whether the page scrolls, whether the bar, the slide and the controls lie in the window
# and every part of the slide inside it, the heading's lines, the chart's height and its text sizes.
SHOWN_SLIDE = """() => {
    const slide = [...document.querySelectorAll('.slide')].find(s => !s.hidden);
    const box = e => e.getBoundingClientRect();
    const within = (b, o) => b.top >= o.top - 1 && b.left >= o.left - 1 && b.bottom <= o.bottom + 1
        && b.right <= o.right + 1;
    const screen = {top: 0, left: 0, bottom: innerHeight, right: innerWidth};
    const heading = slide.querySelector('.slide__heading');
    const chart = slide.querySelector('.slide__chart');
    const tiles = slide.querySelector('.tiles');
    return {
        id: slide.id,
        scrolls: document.scrollingElement.scrollHeight > innerHeight,
        outside: ['.meeting-bar', '.meeting-controls', '.meeting-keys', '#' + slide.id]
            .filter(s => !within(box(document.querySelector(s)), screen)),
        spilled: [...slide.querySelectorAll('*')]
            .filter(e => !e.parentElement.closest('.slide__chart') && !within(box(e), box(slide)))
            .map(e => e.className || e.tagName),
        lines: box(heading).height / parseFloat(getComputedStyle(heading).lineHeight),
        height: box(slide).height,
        chart: chart ? box(chart).height : null,
        tiles: tiles ? box(tiles).height : null,
        fonts: [...slide.querySelectorAll('.main-svg text')].filter(t => t.textContent.trim())
            .map(t => parseFloat(getComputedStyle(t).fontSize)),
    };
}"""


def test_meeting_mode_fits_the_screen_at_projector_sizes_slide_by_slide(browser, live_server):
    """At 1080p, 768p and 720p every slide fits the screen with its bar and controls: no scrolling, nothing spilling
    out of the slide, headings of at most two lines, the chart filling the room left, its text 20px at 1080p."""
    problems = []
    for width, height in ((1920, 1080), (1366, 768), (1280, 720)):
        page = browser.new_page(viewport={"width": width, "height": height}, bypass_csp=True)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(live_server + "/meeting")  # the default filters: the funnel slide is among them
        page.wait_for_function(
            "[...document.querySelectorAll('.slide__chart')].every(c => c.querySelector('.main-svg'))"
        )
        count = page.locator(".slide").count()
        assert count == 7
        for number in range(1, count + 1):
            if number > 1:
                page.keyboard.press("ArrowRight")
            page.wait_for_timeout(150)  # plotly fits a chart to its frame 100 ms after it is shown
            shown = page.evaluate(SHOWN_SLIDE)
            where = f"slide {number} at {width}x{height}"
            assert shown["id"] == f"slide-{number}", where
            assert not shown["scrolls"] and shown["outside"] == [] and shown["spilled"] == [], (where, shown)
            assert shown["lines"] <= 2.1, (where, shown["lines"])
            if shown["chart"] is not None:
                assert shown["chart"] >= 0.4 * height, (where, shown["chart"])  # the chart takes the room left
                assert shown["fonts"], where
                # 20px at 1080p, scaled with the screen but never under 14px.
                assert min(shown["fonts"]) >= (20 if height == 1080 else 14), (where, sorted(set(shown["fonts"])))
            if shown["tiles"] is not None:
                assert shown["tiles"] >= 0.7 * shown["height"], where  # the headline tiles fill the slide
        page.close()
    assert problems == []


def test_the_map_downloads_as_a_pdf_for_its_filters(page, live_server):
    open_map(page, live_server, "?level=ward&measure=persistent_absence")
    page.get_by_role("button", name="Download", exact=True).click()
    link = page.get_by_role("link", name="Chart as PDF")
    assert "level=ward" in link.get_attribute("href") and "measure=persistent_absence" in link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "persistent-absence-by-ward-2024-25-the-whole-borough.pdf"
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    assert downloads_aside(page.problems) == []


@pytest.fixture(scope="module")
def map_of_few_places(demo_build):
    """The app with a map that draws at most 100 places at once, as England's does at 2,500: the borough's 170 small
    areas are then drawn one locality at a time."""
    from dashboard.config import Config
    from tests.browser.conftest import served

    with served(Config(warehouse_path=demo_build[1], map_places=100)) as address:
        yield address


def test_a_level_too_large_to_draw_whole_is_drawn_a_locality_at_a_time(page, map_of_few_places, warehouse):
    asked = []
    page.on("request", lambda r: asked.append(urlparse(r.url).path) if "/geometry/" in r.url else None)
    open_map(page, map_of_few_places)
    assert len(area_fills(page)) == 20  # the borough's wards, not its 170 small areas
    assert page.inner_text("#map-note").startswith(
        "Shown by ward: the borough's small areas are too many to draw at once. To see small areas, choose a "
        "locality in the filters or click one on the map."
    )
    counts = warehouse.query("SELECT locality_code, count(*) AS n FROM area GROUP BY 1")
    areas = dict(zip(counts["locality_code"], counts["n"], strict=True))
    for locality in ("E", "W"):
        page.select_option("#filter-locality", locality)
        # The locality's small areas, and the other three localities drawn whole, white, as outside the selection.
        page.wait_for_function(f"document.querySelectorAll('{AREA_PATHS}').length === {areas[locality] + 3}")
        page.wait_for_timeout(300)
        assert area_fills(page).count("rgb(255, 255, 255)") == 3
        assert not page.inner_text("#map-note").startswith("Shown by ward")
    version = warehouse.info().version
    # Each locality's boundaries were fetched alone; the borough's 170 small areas never were.
    assert f"/geometry/{version}/area/E.json" in asked and f"/geometry/{version}/area/W.json" in asked
    assert f"/geometry/{version}/area.json" not in asked
    assert page.problems == []
