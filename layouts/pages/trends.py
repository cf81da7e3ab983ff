"""Trends: the chosen measure over time by a breakdown, and the main reasons for exclusions."""

from __future__ import annotations

from dash import html

from dashboard.views.board import CHARTS
from layouts.components import page_heading, panel_placeholder
from layouts.page import Page

QUESTION = "How has each measure moved over the years, by locality, cluster or need?"


def layout() -> html.Div:
    """Trends: the chosen measure over time; breakdown and years-or-terms are set in the filter panel."""
    return html.Div(
        [
            *page_heading(
                "Trends", QUESTION + " Choose the breakdown and years or terms under 'Trend chart' in the filters."
            ),
            panel_placeholder(CHARTS["trend"]),
            panel_placeholder(CHARTS["reasons"]),
        ]
    )


PAGE = Page("/trends", "Trends", QUESTION, "trends", layout, settings="trend")
