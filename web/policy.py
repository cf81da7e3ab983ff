"""Rights enforced on the server: a callback that writes to a page's components needs that page's right, whatever the
browser sends; pages, exports and data routes ask the same policy (dashboard.domain.access)."""

from __future__ import annotations

import json

from dash import Dash
from flask import g, jsonify, request

from dashboard.domain.access import AGGREGATES, may, refusal
from layouts.page import Page
from web.log import event


def component_ids(node) -> list:
    """Every component id in a layout, walked through children."""
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
            continue
        if item is None or isinstance(item, (str, int, float)):
            continue
        component_id = getattr(item, "id", None)
        if component_id is not None:
            found.append(component_id)
        stack.append(getattr(item, "children", None))
    return found


def key(component_id) -> str:
    """A component id as one string, a pattern-matching (dict) id with its keys in order."""
    return json.dumps(component_id, sort_keys=True) if isinstance(component_id, dict) else str(component_id)


class CallbackRights:
    """The right each page's components need, from the page registry: a callback writing to a Schools page
    component needs the schools right, whoever asks and whatever else it writes."""

    def __init__(self, pages: tuple[Page, ...]):
        self.needed = {
            key(component_id): page.right
            for page in pages
            if page.right != AGGREGATES
            for component_id in component_ids(page.layout())
        }

    def for_outputs(self, outputs) -> set[str]:
        """The rights a callback's outputs (as Dash posts them) need beyond the aggregates."""
        outputs = outputs if isinstance(outputs, list) else [outputs]
        rights = set()
        for output in outputs:
            for item in output if isinstance(output, list) else [output]:
                if isinstance(item, dict) and "id" in item:
                    right = self.needed.get(key(item["id"]))
                    if right:
                        rights.add(right)
        return rights


def enforce(app: Dash, pages: tuple[Page, ...]) -> CallbackRights:
    """Check every callback request's outputs against the reader's rights before Dash runs it: 403 and a sentence,
    never data."""
    rights = CallbackRights(pages)
    update = app.get_relative_path("/_dash-update-component")

    @app.server.before_request
    def refuse_callbacks_beyond_the_role():
        if request.path != update or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(status="error", detail="The request could not be understood."), 400
        for right in sorted(rights.for_outputs(body.get("outputs"))):
            if not may(g.audience, right):
                event("refused", what="callback", right=right)
                return jsonify(status="error", detail=refusal(right)), 403
        return None

    return rights
