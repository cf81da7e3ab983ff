"""Accessible tables: the same figures as each chart, readable without colour or a mouse."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.domain.measures import Measure
from dashboard.domain.status import NO_DATA_MESSAGE
from dashboard.views.map import MapView, display_table


def values_table(view: MapView, measure: Measure, level_label: str = "Small area") -> html.Div:
    """Places with value, interval, verdict, numerator and denominator; suppressed cells show c."""
    frame = display_table(view, measure, level_label)
    if frame.empty:
        return html.P(NO_DATA_MESSAGE)
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
            html.Caption(
                f"{measure.label} by {level_label.lower()}. c = suppressed (too few children to show). "
                f"Better or worse means the 95% interval lies wholly on one side of {view.reference_name}'s figure."
            ),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in frame.columns])),
            html.Tbody(rows),
        ],
        bordered=True,
        hover=True,
        striped=True,
        size="sm",
        className="caption-top",
    )
