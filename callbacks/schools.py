"""Schools: filters in, the funnel plot, the grids of schools and clusters, one school in detail, and the download."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from callbacks.guard import filters_from, guarded, on_filters
from dashboard.domain.filters import FilterState, to_query
from dashboard.query.queries import Queries
from dashboard.views.board import CHARTS
from dashboard.views.schools import (
    cluster_table,
    display_table,
    funnel_panel,
    grid_summary,
    school_detail,
    school_table,
    why_empty,
)
from layouts import ids
from layouts.components import panel_id, render_panel
from layouts.pages.schools import cluster_grid, school_choices, school_grid


def register(app, queries: Queries) -> None:
    """Attach the Schools page's callbacks to app."""

    @on_filters(
        app,
        queries,
        Output(ids.SCHOOLS_SUMMARY, "children"),
        Output(ids.SCHOOL_GRID_HOLDER, "children"),
        Output(ids.CLUSTER_GRID_HOLDER, "children"),
        Output(ids.SCHOOL_PICK, "options"),
    )
    def update_schools(state: FilterState):
        schools, clusters = school_table(queries, state), cluster_table(queries, state)
        if schools.empty and clusters.empty:
            why = why_empty(queries, state, "school")
            return why, html.P(why), None, []
        summary = grid_summary(schools, clusters, state)
        if schools.empty:
            # Schools are published for all their pupils; clusters by SEN provision too.
            return summary, html.P(why_empty(queries, state, "school")), cluster_grid(clusters), []
        clusters_shown = cluster_grid(clusters) if not clusters.empty else html.P(why_empty(queries, state, "cluster"))
        return summary, school_grid(schools), clusters_shown, school_choices(schools)

    @app.callback(Output(panel_id("panel", "funnel"), "children"), Input(ids.FILTER_STORE, "data"))
    @guarded(1)
    def update_funnel(filters: dict | None):
        if not filters:
            raise PreventUpdate
        state = filters_from(filters, queries)
        return render_panel(funnel_panel(queries, state), CHARTS["funnel"], to_query(state))

    @app.callback(Output(ids.SCHOOL_PICK, "value"), Input(ids.SCHOOL_GRID, "cellClicked"), prevent_initial_call=True)
    def pick_school_from_grid(clicked: dict | None):
        # Rows are keyed by URN (getRowId), so a click names its school however the grid is sorted.
        if not clicked or not clicked.get("rowId"):
            raise PreventUpdate
        return clicked["rowId"]

    @app.callback(
        Output(panel_id("panel", "school-trend"), "children"),
        Output(panel_id("panel", "school-needs"), "children"),
        Input(ids.SCHOOL_PICK, "value"),
        Input(ids.FILTER_STORE, "data"),
    )
    @guarded(2)
    def update_school_detail(urn: str | None, filters: dict | None):
        if not filters or not urn:
            return html.P(f"Choose a school to see its trend beside its cluster and {queries.area.the}."), None
        state = filters_from(filters, queries)
        trend, needs = school_detail(queries, state, urn)
        # The school is not a filter of the page's link: its export names it apart.
        filters_query = to_query(state)
        query = f"{filters_query}{'&' if filters_query else '?'}{urlencode({'urn': urn})}"
        return render_panel(trend, CHARTS["school-trend"], query), render_panel(needs, CHARTS["school-needs"], query)

    @app.callback(
        Output(ids.GRID_DOWNLOAD, "data"),
        Input(ids.GRID_DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.FILTER_STORE, "data"),
        prevent_initial_call=True,
    )
    @guarded(1)
    def download_grids(clicks: int | None, filters: dict | None):
        state = filters_from(filters, queries)
        schools = display_table(school_table(queries, state), ["URN", "School", "Phase", "Cluster", "Locality"])
        clusters = display_table(cluster_table(queries, state), ["Cluster", "Locality"])
        combined = pd.concat([schools.assign(Level="School"), clusters.assign(Level="Cluster")], ignore_index=True)
        return dcc.send_data_frame(combined.to_csv, f"schools-{state.year.replace('/', '-')}.csv", index=False)
