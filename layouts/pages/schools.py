"""Schools: the funnel plot, sortable and filterable grids of schools and clusters, and one school in detail."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.domain.access import SCHOOLS
from dashboard.domain.measures import MEASURES
from dashboard.views.board import CHARTS
from dashboard.views.schools import SHARES, grid_measures
from layouts import ids
from layouts.components import page_heading, panel_placeholder, tabs
from layouts.page import Page

QUESTION = "How does each school and cluster compare, fairly?"
SCHOOL_COLUMNS = [
    {"field": "URN", "width": 100},
    {"field": "School", "pinned": "left", "minWidth": 240},
    {"field": "Phase"},
    {"field": "Cluster"},
    {"field": "Locality"},
]
CLUSTER_COLUMNS = [{"field": "Cluster", "pinned": "left", "minWidth": 200}, {"field": "Locality"}]


def layout() -> html.Div:
    """Schools: sortable, filterable grids of schools and clusters, and one school in detail."""
    return html.Div(
        [
            *page_heading("Schools", QUESTION + " Small numbers are shown as c; sort or filter any column."),
            panel_placeholder(CHARTS["funnel"]),
            html.H2("Every school and cluster", className="h4"),
            html.P(id=ids.SCHOOLS_SUMMARY, className="schools-summary"),
            tabs(
                ids.SCHOOLS_TABS,
                "Schools or clusters",
                [
                    ("schools", "Schools", html.Div(id=ids.SCHOOL_GRID_HOLDER, className="pt-2")),
                    ("clusters", "Clusters", html.Div(id=ids.CLUSTER_GRID_HOLDER, className="pt-2")),
                ],
            ),
            html.H2("One school in detail", className="h4 mt-4"),
            html.Label("School", htmlFor=ids.SCHOOL_PICK, className="form-label"),
            dbc.Select(id=ids.SCHOOL_PICK, options=[], className="mb-3", style={"maxWidth": "32rem"}),
            html.P("Choose a school here, or click its row in the table above.", className="small text-muted"),
            panel_placeholder(CHARTS["school-trend"]),
            panel_placeholder(CHARTS["school-needs"]),
        ]
    )


SHARE_FIELDS = {label: f"share_{sen}" for sen, label in SHARES.items()}


def _grid_columns(first: list[dict], measures: list[str]) -> list[dict]:
    """Column definitions: the identifying columns, pupils, SEN shares and every measure, c where suppressed."""
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
    for measure_id in measures:
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
    """Rows for the grid, keyed by the column fields."""
    frame = frame.rename(columns={label: field for label, field in SHARE_FIELDS.items()})
    frame = frame.rename(columns={f"{label}_status": f"{field}_status" for label, field in SHARE_FIELDS.items()})
    # Suppressed values travel as null so they can never be read from the page; the status says why.
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _grid(grid_id: str, frame: pd.DataFrame, first: list[dict], row_id: str) -> dag.AgGrid:
    """A virtualised, sortable and filterable grid."""
    return dag.AgGrid(
        id=grid_id,
        getRowId=f"params.data.{row_id}",
        columnDefs=_grid_columns(first, grid_measures(frame)),
        rowData=_grid_rows(frame),
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True, "minWidth": 110},
        dashGridOptions={"animateRows": False, "enableCellTextSelection": True, "ensureDomOrder": True},
        columnSize="autoSize",
        style={"height": "520px"},
    )


def school_grid(schools: pd.DataFrame) -> list:
    """Every school in a grid, rows keyed by URN, with the download button for schools and clusters beneath it."""
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
    return [_grid(ids.SCHOOL_GRID, schools, SCHOOL_COLUMNS, "URN"), download]


def cluster_grid(clusters: pd.DataFrame) -> dag.AgGrid:
    """Every cluster in a grid, rows keyed by cluster code."""
    return _grid(ids.CLUSTER_GRID, clusters, CLUSTER_COLUMNS, "cluster")


def school_choices(schools: pd.DataFrame) -> list[dict]:
    """The schools as choices for the detail picker: 'Name (URN)'."""
    return [{"label": f"{name} ({urn})", "value": urn} for urn, name in zip(schools["URN"], schools["School"])]


PAGE = Page("/schools", "Schools", QUESTION, "schools", layout, right=SCHOOLS)
