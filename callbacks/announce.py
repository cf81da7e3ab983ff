"""What a screen reader hears: once every view of the page has redrawn, one sentence saying what they now show."""

from __future__ import annotations

from dash import ALL, Input, Output, State

from callbacks.guard import filters_from, guarded
from dashboard.domain.measures import MEASURES
from dashboard.query.queries import Queries
from dashboard.views.sentences import views_updated
from layouts import ids
from layouts.pages import PAGES_BY_PATH


def register(app, queries: Queries) -> None:
    """Attach the announcement of updated views to app."""

    # Dash holds a callback back until every callback writing to its inputs has answered, so listening to every
    # panel and view of the page means speaking once, after the last of them, rather than while some still load.
    @app.callback(
        Output(ids.ANNOUNCE, "children"),
        Input({"type": "panel", "panel": ALL}, "children"),
        Input(ids.view_id(ALL), "children"),
        State(ids.FILTER_STORE, "data"),
        State(ids.URL, "pathname"),
    )
    @guarded(1)
    def announce_views(panels: list, views: list, filters: dict | None, pathname: str | None):
        page = PAGES_BY_PATH.get((pathname or "/").rstrip("/") or "/")
        if not filters or page is None or not (panels or views):
            return ""
        state = filters_from(filters, queries)
        return views_updated(page.name, state, queries.filter_options(), MEASURES[state.measure])
