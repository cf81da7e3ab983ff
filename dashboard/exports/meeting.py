"""Meeting mode: the board pack's sequence, one slide a screen, large type, driven by the keyboard.

The page is built whole on the server from the same views as the pages and the pack; every slide's figure is drawn
when the page opens, so moving between slides shows what is already there and asks nothing of the server.
"""

from __future__ import annotations

import html
import json

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.domain.filters import parse_query, to_query
from dashboard.exports.caption import SYNTHETIC_WARNING, caption_for
from dashboard.exports.charts import drawable
from dashboard.query.queries import Queries
from dashboard.views.board import board_panels
from dashboard.views.overview import overview

PLOTLY_JS = "/_dash-component-suites/plotly/package_data/plotly.min.js"  # the copy Dash already serves locally
PROJECTOR_FONT = 20  # chart text that reads from the back of a room


def meeting_html(queries: Queries, query: str) -> str:
    """The whole meeting-mode page for the filters in query."""
    state, messages = parse_query(query, queries.filter_options())
    cards, _, _ = overview(queries, state)
    panels, left_out = board_panels(queries, state)
    cover = caption_for(queries, state, "Inclusion board meeting", messages, None)
    status = f"{cover.filters.removeprefix('Filters: ')}. {cover.as_of}"
    slides = [_cover_slide(cover, messages + left_out)]
    slides.append(
        _slide(
            "Headline measures",
            "".join(
                f'<li class="tile"><span class="tile__name">{_e(card.measure.label)}</span>'
                f'<span class="tile__value">{_e(card.value)} <small>{_e(card.unit)}</small></span>'
                f'<span class="tile__change">{_e(" ".join(filter(None, (card.change, card.judgement))))}</span></li>'
                for card in cards
            ).join(('<ul class="tiles">', "</ul>")),
        )
    )
    figures = {}
    for chart, panel in panels:
        figures[chart.name] = json.loads(pio.to_json(_projected(drawable(panel)), validate=False))
        note = f'<p class="slide__note">{_e(panel.notes[0])}</p>' if panel.notes else ""
        body = (
            f'<p class="slide__title">{_e(panel.title)}</p>'
            f'<div class="slide__chart" data-chart="{chart.name}" role="img" aria-label="{_e(panel.summary)}">'
            f"</div>{note}"
        )
        slides.append(_slide(panel.summary, body))
    sections = "".join(
        f'<section class="slide" id="slide-{i}" aria-roledescription="slide" '
        f'aria-label="Slide {i} of {len(slides)}"{"" if i == 1 else " hidden"}>{content}</section>'
        for i, content in enumerate(slides, start=1)
    )
    dashboard = "/" + to_query(state)
    warning = f'<p class="meeting-bar__warning">{_e(SYNTHETIC_WARNING)}</p>' if cover.synthetic else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Meeting mode: Inclusion Dashboard</title>
<link rel="stylesheet" href="/assets/meeting.css">
</head>
<body class="meeting">
<a class="skip-link" href="#slides">Skip to the slides</a>
<header class="meeting-bar">
<h1 class="meeting-bar__title">Inclusion board meeting</h1>
<p class="meeting-bar__status">{_e(status)}</p>{warning}
</header>
<main id="slides" tabindex="-1">{sections}</main>
<nav class="meeting-controls" aria-label="Slides">
<button type="button" id="meeting-previous">&larr; Previous</button>
<p id="meeting-position" aria-live="polite">Slide 1 of {len(slides)}</p>
<button type="button" id="meeting-next">Next &rarr;</button>
<a id="meeting-exit" href="{_e(dashboard)}">Back to the dashboard (Esc)</a>
</nav>
<footer class="meeting-keys"><p>Keys: &rarr; or space for the next slide, &larr; for the one before, Home for the
first, Esc for the dashboard.</p></footer>
<script src="{PLOTLY_JS}"></script>
<script id="meeting-figures" type="application/json">{_script_json(figures)}</script>
<script src="/assets/meeting.js"></script>
</body>
</html>"""


def _cover_slide(cover, messages: list[str]) -> str:
    lines = [cover.filters, cover.as_of, cover.source, cover.suppression, *messages]
    return _slide("Inclusion board meeting", "".join(f'<p class="slide__line">{_e(line)}</p>' for line in lines))


def _slide(heading: str, body: str) -> str:
    return f'<h2 class="slide__heading">{_e(heading)}</h2>{body}'


def _projected(figure: go.Figure) -> go.Figure:
    """The figure in type that reads on a projector, its title left to the slide."""
    projected = go.Figure(figure)
    projected.update_layout(
        font={"size": PROJECTOR_FONT}, title=None, height=520, margin={"t": 60}, hoverlabel={"font": {"size": 20}}
    )
    return projected


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _script_json(value) -> str:
    # Inside a <script> element, "</" would end it early: escaped, the JSON reads the same.
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")
