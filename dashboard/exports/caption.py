"""What every exported file carries: title, the filters in words, source and licence, as-of date, suppression note."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.domain.filters import MAP_LEVELS, FilterState
from dashboard.domain.formatting import date_words
from dashboard.query.queries import Queries
from dashboard.views.board import Chart
from dashboard.views.map import level_to_draw, offered_levels
from dashboard.views.sentences import describe_selection

SYNTHETIC_WARNING = "Synthetic demo data: made up for demonstration, no real child is described."
LICENCE = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass(frozen=True)
class Caption:
    """The words around an exported chart or table."""

    title: str
    filters: str
    source: str
    as_of: str
    suppression: str
    synthetic: bool
    notes: list[str] = field(default_factory=list)
    version: str = ""  # the data version, so a paper can be traced to the load it was made from

    @property
    def traced(self) -> str:
        """The as-of line with the data version, for files; a projector's bar shows as_of alone."""
        return f"{self.as_of} Version {self.version}." if self.version else self.as_of

    @property
    def lines(self) -> list[str]:
        """Everything below the title, one statement a line, the synthetic warning first where it applies."""
        head = [SYNTHETIC_WARNING] if self.synthetic else []
        return head + [self.filters, *self.notes, self.suppression, self.source, self.traced]


def caption_for(queries: Queries, state: FilterState, title: str, notes: list[str], chart: Chart | None) -> Caption:
    """The caption of one chart (None: a whole pack) for one filter state, from the data being served."""
    options = queries.filter_options()
    if chart is not None:
        state = chart.answers(state)
    measure = queries.measure_in(state.measure)
    year = "every year" if chart is not None and chart.every_year else state.year
    filters = f"Filters: {measure.label}, {year}, {describe_selection(state, options, measure)}"
    if chart is not None and chart.name == "map":
        # The level drawn, which may be coarser than the one asked for (views.map.drawn_level).
        filters += f"; map by {MAP_LEVELS[level_to_draw(state.level, offered_levels(queries, state))].one.lower()}"
    info = queries.info()
    synthetic = info.data_kind == "synthetic"
    source = f"Source: {info.description}, Inclusion Dashboard. {LICENCE}"  # as the app's own footer says
    as_of = next((row[4] for row in queries.dataset_status() if row[0] == measure.dataset), None)
    dated = f"Data to {as_of:%d %B %Y}; " if as_of is not None else "Data "
    threshold = queries.threshold
    return Caption(
        title=title,
        filters=filters,
        source=source,
        as_of=f"{dated}loaded on {date_words(info.loaded_at)}.",
        suppression=(
            f"Figures resting on 1 to {threshold} children are shown as c and not drawn, and so is any figure from "
            "which one could be worked out."
        ),
        synthetic=synthetic,
        notes=list(notes),
        version=info.version,
    )
