"""Security at the edge: headers (flask-talisman), rate limits (flask-limiter), request size and shape checks.

A request whose address or body no page could have made is answered with a 4xx and a sentence before it reaches a
query, a caption or the export browser.
"""

from __future__ import annotations

from dash import Dash
from flask import jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman

from dashboard.config import Config

MAX_BODY = 4 * 1024 * 1024  # a callback's inputs, the largest a page sends (its tables echoed back) is well under
MAX_QUERY = 2048  # characters of an address's query string: every filter set is under 300


def headers(app: Dash, config: Config) -> Talisman:
    """Security headers on every response: a Content-Security-Policy as strict as Dash allows, no framing, no
    referrer beyond the origin, no sniffing; HTTPS only and HSTS when served behind TLS."""
    policy = {
        "default-src": "'self'",
        # Dash's own inline scripts (its renderer, clientside callbacks) by their hashes; nothing else inline.
        "script-src": ["'self'", *app.csp_hashes()],
        # Plotly and Dash's components set styles on elements as they draw: inline styles cannot be refused.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return Talisman(
        app.server,
        content_security_policy=policy,
        force_https=config.https,
        strict_transport_security=config.https,
        session_cookie_secure=config.https,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )


def limits(app: Dash, config: Config) -> Limiter:
    """Rate limits per address, kept where the config says (memory:// is per worker process)."""
    return Limiter(get_remote_address, app=app.server, storage_uri=config.limits_storage, default_limits=[])


def screen(app: Dash) -> None:
    """Refuse, before any route runs, a request no page could have sent: an oversized body or address, or a
    control character in the address."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @server.before_request
    def refuse_malformed():
        query = request.query_string
        if len(query) > MAX_QUERY or len(request.path) > MAX_QUERY:
            return jsonify(status="error", detail="The address is too long for any page of this dashboard."), 414
        values = [request.path, *request.args.keys(), *request.args.values()]
        if any(not char.isprintable() for value in values for char in value):
            return jsonify(
                status="error", detail="The address holds a control character, which no page or filter has."
            ), 400
        return None
