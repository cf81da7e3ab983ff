"""The board pack as PowerPoint slides: 16:9 layouts, a message title a slide, charts drawn at the slide's size
with text at least 18 pt, alt text from each chart's summary, short speaker notes, and the tables in an appendix."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from dashboard.exports.caption import SYNTHETIC_WARNING
from dashboard.exports.charts import drawable
from dashboard.exports.images import draw, placed
from dashboard.figures.maps import for_print

WIDE = Inches(13.333)  # 16:9 at PowerPoint's own widescreen size
TALL = Inches(7.5)
MARGIN = Inches(0.5)
PICTURE = (1180, 470)  # CSS pixels at 96 to the inch: 12.3 by 4.9 inches, placed at that size
CHART_TYPE = 24  # px at 96 to the inch: 18 pt on the slide
NOTES_LIMIT = 1500  # characters a presenter can read at a glance
APPENDIX_ROWS = 10  # table rows a slide holds legibly, with room for a wrapped row
APPENDIX_SLIDES = 2  # per chart; the rest of a long table is in its spreadsheet


def pack_pptx(pack) -> bytes:
    """The pack (exports.pack.Pack) as a 16:9 deck: cover, summary, a chart a slide, then the tables."""
    deck = Presentation()
    _widen(deck)
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = "Inclusion board pack"
    lines = [SYNTHETIC_WARNING] if pack.cover.synthetic else []
    lines += [pack.cover.filters, f"Made on {dt.date.today():%-d %B %Y}. {pack.cover.traced}", *pack.left_out]
    cover.placeholders[1].text = "\n".join(lines)
    _size(cover.placeholders[1], 18)
    for paragraph in cover.placeholders[1].text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)  # the template's grey is too pale to project
    _table_slide(deck, "Summary of measures", _summary_table(pack), pack.cover.filters)
    for slide in pack.slides:
        _chart_slide(deck, slide)
    for slide in pack.slides:
        _appendix(deck, slide)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _widen(deck) -> None:
    """16:9 slides with layouts to match: python-pptx's template is 4:3, so its placeholders are stretched across."""
    stretch = WIDE / deck.slide_width
    deck.slide_width, deck.slide_height = WIDE, TALL
    # Layouts first: a layout placeholder without a place of its own reads the master's, which must not yet be wide.
    for shapes in [layout.placeholders for layout in deck.slide_layouts] + [deck.slide_master.shapes]:
        for shape in shapes:
            if shape.width is not None:
                shape.left, shape.width = Emu(int(shape.left * stretch)), Emu(int(shape.width * stretch))


def _title(slide, text: str, subtitle: str = "") -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, Inches(0.3), WIDE - 2 * MARGIN, Inches(1.1)
    title.text = text
    _size(title, 28)  # two lines at most for a title of 12 words across the slide
    if subtitle:
        box = slide.shapes.add_textbox(MARGIN, Inches(1.4), WIDE - 2 * MARGIN, Inches(0.5))
        box.text_frame.word_wrap = True
        box.text_frame.text = subtitle
        _size(box, 14)


def _chart_slide(deck, slide) -> None:
    page = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    panel = slide.panel
    _title(page, panel.message, f"{panel.title}. {slide.caption.filters}.")
    figure = drawable(panel)
    figure = for_print(figure) if slide.chart == "map" else figure
    width, height = PICTURE
    image = draw(placed(figure, width, height, CHART_TYPE), "png", width, height, 2)
    picture = page.shapes.add_picture(
        io.BytesIO(image), MARGIN, Inches(1.95), width=Inches(width / 96), height=Inches(height / 96)
    )
    picture._element.nvPicPr.cNvPr.set("descr", panel.summary)  # alt text: what the chart shows, in words
    foot = page.shapes.add_textbox(MARGIN, Inches(6.95), WIDE - 2 * MARGIN, Inches(0.4))
    foot.text_frame.text = f"{slide.caption.source.split(',')[0]}. {slide.caption.as_of}"
    _size(foot, 12)
    page.notes_slide.notes_text_frame.text = speaker_notes(panel)


def speaker_notes(panel) -> str:
    """What the presenter says: the summary and notes, within 1,500 characters; the table is in the appendix."""
    pointer = "The full table is on an appendix slide and in the chart's spreadsheet download."
    lines = [panel.summary, *panel.notes]
    text = ""
    for line in lines:
        if len(text) + len(line) + len(pointer) + 2 > NOTES_LIMIT:
            break
        text += line + "\n"
    return text + pointer


def _summary_table(pack) -> pd.DataFrame:
    year = pack.state.year
    # The board's targets, where it set one for these measures and this place: the same columns as the PDF's summary.
    targets = (
        {
            "Board target": [card.target for card in pack.cards],
            "Against the target": [card.target_status for card in pack.cards],
        }
        if any(card.target for card in pack.cards)
        else {}
    )
    return pd.DataFrame(
        {
            "Measure": [card.measure.label for card in pack.cards],
            year: [f"{card.value} {card.unit}".strip() for card in pack.cards],
            "Year before": [card.previous for card in pack.cards],
            "Change": [f"{card.arrow if card.arrow != '–' else ''} {card.change}".strip() for card in pack.cards],
            "Verdict": [card.verdict for card in pack.cards],
            "Benchmark": [card.reference or card.benchmark for card in pack.cards],
            "Against it": [card.against or "not compared" for card in pack.cards],
        }
        | targets
    )


def _appendix(deck, slide) -> None:
    table = slide.panel.table
    starts = list(range(0, len(table), APPENDIX_ROWS))[:APPENDIX_SLIDES]
    for start in starts:
        rows = table.iloc[start : start + APPENDIX_ROWS]
        end = start + len(rows)
        rest = " The rest are in the chart's spreadsheet download." if start == starts[-1] and end < len(table) else ""
        shown = f"Table, rows {start + 1} to {end} of {len(table)}.{rest}"
        _table_slide(deck, f"Appendix: {slide.panel.title}", rows, shown)


def _table_slide(deck, heading: str, frame: pd.DataFrame, subtitle: str) -> None:
    page = deck.slides.add_slide(deck.slide_layouts[5])
    _title(page, heading, subtitle)
    frame = frame.astype(str)
    shape = page.shapes.add_table(
        len(frame) + 1, len(frame.columns), MARGIN, Inches(2.0), WIDE - 2 * MARGIN, Inches(0.4) * (len(frame) + 1)
    )
    for column, name in enumerate(frame.columns):
        shape.table.cell(0, column).text = str(name)
    for row, values in enumerate(frame.itertuples(index=False), start=1):
        for column, value in enumerate(values):
            shape.table.cell(row, column).text = "" if value in ("nan", "None") else value
    for row in shape.table.rows:
        for cell in row.cells:
            _size(cell, 12)


def _size(shape, points: int) -> None:
    for paragraph in shape.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(points)
