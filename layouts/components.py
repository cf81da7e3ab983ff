"""Reusable pieces: a chart panel with Chart / Table tabs and a CSV download, tables from DataFrames, cards."""

from __future__ import annotations

import json

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.figures.style import TOPOJSON_URL
from dashboard.views.board import IMAGE_FORMATS, Chart
from dashboard.views.panel import Panel

FORMAT_WORDS = {
    "png": "Chart as PNG image",
    "svg": "Chart as SVG (vector)",
    "pdf": "Chart as PDF",
    "csv": "Table as CSV",
    "xlsx": "Table as Excel workbook",
}
GRAPH_CONFIG = {
    "topojsonURL": TOPOJSON_URL,
    "displaylogo": False,
    "responsive": True,
    # plotly's camera saves a bare image that says nothing of what it shows: the Download menu's carry a caption.
    # Its "Share chart" would upload the figures to Plotly Cloud: nothing here leaves the authority's server.
    "modeBarButtonsToRemove": ["toImage", "sendChartToCloud"],
}


def panel_id(kind: str, name: str) -> dict:
    """Pattern-matching ID of one part of a named panel."""
    return {"type": kind, "panel": name}


def tab_id(tabs: str, tab: str) -> dict:
    """Pattern-matching ID of one tab of a tab set (callbacks/tabs.py switches them)."""
    return {"type": "tab", "tabs": tabs, "tab": tab}


def tabpanel_id(tabs: str, tab: str) -> dict:
    """Pattern-matching ID of the panel one tab shows."""
    return {"type": "tabpanel", "tabs": tabs, "tab": tab}


def dom_id(component_id: str | dict) -> str:
    """The id attribute Dash gives a component in the page: a dict ID as JSON with its keys sorted, no spaces.

    aria-controls and aria-labelledby must name that attribute exactly.
    """
    if isinstance(component_id, str):
        return component_id
    return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(component_id.items())) + "}"


def tabs(name: str, label: str, panes: list[tuple[str, str, object]]) -> html.Div:
    """Tabs as the WAI-ARIA pattern has them: a tablist of buttons, each controlling one tabpanel; the first shown.

    panes are (key, label, content). A click or Enter chooses a tab; the arrow keys, Home and End move between tabs
    (assets/tabs.js); the choice is kept for the session (callbacks/tabs.py), as a reader expects on a filter change.
    """
    first = panes[0][0]
    buttons = [
        html.Button(
            text,
            id=tab_id(name, key),
            type="button",
            role="tab",
            className="tabs__tab",
            tabIndex="0" if key == first else "-1",
            **{"aria-selected": "true" if key == first else "false", "aria-controls": dom_id(tabpanel_id(name, key))},
        )
        for key, text, _ in panes
    ]
    panels = [
        html.Div(
            content,
            id=tabpanel_id(name, key),
            role="tabpanel",
            className="tabs__panel",
            hidden=key != first,
            **{"aria-labelledby": dom_id(tab_id(name, key))},
        )
        for key, _, content in panes
    ]
    return html.Div([html.Div(buttons, role="tablist", className="tabs__list", **{"aria-label": label}), *panels])


def frame_table(frame: pd.DataFrame, caption: str, row_header: bool = True) -> dbc.Table:
    """A DataFrame as an accessible HTML table: caption, column headers, the first column as row headers."""
    columns = list(frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = [html.Th(str(row[0]), scope="row")] if row_header else [html.Td(str(row[0]))]
        cells += [html.Td("" if pd.isna(v) else str(v), className="text-end") for v in row[1:]]
        body.append(html.Tr(cells))
    return dbc.Table(
        [html.Caption(caption), html.Thead(html.Tr([html.Th(str(c), scope="col") for c in columns])), html.Tbody(body)],
        bordered=True,
        hover=True,
        striped=True,
        size="sm",
        className="caption-top",
    )


# Rows beyond which a panel's table is drawn as a virtualised grid: an HTML table of a few hundred rows is thousands
# of components for Dash to draw, and held the Needs page for many seconds.
LONG_TABLE = 150


def frame_grid(frame: pd.DataFrame, label: str, grid_id: str) -> html.Div:
    """A long DataFrame as a virtualised, sortable grid named by label, the first column pinned as the row's name."""
    fields = [f"c{i}" for i in range(len(frame.columns))]
    columns = [
        {"field": field, "headerName": str(name), **({"pinned": "left"} if i == 0 else {})}
        for i, (field, name) in enumerate(zip(fields, frame.columns))
    ]
    rows = [
        {field: "" if pd.isna(value) else str(value) for field, value in zip(fields, row)}
        for row in frame.itertuples(index=False)
    ]
    grid = dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        rowData=rows,
        defaultColDef={"sortable": True, "resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions={"animateRows": False, "enableCellTextSelection": True, "ensureDomOrder": True},
        columnSize="autoSize",
        style={"height": "480px"},
    )
    return html.Div([html.P(label, className="small text-muted mb-1"), grid], role="region", **{"aria-label": label})


def table_box(table, label: str, tall: bool = True) -> html.Div:
    """A table in a box that scrolls, rather than the page, when it is wider (or taller) than the screen.

    The box can take focus so a keyboard can scroll it, and is named so a screen reader says what it holds.
    """
    return html.Div(
        table,
        className="table-box" + (" table-box--tall" if tall else ""),
        role="region",
        tabIndex="0",
        **{"aria-label": label},
    )


def panel_placeholder(chart: Chart) -> html.Section:
    """Where a chart's panel will be drawn once its data arrives: a region named by the panel's own heading."""
    return html.Section(
        dcc.Loading(html.Div(id=panel_id("panel", chart.name)), type="dot"),
        className="mb-5 chart-panel",
        **{"aria-labelledby": title_id(chart.name)},
    )


def title_id(name: str) -> str:
    """The id of a panel's heading, which names its region."""
    return f"{name}-title"


def summary_id(name: str) -> str:
    """The id of a panel's one-line summary, which names its chart for assistive technology."""
    return f"{name}-summary"


def chart_figure(graph: dcc.Graph, summary: str | dict) -> html.Figure:
    """A chart as a figure named by its summary sentence (summary: the ID of the element holding it).

    It takes focus, so the keyboard reaches it (and scrolls it on a narrow screen) and a screen reader says its name.
    """
    return html.Figure(graph, className="chart mb-0", tabIndex="0", **{"aria-labelledby": dom_id(summary)})


def download_menu(chart: Chart, query: str, with_images: bool = True) -> dbc.DropdownMenu:
    """Links to the chart as images and its table as files, in the formats its record declares, for the page's own
    filters: a copied link fetches it."""
    formats = [fmt for fmt in chart.formats if with_images or fmt not in IMAGE_FORMATS]
    items = [
        dbc.DropdownMenuItem(FORMAT_WORDS[fmt], href=f"/export/{chart.name}.{fmt}{query}", external_link=True)
        for fmt in formats
    ]
    if "png" in formats:
        # Beside the screen's size, one for a Word document: 16 cm across at 300 dpi, text at least 9 pt there.
        document = f"{query}&size=document" if query else "?size=document"
        items.insert(
            formats.index("png") + 1,
            dbc.DropdownMenuItem(
                "Chart as PNG for documents (16 cm)", href=f"/export/{chart.name}.png{document}", external_link=True
            ),
        )
    return dbc.DropdownMenu(
        items,
        label="Download",
        color="outline-primary",
        size="sm",
        className="mt-2",
        id=panel_id("download", chart.name),
    )


def render_panel(panel: Panel, chart: Chart, query: str) -> list:
    """The panel's heading, summary, notes, Chart / Table tabs and Download menu (query: the page's filters)."""
    name = chart.name
    # Notes are read with the chart, not announced over it: styled as a box, without the alert role.
    notes = [html.P(note, className="alert alert-secondary py-2 mb-2") for note in panel.notes]
    head = [
        html.H2(panel.title, className="h4", id=title_id(name)),
        html.P(panel.summary, className="panel-summary", id=summary_id(name)),
    ]
    if panel.findings:
        head.append(html.Ul([html.Li(finding) for finding in panel.listed_findings], className="panel-findings"))
    head += notes
    if panel.table.empty:
        return head
    caption = f"{panel.title}. c = too few children to show."
    if len(panel.table) > LONG_TABLE:
        table = html.Div(frame_grid(panel.table, caption, panel_id("grid", name)), id=panel_id("table", name))
    else:
        table = html.Div(
            table_box(frame_table(panel.table, caption), f"{panel.title}: table"), id=panel_id("table", name)
        )
    download = download_menu(chart, query, with_images=panel.figure is not None)
    if panel.figure is None:
        return head + [table, download]
    graph = dcc.Graph(figure=panel.figure, config=GRAPH_CONFIG, id=panel_id("graph", name))
    chart_or_table = tabs(
        name,
        f"{panel.title}: chart or table",
        [("chart", "Chart", chart_figure(graph, summary_id(name))), ("table", "Table", table)],
    )
    return head + [chart_or_table, download]


def card(
    title: str,
    value: str,
    unit: str,
    change: str,
    verdict: str,
    judgement: str,
    arrow: str,
    benchmark: str,
    detail: str,
    target: str = "",
) -> dbc.Card:
    """A headline card: the value large, the change with an arrow and its verdict in words (verdict sets the tone,
    judgement is what is printed, empty where the change already says it), and the board's target where it set one."""
    tone = {"better": "text-success", "worse": "text-danger"}.get(verdict, "text-secondary")
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(title, className="h6 card-title mb-1"),
                html.P(
                    [value, html.Span(f" {unit}", className="card-unit") if unit else None], className="card-value mb-1"
                ),
                html.P(
                    [
                        html.Span(arrow, className=f"{tone} me-1", **{"aria-hidden": "true"}),
                        change,
                        html.Strong(f" {judgement}", className=tone) if judgement else None,
                    ],
                    className="mb-1",
                ),
                html.P(benchmark, className="small text-muted mb-1"),
                html.P(detail, className="small mb-0"),
                html.P(target, className="small mb-0 mt-1 card-target") if target else None,
            ]
        ),
        className="h-100 headline-card",
    )


def page_heading(title: str, lead: str) -> list:
    """A page's one h1 and the question it answers, as the lead paragraph."""
    return [html.H1(title), html.P(lead, className="lead")]
