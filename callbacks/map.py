"""Map page: a new map level or school layer sends geometry; any other filter change sends only values, as a Patch."""

from __future__ import annotations

from dash import Input, Output, Patch, State
from dash.exceptions import PreventUpdate

from callbacks.guard import audience, on_filters
from dashboard.domain.access import SCHOOLS, may
from dashboard.domain.filters import MAP_LEVELS, FilterState, to_query
from dashboard.domain.measures import MEASURES
from dashboard.query.queries import Queries
from dashboard.views.board import CHARTS
from dashboard.views.map import geometry_name, map_view
from layouts import ids
from layouts.components import download_menu
from layouts.tables import values_table


def register(app, queries: Queries) -> None:
    """Attach the map callbacks to app."""

    @on_filters(
        app,
        queries,
        Output(ids.MAP_GRAPH, "figure"),
        Output(ids.MAP_LOADED, "data"),
        Output(ids.MAP_SUMMARY, "children"),
        Output(ids.MAP_NOTE, "children"),
        states=(State(ids.MAP_LOADED, "data"),),
    )
    def update_map(state: FilterState, loaded: str | None):
        # The browser fetches each level's boundaries once, from their own address; the figure only names it.
        # A new level or school layer draws the whole figure; any other change sends the layers as a Patch.
        # The level drawn may be coarser than the one asked for (the view says why), so the view names it.
        served = app.get_relative_path(f"/geometry/{queries.info().version}/")
        view = map_view(
            queries,
            state,
            with_geometry=False,
            geometry=lambda level, locality: f"{served}{geometry_name(level, locality)}.json",
            schools=may(audience(), SCHOOLS),
        )
        # Layers are patched by position: a level and school layer always have the same layers (an empty school
        # layer where there is no school to draw), so a new level or school layer draws the whole figure.
        # A level drawn one locality at a time has boundaries of its own for each locality: a new one draws it whole.
        drawn = f"{view.level}|{state.schools}" + (
            f"|{state.locality}" if queries.drawn_by_locality(view.level) else ""
        )
        if loaded != drawn or view.figure is not None:
            figure = view.whole_figure_spec()
        else:
            figure = Patch()
            for index, trace in enumerate(view.patch["traces"]):
                figure["data"][index] = trace
            figure["layout"]["coloraxis"] = view.patch["coloraxis"]
            figure["layout"]["title"]["text"] = view.patch["title"]
            for key, value in view.patch.get("geo", {}).items():
                figure["layout"]["geo"][key] = value  # zoomed to the selection
        return figure, drawn, view.summary, view.note

    @on_filters(
        app,
        queries,
        Output(ids.MAP_TABLE, "children"),
        inputs=(Input(ids.TAB_CHOICES, "data"),),
    )
    def update_map_table(state: FilterState, tab_choices: dict | None):
        # The table is built when it is read: hundreds of rows need not travel with every change of the map.
        if (tab_choices or {}).get(ids.MAP_TABS) != "table":
            raise PreventUpdate
        view = map_view(queries, state, with_geometry=False, schools=may(audience(), SCHOOLS))
        return values_table(view, MEASURES[view.measure_id], MAP_LEVELS[view.level].one)

    @on_filters(app, queries, Output(ids.MAP_DOWNLOAD, "children"))
    def update_map_download(state: FilterState):
        # The map and its table as files, for these filters: the same address scheme as every chart.
        return download_menu(CHARTS["map"], to_query(state))

    @app.callback(
        Output(ids.FILTER_LOCALITY, "value", allow_duplicate=True),
        Input(ids.MAP_GRAPH, "clickData"),
        State(ids.MAP_LOADED, "data"),
        prevent_initial_call=True,
    )
    def filter_by_clicked_place(click: dict | None, drawn: str | None):
        # A click on a place, a school or a locality outside the selection narrows every view to its locality.
        points = (click or {}).get("points") or []
        if not points:
            raise PreventUpdate
        point = points[0]
        if point.get("customdata") and isinstance(point["customdata"], str):
            return point["customdata"]  # a school point or an outside locality carries its locality
        # Places are named by their feature ids in the level drawn (map_loaded says which).
        level = (drawn or "").split("|")[0]
        location = point.get("location")
        if level not in MAP_LEVELS or not isinstance(location, int):
            raise PreventUpdate
        places = queries.place_table(level)
        if not 0 <= location < len(places):
            raise PreventUpdate
        return places["locality_code"].iat[location]
