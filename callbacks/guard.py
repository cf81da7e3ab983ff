"""What every callback shares: errors become a plain message, never a traceback; filters arrive as a FilterState,
checked against the values the controls offer and narrowed to what the reader may see."""

from __future__ import annotations

import functools
import logging

from dash import Input, Output, State, html, no_update, set_props
from dash.exceptions import PreventUpdate
from flask import g, has_request_context

from dashboard.domain.access import NOBODY, Audience, restricted
from dashboard.domain.filters import FilterState, InvalidFilters, checked
from dashboard.query.queries import Queries
from layouts import ids

log = logging.getLogger(__name__)


def problem_message(text: str) -> html.P:
    """A message in the page's status region, in words rather than a traceback (the region itself is announced)."""
    return html.P(text, className="alert alert-warning mb-3")


def audience() -> Audience:
    """Who is asking, as the web edge decided before the callback ran (nobody outside a request)."""
    return g.get("audience", NOBODY) if has_request_context() else NOBODY


def filters_from(data: dict | None, queries: Queries) -> FilterState:
    """The page's filters from its store, each checked against the data and narrowed to the reader's rights; what
    was narrowed is said in the page's messages. Raises InvalidFilters for a value no control offers."""
    state = checked(data, queries.filter_options())
    state, refused = restricted(audience(), state)
    if refused:
        set_props(ids.MESSAGES, {"children": [problem_message(sentence) for sentence in refused]})
    return state


def guarded(output_count: int):
    """Turn an unexpected error in a callback into a plain message instead of a failed request (a 500)."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except PreventUpdate:
                raise  # nothing to redraw is not an error
            except InvalidFilters as refusal:  # a crafted or stale request: said, not drawn
                set_props(ids.MESSAGES, {"children": problem_message(str(refusal))})
                return no_update if output_count == 1 else (no_update,) * output_count
            except Exception:  # noqa: BLE001 - anything unexpected is logged and explained, never shown raw
                log.exception("callback %s failed", function.__name__)
                set_props(
                    ids.MESSAGES,
                    {
                        "children": problem_message(
                            "Something went wrong while updating this view. The figures shown may be out of date; "
                            "try another filter or reload the page."
                        )
                    },
                )
                return no_update if output_count == 1 else (no_update,) * output_count

        return wrapper

    return decorate


def on_filters(app, queries: Queries, *outputs: Output, inputs: tuple[Input, ...] = (), states: tuple[State, ...] = ()):
    """Register the decorated function(state, *values) to redraw outputs whenever the filters (or other inputs) change.

    The function gets the filters as a checked FilterState (filters_from), then the other inputs' and states' values;
    it is guarded, so an error becomes a message, not a 500.
    """

    def decorate(function):
        @app.callback(*outputs, Input(ids.FILTER_STORE, "data"), *inputs, *states)
        @guarded(len(outputs))
        @functools.wraps(function)
        def callback(filters: dict | None, *values):
            if not filters:
                raise PreventUpdate
            return function(filters_from(filters, queries), *values)

        return callback

    return decorate
