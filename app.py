"""Entry point: create_app(config) builds the Dash app; `server` is the WSGI application."""

from __future__ import annotations

import logging

from dash import Dash
from flask import jsonify
from werkzeug.exceptions import HTTPException

import callbacks
from dashboard.config import Config, absolute_path
from dashboard.query.queries import Queries, WarehouseMissing
from dashboard.store.warehouse import Warehouse
from layouts.shell import PRODUCT_NAME, create_layout

INDEX_STRING = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <div>
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""


def create_app(config: Config | None = None) -> Dash:
    """Build the app for one warehouse; nothing is read until a page is served."""
    config = config or Config()
    queries = Queries(Warehouse(config.warehouse_path), config.suppression_threshold)
    app = Dash(
        __name__,
        title=PRODUCT_NAME,
        assets_folder=str(absolute_path("assets")),
        serve_locally=True,  # plotly.js and Dash's own scripts come from this server, never a CDN
        suppress_callback_exceptions=True,  # page components appear only when their page is shown
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX_STRING

    def serve_layout():
        try:
            return create_layout(queries.filter_options(), queries.info(), queries.threshold)
        except WarehouseMissing:
            return create_layout(
                None,
                None,
                queries.threshold,
                problem="No data has been loaded. Run 'make run' to build the demo borough, or load your "
                "own extracts with 'python -m dashboard.ingest' (see the README).",
            )

    app.layout = serve_layout
    callbacks.register(app, queries)
    _add_routes(app, queries)
    return app


def _add_routes(app: Dash, queries: Queries) -> None:
    server = app.server

    @server.route("/healthz")
    def healthz():
        try:
            info = queries.info()
        except WarehouseMissing as exc:
            return jsonify(status="no data", detail=str(exc)), 503
        return jsonify(
            status="ok",
            data_version=info.version,
            data_kind=info.data_kind,
            loaded_at=info.loaded_at,
            latest_year=info.latest_year,
        )

    @server.errorhandler(Exception)
    def plain_error(error):
        # A malformed request gets its HTTP status and a sentence, never a traceback or a bare 500.
        if isinstance(error, HTTPException):
            return jsonify(status="error", detail=error.description), error.code
        logging.getLogger(__name__).exception("request failed")
        return jsonify(status="error", detail="The request could not be understood."), 400


server = create_app().server

if __name__ == "__main__":
    settings = Config()
    create_app(settings).run(host=settings.host, port=settings.port, debug=settings.debug)
