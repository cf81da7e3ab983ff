"""A load says what its whole area is called: a county's views, tables, charts, hints and methods say 'the county',
never 'the borough' (issue 23: the county and region demos said 'the whole borough' everywhere)."""

from __future__ import annotations

import dataclasses
import re

import duckdb
import pandas as pd
import pytest

from dashboard.domain.area import Area
from dashboard.domain.filters import resolve
from dashboard.exports.document import glossary
from dashboard.ingest.cli import main as ingest
from dashboard.query.queries import NotApplicable, Queries
from dashboard.store.warehouse import Warehouse
from dashboard.views.board import CHARTS
from dashboard.views.methods import standardisation_example, standardisation_words
from dashboard.views.overview import overview
from dashboard.views.sentences import describe_selection, place_name
from layouts.pages.data import content, standardisation_section

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BOROUGH = re.compile(r"\bboroughs?\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def county(small_demo_build, tmp_path_factory) -> Queries:
    """The small demo's extracts loaded as a county, through the command line a data officer uses."""
    extracts = small_demo_build[0]
    db = tmp_path_factory.mktemp("county") / "warehouse.duckdb"
    argv = ["load", "--source", str(extracts), "--boundaries", str(extracts / "boundaries.geojson")]
    assert ingest([*argv, "--code-field", "code", "--area", "county", "--db", str(db)]) == 0
    return Queries(Warehouse(db))


def _figure_words(figure) -> list[str]:
    if figure is None:
        return []
    layout = figure.layout
    words = [str(layout.title.text or "")] + [str(a.text or "") for a in layout.annotations]
    for trace in figure.data:
        words += [str(trace.name or ""), str(getattr(trace, "hovertemplate", "") or "")]
        text = getattr(trace, "text", None)
        words += [text] if isinstance(text, str) else [] if text is None else [str(t) for t in text]
    return words


def panel_words(panel) -> str:
    """Every word a reader of the panel sees: title, summary, notes, findings, table and chart."""
    table = panel.table if isinstance(panel.table, pd.DataFrame) else pd.DataFrame()
    parts = [panel.title, panel.summary, panel.headline, *panel.notes, *panel.findings]
    parts += [*map(str, table.columns), table.to_csv(index=False)]
    return "\n".join(parts + _figure_words(panel.figure))


def _component_words(node) -> list[str]:
    if isinstance(node, str | int | float):
        return [str(node)]
    if isinstance(node, list | tuple):
        return [w for child in node for w in _component_words(child)]
    children = getattr(node, "children", None)
    return _component_words(children) if children is not None else []


STATES = [
    {},
    {"locality": "N"},
    {"compare": "expected"},
    {"compare": "benchmark", "colour": "verdict"},
    {"sen": "ehcp", "need": "ASD", "level": "ward"},
    {"by": "cluster", "schools": "show"},
    {"measure": "ehcp_rate", "by": "need"},
    {"measure": "persistent_absence", "period": "term", "by": "sen"},
    {"measure": "permanent_rate", "phase": "secondary"},
]


def test_a_county_is_the_county_in_every_view_table_chart_and_hint(county):
    options = county.filter_options()
    assert options.area == Area("county") and county.info().area_kind == "county"
    # The control's first comparison is named for the county (its value in links stays 'borough').
    assert dict(options.comparisons)["borough"] == "The county"
    school = county.school_points()["school"].iat[0]
    seen = []
    for requested in STATES:
        state, messages = resolve(requested, options)
        assert not messages, (requested, messages)
        measure = county.measure_in(state.measure)
        words = [place_name(state, options, measure), describe_selection(state, options, measure)]
        words.append(county.where_offered(state) or "")
        cards, localities, _ = overview(county, state)
        words += [w for card in cards for w in map(str, dataclasses.astuple(card)[1:])]
        for name, chart in CHARTS.items():
            try:
                panel = chart(county, dataclasses.replace(state, school=school if name.startswith("school") else None))
            except NotApplicable as refused:  # the page says this sentence instead of the chart
                words.append(str(refused))
                continue
            if panel is not None:
                words.append(panel_words(panel))
                seen.append(name)
        text = "\n".join(words)
        assert not BOROUGH.findall(text), (requested, [line for line in text.splitlines() if BOROUGH.search(line)])
    assert {"map", "localities", "trend", "need-mix", "funnel", "school-trend"} <= set(seen)

    whole = resolve({}, options)[0]
    table = CHARTS["localities"](county, whole).table
    assert table["Locality"].iat[-1] == "County"
    assert "Compared with the county" in table.columns
    assert describe_selection(whole, options, county.measure_in(whole.measure)) == "the whole county"
    trend = CHARTS["trend"](county, whole)
    assert "County" in {trace.name for trace in trend.figure.data}
    funnel = CHARTS["funnel"](county, whole)
    assert any("the county rate for their phase" in note for note in funnel.notes + [funnel.summary, funnel.title])


def test_a_county_s_methods_and_glossary_name_the_county(county):
    state = resolve({}, county.filter_options())[0]
    example = standardisation_example(county, state)
    page = content(
        county.load_sources(),
        county.dataset_status(),
        county.threshold,
        county.info().version,
        standardisation_section(standardisation_words(county.area), example),
        area=county.area,
    )
    words = " ".join(_component_words(page)) + " ".join(w for pair in glossary(county.area) for w in pair)
    assert not BOROUGH.findall(words), [m.start() for m in BOROUGH.finditer(words)]
    assert "the county's rates for the deprivation of where they live" in words
    assert "1 is the county rate for its phase" in words


def test_a_version_loaded_before_the_load_said_its_area_is_a_borough(warehouse, tmp_path):
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(f"ATTACH '{warehouse.path.resolve()}' AS served (READ_ONLY)")
    con.execute("COPY FROM DATABASE served TO old")
    con.execute("ALTER TABLE load_version DROP COLUMN area_kind")
    con.close()
    assert Warehouse(old).info().area_kind == "borough"
    assert Queries(Warehouse(old)).area.whole == "the whole borough"


def test_the_command_line_refuses_an_area_it_cannot_say(small_demo_build, tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        ingest(["load", "--source", str(small_demo_build[0]), "--area", "shire", "--db", str(tmp_path / "w.duckdb")])
    assert refused.value.code == 2
    assert "invalid choice: 'shire'" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()
