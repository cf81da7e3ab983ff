"""Accessible tables: the same figures as each chart, readable without colour or a mouse."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.domain.measures import Measure
from dashboard.domain.status import NO_DATA_MESSAGE
from dashboard.views.map import MapView, display_table
from layouts.components import frame_grid
from layouts.ids import MAP_GRID

# Places beyond which the map's table is a virtualised grid: a county's thousand small areas as an HTML table are
# thousands of components for Dash to draw; a borough's 170 stay a plain table, simplest for a screen reader.
LONG_MAP_TABLE = 400


def values_table(
    view: MapView, measure: Measure, level_label: str = "Small area", long_rows: int = LONG_MAP_TABLE
) -> html.Div:
    """Places with value, interval, verdict, numerator and denominator; suppressed cells show c. More than long_rows
    places go in a virtualised grid."""
    frame = display_table(view, measure, level_label)
    if frame.empty:
        return html.P(NO_DATA_MESSAGE)
    caption = (
        f"{measure.label} by {level_label.lower()}. c = suppressed (too few children to show). "
        f"Better or worse means the 95% interval lies wholly on one side of {view.reference_name}'s figure."
    )
    if len(frame) > long_rows:
        return frame_grid(frame, caption, MAP_GRID)
    rows = [
        html.Tr(
            [html.Th(row[0], scope="row"), html.Td(row[1])]
            + [html.Td(text, className="text-end") for text in row[2:4]]
            + [html.Td(row[4])]
            + [html.Td(text, className="text-end") for text in row[5:]]
        )
        for row in frame.itertuples(index=False)
    ]
    return dbc.Table(
        [
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in frame.columns])),
            html.Tbody(rows),
        ],
        bordered=True,
        hover=True,
        striped=True,
        size="sm",
        className="caption-top",
    )
