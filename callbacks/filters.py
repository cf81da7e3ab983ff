"""Filters and the address bar kept in step: a link sets the filters, a filter change rewrites the link."""

from __future__ import annotations

from dataclasses import replace

from dash import Input, Output, ctx

from callbacks.guard import audience, guarded, on_filters, problem_message
from dashboard.domain.access import restricted
from dashboard.domain.filters import FILTER_KEYS, FilterState, parse_query, resolve, to_query
from dashboard.query.queries import Queries
from dashboard.views.map import level_to_draw, offered_levels
from layouts import ids
from layouts.shell import ALL, select_options

CONTROLS = [ids.FILTER_CONTROLS[key] for key in FILTER_KEYS]


def register(app, queries: Queries) -> None:
    """Attach the filter callbacks to app."""

    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.FILTER_STORE, "data"),
        Output(ids.MESSAGES, "children"),
        Output(ids.FILTER_CLUSTER, "options"),
        Output(ids.FILTER_CONTROLS["level"], "options"),
        *[Output(control, "value") for control in CONTROLS],
        Input(ids.URL, "search"),
        *[Input(control, "value") for control in CONTROLS],
    )
    @guarded(5 + len(CONTROLS))
    def sync_filters(search: str | None, *values: str | None):
        options = queries.filter_options()
        if ctx.triggered_id in (None, ids.URL):  # a link was opened, or back / forward was pressed
            state, messages = parse_query(search, options)
        else:
            state, messages = resolve(
                {key: None if value == ALL else value for key, value in zip(FILTER_KEYS, values)}, options
            )
        # What the reader's role does not allow (school points for a viewer) is taken off here, once, with a sentence.
        state, refused = restricted(audience(), state)
        messages += refused
        # The Map level control shows the level drawn: one the filters leave out is greyed and never chosen.
        offered = offered_levels(queries, state)
        state = replace(state, level=level_to_draw(state.level, offered))
        shown = state.as_dict()
        notice = [problem_message(m) for m in messages] or None
        return (
            to_query(state),
            shown,
            notice,
            select_options("cluster", list(options.clusters_in(state.locality))),
            [
                {**choice, "disabled": bool(offered) and choice["value"] not in offered}
                for choice in select_options("level", options.levels)
            ],
            *[shown[key] or ALL for key in FILTER_KEYS],
        )

    @on_filters(app, queries, Output(ids.FILTER_HINT, "children"))
    def where_offered(state: FilterState):
        # Says beside the filters where the chosen pupils can be seen, before a page has to refuse a view.
        return queries.where_offered(state)
