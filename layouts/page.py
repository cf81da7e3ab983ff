"""What a page is: its address, its name in the navigation, the question it answers and its layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash.development.base_component import Component

from dashboard.domain.access import AGGREGATES


@dataclass(frozen=True)
class Page:
    """A page of the dashboard; its callbacks live in callbacks/<slug>.py."""

    path: str
    name: str
    question: str
    slug: str
    layout: Callable[[], Component]
    settings: str | None = None  # the filter panel's own fieldset for this page ("trend" or "map"), if any
    filters: bool = True  # False for a page of text, such as the accessibility statement, that no filter changes
    right: str = AGGREGATES  # what a reader must be allowed to open it (dashboard.domain.access)
