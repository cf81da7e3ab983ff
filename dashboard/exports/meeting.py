"""Meeting mode: the board pack's sequence, one slide a screen, large type, driven by the keyboard.

The page is built whole on the server from the same views as the pages and the pack; every slide's figure is drawn
when the page opens, so moving between slides shows what is already there and asks nothing of the server. Each slide
fits the screen it is shown on (1080p down to 720p): the chart takes the room the words leave, and its type is sized
for 1080p here and scaled to the screen by meeting.js.
"""

from __future__ import annotations

import html
import json
import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.domain.access import Audience, restricted
from dashboard.domain.filters import parse_query, to_query
from dashboard.exports.caption import SYNTHETIC_WARNING, caption_for
from dashboard.exports.charts import drawable
from dashboard.query.queries import Queries
from dashboard.views.board import board_panels
from dashboard.views.overview import overview

PLOTLY_JS = "/_dash-component-suites/plotly/package_data/plotly.min.js"  # the copy Dash already serves locally
PROJECTOR_FONT = 20  # chart text at 1080p that reads from the back of a room; meeting.js scales it to the screen
AXIS_TITLE_WIDTH = 28  # characters a line in a y-axis title, so a long one fits beside a short plot (720p)
ROW_ABOVE = 30  # top margin (at 1080p) for each row of labels a chart prints above its plot


def meeting_html(queries: Queries, query: str, audience: Audience | None = None) -> str:
    """The whole meeting-mode page for the filters in query, with the charts the audience may see."""
    state, messages = parse_query(query, queries.filter_options())
    if audience is not None:
        state, refused = restricted(audience, state)
        messages += refused
    cards, _, _ = overview(queries, state)
    panels, left_out = board_panels(queries, state, audience)
    cover = caption_for(queries, state, "Inclusion board meeting", messages, None)
    status = f"{cover.filters.removeprefix('Filters: ')}. {cover.as_of}"
    slides = [_cover_slide(cover, messages + left_out), _tiles_slide(cards)]
    figures = {}
    for chart, panel in panels:
        figures[chart.name] = _projected(drawable(panel))
        slides.append(_chart_slide(chart.name, panel))
    sections = "".join(
        f'<section class="slide slide--{kind}" id="slide-{i}" aria-roledescription="slide" '
        f'aria-label="Slide {i} of {len(slides)}"{"" if i == 1 else " hidden"}>{content}</section>'
        for i, (kind, content) in enumerate(slides, start=1)
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


def _cover_slide(cover, messages: list[str]) -> tuple[str, str]:
    # The filters and the date are what a room needs to read first; the fine print follows, smaller.
    notes = "".join(f'<p class="cover__note">{_e(line)}</p>' for line in (cover.source, cover.suppression))
    notes += "".join(f'<p class="cover__note cover__note--message">{_e(line)}</p>' for line in messages)
    # With several messages (a filter that fell back, views left out) the cover is set smaller, so it all fits.
    busy = " cover__notes--busy" if len(messages) > 1 else ""
    body = (
        f'<p class="cover__filters">{_e(cover.filters)}</p>'
        f'<p class="cover__date">{_e(cover.as_of)}</p>'
        f'<div class="cover__notes{busy}">{notes}</div>'
    )
    return "cover", _heading("Inclusion board meeting") + body


def _tiles_slide(cards) -> tuple[str, str]:
    tiles = "".join(
        f'<li class="tile"><span class="tile__name">{_e(card.measure.label)}</span>'
        # A value in words ('not available') is set smaller than a number, so it stays inside its tile.
        f'<span class="tile__value{"" if any(c.isdigit() for c in card.value) else " tile__value--words"}">'
        f"{_e(card.value)} <small>{_e(card.unit)}</small></span>"
        f'<span class="tile__change">{_e(" ".join(filter(None, (card.change, card.judgement))))}</span></li>'
        for card in cards
    )
    return "tiles", _heading("Headline measures") + f'<ul class="tiles">{tiles}</ul>'


def _chart_slide(name: str, panel) -> tuple[str, str]:
    # The message is the heading; the figures behind it (intervals, p-values) are the subtitle, and the chart's own
    # label sits on the chart, so the heading stays within two lines.
    note = f'<p class="slide__note">{_e(panel.notes[0])}</p>' if panel.notes else ""
    body = (
        f'<p class="slide__summary">{_e(panel.summary)}</p>'
        f'<div class="slide__figure"><p class="slide__title">{_e(panel.title)}</p>'
        f'<div class="slide__frame"><div class="slide__chart" data-chart="{_e(name)}" role="img" '
        f'aria-label="{_e(panel.summary)}"></div></div></div>{note}'
    )
    return "chart", _heading(panel.message) + body


def _heading(text: str) -> str:
    return f'<h2 class="slide__heading">{_e(text)}</h2>'


def _projected(figure: go.Figure) -> dict:
    """The figure as plotly JSON for a projector: sized by its slide, type of at least PROJECTOR_FONT at 1080p, the
    legend beside the plot and clear of the axes, and the title left to the slide."""
    spec = json.loads(pio.to_json(figure, validate=False))
    _at_least(spec, PROJECTOR_FONT)
    layout = spec.setdefault("layout", {})
    for key in ("title", "height", "width"):
        layout.pop(key, None)
    layout["autosize"] = True
    layout["font"] = {**layout.get("font", {}), "size": PROJECTOR_FONT}
    layout["hoverlabel"] = {**layout.get("hoverlabel", {}), "font": {"size": PROJECTOR_FONT}}
    # Bars would shrink a figure that does not fit inside them below the size set; shown at it instead.
    layout["uniformtext"] = {"minsize": PROJECTOR_FONT, "mode": "show"}
    rows_above = {
        a.get("y") for a in layout.get("annotations", []) if a.get("yref") == "paper" and (a.get("y") or 0) >= 1
    }
    layout["margin"] = {"l": 10, "r": 10, "b": 10, "t": 20 + ROW_ABOVE * len(rows_above), "pad": 4}
    for trace in spec.get("data", []):
        if trace.get("type") == "scatter" and "text" in trace.get("mode", ""):
            # A name beside a point near the edge runs past the plot at this size: printed in full, not cut off.
            trace["cliponaxis"] = False
    if "geo" not in layout:
        # Beside the plot, the legend pushes the margin out rather than lying over the x-axis and its title.
        legend = {k: v for k, v in layout.get("legend", {}).items() if k in ("traceorder", "tracegroupgap")}
        layout["legend"] = {**legend, "orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"}
        for axis in ("xaxis", "yaxis"):
            layout[axis] = {**layout.get(axis, {}), "automargin": True}
        title = layout["yaxis"].get("title")
        if isinstance(title, dict) and title.get("text"):
            title["text"] = _axis_lines(title["text"])
    return spec


def _axis_lines(text: str) -> str:
    """A y-axis title in lines short enough to fit beside a 720p plot, broken before a bracket where it has one."""
    if len(text) <= AXIS_TITLE_WIDTH or "<br>" in text:
        return text
    head, bracket, rest = text.partition(" (")
    if bracket and len(head) <= AXIS_TITLE_WIDTH and len(rest) < AXIS_TITLE_WIDTH:
        return f"{head}<br>({rest}"
    return "<br>".join(textwrap.wrap(text, AXIS_TITLE_WIDTH))


def _at_least(node, size: int) -> None:
    """Raise every font size set in a plotly spec (layout, traces, annotations, colour bars) to at least size."""
    if isinstance(node, list):
        for item in node:
            _at_least(item, size)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                found = value["size"]
                value["size"] = [_raised(s, size) for s in found] if isinstance(found, list) else _raised(found, size)
            _at_least(value, size)


def _raised(found, size: int):
    return max(found, size) if isinstance(found, (int, float)) else found


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _script_json(value) -> str:
    # Inside a <script> element, "</" would end it early: escaped, the JSON reads the same.
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")
