"""Data and methods: the files and datasets being served, and the threshold they are protected at."""

from __future__ import annotations

from dash import Input, Output

from callbacks.guard import guarded
from dashboard.query.queries import Queries
from layouts import ids
from layouts.pages.data import content


def register(app, queries: Queries) -> None:
    """Attach the Data and methods page's callback to app."""

    @app.callback(Output(ids.DATA_CONTENT, "children"), Input(ids.FILTER_STORE, "data"))
    @guarded(1)
    def update_data_page(filters: dict | None):
        return content(queries.load_sources(), queries.dataset_status(), queries.threshold, queries.info().version)
