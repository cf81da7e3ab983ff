"""Map: choropleth by small area, ward or locality, its one-line summary, and the same values as a table."""

from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.components import GRAPH_CONFIG, chart_figure, table_box, tabs
from layouts.page import Page

QUESTION = "Where do the rates differ, small area by small area?"


def layout() -> html.Div:
    """Map page: choropleth by small area, its one-line summary, and the same values as a table."""
    return html.Div(
        [
            html.H1("Map"),
            html.P(
                "Click a place to narrow every page to its locality; choose the map level (and, for officers, school "
                "points) under 'Map' in the filters.",
                className="text-muted",
            ),
            html.P(id=ids.MAP_SUMMARY, className="lead map-summary"),
            html.Div(id=ids.MAP_NOTE),
            tabs(
                ids.MAP_TABS,
                "Map: chart or table",
                [
                    (
                        "chart",
                        "Chart",
                        chart_figure(
                            dcc.Loading(
                                dcc.Graph(
                                    id=ids.MAP_GRAPH,
                                    config={**GRAPH_CONFIG, "scrollZoom": False},
                                    style={"height": "620px"},
                                ),
                                type="dot",
                            ),
                            ids.MAP_SUMMARY,
                        ),
                    ),
                    (
                        "table",
                        "Table",
                        [
                            html.P(
                                "The same figures as the map, for reading without colour or a mouse.",
                                className="text-muted mt-2",
                            ),
                            table_box(html.Div(id=ids.MAP_TABLE), "Map: table"),
                        ],
                    ),
                ],
            ),
            html.Div(id=ids.MAP_DOWNLOAD),
            dcc.Store(id=ids.MAP_LOADED),
        ]
    )


PAGE = Page("/map", "Map", QUESTION, "map", layout, settings="map")
