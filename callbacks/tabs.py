"""Tabs: a click (or an arrow key, which clicks) chooses a tab in the browser, and the session remembers it."""

from __future__ import annotations

from dash import ALL, MATCH, ClientsideFunction, Input, Output, State

from dashboard.query.queries import Queries
from layouts import ids


def register(app, queries: Queries) -> None:
    """Attach the tab switching, which runs in the browser (assets/tabs.js): no round trip to choose a tab."""
    tab = {"type": "tab", "tabs": MATCH, "tab": ALL}
    app.clientside_callback(
        ClientsideFunction("tabs", "choose"),
        Output(tab, "aria-selected"),
        Output(tab, "tabIndex"),
        Output({"type": "tabpanel", "tabs": MATCH, "tab": ALL}, "hidden"),
        Input(tab, "n_clicks"),
        State(tab, "id"),
        State(ids.TAB_CHOICES, "data"),
    )
