"""Every chart, declared once, and the sequence a board meeting follows.

A chart's record names it, builds its panel, and says which measure, years and filters its figures answer to and
the formats it downloads as. Pages, callbacks, exports, the board pack and meeting mode all read it from here, so
each shows what its page shows and no page offers a file the server cannot make.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from dashboard.domain.access import AGGREGATES, SCHOOLS, Audience, may, refusal
from dashboard.domain.filters import FilterState
from dashboard.query.queries import Queries
from dashboard.views.map import map_panel
from dashboard.views.needs import by_group, early_absence, early_identification, need_mix
from dashboard.views.overview import locality_table
from dashboard.views.panel import Panel
from dashboard.views.schools import funnel_panel, school_detail
from dashboard.views.trends import reasons_panel, trend_panel

IMAGE_FORMATS = ("png", "svg", "pdf")
TABLE_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Chart:
    """One chart: its name on the page and in file addresses, how its panel is built, and what its figures answer
    to (for captions)."""

    name: str
    build: Callable[[Queries, FilterState], Panel | None]
    measure: str | None = None  # the one measure it shows whatever the filters say
    every_year: bool = False  # it shows every year rather than the one chosen
    shows_all: tuple[str, ...] = ()  # filters it does not narrow: it shows every one of their values side by side
    formats: tuple[str, ...] = IMAGE_FORMATS + TABLE_FORMATS
    right: str = AGGREGATES  # what a reader must be allowed to see it (school-level charts need SCHOOLS)
    lists_schools: bool = False  # it lists or offers schools among places: without the schools right, it does not
    draws_boundaries: bool = False  # its figure draws places' boundaries, which can be given it by address

    def __call__(
        self, queries: Queries, state: FilterState, audience: Audience | None = None, on_server: bool = False
    ) -> Panel | None:
        """The chart's panel for one filter state (None where the filters do not show it), as the audience may see
        it (no audience: everything, for the command line and the tests). on_server: its figure is drawn by the
        export browser on this server, so boundaries go by file address, not inside the figure (a county's are
        megabytes, copied with every copy of the figure an export makes)."""
        options = {}
        if self.lists_schools and audience is not None and not may(audience, SCHOOLS):
            options["schools"] = False
        if self.draws_boundaries and on_server:
            options["geometry"] = queries.map_geojson_file
        return self.build(queries, state, **options)

    def answers(self, state: FilterState) -> FilterState:
        """The filter state its figures answer to, for a caption that names what the chart shows."""
        return replace(state, measure=self.measure or state.measure, **dict.fromkeys(self.shows_all))


def _school(index: int) -> Callable[[Queries, FilterState], Panel | None]:
    def build(queries: Queries, state: FilterState) -> Panel | None:
        return school_detail(queries, state, state.school)[index] if state.school else None

    return build


CHARTS: dict[str, Chart] = {
    chart.name: chart
    for chart in (
        Chart("map", map_panel, lists_schools=True, draws_boundaries=True),
        Chart("localities", locality_table),
        Chart("trend", trend_panel, every_year=True),
        Chart("reasons", reasons_panel),
        Chart("need-mix", need_mix, measure="ehcp_rate", shows_all=("need", "locality")),
        Chart(
            "broad-mix",
            lambda queries, state: need_mix(queries, state, broad=True),
            measure="ehcp_rate",
            shows_all=("need", "locality"),
        ),
        Chart("by-sen", lambda queries, state: by_group(queries, state, "sen"), shows_all=("sen",)),
        Chart("by-need", lambda queries, state: by_group(queries, state, "need"), shows_all=("need",)),
        # Early identification: every pupil, whatever the SEN provision, need or phase chosen; tables alone.
        Chart(
            "early-identification",
            early_identification,
            shows_all=("sen", "need", "phase", "cluster"),
            formats=TABLE_FORMATS,
            lists_schools=True,
        ),
        Chart(
            "early-absence",
            early_absence,
            measure="persistent_absence",
            shows_all=("sen", "need", "phase", "cluster"),
            formats=TABLE_FORMATS,
            lists_schools=True,
        ),
        Chart("funnel", funnel_panel, right=SCHOOLS),
        Chart("school-trend", _school(0), every_year=True, right=SCHOOLS),
        Chart("school-needs", _school(1), right=SCHOOLS),
    )
}
# The board's sequence (pack and meeting mode): the map, trends, needs, the funnel plot and the locality table.
SEQUENCE = ("map", "trend", "need-mix", "funnel", "localities")


def board_panels(
    queries: Queries, state: FilterState, audience: Audience | None = None, on_server: bool = False
) -> tuple[list[tuple[Chart, Panel]], list[str]]:
    """The sequence's panels for one filter state, and a line for each left out: one the filters do not show (a
    school's charts without a school) is skipped; one the audience may not see, or with nothing published at any
    level, says so, never a blank page. No audience means no one to refuse (the command line, the tests); on_server,
    the figures are drawn on this server (Chart.__call__)."""
    shown, left_out = [], []
    for name in SEQUENCE:
        chart = CHARTS[name]
        if audience is not None and not may(audience, chart.right):
            left_out.append(f"Left out: the {name} chart. {refusal(chart.right)}")
            continue
        panel = chart(queries, state, audience, on_server)
        if panel is None:
            continue
        if panel.empty:
            why = " ".join(panel.notes) or "Nothing is published for these filters."
            left_out.append(f"Left out: {panel.title.rstrip('.')}. {why}")
        else:
            shown.append((chart, panel))
    return shown, left_out
