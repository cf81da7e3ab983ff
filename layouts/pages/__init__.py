"""The page registry: the navigation's pages in order, then the footer's; callbacks live in callbacks/<slug>.py."""

from __future__ import annotations

from dash import dcc, html

from layouts.page import Page
from layouts.pages import accessibility, data, needs, overview, schools, trends
from layouts.pages import map as map_page

PAGES: tuple[Page, ...] = (overview.PAGE, map_page.PAGE, trends.PAGE, needs.PAGE, schools.PAGE, data.PAGE)
# Pages of text linked from the footer rather than the navigation; they have no callbacks of their own.
FOOTER_PAGES: tuple[Page, ...] = (accessibility.PAGE,)
PAGES_BY_PATH = {page.path: page for page in PAGES + FOOTER_PAGES}


def not_found(path: str) -> html.Div:
    """A page for an address that does not exist."""
    return html.Div(
        [
            html.H1("Page not found"),
            html.P(f"There is no page at {path}. Choose a page from the navigation above."),
            dcc.Link("Go to the Overview", href="/", className="btn btn-primary"),
        ]
    )
