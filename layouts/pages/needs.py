"""Needs: the need mix of plans by locality, and pupil measures by SEN provision and primary need."""

from __future__ import annotations

from dash import html

from dashboard.views.board import CHARTS
from layouts.components import page_heading, panel_placeholder
from layouts.page import Page

QUESTION = "Which needs are behind the plans, and who is excluded or absent most?"


def layout() -> html.Div:
    """Needs: the need mix of plans by locality, and pupil measures by SEN provision and primary need."""
    return html.Div(
        [
            *page_heading("Needs", QUESTION),
            panel_placeholder(CHARTS["need-mix"]),
            panel_placeholder(CHARTS["broad-mix"]),
            panel_placeholder(CHARTS["by-sen"]),
            panel_placeholder(CHARTS["by-need"]),
        ]
    )


PAGE = Page("/needs", "Needs", QUESTION, "needs", layout)
