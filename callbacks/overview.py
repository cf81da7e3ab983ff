"""Overview: filters in, headline cards and the locality table out."""

from __future__ import annotations

from dash import Output

from callbacks.guard import on_filters
from dashboard.domain.filters import FilterState, to_query
from dashboard.query.queries import Queries
from dashboard.views.board import CHARTS
from dashboard.views.overview import overview
from layouts import ids
from layouts.components import panel_id, render_panel
from layouts.pages.overview import card_row


def register(app, queries: Queries) -> None:
    """Attach the Overview's callbacks to app."""

    @on_filters(
        app,
        queries,
        Output(ids.OVERVIEW_SELECTION, "children"),
        Output(ids.OVERVIEW_CARDS, "children"),
        Output(panel_id("panel", "localities"), "children"),
    )
    def update_overview(state: FilterState):
        cards, localities, selection = overview(queries, state)
        return (
            f"Headline figures for {state.year}, {selection}.",
            card_row(cards),
            render_panel(localities, CHARTS["localities"], to_query(state)),
        )
