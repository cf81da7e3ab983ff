"""What a published figure can be: shown, suppressed, no data, outside the selection, or a source's own symbol."""

from __future__ import annotations

from dashboard.domain.reference import EES_SYMBOLS

SHOWN, SUPPRESSED, NO_DATA, OUTSIDE = "shown", "suppressed", "no data", "outside selection"
# A source's EES symbol (low, x, z, u) is a status of its own; c from a source is SUPPRESSED like ours.
SOURCE_SYMBOLS = tuple(s for s in EES_SYMBOLS if s != "c")
# Statuses the map draws as suppressed, and as having no figure.
HIDDEN_STATUSES = (SUPPRESSED, "low")
MISSING_STATUSES = (NO_DATA, "x", "z", "u")
NO_DATA_MESSAGE = "No data for this selection."
# A cell the registry declares but does not publish (the part of a total with no place, broken down further).
NOT_PUBLISHED = "not published"
