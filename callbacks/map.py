"""Map page: the first draw sends the geometry; every later filter change sends only new values as a Patch."""
from __future__ import annotations

from dash import Input, Output, Patch, State
from dash.exceptions import PreventUpdate

from dashboard.config import Config
from dashboard.filters import FilterState
from dashboard.measures import MEASURES
from dashboard.views import map_view
from dashboard.warehouse import Warehouse
from callbacks import guarded
from layouts import ids
from layouts.tables import values_table


def register(app, warehouse: Warehouse, config: Config) -> None:
    """Attach the map callbacks to app."""

    @app.callback(
        Output(ids.MAP_GRAPH, "figure"),
        Output(ids.MAP_LOADED, "data"),
        Output(ids.MAP_SUMMARY, "children"),
        Output(ids.MAP_NOTE, "children"),
        Output(ids.MAP_TABLE, "children"),
        Input(ids.FILTER_STORE, "data"),
        State(ids.MAP_LOADED, "data"),
    )
    @guarded(5)
    def update_map(filters: dict | None, loaded: str | None):
        if not filters:
            raise PreventUpdate
        view = map_view(warehouse, FilterState.from_dict(filters), config.suppression_threshold, with_geometry=loaded is None)
        if view.figure is not None:
            figure = view.figure
        else:
            figure = Patch()
            for key, value in view.patch.items():
                figure["data"][0][key] = value
            figure["layout"]["title"]["text"] = view.title
        return figure, "loaded", view.summary, view.note, values_table(view.table, MEASURES[view.measure_id])
