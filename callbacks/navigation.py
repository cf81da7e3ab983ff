"""Routing: the address picks the page, and the navigation links keep the current filters."""

from __future__ import annotations

from dash import Input, Output, dcc, html

from dashboard.config import Config
from dashboard.query.catalogue import dataset_status, load_sources
from dashboard.store.warehouse import Warehouse
from layouts import ids
from layouts.pages import (
    PAGES,
    PAGES_BY_PATH,
    create_data_page,
    create_map_page,
    create_needs_page,
    create_not_found,
    create_overview_page,
    create_schools_page,
    create_trends_page,
)

BUILDERS = {
    "/": create_overview_page,
    "/map": create_map_page,
    "/trends": create_trends_page,
    "/needs": create_needs_page,
    "/schools": create_schools_page,
}


def register(app, warehouse: Warehouse, config: Config) -> None:
    """Attach the routing callbacks to app."""

    @app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.TREND_OPTIONS, "className"),
        Output(ids.MAP_OPTIONS, "className"),
        Input(ids.URL, "pathname"),
    )
    def render_page(pathname: str | None):
        path = (pathname or "/").rstrip("/") or "/"
        # The trend chart's and the map's own settings sit in the filter panel but only show on their page.
        shown = ("" if path == "/trends" else "d-none", "" if path == "/map" else "d-none")
        if path not in PAGES_BY_PATH:
            return create_not_found(pathname), *shown
        if path == "/data":
            return create_data_page(
                load_sources(warehouse), dataset_status(warehouse), config.suppression_threshold
            ), *shown
        return BUILDERS[path](), *shown

    @app.callback(Output(ids.NAV, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search"))
    def update_navigation(pathname: str | None, search: str | None):
        current = (pathname or "/").rstrip("/") or "/"
        items = []
        for page in PAGES:
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
