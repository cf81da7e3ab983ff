"""Component IDs, in one place so layouts and callbacks cannot drift apart."""

URL = "url"
FILTER_STORE = "filter-store"
MESSAGES = "messages"
PAGE = "page-content"
NAV = "site-nav"

FILTER_MEASURE = "filter-measure"
FILTER_YEAR = "filter-year"
FILTER_LOCALITY = "filter-locality"
FILTER_CLUSTER = "filter-cluster"
FILTER_NEED = "filter-need"
FILTER_SEN = "filter-sen"
FILTER_PHASE = "filter-phase"
# Filter key -> control ID, in the order the panel shows them.
FILTER_CONTROLS = {
    "measure": FILTER_MEASURE,
    "year": FILTER_YEAR,
    "locality": FILTER_LOCALITY,
    "cluster": FILTER_CLUSTER,
    "need": FILTER_NEED,
    "sen": FILTER_SEN,
    "phase": FILTER_PHASE,
}
FILTER_RESET = "filter-reset"

MAP_GRAPH = "map-graph"
MAP_LOADED = "map-loaded"
MAP_SUMMARY = "map-summary"
MAP_NOTE = "map-note"
MAP_TABLE = "map-table"
