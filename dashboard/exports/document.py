"""The board pack as a printed document: HTML and CSS laid out by WeasyPrint into a tagged A4 landscape PDF.

A cover, contents with page numbers, a one-page summary table, what changed since the data version before, a page a
chart (a message title, a statistical subtitle, the chart drawn as SVG at its printed size, the summary and notes
beside it), a glossary, and a footer with source, date and page number on every page.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from pathlib import Path

import weasyprint

from dashboard.config import ROOT
from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.reference import EES_SYMBOLS, NEEDS, SEN_PROVISION
from dashboard.exports.caption import SYNTHETIC_WARNING
from dashboard.exports.images import draw, placed
from dashboard.figures.maps import for_print

# The chart's place on a page, in CSS pixels (WeasyPrint: 96 to the inch, so 14 px prints at 10.5 pt).
CHART_WIDTH, CHART_HEIGHT = 720, 500
CHART_TYPE = 14
PACK_CSS = (Path(__file__).parent / "pack.css").read_text()


def glossary(area: Area = BOROUGH) -> list[tuple[str, str]]:
    """Every term and symbol the pack's pages use, in plain English; every need code written out."""
    terms = [
        (
            "c",
            "A figure resting on 1 to a few children, or one from which such a figure could be worked out, is "
            "hidden and shown as c, so no child can be identified.",
        ),
        ("–", "No data: nothing was recorded for this place or period."),
        *((symbol, f"In the source data: {meaning}.") for symbol, meaning in EES_SYMBOLS.items() if symbol != "c"),
        (
            "95% confidence interval",
            "The range within which the true rate lies, 19 times in 20, given the numbers "
            "of children involved. Two places whose intervals do not overlap differ by more than chance.",
        ),
        (
            "Significantly better or worse",
            "The difference is larger than chance would make it, at the 95% level; "
            "'similar' means chance could explain it.",
        ),
        (
            "Funnel plot",
            f"Each school's rate against what {area.the} rate for its phase would give a school of its "
            "size. The funnel's limits are where chance alone would put 95% (inner) and 99.8% (outer) of schools; "
            "small schools have wide limits, so a few children do not make a school look unusual. A school outside "
            "is flagged for a question, not a judgement; it is not adjusted for intake unless the chart says so.",
        ),
        (
            "Times expected",
            f"A school's count divided by the count {area.the} rate for its phase would give "
            f"it (observed / expected): 1 is {area.the} rate, 2 is twice it.",
        ),
        (
            "Board target",
            "A figure the board set out to reach by a year (targets.csv). Met, not met or too close to call once "
            "that year's data are in; on track, off track or too early to say before then, judged on the latest "
            "year. Each is judged on the 95% interval, not the figure alone.",
        ),
        (
            "Trend test",
            "A chi-square test for trend: whether a rate rose or fell steadily over the years shown, "
            "more than chance would explain.",
        ),
        *(
            (f"{label}", words)
            for label, words in (
                (
                    SEN_PROVISION["ehcp"],
                    "An Education, Health and Care plan: a legal plan for a child or young person "
                    "aged up to 25 with special educational needs.",
                ),
                (
                    SEN_PROVISION["sen_support"],
                    "Help for a pupil with special educational needs in school, without a plan.",
                ),
            )
        ),
        *((need.code, f"{need.label} ({need.broad_area.lower()})") for need in NEEDS if need.code != "NONE"),
    ]
    return terms


NO_TARGETS = "No board targets are loaded for these measures and this place, so no measure is judged against one."
TARGETS_NOTE = (
    "Board target: the next target for the place chosen. It is met when the year's whole 95% interval is on the "
    "target's side of it, not met when it is wholly on the other side, and too close to call when it includes the "
    "target; a target for a later year is on track, off track or too early to say in the same way."
)


def pack_pdf(pack) -> bytes:
    """The pack (exports.pack.Pack) as a tagged PDF/UA document, A4 landscape, every page the same size."""
    document = weasyprint.HTML(string=pack_html(pack), base_url=str(ROOT / "assets"))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def pack_html(pack) -> str:
    """The pack as one HTML document, styled for print by assets/pack.css."""
    cover = pack.cover
    title = f"Inclusion board pack: {cover.filters.removeprefix('Filters: ')}"
    pages = [
        ("summary", "Summary of measures"),
        ("changes", "What has changed since the last data version"),
        *((f"chart-{slide.chart}", slide.panel.message) for slide in pack.slides),
        ("glossary", "Glossary"),
    ]
    # The footer is a CSS string: escaped for CSS, not HTML.
    footer = f"{cover.source.split(',')[0]}. {cover.as_of}"
    footer = footer.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    body = [
        _cover(pack, title),
        _contents(pages),
        _summary(pack),
        _changes(pack),
        *(_chart_page(slide) for slide in pack.slides),
        _glossary(pack.area),
    ]
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{_text(title)}</title>"
        '<meta name="author" content="Inclusion Dashboard">'
        f'<meta name="description" content="{_text(cover.filters)}">'
        f'<style>{PACK_CSS}@page {{ @bottom-left {{ content: "{footer}"; }} }}</style></head>'
        f"<body>{''.join(body)}</body></html>"
    )


def _cover(pack, title: str) -> str:
    cover = pack.cover
    warning = f'<p class="warning">{_text(SYNTHETIC_WARNING)}</p>' if cover.synthetic else ""
    lines = [cover.filters, f"Made on {dt.date.today():%-d %B %Y}.", cover.traced, cover.suppression, *cover.notes]
    left_out = "".join(f"<li>{_text(line)}</li>" for line in pack.left_out)
    left_out = f'<h2 class="minor">Not in this pack</h2><ul class="left-out">{left_out}</ul>' if left_out else ""
    return (
        f'<section class="cover"><p class="kicker">Inclusion board pack</p><h1>{_text(title)}</h1>{warning}'
        + "".join(f"<p>{_text(line)}</p>" for line in lines)
        + f'<p class="source">{_text(cover.source)}</p>{left_out}</section>'
    )


def _contents(pages: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{anchor}">{_text(name)}</a></li>' for anchor, name in pages)
    return f'<nav class="contents" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'


def _summary(pack) -> str:
    year = pack.state.year
    rows = []
    targets = any(card.target for card in pack.cards)
    for card in pack.cards:
        value = f"{card.value} {card.unit}".strip()
        change = " ".join(part for part in (card.arrow if card.arrow != "–" else "", card.change) if part)
        verdict = card.verdict if card.verdict not in ("no change", "not comparable") else card.verdict
        benchmark = card.reference or card.benchmark
        against = card.against or "not compared"
        # The board's target columns appear only where it set a target for one of these measures and this place.
        target = f"<td>{_text(card.target)}</td><td>{_text(card.target_status)}</td>" if targets else ""
        rows.append(
            f'<tr><th scope="row">{_text(card.measure.label)}</th><td class="number">{_text(value)}</td>'
            f'<td class="number">{_text(card.previous)}</td><td>{_text(change)}</td>'
            f"<td>{_text(verdict)}</td><td>{_text(benchmark)}</td><td>{_text(against)}</td>{target}</tr>"
        )
    return (
        '<section id="summary" class="page"><h2>Summary of measures</h2>'
        f'<p class="subtitle">{_text(pack.cover.filters)}. Changes are judged against chance at the 95% level; '
        "▲ up, ▼ down.</p>"
        f'<table class="summary"><caption>Each measure in {_text(year)}, the year before, and a benchmark'
        "</caption><thead><tr>"
        f'<th scope="col">Measure</th><th scope="col">{_text(year)}</th><th scope="col">Year before</th>'
        '<th scope="col">Change</th><th scope="col">Verdict</th>'
        + (
            '<th scope="col">Compared with</th><th scope="col">Against it</th>'
            if pack.state.compare == "expected"
            else '<th scope="col">Benchmark</th><th scope="col">Against the benchmark</th>'
        )
        + ('<th scope="col">Board target</th><th scope="col">Against the target</th>' if targets else "")
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="note">{_text(TARGETS_NOTE if targets else NO_TARGETS)}</p></section>'
    )


def _changes(pack) -> str:
    head = '<section id="changes" class="page"><h2>What has changed since the last data version</h2>'
    if pack.changes is None:
        return head + "<p>This is the first data version kept, so there is nothing to compare it with.</p></section>"
    before, rows = pack.changes
    intro = f"<p>Against version {_text(before)}, for the same filters.</p>"
    if not rows:
        return head + intro + "<p>No figure or verdict on the summary page has changed.</p></section>"
    body = "".join(
        f'<tr><th scope="row">{_text(what)}</th><td>{_text(then)}</td><td>{_text(now)}</td></tr>'
        for what, then, now in rows
    )
    return (
        head + intro + '<table class="changes"><thead><tr><th scope="col">Figure</th><th scope="col">Before</th>'
        f'<th scope="col">Now</th></tr></thead><tbody>{body}</tbody></table></section>'
    )


def _chart_page(slide) -> str:
    panel = slide.panel
    figure = placed(_printable(slide.chart, panel.figure), CHART_WIDTH, CHART_HEIGHT, CHART_TYPE)
    svg = draw(figure, "svg", CHART_WIDTH, CHART_HEIGHT)
    source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    notes = "".join(f"<p>{_text(note)}</p>" for note in panel.notes)
    return (
        f'<section id="chart-{slide.chart}" class="page chart-page"><h2>{_text(panel.message)}</h2>'
        f'<p class="subtitle">{_text(panel.title)}. {_text(slide.caption.filters)}.</p>'
        f'<div class="chart-body"><img src="{source}" alt="{_text(panel.summary)}" width="{CHART_WIDTH}" '
        f'height="{CHART_HEIGHT}"><div class="words"><p class="lead">{_text(panel.summary)}</p>{notes}'
        "<p>The figures are in the table of the same name on the dashboard and in its spreadsheet download.</p>"
        "</div></div></section>"
    )


def _printable(chart: str, figure):
    return for_print(figure) if chart == "map" else figure


def _glossary(area: Area) -> str:
    entries = "".join(f"<dt>{_text(term)}</dt><dd>{_text(words)}</dd>" for term, words in glossary(area))
    return f'<section id="glossary" class="page"><h2>Glossary</h2><dl class="glossary">{entries}</dl></section>'


def _text(value) -> str:
    return html.escape(str(value), quote=True)
