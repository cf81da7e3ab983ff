"""What every callback shares: errors become a plain message, never a traceback; filters arrive as a FilterState."""

from __future__ import annotations

import functools
import logging

from dash import Input, Output, State, html, no_update, set_props
from dash.exceptions import PreventUpdate

from dashboard.domain.filters import FilterState
from layouts import ids

log = logging.getLogger(__name__)


def problem_message(text: str) -> html.P:
    """A message in the page's status region, in words rather than a traceback (the region itself is announced)."""
    return html.P(text, className="alert alert-warning mb-3")


def guarded(output_count: int):
    """Turn an unexpected error in a callback into a plain message instead of a failed request (a 500)."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except PreventUpdate:
                raise  # nothing to redraw is not an error
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


def on_filters(app, *outputs: Output, inputs: tuple[Input, ...] = (), states: tuple[State, ...] = ()):
    """Register the decorated function(state, *values) to redraw outputs whenever the filters (or other inputs) change.

    The function gets the filters as a FilterState, then the other inputs' and states' values; it is guarded, so an
    error becomes a message, not a 500.
    """

    def decorate(function):
        @app.callback(*outputs, Input(ids.FILTER_STORE, "data"), *inputs, *states)
        @guarded(len(outputs))
        @functools.wraps(function)
        def callback(filters: dict | None, *values):
            if not filters:
                raise PreventUpdate
            return function(FilterState.from_dict(filters), *values)

        return callback

    return decorate
