"""Accessible tables: the same figures as each chart, readable without colour or a mouse."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.measures import Measure, sentence_case
from dashboard.panels import NO_DATA_MESSAGE, count_text, rate_text
from dashboard.queries import SHOWN, SUPPRESSED


def values_table(frame: pd.DataFrame, measure: Measure, level_label: str = "Small area") -> html.Div:
    """Places with value, numerator and denominator; suppressed cells show c."""
    if not frame["status"].isin([SHOWN, SUPPRESSED]).any():
        return html.P(NO_DATA_MESSAGE)
    header = (level_label, "Part of", f"{measure.label} ({measure.unit})", sentence_case(measure.numerator_label), sentence_case(measure.denominator_label))
    rows = [
        html.Tr([
            html.Th(row.name, scope="row"),
            html.Td(row.context),
            html.Td(rate_text(row.value, row.status, measure), className="text-end"),
            html.Td(count_text(row.numerator, row.status), className="text-end"),
            html.Td(count_text(row.denominator, row.status), className="text-end"),
        ])
        for row in frame.itertuples(index=False)
    ]
    return dbc.Table(
        [
            html.Caption(f"{measure.label} by {level_label.lower()}. c = suppressed (too few children to show)."),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody(rows),
        ],
        bordered=True, hover=True, striped=True, size="sm", className="caption-top",
    )
