"""Component IDs, in one place so layouts and callbacks cannot drift apart."""

URL = "url"
FILTER_STORE = "filter-store"
MESSAGES = "messages"
FILTER_HINT = "filter-hint"  # where the chosen measure is published for the chosen pupils
PAGE = "page-content"
NAV = "site-nav"
PACK_PDF = "board-pack-pdf"
PACK_PPTX = "board-pack-pptx"
MEETING_LINK = "meeting-link"

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
    "by": "filter-by",
    "period": "filter-period",
    "level": "filter-level",
    "schools": "filter-schools",
    "colour": "filter-colour",
}
TREND_OPTIONS = "trend-options"
MAP_OPTIONS = "map-options"
FILTER_RESET = "filter-reset"

MAP_GRAPH = "map-graph"
MAP_LOADED = "map-loaded"
MAP_SUMMARY = "map-summary"
MAP_NOTE = "map-note"
MAP_TABLE = "map-table"
MAP_TABS = "map-tabs"
MAP_DOWNLOAD = "map-download"

OVERVIEW_SELECTION = "overview-selection"
OVERVIEW_CARDS = "overview-cards"
SCHOOLS_SUMMARY = "schools-summary"
SCHOOLS_TABS = "schools-tabs"
SCHOOL_GRID_HOLDER = "school-grid-holder"
CLUSTER_GRID_HOLDER = "cluster-grid-holder"
SCHOOL_GRID = "school-grid"
CLUSTER_GRID = "cluster-grid"
SCHOOL_PICK = "school-pick"
GRID_DOWNLOAD = "grid-download"
GRID_DOWNLOAD_BUTTON = "grid-download-button"
DATA_CONTENT = "data-content"
