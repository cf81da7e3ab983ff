"""A phone (390 x 844) and a laptop (1400 x 900): each page's headline is on the first screen, nothing scrolls
sideways, every chart's box is on the screen and its plot keeps its height, and on the phone the filters fold away."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import settle

pytestmark = pytest.mark.browser

PHONE, LAPTOP = (390, 844), (1400, 900)
# What a page leads with: the Overview's first card, the Map's summary, or another page's first panel's summary.
HEADLINE = ".headline-card .card-value, .map-summary, .panel-summary"
PAGES = ["/", "/map", "/trends", "/needs", "/schools"]

LOOK = """headline => {
    const width = document.documentElement.clientWidth, height = window.innerHeight;
    const first = document.querySelector(headline);
    const box = first && first.getBoundingClientRect();
    const charts = [...document.querySelectorAll('figure.chart')].map(chart => chart.getBoundingClientRect())
        .filter(b => b.width > 0).map(b => ({left: b.left, right: b.right}));
    const plots = [...document.querySelectorAll('figure.chart .js-plotly-plot')]
        .filter(gd => gd.id !== 'map-graph' && gd._fullLayout && gd.getBoundingClientRect().width > 0)
        .filter(gd => gd._fullLayout.showlegend && gd.data.filter(t => t.showlegend !== false).length > 2)
        .map(gd => Math.round(100 * gd._fullLayout._size.h / gd._fullLayout.height));
    return {width, height, scroll: document.documentElement.scrollWidth - width,
            headline: box ? {top: box.top, bottom: box.bottom, text: first.textContent} : null, charts, plots};
}"""


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390x844", "1400x900"])
def test_each_page_leads_with_its_headline_and_fits_the_screen(page, live_server, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    found = {}
    for path in PAGES:
        page.goto(f"{live_server}{path}?year=2024/25")
        settle(page)
        found[path] = look = page.evaluate(LOOK, HEADLINE)
        assert look["headline"] and look["headline"]["text"].strip(), path
        # The headline's first line is on the first screen, above the fold.
        assert 0 <= look["headline"]["top"] < size[1] - 40, (path, look["headline"])
        assert look["scroll"] <= 0, (path, look["scroll"])
        assert look["charts"], path
        assert all(c["left"] >= 0 and c["right"] <= look["width"] + 1 for c in look["charts"]), (path, look["charts"])
        # A chart with a legend of many rows adds height rather than squashing its plot: the plot keeps at least 45%
        # of the chart (on Trends it had 170 px of 440, 39%).
        assert all(share >= 45 for share in look["plots"]), (path, look["plots"])
    assert page.problems == []


def test_on_a_phone_the_filters_fold_behind_a_button_that_says_whether_they_are_shown(page, live_server):
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.goto(f"{live_server}/trends?year=2024/25")
    settle(page)
    toggle = page.locator("#filter-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.inner_text() == "Show filters"
    assert not page.locator("#filter-measure").is_visible()
    toggle.click()
    page.wait_for_function("document.querySelector('#filter-measure').offsetParent !== null")
    assert toggle.get_attribute("aria-expanded") == "true" and toggle.inner_text() == "Hide filters"
    # A filter chosen on the phone changes the page, as on a laptop.
    page.select_option("#filter-locality", "W")
    page.wait_for_function("location.search.includes('locality=W')")
    page.wait_for_function(
        "document.querySelector('.js-plotly-plot').data.filter(t => t.mode === 'lines+markers')[0].name === 'West'"
    )
    toggle.click()
    page.wait_for_function("document.querySelector('#filter-measure').offsetParent === null")
    assert toggle.get_attribute("aria-expanded") == "false"
    # On a laptop there is no button: the filters are always beside the page.
    page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
    assert not toggle.is_visible() and page.locator("#filter-measure").is_visible()
    assert page.problems == []
