"""Needs: the need mix of plans by locality, pupil measures by SEN provision and need, and early identification."""

from __future__ import annotations

from dash import html

from dashboard.views.board import CHARTS
from layouts.components import page_heading, panel_placeholder
from layouts.page import Page

QUESTION = "Which needs are behind the plans, who is excluded or absent most, and where might needs be missed?"


def layout() -> html.Div:
    """Needs: the need mix of plans, pupil measures by SEN provision and need, and early identification."""
    return html.Div(
        [
            *page_heading("Needs", QUESTION),
            panel_placeholder(CHARTS["need-mix"]),
            panel_placeholder(CHARTS["broad-mix"]),
            panel_placeholder(CHARTS["by-sen"]),
            panel_placeholder(CHARTS["by-need"]),
            html.H2("Early identification", className="h3 mt-4"),
            html.P(
                "Where fewer pupils are identified with SEN than deprivation predicts, and where absence is rising "
                "before suspensions do: questions to ask early.",
                className="lead-in",
            ),
            panel_placeholder(CHARTS["early-identification"]),
            panel_placeholder(CHARTS["early-absence"]),
        ]
    )


PAGE = Page("/needs", "Needs", QUESTION, "needs", layout)
