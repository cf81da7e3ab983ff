"""Needs: filters in, the need mix and the measures by SEN provision and need out, one callback per panel."""

from __future__ import annotations

from collections.abc import Callable

from dash import Output

from callbacks.guard import on_filters
from dashboard.domain.filters import FilterState, to_query
from dashboard.query.queries import Queries
from dashboard.views.needs import by_group, need_mix
from dashboard.views.panel import Panel
from layouts.components import panel_id, render_panel


def register(app, queries: Queries) -> None:
    """Attach the Needs page's callbacks to app."""
    # Each panel is its own request: they are built side by side and each shows as soon as it is ready.
    panels: dict[str, Callable[[FilterState], Panel]] = {
        "need-mix": lambda state: need_mix(queries, state),
        "broad-mix": lambda state: need_mix(queries, state, broad=True),
        "by-sen": lambda state: by_group(queries, state, "sen"),
        "by-need": lambda state: by_group(queries, state, "need"),
    }
    for name, build in panels.items():
        _register_panel(app, name, build)


def _register_panel(app, name: str, build: Callable[[FilterState], Panel]) -> None:
    @on_filters(app, Output(panel_id("panel", name), "children"))
    def update_panel(state: FilterState):
        return render_panel(build(state), name, to_query(state))
