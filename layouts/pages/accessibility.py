"""The accessibility statement, in the form GOV.UK sets for public sector websites; linked from every page's footer."""

from __future__ import annotations

from dash import dcc, html

from dashboard.config import Config
from layouts.page import Page

QUESTION = "How accessible is this dashboard, and how do I report a problem?"
PREPARED = "1 December 2026"
REVIEWED = "1 December 2026"

# What a reader may still meet, each with the way round it; tests/browser/test_accessibility.py checks the rest.
KNOWN_ISSUES = (
    (
        "Exported PDF files (a chart, or the board pack as a PDF) are not tagged for screen readers. The same "
        "figures come as CSV and Excel tables from every chart's Download menu, and the board pack as PowerPoint, "
        "whose speaker notes hold every figure as text. This fails WCAG 2.2 success criterion 1.3.1 (info and "
        "relationships) for those PDF files."
    ),
    (
        "Inside a chart, the points, bars and places are drawn as a picture that a screen reader cannot explore one "
        "by one, and the figures shown when you hover need a mouse. Each chart is named by its one-line summary, and "
        "its Table tab, one arrow key away, holds every figure."
    ),
    (
        "Clicking a place on the map to narrow the views to its locality needs a pointer. The Locality filter does "
        "the same from the keyboard."
    ),
    (
        "On the map, colour shows which class of values a small area is in. Suppressed places also carry a c, and "
        "places better or worse than the reference a symbol, but the class of each value is said in words only in "
        "the map's table."
    ),
)


def _contact(address: str) -> list:
    """How to reach the people who run this dashboard: the address set for this deployment, or who to ask."""
    if address:
        return [
            html.P("If you find a problem that is not listed on this page, or you need the figures in another format:"),
            html.Ul(html.Li(["email ", html.A(address, href=f"mailto:{address}")])),
        ]
    return [
        html.P(
            "If you find a problem that is not listed on this page, or you need the figures in another format, "
            "contact the team at your local authority who gave you access to this dashboard."
        )
    ]


def layout() -> html.Div:
    """The statement: who it covers, how accessible the dashboard is, known issues, contact and enforcement."""
    contact = Config().accessibility_contact
    return html.Div(
        [
            html.H1("Accessibility statement for the Inclusion Dashboard"),
            html.P(
                "This statement applies to the Inclusion Dashboard: its pages, meeting mode and the files it exports. "
                "It is run by the local authority that publishes it to you."
            ),
            html.P(
                "We want as many people as possible to be able to use it. For example, that means you should be able "
                "to:"
            ),
            html.Ul(
                [
                    html.Li("change colours, contrast levels and fonts using your browser or device settings"),
                    html.Li("zoom in up to 400% without the text spilling off the screen"),
                    html.Li("reach and use every control with a keyboard alone"),
                    html.Li("listen to every page with a screen reader, which hears when the views have updated"),
                    html.Li("read the figures behind every chart and map as a table"),
                ]
            ),
            html.H2("How accessible this dashboard is"),
            html.P("We know some parts are not fully accessible:"),
            html.Ul([html.Li(issue) for issue in KNOWN_ISSUES]),
            html.H2("Feedback and contact information"),
            *_contact(contact),
            html.H2("Reporting accessibility problems with this dashboard"),
            html.P(
                "We are always looking to improve the accessibility of this dashboard. If you find any problems not "
                "listed on this page or think we are not meeting accessibility requirements, contact us as above."
            ),
            html.H2("Enforcement procedure"),
            html.P(
                [
                    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector "
                    "Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the "
                    "'accessibility regulations'). If you are not happy with how we respond to your complaint, contact "
                    "the ",
                    html.A(
                        "Equality Advisory and Support Service (EASS)", href="https://www.equalityadvisoryservice.com/"
                    ),
                    ".",
                ]
            ),
            html.H2("Technical information about this dashboard's accessibility"),
            html.P(
                "The local authority that runs this dashboard is committed to making it accessible, in accordance with "
                "the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018."
            ),
            html.H3("Compliance status"),
            html.P(
                [
                    "This dashboard is partially compliant with the ",
                    html.A("Web Content Accessibility Guidelines version 2.2", href="https://www.w3.org/TR/WCAG22/"),
                    " AA standard, due to the non-compliance listed below.",
                ]
            ),
            html.H3("Non-accessible content"),
            html.P("The content listed below is non-accessible for the following reasons."),
            html.H4("Non-compliance with the accessibility regulations"),
            html.P(KNOWN_ISSUES[0]),
            html.H2("What we are doing to improve accessibility"),
            html.P(
                "Every change to the dashboard is tested before it is released: axe-core checks every page in the "
                "navigation, this statement and meeting mode against the WCAG 2.2 A and AA rules in a real browser; "
                "a test uses the dashboard with the keyboard alone, listening to what a screen reader would announce; "
                "and a test checks that every page reflows at 320 CSS pixels wide without scrolling sideways. We plan "
                "to tag exported PDF files."
            ),
            html.H2("Preparation of this accessibility statement"),
            html.P(
                f"This statement was prepared on {PREPARED}. It was last reviewed on {REVIEWED}. The dashboard was "
                "last tested on the same date by its developers, with the automated tests above and by hand with the "
                "keyboard, at 200% and 400% zoom, and in Chromium's accessibility tree."
            ),
            dcc.Link("Back to the Overview", href="/"),
        ],
        className="statement",
    )


PAGE = Page("/accessibility", "Accessibility statement", QUESTION, "accessibility", layout, filters=False)
