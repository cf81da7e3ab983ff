"""Thin callbacks: read inputs, ask a view, return outputs. One module per page, named by the page registry."""

from __future__ import annotations

import importlib

from dash import Dash

from callbacks import announce, filters, navigation, tabs
from dashboard.query.queries import Queries
from layouts.pages import PAGES


def register(app: Dash, queries: Queries) -> None:
    """Attach the shell's callbacks, then each page's (callbacks/<slug>.py for every page in the registry)."""
    for shell in (navigation, filters, tabs, announce):
        shell.register(app, queries)
    for page in PAGES:
        importlib.import_module(f"callbacks.{page.slug}").register(app, queries)
