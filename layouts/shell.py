"""The page shell: skip link, header with data status, navigation, filter panel, main region, footer."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.domain.access import ADMINISTER, NOBODY, SCHOOLS, SIGNED_IN, Audience, describe, may
from dashboard.domain.filters import (
    CONTROL_LABELS,
    DEFAULTS,
    FILTER_LABELS,
    FILTER_PLURALS,
    FilterOptions,
    default_state,
)
from dashboard.domain.formatting import date_words, sentence_case
from dashboard.store.warehouse import WarehouseInfo
from layouts import ids
from layouts.pages import FOOTER_PAGES, PAGES

PRODUCT_NAME = "Inclusion Dashboard"
ALL = "all"


def data_status(info: WarehouseInfo | None) -> html.Div:
    """Plain words on what data this is: synthetic or real, and how recent."""
    if info is None:
        return html.Div("No data loaded yet", className="data-status data-status--missing")
    kind = (
        html.Strong(
            "Synthetic demo data: made up for demonstration, no real child is described.", className="data-status__kind"
        )
        if info.data_kind == "synthetic"
        else html.Strong("Local authority data", className="data-status__kind")
    )
    latest = f"Latest academic year {info.latest_year}. " if info.latest_year else ""
    return html.Div(
        # The version code means nothing to a board: it is on Data and methods and /healthz for those who trace.
        [kind, html.Span(f" {latest}Loaded on {date_words(info.loaded_at)}.")],
        className="data-status",
        id="data-status",
    )


def select_options(key: str, options: list[tuple[str, str]]) -> list[dict]:
    """Choices for a filter control; every filter but measure and year starts with 'All'."""
    choices = [{"label": label, "value": value} for value, label in options]
    if key in DEFAULTS or key == "year":
        return choices
    return [{"label": f"All {FILTER_PLURALS[key]}", "value": ALL}] + choices


def _select(key: str, options: list[tuple[str, str]], value: str | None, shown: bool = True) -> html.Div:
    control_id = ids.FILTER_CONTROLS[key]
    return html.Div(
        [
            html.Label(
                CONTROL_LABELS.get(key, sentence_case(FILTER_LABELS[key])), htmlFor=control_id, className="form-label"
            ),
            dbc.Select(id=control_id, options=select_options(key, options), value=value or ALL, disabled=not shown),
        ],
        # A control the reader's role may not use stays in the page (the filter callbacks write to it) but unseen.
        className="mb-3" if shown else "d-none",
    )


def filter_panel(options: FilterOptions, audience: Audience = NOBODY) -> html.Aside:
    """The filters every page shares; their values live in the URL so a link reproduces the view. School points are
    offered to those who may see schools."""
    state = default_state(options)
    return html.Aside(
        [
            html.H2("Filters", className="h5"),
            _select("measure", list(options.measures), state.measure),
            _select("year", list(options.years), state.year),
            _select("locality", list(options.localities), None),
            _select("cluster", list(options.clusters_in(None)), None),
            _select("need", list(options.needs), None),
            _select("sen", list(options.sen), None),
            _select("phase", list(options.phases), None),
            _select("compare", list(options.comparisons), "borough"),
            html.P(id=ids.FILTER_HINT, className="small filter-hint", **{"aria-live": "polite"}),
            html.Fieldset(
                [
                    html.Legend("Trend chart", className="h6"),
                    _select("by", list(options.breakdowns), "locality"),
                    _select("period", list(options.periods), "year"),
                ],
                id=ids.TREND_OPTIONS,
                className="d-none",
            ),
            html.Fieldset(
                [
                    html.Legend("Map", className="h6"),
                    _select("level", list(options.levels), "area"),
                    _select("schools", list(options.school_points), "hide", shown=may(audience, SCHOOLS)),
                    _select("colour", list(options.colourings), "value"),
                ],
                id=ids.MAP_OPTIONS,
                className="d-none",
            ),
            html.A("Clear filters", href="?", id=ids.FILTER_RESET, className="btn btn-outline-secondary btn-sm"),
            html.Section(
                [
                    html.H2("Board pack", className="h6 mt-3"),
                    html.P("These filters' figures as a paper, slides, or on the screen:", className="small mb-1"),
                    html.A("Board pack (PDF)", href="/export/board-pack.pdf", id=ids.PACK_PDF, className="d-block"),
                    html.A(
                        "Board pack (PowerPoint)", href="/export/board-pack.pptx", id=ids.PACK_PPTX, className="d-block"
                    ),
                    html.A("Meeting mode (full screen)", href="/meeting", id=ids.MEETING_LINK, className="d-block"),
                ],
                **{"aria-label": "Board pack"},
            ),
            html.P(
                "The link in your address bar keeps these filters: copy it to share this view.",
                className="small text-muted mt-3",
            ),
        ],
        className="filter-panel",
        **{"aria-label": "Filters"},
    )


def folded_filters(options: FilterOptions, audience: Audience = NOBODY) -> html.Div:
    """The filter panel, folded behind a button below 768 px so a phone's first screen shows the page's headline;
    always open on wider screens (assets/app.css)."""
    return html.Div(
        [
            html.Button(
                "Show filters",
                id=ids.FILTER_TOGGLE,
                type="button",
                className="btn btn-outline-secondary w-100 mb-2 d-md-none filter-toggle",
                **{"aria-expanded": "false", "aria-controls": ids.FILTER_COLLAPSE},
            ),
            dbc.Collapse(
                filter_panel(options, audience), id=ids.FILTER_COLLAPSE, is_open=False, className="filter-collapse"
            ),
        ]
    )


def navigation(audience: Audience = NOBODY) -> html.Nav:
    """Links to every page the reader may open; the callback keeps the current filters on each link."""
    return html.Nav(
        html.Ul(
            [
                html.Li(dcc.Link(page.name, href=page.path, className="nav-link"), className="nav-item")
                for page in PAGES
                if may(audience, page.right)
            ],
            className="nav nav-pills",
        ),
        id=ids.NAV,
        className="site-nav",
        **{"aria-label": "Pages"},
    )


def reader(audience: Audience) -> html.Div:
    """Who is reading, in words, with a way to sign out, and data administration for an administrator."""
    parts = [html.Span(describe(audience), className="reader__who")]
    if may(audience, ADMINISTER):
        parts.append(html.A("Data administration", href="/admin", className="reader__link"))
    if audience.how == SIGNED_IN:
        # Signing out is a POST, so a link in an email or an image cannot sign a reader out.
        parts.append(
            html.Form(
                html.Button("Sign out", type="submit", className="btn btn-sm btn-light"),
                method="post",
                action="/logout",
                className="reader__form",
            )
        )
    return html.Div(parts, className="reader", id=ids.READER)


def create_layout(
    options: FilterOptions | None,
    info: WarehouseInfo | None,
    threshold: int | None,
    problem: str | None = None,
    audience: Audience = NOBODY,
) -> html.Div:
    """The whole page around the current page's content, as the audience may see it."""
    body = (
        html.Main(
            html.Div(
                [html.H1("No data to show yet", className="h3"), html.P(problem)], className="alert alert-warning"
            ),
            id="main-content",
            tabIndex="-1",
            className="m-4",
        )
        if problem
        else dbc.Row(
            [
                dbc.Col(folded_filters(options, audience), md=3, lg=2, className="pt-3", id=ids.FILTER_COLUMN),
                dbc.Col(
                    html.Main(
                        [
                            html.Div(id=ids.MESSAGES, role="status", **{"aria-live": "polite"}),
                            # Said, not shown: a screen reader hears that the views changed after a filter did.
                            html.Div(
                                id=ids.ANNOUNCE,
                                role="status",
                                className="visually-hidden",
                                **{"aria-live": "polite", "aria-atomic": "true"},
                            ),
                            html.Div(id=ids.PAGE),
                        ],
                        id="main-content",
                        tabIndex="-1",
                    ),
                    md=9,
                    lg=10,
                    className="pt-3",
                ),
            ],
            className="g-4 mx-0",
        )
    )
    return html.Div(
        [
            html.A("Skip to main content", href="#main-content", className="skip-link"),
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.FILTER_STORE),
            dcc.Store(id=ids.TAB_CHOICES, storage_type="session"),
            dcc.Store(id=ids.PAGE_TITLE),
            html.Header(
                [
                    html.Div(
                        [html.Span(PRODUCT_NAME, className="product-name"), data_status(info), reader(audience)],
                        className="site-header__inner",
                    )
                ],
                className="site-header",
            ),
            navigation(audience) if not problem else None,
            body,
            html.Footer(
                [
                    html.P(
                        (
                            f"Figures resting on 1 to {threshold} children are shown as c and not drawn, and so is "
                            "any figure from which one could be worked out. "
                            if threshold
                            else ""
                        )
                        + "Contains public sector information licensed under the Open Government Licence v3.0.",
                        className="small mb-1",
                    ),
                    html.Ul(
                        [html.Li(dcc.Link(page.name, href=page.path)) for page in FOOTER_PAGES],
                        className="site-footer__links small mb-0",
                    ),
                ],
                className="site-footer",
            ),
        ]
    )
