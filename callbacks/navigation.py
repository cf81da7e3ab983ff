"""Routing: the address picks the page from the registry, and the navigation links keep the current filters."""

from __future__ import annotations

import json

from dash import Input, Output, State, dcc, html

from callbacks.guard import audience
from dashboard.domain.access import may, refusal
from dashboard.query.queries import Queries
from layouts import ids
from layouts.pages import PAGES, PAGES_BY_PATH, not_found
from layouts.shell import PRODUCT_NAME


def register(app, queries: Queries) -> None:
    """Attach the routing callbacks to app."""

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.TREND_OPTIONS, "className"),
        Output(ids.MAP_OPTIONS, "className"),
        Output(ids.FILTER_COLUMN, "className"),
        Input(ids.URL, "pathname"),
    )
    def render_page(pathname: str | None):
        path = (pathname or "/").rstrip("/") or "/"
        page = PAGES_BY_PATH.get(path)
        # The trend chart's and the map's own settings sit in the filter panel but only show on their page.
        settings = page.settings if page else None
        shown = ("" if settings == "trend" else "d-none", "" if settings == "map" else "d-none")
        filters = "pt-3" if page is None or page.filters else "d-none"
        if page is not None and not may(audience(), page.right):
            # The page's components are never drawn, so none of its callbacks has anything to answer.
            return html.Div([html.H1(page.name), html.P(refusal(page.right))]), *shown, filters
        return (page.layout() if page else not_found(pathname)), *shown, filters

    app.clientside_callback(
        # The browser's tab names the page, so a reader with many tabs open, or a screen reader, knows where it is.
        rf"""function (pathname) {{
            var names = {json.dumps({page.path: page.name for page in PAGES_BY_PATH.values()})};
            var name = names[(pathname || "/").replace(/\/+$/, "") || "/"] || "Page not found";
            document.title = name + " - {PRODUCT_NAME}";
            return name;
        }}""",
        Output(ids.PAGE_TITLE, "data"),
        Input(ids.URL, "pathname"),
    )

    app.clientside_callback(
        # On a phone the filters fold behind a button; the button says whether they are shown, in words and to
        # assistive technology. In the browser, so it opens at once.
        """function (clicks, open) {
            var now = !open;
            return [now, now ? "true" : "false", now ? "Hide filters" : "Show filters"];
        }""",
        Output(ids.FILTER_COLLAPSE, "is_open"),
        Output(ids.FILTER_TOGGLE, "aria-expanded"),
        Output(ids.FILTER_TOGGLE, "children"),
        Input(ids.FILTER_TOGGLE, "n_clicks"),
        State(ids.FILTER_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.NAV, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search"))
    def update_navigation(pathname: str | None, search: str | None):
        current = (pathname or "/").rstrip("/") or "/"
        items = []
        for page in (page for page in PAGES if may(audience(), page.right)):
            active = page.path == current
            label = [page.name, html.Span(" (current page)", className="visually-hidden")] if active else page.name
            items.append(
                html.Li(
                    dcc.Link(
                        label, href=page.path + (search or ""), className="nav-link" + (" active" if active else "")
                    ),
                    className="nav-item",
                )
            )
        return html.Ul(items, className="nav nav-pills")

    @app.callback(
        Output(ids.PACK_PDF, "href"),
        Output(ids.PACK_PPTX, "href"),
        Output(ids.MEETING_LINK, "href"),
        Input(ids.URL, "search"),
    )
    def update_pack_links(search: str | None):
        # The pack and meeting mode follow the filters in the address, as a copied link does.
        query = search or ""
        return f"/export/board-pack.pdf{query}", f"/export/board-pack.pptx{query}", f"/meeting{query}"
