"""Entry point: create_app(config) builds the Dash app; `server` is the WSGI application."""

from __future__ import annotations

import logging
import threading
import time

import pandas as pd
from dash import Dash
from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

import callbacks
from dashboard.config import Config, absolute_path
from dashboard.domain.access import NOBODY
from dashboard.domain.filters import MAP_LEVELS, echoed
from dashboard.exports.cache import cached_export
from dashboard.exports.charts import ExportNotFound, ExportRefused
from dashboard.exports.images import ImageExportBusy, ImageExportFailed
from dashboard.exports.meeting import meeting_html
from dashboard.query.queries import NotPublished, Queries, WarehouseMissing
from dashboard.store.warehouse import Warehouse
from layouts.pages import PAGES
from layouts.shell import PRODUCT_NAME, create_layout
from web import admin, log, policy, security
from web.auth import SignIn

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
    # A request slices many small frames. Pandas 3 keeps strings in Arrow by default, where comparing a column with one
    # value or taking rows costs about a millisecond each; its Python-backed strings hold the same values and are
    # quicker at that size (a county's Overview 24 to 19 ms, its map table 11 to 8 ms). Set for the web process only:
    # a load's frames are large, where Arrow's strings take far less memory (a county's protection workers peaked at
    # 1.3 GB with them and 2.7 GB without).
    pd.set_option("mode.string_storage", "python")
    config = config or Config()
    queries = Queries(Warehouse(config.warehouse_path, config.lookup_mb), map_places=config.map_places)
    app = Dash(
        __name__,
        title=PRODUCT_NAME,
        assets_folder=str(absolute_path("assets")),
        serve_locally=True,  # plotly.js and Dash's own scripts come from this server, never a CDN
        suppress_callback_exceptions=True,  # page components appear only when their page is shown
        update_title=None,
        assets_ignore=r"meeting\..*",  # meeting mode's own script and style load on its page only
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        compress=True,  # responses gzip- or brotli-compressed by flask-compress
    )
    app.index_string = INDEX_STRING
    log.configure()
    # The order requests meet the edge: malformed ones are refused, then the reader is known, then their rights.
    limiter = security.limits(app, config)
    security.screen(app)
    sign_in = SignIn(app.server, config, lambda: _synthetic(queries), limiter)
    policy.enforce(app, PAGES)

    def serve_layout():
        audience = g.get("audience", NOBODY)
        try:
            return create_layout(queries.filter_options(), queries.info(), queries.threshold, audience=audience)
        except WarehouseMissing:
            problem = (
                "No data has been loaded. Run 'make run' to build the demo borough, or load your own extracts "
                "with 'python -m dashboard.ingest' (see the README)."
            )
        except NotPublished as exc:
            problem = str(exc)  # never an unprotected figure: the version must be published first
        return create_layout(None, None, None, problem=problem, audience=audience)

    app.layout = serve_layout
    callbacks.register(app, queries)
    _add_routes(app, queries, config, limiter)
    admin.register(app, queries, config, limiter)
    security.headers(app, config)  # last: the policy lists the hashes of every inline script the callbacks added
    app.sign_in = sign_in
    # The look-ups every request makes are built once, beside the first requests rather than inside them.
    # Not a daemon: a process that ends while the thread is inside DuckDB (gunicorn --check-config imports the app and
    # exits at once) would abort; it waits for the warming to finish instead.
    threading.Thread(target=_warm, args=(queries,), name="warm").start()
    return app


def _warm(queries: Queries) -> None:
    try:
        queries.warm()
    except (WarehouseMissing, NotPublished):
        pass  # nothing to serve yet: every page says why
    except Exception:  # noqa: BLE001 - a failure here only means the first requests build what they need
        logging.getLogger(__name__).exception("warming the look-ups failed")


def _synthetic(queries: Queries) -> bool:
    """Whether the data served is the synthetic demo (or there is none yet, so nothing to protect)."""
    try:
        return queries.info().data_kind == "synthetic"
    except (WarehouseMissing, NotPublished):
        return True


def _add_routes(app: Dash, queries: Queries, config: Config, limiter) -> None:
    server = app.server

    @server.route("/healthz")
    def healthz():
        try:
            info, threshold = queries.info(), queries.threshold
        except WarehouseMissing as exc:
            return jsonify(status="no data", detail=str(exc)), 503
        except NotPublished as exc:
            return jsonify(status="not published", detail=str(exc)), 503
        return jsonify(
            status="ok",
            data_version=info.version,
            data_kind=info.data_kind,
            loaded_at=info.loaded_at,
            latest_year=info.latest_year,
            suppression_threshold=threshold,
        )

    @server.route("/geometry/<version>/<level>.json")
    @server.route("/geometry/<version>/<level>/<path:locality>.json")  # an LA's own locality code may hold a '/'
    def geometry(version: str, level: str, locality: str | None = None):
        # Boundaries go to the browser once per level and version: the address names the version, so it can be kept.
        # A level too large to draw whole goes one locality at a time.
        if level not in MAP_LEVELS:
            return jsonify(status="error", detail=f"There is no map level '{echoed(level)}'."), 404
        try:
            if locality is not None and locality not in queries.feature_ids("locality"):
                return jsonify(status="error", detail=f"There is no locality '{echoed(locality)}'."), 404
            geojson, current = queries.map_geojson_text(level, locality), queries.info().version
        except (WarehouseMissing, NotPublished) as exc:
            return jsonify(status="no data", detail=str(exc)), 503
        if geojson is None:
            return jsonify(status="error", detail="No boundaries are loaded."), 404
        response = server.response_class(geojson, mimetype="application/json")
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable" if version == current else "no-cache"
        return response

    @server.route("/meeting")
    def meeting():
        # The board pack's sequence, one slide a screen, for the filters in the address.
        try:
            page = meeting_html(queries, request.query_string.decode(), g.audience)
        except (WarehouseMissing, NotPublished) as exc:
            return server.response_class(str(exc), status=503, mimetype="text/plain")
        return server.response_class(page, mimetype="text/html")

    @server.route("/export/<chart>.<fmt>")
    @limiter.limit(config.export_limit)
    def export_file(chart: str, fmt: str):
        # A file of a chart or its table for the page's own query string: a copied link fetches the same file.
        started = time.perf_counter()
        try:
            query = request.query_string.decode()
            found = cached_export(
                queries, chart, fmt, query, request.args.get("urn"), contact=config.contact, audience=g.audience
            )
        except ExportNotFound as exc:
            return server.response_class(str(exc.args[0]), status=404, mimetype="text/plain")
        except ExportRefused as exc:
            log.event("refused", what="export", chart=chart, format=fmt)
            return server.response_class(str(exc), status=403, mimetype="text/plain")
        except (WarehouseMissing, NotPublished, ImageExportFailed) as exc:
            log.event("export unavailable", chart=chart, format=fmt, reason=str(exc.__cause__ or exc)[:200])
            retry = {"Retry-After": "60"} if isinstance(exc, ImageExportBusy) else {}
            return server.response_class(str(exc), status=503, mimetype="text/plain", headers=retry)
        log.event("export", chart=chart, format=fmt, seconds=round(time.perf_counter() - started, 3))
        return server.response_class(
            found.content,
            mimetype=found.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
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
