"""A structured log of what happens at the edge (sign-ins, refusals, loads, exports): one JSON object a line, never
a password or a pupil's figure."""

from __future__ import annotations

import datetime as dt
import json
import logging

from flask import g, has_request_context, request

log = logging.getLogger("inclusion.events")
# Never written, whatever a caller passes: a password, a session or a token does not belong in a log.
SECRET = ("password", "token", "secret", "session", "cookie")


def event(name: str, **fields) -> None:
    """Log one event with its fields, the time, and (in a request) the address, path and reader's role."""
    record = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "event": name}
    if has_request_context():
        audience = g.get("audience")
        record.update(
            ip=request.remote_addr,
            http_method=request.method,
            path=request.path,
            role=audience.role if audience is not None else None,
        )
    record.update({key: value for key, value in fields.items() if not any(word in key.lower() for word in SECRET)})
    log.info(json.dumps(record, default=str, ensure_ascii=True))


def configure(level: int = logging.INFO) -> None:
    """Send the events to standard error as bare JSON lines (gunicorn and systemd keep them from there)."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
