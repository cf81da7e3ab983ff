"""Component IDs, in one place so layouts and callbacks cannot drift apart."""


def view_id(name: str) -> dict:
    """Pattern-matching ID of a part of a page that says what its views show (callbacks/announce.py listens to them).

    Chart panels are views too, by their own pattern (layouts.components.panel_id).
    """
    return {"type": "view", "view": name}


URL = "url"
FILTER_STORE = "filter-store"
MESSAGES = "messages"
FILTER_HINT = "filter-hint"  # where the chosen measure is published for the chosen pupils
PAGE = "page-content"
NAV = "site-nav"
PACK_PDF = "board-pack-pdf"
PACK_PPTX = "board-pack-pptx"
MEETING_LINK = "meeting-link"
TAB_CHOICES = "tab-choices"  # which tab of each tab set is chosen, kept for the browser session
ANNOUNCE = "view-announcement"  # a live region that says when the views have updated
PAGE_TITLE = "page-title"  # the browser tab's title follows the page
FILTER_COLUMN = "filter-column"
FILTER_TOGGLE = "filter-toggle"  # on a narrow screen the filters fold behind this button
FILTER_COLLAPSE = "filter-collapse"

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
    "compare": "filter-compare",
}
TREND_OPTIONS = "trend-options"
MAP_OPTIONS = "map-options"
FILTER_RESET = "filter-reset"

MAP_GRAPH = "map-graph"
MAP_LOADED = "map-loaded"
MAP_SUMMARY = view_id("map-summary")
MAP_NOTE = "map-note"
MAP_TABLE = "map-table"
MAP_GRID = "map-grid"  # the map's table as a virtualised grid, for long tables
MAP_TABS = "map"  # the map's Chart / Table tab set
MAP_DOWNLOAD = "map-download"

OVERVIEW_SELECTION = "overview-selection"
OVERVIEW_CARDS = "overview-cards"
SCHOOLS_SUMMARY = view_id("schools-summary")
SCHOOLS_TABS = "grids"  # the Schools / Clusters tab set
SCHOOL_GRID_HOLDER = "school-grid-holder"
CLUSTER_GRID_HOLDER = "cluster-grid-holder"
SCHOOL_GRID = "school-grid"
CLUSTER_GRID = "cluster-grid"
SCHOOL_PICK = "school-pick"
GRID_DOWNLOAD = "grid-download"
GRID_DOWNLOAD_BUTTON = "grid-download-button"
DATA_CONTENT = "data-content"
READER = "reader"
