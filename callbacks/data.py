"""Data and methods: the files and datasets being served, and the threshold they are protected at."""

from __future__ import annotations

from dash import Input, Output

from callbacks.guard import filters_from, guarded
from dashboard.domain.filters import default_state
from dashboard.query.queries import Queries
from dashboard.views.methods import standardisation_example, standardisation_words
from layouts import ids
from layouts.pages.data import content, standardisation_section


def register(app, queries: Queries) -> None:
    """Attach the Data and methods page's callback to app."""

    @app.callback(Output(ids.DATA_CONTENT, "children"), Input(ids.FILTER_STORE, "data"))
    @guarded(1)
    def update_data_page(filters: dict | None):
        state = filters_from(filters, queries) if filters else default_state(queries.filter_options())
        if state.year is None:
            state = default_state(queries.filter_options())
        example = standardisation_example(queries, state)
        return content(
            queries.load_sources(),
            queries.dataset_status(),
            queries.threshold,
            queries.info().version,
            standardisation_section(standardisation_words(queries.area), example),
            area=queries.area,
        )
