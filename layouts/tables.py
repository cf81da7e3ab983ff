"""Accessible tables: the same figures as each chart, readable without colour or a mouse."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.domain.formatting import count_text, interval_text, rate_text, sentence_case, verdict_text
from dashboard.domain.measures import Measure
from dashboard.domain.status import NO_DATA_MESSAGE, SHOWN, SUPPRESSED


def values_table(
    frame: pd.DataFrame, measure: Measure, level_label: str = "Small area", reference_name: str = "the borough"
) -> html.Div:
    """Places with value, interval, verdict, numerator and denominator; suppressed cells show c."""
    if not frame["status"].isin([SHOWN, SUPPRESSED]).any():
        return html.P(NO_DATA_MESSAGE)
    header = (
        level_label,
        "Part of",
        f"{measure.label} ({measure.unit})",
        "95% interval",
        f"Compared with {reference_name}",
        sentence_case(measure.numerator_label),
        sentence_case(measure.denominator_label),
    )
    rows = [
        html.Tr(
            [
                html.Th(row.name, scope="row"),
                html.Td(row.context),
                html.Td(rate_text(row.value, row.status, measure), className="text-end"),
                html.Td(interval_text(row.low, row.high, measure), className="text-end"),
                html.Td(verdict_text(row.verdict, reference_name)),
                html.Td(count_text(row.numerator, row.status), className="text-end"),
                html.Td(count_text(row.denominator, row.status), className="text-end"),
            ]
        )
        for row in frame.itertuples(index=False)
    ]
    return dbc.Table(
        [
            html.Caption(
                f"{measure.label} by {level_label.lower()}. c = suppressed (too few children to show). "
                f"Better or worse means the 95% interval lies wholly on one side of {reference_name}'s figure."
            ),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody(rows),
        ],
        bordered=True,
        hover=True,
        striped=True,
        size="sm",
        className="caption-top",
    )
