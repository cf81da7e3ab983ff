"""Overview: headline cards for every measure, then the locality table for the chosen measure."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.views.board import CHARTS
from dashboard.views.overview import Card
from layouts import ids
from layouts.components import card, page_heading, panel_placeholder
from layouts.page import Page

QUESTION = "How inclusive are our schools this year, and is it getting better?"


def layout() -> html.Div:
    """Overview: headline cards for every measure, then the locality table for the chosen measure."""
    return html.Div(
        [
            *page_heading("Overview", QUESTION),
            html.P(id=ids.OVERVIEW_SELECTION),
            dcc.Loading(html.Div(id=ids.OVERVIEW_CARDS), type="dot"),
            panel_placeholder(CHARTS["localities"]),
        ]
    )


def card_row(cards: list[Card]) -> dbc.Row:
    """The headline cards, three to a row on a wide screen."""
    return dbc.Row(
        [
            dbc.Col(
                card(
                    c.measure.label,
                    c.value,
                    c.unit,
                    c.change,
                    c.verdict,
                    c.judgement,
                    c.arrow,
                    c.benchmark,
                    c.detail,
                    c.target_text,
                ),
                md=6,
                xl=4,
                className="mb-3",
            )
            for c in cards
        ]
    )


PAGE = Page("/", "Overview", QUESTION, "overview", layout)
