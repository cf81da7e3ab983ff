"""Trends: filters in, the trend panel and the reasons panel out."""

from __future__ import annotations

from dash import Output

from callbacks.guard import on_filters
from dashboard.domain.filters import FilterState, to_query
from dashboard.query.queries import Queries
from dashboard.views.board import CHARTS
from dashboard.views.trends import reasons_panel, trend_panel
from layouts.components import panel_id, render_panel


def register(app, queries: Queries) -> None:
    """Attach the Trends page's callbacks to app."""

    @on_filters(
        app,
        queries,
        Output(panel_id("panel", "trend"), "children"),
        Output(panel_id("panel", "reasons"), "children"),
    )
    def update_trends(state: FilterState):
        reasons, query = reasons_panel(queries, state), to_query(state)
        trend = render_panel(trend_panel(queries, state), CHARTS["trend"], query)
        return trend, render_panel(reasons, CHARTS["reasons"], query) if reasons else []
