"""A board pack for the current filters, as PDF or PowerPoint: a cover, the headline measures with their key
messages, then the map, trends, needs, the funnel plot and the locality table, one a page, each with its note."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from dataclasses import dataclass, replace

import plotly.graph_objects as go
from pptx import Presentation
from pptx.util import Inches, Pt
from pypdf import PdfWriter

from dashboard.domain.filters import FilterState, parse_query
from dashboard.exports.caption import SYNTHETIC_WARNING, Caption, caption_for
from dashboard.exports.charts import ExportFile, ExportNotFound, drawable, slug
from dashboard.exports.images import render
from dashboard.query.queries import Queries
from dashboard.views.board import board_panels
from dashboard.views.overview import Card, overview
from dashboard.views.panel import Panel

PACK_TITLE = "Inclusion board pack"


@dataclass
class Slide:
    """One page of the pack: its chart's panel, its caption, and what the presenter says (figures and intervals)."""

    chart: str
    panel: Panel
    caption: Caption
    speaker_notes: str


@dataclass
class Pack:
    """Everything a pack holds for one filter state."""

    state: FilterState
    cover: Caption
    cards: list[Card]
    slides: list[Slide]
    left_out: list[str]  # a line for each view with nothing published for these filters


def build_pack(queries: Queries, query: str) -> Pack:
    """The pack's contents for the filters in query: the same views, summaries and protected cells as the pages."""
    state, messages = parse_query(query, queries.filter_options())
    cards, _, _ = overview(queries, state)
    cover = caption_for(queries, state, PACK_TITLE, messages, None)
    slides = []
    panels, left_out = board_panels(queries, state)
    for chart, panel in panels:
        caption = caption_for(queries, state, panel.title, [panel.summary, *panel.notes], chart)
        slides.append(Slide(chart.name, panel, caption, _speaker_notes(panel)))
    return Pack(state, cover, cards, slides, left_out)


def _speaker_notes(panel: Panel) -> str:
    """The panel's summary and every row of its table in words, so the presenter has the figures and intervals."""
    lines = [panel.summary, *panel.notes]
    if not panel.table.empty:
        columns = [str(c) for c in panel.table.columns]
        for row in panel.table.itertuples(index=False):
            lines.append("; ".join(f"{c}: {v}" for c, v in zip(columns, row) if str(v) not in ("", "nan")))
    return "\n".join(lines)


def _text_page(lines: list[str], emphasis: int = 0) -> go.Figure:
    """A page of words drawn as a figure, so the PDF is made by the same export browser as the charts."""
    figure = go.Figure()
    y = 0.95
    for index, line in enumerate(lines):
        for part in textwrap.wrap(line, 110) or [""]:
            figure.add_annotation(
                text=f"<b>{part}</b>" if index < emphasis else part,
                x=0,
                y=y,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="top",
                showarrow=False,
                align="left",
                font={"size": 15},
            )
            y -= 0.045
        y -= 0.015
    figure.update_layout(
        xaxis_visible=False,
        yaxis_visible=False,
        height=800,
        margin={"l": 40, "r": 40, "t": 90, "b": 30},
    )
    return figure


def _cover_lines(pack: Pack) -> list[str]:
    caption = pack.cover
    lines = [SYNTHETIC_WARNING] if caption.synthetic else []
    return lines + [
        caption.filters,
        f"Made {dt.date.today():%d %B %Y}.",
        caption.traced,
        caption.source,
        caption.suppression,
        *caption.notes,
        *pack.left_out,
    ]


def _card_lines(cards: list[Card]) -> list[str]:
    return [
        f"{card.measure.label}: {card.value} {card.unit}, {' '.join(filter(None, (card.change, card.judgement)))}. "
        + " ".join(part.rstrip(".") + "." for part in (card.benchmark, card.detail) if part)
        for card in cards
    ]


def pack_pdf(pack: Pack) -> bytes:
    """The pack as one PDF: cover, headline measures, then a captioned chart a page."""
    cover = _text_page(_cover_lines(pack), emphasis=int(pack.cover.synthetic))
    pages = [
        render(cover, "pdf", _bare(pack.cover, PACK_TITLE)),
        render(_text_page(_card_lines(pack.cards)), "pdf", _bare(pack.cover, "Headline measures")),
    ]
    pages += [render(drawable(slide.panel), "pdf", slide.caption) for slide in pack.slides]
    writer = PdfWriter()
    for page in pages:
        writer.append(io.BytesIO(page))
    writer.add_metadata({"/Title": f"{PACK_TITLE}: {pack.cover.filters}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pack_pptx(pack: Pack) -> bytes:
    """The pack as slides: cover, headline measures, then a chart a slide with its key message as the heading."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = PACK_TITLE
    cover.placeholders[1].text = "\n".join(_cover_lines(pack))
    _fit(cover.placeholders[1], 14)
    headline = deck.slides.add_slide(deck.slide_layouts[1])
    headline.shapes.title.text = "Headline measures"
    headline.placeholders[1].text = "\n".join(_card_lines(pack.cards))
    _fit(headline.placeholders[1], 13)
    blank = deck.slide_layouts[5]  # title only
    for slide in pack.slides:
        page = deck.slides.add_slide(blank)
        page.shapes.title.text = slide.panel.summary  # the key message is the heading; the chart carries its title
        _fit(page.shapes.title, 20)
        image = render(drawable(slide.panel), "png", slide.caption)
        page.shapes.add_picture(io.BytesIO(image), Inches(0.6), Inches(1.5), height=Inches(5.8))
        page.notes_slide.notes_text_frame.text = slide.speaker_notes
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _bare(caption: Caption, title: str) -> Caption:
    """A text page's caption: its title, and the filters, source and date below (the page itself says the rest)."""
    return replace(caption, title=title, synthetic=False, notes=[])


def _fit(shape, size: int) -> None:
    for paragraph in shape.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)


PACK_FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def export_pack(queries: Queries, fmt: str, query: str) -> ExportFile:
    """The board pack for the filters in query as PDF or PPTX; raises ExportNotFound for another format."""
    if fmt not in PACK_FORMATS:
        raise ExportNotFound(f"The board pack comes as {' or '.join(PACK_FORMATS)}; '{fmt}' is not one of them.")
    pack = build_pack(queries, query)
    content = pack_pdf(pack) if fmt == "pdf" else pack_pptx(pack)
    return ExportFile(content, PACK_FORMATS[fmt], f"{slug(PACK_TITLE + ' ' + pack.state.year)}.{fmt}")
