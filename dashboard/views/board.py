"""Every chart the pages show, by the name its panel has on the page, and the sequence a board meeting follows.

Exports, the board pack and meeting mode read the charts from here, so each shows what its page shows.
"""

from __future__ import annotations

from collections.abc import Callable

from dashboard.domain.filters import FilterState
from dashboard.query.queries import Queries
from dashboard.views.map import map_panel
from dashboard.views.needs import by_group, need_mix
from dashboard.views.overview import locality_table
from dashboard.views.panel import Panel
from dashboard.views.schools import funnel_panel, school_detail
from dashboard.views.trends import reasons_panel, trend_panel

# The board's sequence (pack and meeting mode): the map, trends, needs, the funnel plot and the locality table.
SEQUENCE = ("map", "trend", "need-mix", "funnel", "localities")


def _school(index: int) -> Callable[[Queries, FilterState], Panel | None]:
    def build(queries: Queries, state: FilterState) -> Panel | None:
        return school_detail(queries, state, state.school)[index] if state.school else None

    return build


# Panel names as the pages use them (layouts.components.panel_id), so a page's Download menu links its own chart.
CHARTS: dict[str, Callable[[Queries, FilterState], Panel | None]] = {
    "map": map_panel,
    "localities": locality_table,
    "trend": trend_panel,
    "reasons": reasons_panel,
    "need-mix": need_mix,
    "broad-mix": lambda queries, state: need_mix(queries, state, broad=True),
    "by-sen": lambda queries, state: by_group(queries, state, "sen"),
    "by-need": lambda queries, state: by_group(queries, state, "need"),
    "funnel": funnel_panel,
    "school-trend": _school(0),
    "school-needs": _school(1),
}


def board_panels(queries: Queries, state: FilterState) -> tuple[list[tuple[str, Panel]], list[str]]:
    """The sequence's panels for one filter state, and a line for each left out: one the filters do not show (a
    school's charts without a school) is skipped; one with nothing published at any level says so, never a blank
    page."""
    shown, left_out = [], []
    for chart in SEQUENCE:
        panel = CHARTS[chart](queries, state)
        if panel is None:
            continue
        if panel.empty:
            why = " ".join(panel.notes) or "Nothing is published for these filters."
            left_out.append(f"Left out: {panel.title.rstrip('.')}. {why}")
        else:
            shown.append((chart, panel))
    return shown, left_out
