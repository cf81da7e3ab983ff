"""Callbacks for Overview, Trends, Needs and Schools: filters in, panels out."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from callbacks import guarded
from dashboard.config import Config
from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.store.warehouse import Warehouse
from dashboard.views.needs import by_group, need_mix
from dashboard.views.overview import overview
from dashboard.views.schools import (
    SCHOOL_MEASURES,
    SHARES,
    cluster_table,
    display_table,
    funnel_panel,
    school_detail,
    school_table,
)
from dashboard.views.trends import reasons_panel, trend_panel
from layouts import ids
from layouts.components import card, panel_id, render_panel

SHARE_FIELDS = {label: f"share_{sen}" for sen, label in SHARES.items()}


def _grid_columns(first: list[dict]) -> list[dict]:
    number = (
        "params.value == null ? (params.data['{status}'] === 'suppressed' ? 'c' : '') : params.value.toFixed({places})"
    )
    columns = first + [
        {"field": "pupils", "headerName": "Pupils on roll", "type": "numericColumn", "filter": "agNumberColumnFilter"}
    ]
    for label, field in SHARE_FIELDS.items():
        columns.append(
            {
                "field": field,
                "headerName": label,
                "type": "numericColumn",
                "filter": "agNumberColumnFilter",
                "valueFormatter": {"function": number.format(status=f"{field}_status", places=1)},
            }
        )
    for measure_id in SCHOOL_MEASURES:
        measure = MEASURES[measure_id]
        columns.append(
            {
                "field": measure_id,
                "headerName": f"{measure.label} ({measure.unit})",
                "type": "numericColumn",
                "filter": "agNumberColumnFilter",
                "valueFormatter": {"function": number.format(status=f"{measure_id}_status", places=measure.decimals)},
            }
        )
    return columns


def _grid_rows(frame: pd.DataFrame) -> list[dict]:
    frame = frame.rename(columns={label: field for label, field in SHARE_FIELDS.items()})
    frame = frame.rename(columns={f"{label}_status": f"{field}_status" for label, field in SHARE_FIELDS.items()})
    # Suppressed values travel as null so they can never be read from the page; the status says why.
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _grid(grid_id: str, frame: pd.DataFrame, first: list[dict], row_id: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        getRowId=f"params.data.{row_id}",
        columnDefs=_grid_columns(first),
        rowData=_grid_rows(frame),
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True, "minWidth": 110},
        dashGridOptions={"animateRows": False, "enableCellTextSelection": True, "ensureDomOrder": True},
        columnSize="autoSize",
        style={"height": "520px"},
    )


def register(app, warehouse: Warehouse, config: Config) -> None:
    """Attach the page callbacks to app."""
    threshold = config.suppression_threshold

    @app.callback(
        Output(ids.OVERVIEW_SELECTION, "children"),
        Output(ids.OVERVIEW_CARDS, "children"),
        Output(panel_id("panel", "localities"), "children"),
        Input(ids.FILTER_STORE, "data"),
    )
    @guarded(3)
    def update_overview(filters: dict | None):
        if not filters:
            raise PreventUpdate
        cards, localities, selection = overview(warehouse, FilterState.from_dict(filters), threshold)
        row = dbc.Row(
            [
                dbc.Col(
                    card(c.measure.label, c.value, c.unit, c.change, c.verdict, c.arrow, c.benchmark, c.detail),
                    md=6,
                    xl=4,
                    className="mb-3",
                )
                for c in cards
            ]
        )
        return (
            f"Headline figures for {FilterState.from_dict(filters).year}, {selection}.",
            row,
            render_panel(localities, "localities"),
        )

    @app.callback(
        Output(panel_id("panel", "trend"), "children"),
        Output(panel_id("panel", "reasons"), "children"),
        Input(ids.FILTER_STORE, "data"),
    )
    @guarded(2)
    def update_trends(filters: dict | None):
        if not filters:
            raise PreventUpdate
        state = FilterState.from_dict(filters)
        reasons = reasons_panel(warehouse, state, threshold)
        return (
            render_panel(trend_panel(warehouse, state, threshold), "trend"),
            render_panel(reasons, "reasons") if reasons else [],
        )

    @app.callback(
        Output(panel_id("panel", "need-mix"), "children"),
        Output(panel_id("panel", "broad-mix"), "children"),
        Output(panel_id("panel", "by-sen"), "children"),
        Output(panel_id("panel", "by-need"), "children"),
        Input(ids.FILTER_STORE, "data"),
    )
    @guarded(4)
    def update_needs(filters: dict | None):
        if not filters:
            raise PreventUpdate
        state = FilterState.from_dict(filters)
        return (
            render_panel(need_mix(warehouse, state, threshold), "need-mix"),
            render_panel(need_mix(warehouse, state, threshold, broad=True), "broad-mix"),
            render_panel(by_group(warehouse, state, threshold, "sen"), "by-sen"),
            render_panel(by_group(warehouse, state, threshold, "need"), "by-need"),
        )

    @app.callback(
        Output(ids.SCHOOLS_SUMMARY, "children"),
        Output(ids.SCHOOL_GRID_HOLDER, "children"),
        Output(ids.CLUSTER_GRID_HOLDER, "children"),
        Output(ids.SCHOOL_PICK, "options"),
        Input(ids.FILTER_STORE, "data"),
    )
    @guarded(4)
    def update_schools(filters: dict | None):
        if not filters:
            raise PreventUpdate
        state = FilterState.from_dict(filters)
        schools, clusters = school_table(warehouse, state, threshold), cluster_table(warehouse, state, threshold)
        if schools.empty:
            return "No data for this selection.", html.P("No data for this selection."), None, []
        first = [
            {"field": "URN", "width": 100},
            {"field": "School", "pinned": "left", "minWidth": 240},
            {"field": "Phase"},
            {"field": "Cluster"},
            {"field": "Locality"},
        ]
        summary = (
            f"{len(schools)} schools and {len(clusters)} clusters in {state.year}. Locality and cluster here mean where the school is; "
            "the need, SEN provision and phase filters apply to the pupils counted."
        )
        download = html.Div(
            [
                html.Button(
                    "Download schools and clusters (CSV)",
                    id=ids.GRID_DOWNLOAD_BUTTON,
                    className="btn btn-outline-primary btn-sm mt-2",
                ),
                dcc.Download(id=ids.GRID_DOWNLOAD),
            ]
        )
        options = [{"label": f"{name} ({urn})", "value": urn} for urn, name in zip(schools["URN"], schools["School"])]
        return (
            summary,
            [_grid(ids.SCHOOL_GRID, schools, first, "URN"), download],
            _grid(
                ids.CLUSTER_GRID,
                clusters,
                [{"field": "Cluster", "pinned": "left", "minWidth": 200}, {"field": "Locality"}],
                "cluster",
            ),
            options,
        )

    @app.callback(Output(panel_id("panel", "funnel"), "children"), Input(ids.FILTER_STORE, "data"))
    @guarded(1)
    def update_funnel(filters: dict | None):
        if not filters:
            raise PreventUpdate
        return render_panel(funnel_panel(warehouse, FilterState.from_dict(filters), threshold), "funnel")

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
            return html.P("Choose a school to see its trend beside its cluster and the borough."), None
        trend, needs = school_detail(warehouse, FilterState.from_dict(filters), urn, threshold)
        return render_panel(trend, "school-trend"), render_panel(needs, "school-needs")

    @app.callback(
        Output(ids.GRID_DOWNLOAD, "data"),
        Input(ids.GRID_DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.FILTER_STORE, "data"),
        prevent_initial_call=True,
    )
    @guarded(1)
    def download_grids(clicks: int | None, filters: dict | None):
        state = FilterState.from_dict(filters)
        schools = display_table(
            school_table(warehouse, state, threshold), ["URN", "School", "Phase", "Cluster", "Locality"]
        )
        clusters = display_table(cluster_table(warehouse, state, threshold), ["Cluster", "Locality"])
        combined = pd.concat([schools.assign(Level="School"), clusters.assign(Level="Cluster")], ignore_index=True)
        return dcc.send_data_frame(combined.to_csv, f"schools-{state.year.replace('/', '-')}.csv", index=False)

    @app.callback(
        Output(panel_id("download", MATCH), "data"),
        Input(panel_id("download-button", MATCH), "n_clicks"),
        State(panel_id("data", MATCH), "data"),
        prevent_initial_call=True,
    )
    def download_panel(clicks: int | None, data: dict | None):
        if not data:
            raise PreventUpdate
        frame = pd.DataFrame(data["records"], columns=data["columns"])
        name = "".join(ch if ch.isalnum() else "-" for ch in data["title"].lower()).strip("-")
        return dcc.send_data_frame(frame.to_csv, f"{name}.csv", index=False)
