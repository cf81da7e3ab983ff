"""Needs: filters in, the need mix and the measures by SEN provision and need out."""

from __future__ import annotations

from dash import Output

from callbacks.guard import on_filters
from dashboard.domain.filters import FilterState
from dashboard.query.queries import Queries
from dashboard.views.needs import by_group, need_mix
from layouts.components import panel_id, render_panel


def register(app, queries: Queries) -> None:
    """Attach the Needs page's callbacks to app."""

    @on_filters(
        app,
        Output(panel_id("panel", "need-mix"), "children"),
        Output(panel_id("panel", "broad-mix"), "children"),
        Output(panel_id("panel", "by-sen"), "children"),
        Output(panel_id("panel", "by-need"), "children"),
    )
    def update_needs(state: FilterState):
        return (
            render_panel(need_mix(queries, state), "need-mix"),
            render_panel(need_mix(queries, state, broad=True), "broad-mix"),
            render_panel(by_group(queries, state, "sen"), "by-sen"),
            render_panel(by_group(queries, state, "need"), "by-need"),
        )
