"""The registry of pages and their layouts; pages not built yet say what is coming."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.domain.measures import MEASURES
from dashboard.domain.reference import EES_SYMBOLS
from layouts import ids
from layouts.components import GRAPH_CONFIG, panel_placeholder


@dataclass(frozen=True)
class Page:
    """A page: where it lives, its name in the navigation, and the question it answers."""

    path: str
    name: str
    question: str
    coming: str = ""  # what the page will hold, for pages not built yet


PAGES: tuple[Page, ...] = (
    Page(
        "/",
        "Overview",
        "How inclusive are our schools this year, and is it getting better?",
        "Headline cards for suspensions, permanent exclusions, EHC plans and absence, each with its change on last year "
        "and the England benchmark, and the locality table from the inclusion strategy.",
    ),
    Page("/map", "Map", "Where do the rates differ, small area by small area?"),
    Page(
        "/trends",
        "Trends",
        "How has each measure moved over the years, by locality, cluster or need?",
        "Each measure over academic years and terms by locality, cluster or need type, with borough and benchmark lines.",
    ),
    Page(
        "/needs",
        "Needs",
        "Which needs are behind the plans, and who is excluded or absent most?",
        "Primary need mix by locality, and suspension and absence rates by need and SEN provision beside pupils with no SEN.",
    ),
    Page(
        "/schools",
        "Schools",
        "How does each school and cluster compare, fairly?",
        "A sortable, downloadable table of schools and clusters with every measure, and a detail panel for each school.",
    ),
    Page("/data", "Data & methods", "What do the measures mean and where does the data come from?"),
)
PAGES_BY_PATH = {page.path: page for page in PAGES}


def create_map_page() -> html.Div:
    """Map page: choropleth by small area, its one-line summary, and the same values as a table."""
    return html.Div(
        [
            html.H1("Map"),
            html.P(
                "Click a place to narrow every page to its locality; choose the map level and school points under 'Map' in the filters.",
                className="text-muted",
            ),
            html.P(id=ids.MAP_SUMMARY, className="lead"),
            html.Div(id=ids.MAP_NOTE),
            dbc.Tabs(
                [
                    dbc.Tab(
                        dcc.Loading(
                            dcc.Graph(
                                id=ids.MAP_GRAPH,
                                config={**GRAPH_CONFIG, "scrollZoom": False},
                                style={"height": "620px"},
                            ),
                            type="dot",
                        ),
                        label="Chart",
                        tab_id="chart",
                    ),
                    dbc.Tab(
                        [
                            html.P(
                                "The same figures as the map, for reading without colour or a mouse.",
                                className="text-muted mt-2",
                            ),
                            html.Div(id=ids.MAP_TABLE, className="table-scroll"),
                        ],
                        label="Table",
                        tab_id="table",
                    ),
                ],
                id=ids.MAP_TABS,
                active_tab="chart",
                persistence=True,
                persistence_type="session",
            ),
            dcc.Store(id=ids.MAP_LOADED),
        ]
    )


def create_overview_page() -> html.Div:
    """Overview: headline cards for every measure, then the locality table for the chosen measure."""
    return html.Div(
        [
            html.H1("Overview"),
            html.P(PAGES_BY_PATH["/"].question, className="lead"),
            html.P(id=ids.OVERVIEW_SELECTION),
            dcc.Loading(html.Div(id=ids.OVERVIEW_CARDS), type="dot"),
            panel_placeholder("localities"),
        ]
    )


def create_trends_page() -> html.Div:
    """Trends: the chosen measure over time; breakdown and years-or-terms are set in the filter panel."""
    return html.Div(
        [
            html.H1("Trends"),
            html.P(
                PAGES_BY_PATH["/trends"].question
                + " Choose the breakdown and years or terms under 'Trend chart' in the filters.",
                className="lead",
            ),
            panel_placeholder("trend"),
            panel_placeholder("reasons"),
        ]
    )


def create_needs_page() -> html.Div:
    """Needs: the need mix of plans by locality, and pupil measures by SEN provision and primary need."""
    return html.Div(
        [
            html.H1("Needs"),
            html.P(PAGES_BY_PATH["/needs"].question, className="lead"),
            panel_placeholder("need-mix"),
            panel_placeholder("broad-mix"),
            panel_placeholder("by-sen"),
            panel_placeholder("by-need"),
        ]
    )


def create_schools_page() -> html.Div:
    """Schools: sortable, filterable grids of schools and clusters, and one school in detail."""
    return html.Div(
        [
            html.H1("Schools"),
            html.P(
                PAGES_BY_PATH["/schools"].question + " Small numbers are shown as c; sort or filter any column.",
                className="lead",
            ),
            panel_placeholder("funnel"),
            html.H2("Every school and cluster", className="h4"),
            html.P(id=ids.SCHOOLS_SUMMARY),
            dbc.Tabs(
                [
                    dbc.Tab(html.Div(id=ids.SCHOOL_GRID_HOLDER, className="pt-2"), label="Schools", tab_id="schools"),
                    dbc.Tab(
                        html.Div(id=ids.CLUSTER_GRID_HOLDER, className="pt-2"), label="Clusters", tab_id="clusters"
                    ),
                ],
                id=ids.SCHOOLS_TABS,
                active_tab="schools",
            ),
            html.H2("One school in detail", className="h4 mt-4"),
            html.Label("School", htmlFor=ids.SCHOOL_PICK, className="form-label"),
            dbc.Select(id=ids.SCHOOL_PICK, options=[], className="mb-3", style={"maxWidth": "32rem"}),
            html.P("Choose a school here, or click its row in the table above.", className="small text-muted"),
            panel_placeholder("school-trend"),
            panel_placeholder("school-needs"),
        ]
    )


def create_placeholder(page: Page) -> html.Div:
    """A page that is not built yet: what it will answer, and where to go now."""
    return html.Div(
        [
            html.H1(page.name),
            html.P(page.question, className="lead"),
            dbc.Alert(
                [
                    html.Strong("Coming next. "),
                    page.coming,
                    " Until then, the Map page shows every measure by small area.",
                ],
                color="info",
            ),
            dcc.Link("Go to the Map", href="/map", className="btn btn-primary"),
        ]
    )


def create_data_page(sources: list[tuple[str, str, int, str]], datasets: list[tuple], threshold: int) -> html.Div:
    """Data & methods: each measure's definition, numerator, denominator and unit, and the files loaded."""
    measures = dbc.Table(
        [
            html.Caption("How each measure is calculated"),
            html.Thead(
                html.Tr(
                    [html.Th(h, scope="col") for h in ("Measure", "Definition", "Numerator", "Denominator", "Unit")]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Th(m.label, scope="row"),
                            html.Td(m.definition),
                            html.Td(m.numerator_label),
                            html.Td(m.denominator_label),
                            html.Td(m.unit),
                        ]
                    )
                    for m in MEASURES.values()
                ]
            ),
        ],
        bordered=True,
        hover=True,
        size="sm",
        className="caption-top",
    )
    files = dbc.Table(
        [
            html.Caption("Files in the data being served"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in ("File", "Form", "Rows read", "SHA-256 checksum")])),
            html.Tbody(
                [
                    html.Tr([html.Td(f), html.Td(form), html.Td(f"{rows:,}"), html.Td(html.Code(sha[:16] + "…"))])
                    for f, sha, rows, form in sources
                ]
            ),
        ],
        bordered=True,
        size="sm",
        className="caption-top",
    )
    return html.Div(
        [
            html.H1("Data and methods"),
            html.P(PAGES_BY_PATH["/data"].question, className="lead"),
            html.H2("Measures", className="h4"),
            measures,
            html.H2("Small numbers", className="h4"),
            html.P(
                f"Counts about children are personal data. Any figure resting on between 1 and {threshold} children "
                "is shown as c (confidential) and its area is drawn dark grey, with its own legend entry; zero is shown as 0. "
                "A rate is suppressed when its numerator or its denominator is."
            ),
            html.P(
                "Hiding the small figures is not enough on its own: a hidden figure could be worked out by taking the "
                "figures shown from a total shown elsewhere (a locality's small areas from the locality, the localities from "
                "the borough, one need from a school's total). So every table is protected together with the totals the "
                "dashboard shows beside it. The coarser table is settled first (the borough, then localities and needs, then "
                "wards with their small areas, then schools within clusters and phases), and wherever a hidden figure could "
                "still be found by subtraction, or by combining several tables as a determined reader might, the next "
                "smallest figure is hidden too. Zero is not protected: it is shown as 0 and describes no child."
            ),
            html.P(
                "Files from Explore Education Statistics may carry symbols instead of numbers. They are kept and shown where "
                "the number would be: "
                + "; ".join(f"{s} = {m}" for s, m in EES_SYMBOLS.items())
                + ". On maps c and low are "
                "drawn dark grey with suppressed places and x, z and u light grey with places that have no data, each named in "
                "the legend; on charts they leave a gap, and tables show the symbol itself."
            ),
            html.H2("Fair comparisons", className="h4"),
            html.P(
                "A rate resting on few children can move a long way by chance. Bars carry 95% confidence intervals: "
                "Wilson score intervals for shares of people (absence, EHC plans), exact Poisson intervals for counts of "
                "events (a pupil can be suspended more than once). Where an interval does not include the figure it is "
                "compared with, the difference is unlikely to be chance alone. The map can colour places by that "
                "test (better, similar or worse than the borough or the benchmark) instead of by their rate, and its table "
                "always gives each place's interval and verdict. Trend charts carry the same intervals as whiskers and a "
                "shaded band around the borough, and each line's trend over the years is tested (the chi-square test for "
                "trend for shares of people, the score test for Poisson rates): improving, worsening, or no significant change."
            ),
            html.P(
                "Headline changes on the year before are called better or worse only when a significance test says so "
                "(a two-proportion test for shares of people, an exact conditional test for counts of events); otherwise "
                "they say 'no significant change'. Absence rates count half-day sessions, which cluster within pupils, so "
                "their intervals understate the true uncertainty: read their verdicts with that in mind."
            ),
            html.P(
                "Schools are compared on a funnel plot. Each school's count is set against the count expected if it had "
                "the borough rate for schools of its phase, so an alternative provision centre is not held to a primary "
                "school's rate. The dotted lines hold 95% and the dashed lines 99.8% of the variation chance alone would "
                "give; they narrow as schools grow, so a small school is not named for a blip. Schools beyond the 99.8% "
                "lines are named; schools within them are similar to the borough, whatever their rank."
            ),
            html.H2("Where the data comes from", className="h4"),
            dbc.Table(
                [
                    html.Caption("Datasets loaded"),
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(h, scope="col")
                                for h in ("Dataset", "Rows", "First year", "Latest year", "Data to")
                            ]
                        )
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Th(name, scope="row"),
                                    html.Td(f"{rows:,}"),
                                    html.Td(first),
                                    html.Td(latest),
                                    html.Td(str(as_of)[:10]),
                                ]
                            )
                            for name, rows, first, latest, as_of in datasets
                        ]
                    ),
                ],
                bordered=True,
                size="sm",
                className="caption-top",
            ),
            files,
        ]
    )


def create_not_found(path: str) -> html.Div:
    """A page for an address that does not exist."""
    return html.Div(
        [
            html.H1("Page not found"),
            html.P(f"There is no page at {path}. Choose a page from the navigation above."),
            dcc.Link("Go to the Overview", href="/", className="btn btn-primary"),
        ]
    )
