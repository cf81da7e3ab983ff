"""Any chart panel's table downloads as CSV, exactly as its Table tab shows it."""

from __future__ import annotations

import pandas as pd
from dash import MATCH, Input, Output, State, dcc
from dash.exceptions import PreventUpdate

from dashboard.query.queries import Queries
from layouts.components import panel_id


def register(app, queries: Queries) -> None:
    """Attach the panel download callback to app."""

    @app.callback(
        Output(panel_id("download", MATCH), "data"),
        Input(panel_id("download-button", MATCH), "n_clicks"),
        State(panel_id("data", MATCH), "data"),
        prevent_initial_call=True,
    )
    def download_panel(clicks: int | None, data: dict | None):
        if not data:
            raise PreventUpdate
        frame = pd.DataFrame(data["records"], columns=data["columns"])
        name = "".join(ch if ch.isalnum() else "-" for ch in data["title"].lower()).strip("-")
        return dcc.send_data_frame(frame.to_csv, f"{name}.csv", index=False)
