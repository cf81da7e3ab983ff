"""The filters in words, and which of them a measure cannot follow."""

from __future__ import annotations

from dashboard.domain.filters import FILTER_LABELS, FilterOptions, FilterState
from dashboard.domain.measures import Measure


def place_name(state: FilterState, options: FilterOptions, measure: Measure) -> str:
    """The place the filters chose, as a sentence names it: the cluster (for a measure counted by school), else the
    locality, else the whole area ('the borough', 'the county')."""
    if state.cluster and "cluster" in measure.filters:
        return options.label("cluster", state.cluster)
    if state.locality:
        return options.label("locality", state.locality)
    return options.area.the


def describe_selection(state: FilterState, options: FilterOptions, measure: Measure) -> str:
    """The filters in words, e.g. 'North, pupils with SEN support, secondary schools'."""
    # A cluster is a place of its own, inside its locality: named alone, never beside 'the whole borough'.
    if state.cluster and "cluster" in measure.filters:
        parts = [options.label("cluster", state.cluster)]
    else:
        parts = [options.label("locality", state.locality) if state.locality else options.area.whole]
    if state.sen and "sen" in measure.filters:
        parts.append(f"pupils with {options.label('sen', state.sen).replace('No SEN', 'no SEN')}")
    if state.phase and "phase" in measure.filters:
        parts.append(f"{options.label('phase', state.phase).lower()} schools")
    if state.need and "need" in measure.filters:
        parts.append(f"primary need {state.need}")
    return ", ".join(parts)


def views_updated(page: str, state: FilterState, options: FilterOptions, measure: Measure) -> str:
    """What a screen reader hears once a page has redrawn, e.g. 'Map updated: suspension rate, 2023/24, North.'"""
    return f"{page} updated: {measure.in_sentence}, {state.year}, {describe_selection(state, options, measure)}."


def ignored_filters_note(state: FilterState, measure: Measure) -> str | None:
    """Say which chosen filters cannot apply to this measure, rather than silently ignoring them."""
    ignored = [
        FILTER_LABELS[key]
        for key in ("cluster", "phase", "sen", "need")
        if getattr(state, key) and key not in measure.filters
    ]
    if not ignored:
        return None
    return (
        f"{measure.label} is counted per resident, not per pupil, so the {' and '.join(ignored)} "
        f"filter{'s do' if len(ignored) > 1 else ' does'} not apply to it and {'are' if len(ignored) > 1 else 'is'} "
        "ignored here."
    )


HEADLINE_WORDS = 12  # a message title a board reads at a glance, on a page or a slide


def headline(*candidates: str) -> str:
    """The first candidate short enough for a message title (at most 12 words), or '' when none is."""
    return next((text for text in candidates if text and len(text.split()) <= HEADLINE_WORDS), "")
