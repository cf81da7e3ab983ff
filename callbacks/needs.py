"""Needs: filters in, the need mix and the measures by SEN provision and need out, one callback per panel."""

from __future__ import annotations

from dash import Output

from callbacks.guard import audience, on_filters
from dashboard.domain.filters import FilterState, to_query
from dashboard.query.queries import Queries
from dashboard.views.board import CHARTS, Chart
from layouts.components import panel_id, render_panel


def register(app, queries: Queries) -> None:
    """Attach the Needs page's callbacks to app."""
    # Each panel is its own request: they are built side by side and each shows as soon as it is ready.
    for name in ("need-mix", "broad-mix", "by-sen", "by-need", "early-identification", "early-absence"):
        _register_panel(app, queries, CHARTS[name])


def _register_panel(app, queries: Queries, chart: Chart) -> None:
    @on_filters(app, queries, Output(panel_id("panel", chart.name), "children"))
    def update_panel(state: FilterState):
        return render_panel(chart(queries, state, audience()), chart, to_query(state))
