"""Data and methods: what each measure means, how small numbers and comparisons are handled, the files loaded."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.measures import MEASURES
from dashboard.domain.reference import EES_SYMBOLS
from layouts import ids
from layouts.components import frame_table, page_heading, table_box
from layouts.page import Page

QUESTION = "What do the measures mean and where does the data come from?"


def layout() -> html.Div:
    """The page's heading; its content depends on the data loaded and is filled in by its callback."""
    return html.Div(
        [
            *page_heading("Data and methods", QUESTION),
            dcc.Loading(html.Div(id=ids.DATA_CONTENT), type="dot"),
        ]
    )


def standardisation_section(words: list[str], example) -> list:
    """Expected given deprivation in plain English, with the worked example's sentences and table when there is one."""
    section = [html.H2("Compared with what deprivation predicts", className="h4"), *[html.P(w) for w in words]]
    if example is not None:
        section += [html.P(" ".join(example.sentences))]
        section.append(
            table_box(
                frame_table(example.table, "Worked example: expected suspensions decile by decile"),
                "Worked example: expected suspensions decile by decile",
            )
        )
    return section


def content(
    sources: list[tuple[str, str, int, str]],
    datasets: list[tuple],
    threshold: int,
    version: str = "",
    deprivation: list | None = None,
    area: Area = BOROUGH,
) -> html.Div:
    """Each measure's definition, numerator, denominator and unit, the methods, the files loaded and the version."""
    measures = table_box(
        dbc.Table(
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
        ),
        "How each measure is calculated",
        tall=False,
    )
    files = table_box(
        dbc.Table(
            [
                html.Caption("Files in the data being served"),
                html.Thead(
                    html.Tr([html.Th(h, scope="col") for h in ("File", "Form", "Rows read", "SHA-256 checksum")])
                ),
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
        ),
        "Files in the data being served",
        tall=False,
    )
    return html.Div(
        [
            html.H2("Measures", className="h4"),
            measures,
            html.H2("Small numbers", className="h4"),
            html.P(
                f"Counts about children are personal data. Any figure resting on between 1 and {threshold} children "
                "is shown as c (confidential) and its area is drawn dark grey, with its own legend entry; zero is "
                "shown as 0. "
                "A rate is suppressed when its numerator or its denominator is."
            ),
            html.P(
                "Hiding the small figures is not enough on its own: a hidden figure could be worked out by taking the "
                "figures shown from a total shown elsewhere (a locality's small areas from the locality, the "
                "localities from "
                f"{area.the}, one need from a school's total). So every table is protected together with the totals "
                "the "
                f"dashboard shows beside it. The coarser table is settled first ({area.the}, then localities and "
                "needs, then "
                "wards with their small areas, then schools within clusters and phases), and wherever a hidden "
                "figure could "
                "still be found by subtraction, or by combining several tables as a determined reader might, the next "
                "smallest figure is hidden too. Zero is not protected: it is shown as 0 and describes no child."
            ),
            html.P(
                "Files from Explore Education Statistics may carry symbols instead of numbers. They are kept and "
                "shown where "
                "the number would be: "
                + "; ".join(f"{s} = {m}" for s, m in EES_SYMBOLS.items())
                + ". On maps c and low are "
                "drawn dark grey with suppressed places and x, z and u light grey with places that have no data, "
                "each named in "
                "the legend; on charts they leave a gap, and tables show the symbol itself."
            ),
            html.H2("Fair comparisons", className="h4"),
            html.P(
                "A rate resting on few children can move a long way by chance. Bars carry 95% confidence intervals: "
                "Wilson score intervals for shares of people (absence, EHC plans), exact Poisson intervals for "
                "counts of "
                "events (a pupil can be suspended more than once). Where an interval does not include the figure it is "
                "compared with, the difference is unlikely to be chance alone. The map can colour places by that "
                f"test (better, similar or worse than {area.the} or the benchmark) instead of by their rate, and its "
                "table "
                "always gives each place's interval and verdict. Trend charts carry the same intervals as whiskers "
                "and a "
                f"shaded band around {area.the}, and each line's trend over the years is tested (the chi-square test "
                "for "
                "trend for shares of people, the score test for Poisson rates): improving, worsening, or no "
                "significant change."
            ),
            html.P(
                "Headline changes on the year before are called better or worse only when a significance test says so "
                "(a two-proportion test for shares of people, an exact conditional test for counts of events); "
                "otherwise "
                "they say 'no significant change'. Absence rates count half-day sessions, which cluster within "
                "pupils, so "
                "their intervals understate the true uncertainty: read their verdicts with that in mind."
            ),
            html.P(
                "Schools are compared on a funnel plot. Each dot is a school. Across is the number of events it would"
                f" be expected to have: its pupils times {area.the} rate for schools of its phase, so an alternative "
                "provision centre is not held to a primary school's rate, and within a phase larger schools sit "
                f"further right. Up is its own count divided by that expected count: 1 is {area.the} rate for its "
                "phase, 2 is twice it. The lines around 1 show how far a school's count could fall from the expected "
                "count by chance alone. They are exact Poisson limits: the counts a Poisson distribution with the "
                "expected count as its mean gives, worked out exactly rather than approximated, which matters for the"
                " small counts of small schools. The dotted inner lines hold 95% of that chance variation, so about 1"
                " school in 20 lies outside them by chance alone; the dashed outer lines hold 99.8%, so only about 1 "
                "in 500 does. The funnel narrows for larger schools because their rates are steadier, so a small "
                "school is not named for a blip. Where schools differ from one another more than chance allows, as "
                "schools serving different pupils do, the lines are widened by that spread and the chart's note says "
                "so."
            ),
            html.P(
                "A school outside the limits is flagged for a question, not a judgement: its rate is unusual for a "
                "school of its size, but the plot cannot say why. The comparison is not adjusted for intake (the "
                "deprivation of where pupils live, their needs or prior attainment) unless the chart says what it "
                f"compares with: against {area.the} rate for its phase, a school serving more disadvantaged pupils "
                "may lie above the funnel for that reason alone. Schools whose figures rest on too few children to "
                "show (c) are neither plotted nor named."
            ),
            *(deprivation or []),
            html.H2("Board targets", className="h4"),
            html.P(
                "A board can load its own targets (targets.csv): a measure's figure for {area.the}, a locality or a "
                "school cluster, at most or at least a value, by an academic year. The Overview's cards and locality "
                "table, Trends and the board pack give each target a status in words, judged on the 95% interval "
                "rather than the figure alone, because a figure just under a target may be under it by chance."
            ),
            html.P(
                "Once the data reach the target's year: met when that year's whole interval is on the target's good "
                "side (touching the target counts as meeting it), not met when the whole interval is on the other "
                "side, and too close to call when the interval includes the target. For a target whose year is still "
                "to come, the latest year's interval is judged the same way: on track, off track, or too early to "
                "say. A figure hidden to protect children is not judged: it says not shown (too few children). A "
                "target is for all pupils in its place, so it is not judged when a phase, SEN provision or need is "
                "chosen."
            ),
            html.H2("Where the data comes from", className="h4"),
            html.P(
                f"Version of the data served: {version} (also at /healthz). Quote it when reporting a figure."
                if version
                else "No version of the data is loaded."
            ),
            table_box(
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
                "Datasets loaded",
                tall=False,
            ),
            files,
        ]
    )


PAGE = Page("/data", "Data & methods", QUESTION, "data", layout)
