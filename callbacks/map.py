"""Map page: a new map level or school layer sends geometry; any other filter change sends only values, as a Patch."""

from __future__ import annotations

from dash import Input, Output, Patch, State
from dash.exceptions import PreventUpdate

from callbacks.guard import on_filters
from dashboard.domain.filters import MAP_LEVELS, FilterState
from dashboard.domain.measures import MEASURES
from dashboard.query.queries import Queries
from dashboard.views.map import map_view
from layouts import ids
from layouts.tables import values_table


def register(app, queries: Queries) -> None:
    """Attach the map callbacks to app."""

    @on_filters(
        app,
        Output(ids.MAP_GRAPH, "figure"),
        Output(ids.MAP_LOADED, "data"),
        Output(ids.MAP_SUMMARY, "children"),
        Output(ids.MAP_NOTE, "children"),
        Output(ids.MAP_TABLE, "children"),
        states=(State(ids.MAP_LOADED, "data"),),
    )
    def update_map(state: FilterState, loaded: str | None):
        # The geometry in the browser is keyed by level and school layer; only a change of those redraws it.
        drawn = f"{state.level}|{state.schools}"
        view = map_view(queries, state, with_geometry=loaded != drawn)
        if view.figure is not None:
            figure = view.figure
        else:
            figure = Patch()
            for key, value in view.patch.items():
                figure["data"][0][key] = value
            figure["layout"]["title"]["text"] = view.title
        table = values_table(view.table, MEASURES[view.measure_id], MAP_LEVELS[state.level].one, view.reference_name)
        return figure, drawn, view.summary, view.note, table

    @app.callback(
        Output(ids.FILTER_LOCALITY, "value", allow_duplicate=True),
        Input(ids.MAP_GRAPH, "clickData"),
        prevent_initial_call=True,
    )
    def filter_by_clicked_place(click: dict | None):
        # Each place carries its locality code, so a click anywhere narrows every view to that locality.
        points = (click or {}).get("points") or []
        if not points or not points[0].get("customdata"):
            raise PreventUpdate
        return points[0]["customdata"]
