"""A board pack for the current filters, as PDF or PowerPoint: a cover, the headline measures with their key
messages, then the map, trends, needs, the funnel plot and the locality table, one a page, each with its note."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.domain.access import Audience, restricted
from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.filters import FilterState, parse_query
from dashboard.exports.caption import Caption, caption_for
from dashboard.exports.charts import ExportFile, ExportNotFound, slug
from dashboard.exports.deck import pack_pptx
from dashboard.exports.document import pack_pdf
from dashboard.query.queries import NotPublished, Queries, WarehouseMissing
from dashboard.views.board import board_panels
from dashboard.views.overview import Card, overview
from dashboard.views.panel import Panel

PACK_TITLE = "Inclusion board pack"
PACK = "board-pack"  # its name in a download address: /export/board-pack.pdf?<filters>


@dataclass
class Slide:
    """One page of the pack: its chart's panel and its caption."""

    chart: str
    panel: Panel
    caption: Caption


@dataclass
class Pack:
    """Everything a pack holds for one filter state."""

    state: FilterState
    cover: Caption
    cards: list[Card]
    slides: list[Slide]
    left_out: list[str]  # a line for each view with nothing published for these filters
    # The version before and what moved since it (figure, before, now); None when this is the first version kept.
    changes: tuple[str, list[tuple[str, str, str]]] | None = None
    area: Area = BOROUGH  # what the glossary calls the whole area


def build_pack(queries: Queries, query: str, audience: Audience | None = None) -> Pack:
    """The pack's contents for the filters in query: the same views, summaries and protected cells as the pages,
    and only the charts the audience may see (all of them with no audience: the command line, the tests)."""
    state, messages = parse_query(query, queries.filter_options())
    if audience is not None:
        state, refused = restricted(audience, state)
        messages += refused
    cards, _, _ = overview(queries, state)
    cover = caption_for(queries, state, PACK_TITLE, messages, None)
    slides = []
    panels, left_out = board_panels(queries, state, audience, on_server=True)  # drawn by the export browser
    for chart, panel in panels:
        caption = caption_for(queries, state, panel.title, [panel.summary, *panel.notes], chart)
        slides.append(Slide(chart.name, panel, caption))
    return Pack(state, cover, cards, slides, left_out, changes_since(queries, state, cards), queries.area)


def changes_since(queries: Queries, state: FilterState, cards: list[Card]) -> tuple[str, list] | None:
    """What the summary page would have said on the version loaded before, where it differs: each headline figure
    and verdict, and each locality's verdict against the whole area. None when no earlier version is kept."""
    before = queries.previous()
    if before is None:
        return None
    try:
        version = before.info().version
        then_cards, then_localities, _ = overview(before, state)
    except (NotPublished, WarehouseMissing) as reason:  # a version loaded by an older release, or since pruned
        return "before", [("The version before could not be compared", str(reason), "")]
    rows = []
    for now, then in zip(cards, then_cards):
        label = now.measure.label
        if (now.value, now.unit) != (then.value, then.unit):
            rows.append(
                (f"{label}, {state.year}", f"{then.value} {then.unit}".strip(), f"{now.value} {now.unit}".strip())
            )
        if now.verdict != then.verdict:
            rows.append((f"{label}: change on the year before", then.verdict, now.verdict))
        if now.against != then.against:
            rows.append(
                (f"{label}: against the benchmark", then.against or "not compared", now.against or "not compared")
            )
    _, now_localities, _ = overview(queries, state)
    rows += _verdicts_moved(then_localities, now_localities, queries.area)
    return version, rows


def _verdicts_moved(then: Panel, now: Panel, area: Area) -> list[tuple[str, str, str]]:
    column = f"Compared with {area.the}"
    if column not in then.table or column not in now.table:
        return []
    first = now.table.columns[0]
    before = dict(zip(then.table[first], then.table[column]))
    return [
        (
            f"{place}: {now.title.split(' by ')[0].lower()} against {area.the}",
            before[place] or "not compared",
            verdict or "not compared",
        )
        for place, verdict in zip(now.table[first], now.table[column])
        if place in before and before[place] != verdict
    ]


PACK_FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def export_pack(queries: Queries, fmt: str, query: str, audience: Audience | None = None) -> ExportFile:
    """The board pack for the filters in query as PDF or PPTX; raises ExportNotFound for another format."""
    if fmt not in PACK_FORMATS:
        raise ExportNotFound(f"The board pack comes as {' or '.join(PACK_FORMATS)}; '{fmt}' is not one of them.")
    pack = build_pack(queries, query, audience)
    content = pack_pdf(pack) if fmt == "pdf" else pack_pptx(pack)
    return ExportFile(content, PACK_FORMATS[fmt], f"{slug(PACK_TITLE + ' ' + pack.state.year)}.{fmt}")
