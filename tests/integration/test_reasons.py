"""Reasons for exclusion: loaded from pupil-level exclusions or their own template, protected, and shown by year."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from dashboard.config import ROOT
from dashboard.domain.filters import FilterState
from dashboard.domain.status import SHOWN, SUPPRESSED
from dashboard.ingest.build import IngestError, load
from dashboard.query.queries import NotOffered, NotRecorded, Queries
from dashboard.store.warehouse import Warehouse
from dashboard.views.trends import reasons_panel
from tests.conftest import rows_of, write_rows

EXCLUSION = ["2023/24", "Autumn", "900001", "X01000001", "sen_support", "SEMH", "suspension"]


def pupil_exclusions(folder, rows, with_reason=True):
    """Replace the aggregated exclusions by pupil-level rows (pupil, start date, reason)."""
    (folder / "exclusions.csv").unlink()
    header = rows_of(ROOT / "data" / "templates" / "exclusions_pupil.csv")[0]
    body = [[pupil, *EXCLUSION, day, reason, "2"] for pupil, day, reason in rows]
    if not with_reason:
        at = header.index("reason")
        header, body = header[:at] + header[at + 1 :], [r[:at] + r[at + 1 :] for r in body]
    write_rows(folder / "exclusions_pupil.csv", [header] + body)


def test_pupil_level_reasons_are_counted_per_school_and_reason(template_set, tmp_path):
    (template_set / "exclusion_reasons.csv").unlink()
    pupil_exclusions(
        template_set,
        [
            ("PA", "2023-10-02", "persistent_disruptive"),
            ("PA", "2023-11-06", "persistent_disruptive"),
            ("PB", "2023-10-03", "bullying"),
            ("PC", "2023-10-04", ""),
        ],
    )
    load(template_set, tmp_path / "wh.duckdb")
    got = (
        Warehouse(tmp_path / "wh.duckdb")
        .query("SELECT reason, exclusions, urn FROM exclusion_reason ORDER BY reason")
        .itertuples(index=False, name=None)
    )
    # PC's exclusion gives no reason: it counts in the exclusions, not under any reason.
    assert list(got) == [("bullying", 1, "900001"), ("persistent_disruptive", 2, "900001")]


def test_an_older_pupil_level_extract_without_reasons_still_loads_and_says_so(template_set, tmp_path):
    (template_set / "exclusion_reasons.csv").unlink()
    pupil_exclusions(template_set, [("PA", "2023-10-02", "bullying")], with_reason=False)
    report = load(template_set, tmp_path / "wh.duckdb")
    assert "exclusions_pupil.csv: has no column 'reason': it is left blank" in [str(w) for w in report.warnings]
    warehouse = Warehouse(tmp_path / "wh.duckdb")
    queries = Queries(warehouse)
    assert warehouse.query("SELECT sum(exclusions) AS n FROM fact_exclusion WHERE term = 'Full year'")["n"].iat[0] == 1
    panel = reasons_panel(queries, FilterState(year="2023/24"))
    assert panel.empty and "No reasons for exclusion are loaded" in panel.notes[-1]


def test_an_unknown_reason_is_refused_with_its_file_row_and_column(template_set, tmp_path):
    rows = rows_of(template_set / "exclusion_reasons.csv")
    write_rows(template_set / "exclusion_reasons.csv", [rows[0], rows[1][:4] + ["fighting"] + rows[1][5:]])
    with pytest.raises(IngestError) as refused:
        load(template_set, tmp_path / "wh.duckdb")
    assert any(
        "exclusion_reasons.csv, row 2, column 'reason'" in str(e) and "fighting" in str(e)
        for e in refused.value.report.errors
    )


def test_no_hidden_reason_count_can_be_worked_out_from_the_borough_and_the_other_phases(warehouse, queries):
    """The borough's reasons and each phase's are one grid: every line of it (a phase's or the borough's reasons
    with their total, a reason's phases with the borough's cell) hides none of its counts, or two or more."""
    years = sorted(warehouse.query("SELECT DISTINCT academic_year FROM exclusion_reason")["academic_year"])
    phases = sorted(warehouse.query("SELECT DISTINCT phase FROM school")["phase"])
    views = {
        phase: queries.reason_counts(FilterState(measure="suspension_rate", year=years[-1], phase=phase))
        for phase in [None] + phases
    }
    grid = pd.concat([frame.assign(phase=phase or "borough") for phase, frame in views.items()], ignore_index=True)
    assert not (grid["count"].between(1, 4) & (grid["status"] == SHOWN)).any(), "a count of 1 to 4 is shown"
    assert grid.loc[grid["status"] == SUPPRESSED, "count"].isna().all(), "a hidden count travels with its value"
    hidden = grid["status"] == SUPPRESSED
    checked = 0
    for _, line in list(grid.groupby(["year", "phase"])) + list(grid.groupby(["year", "reason"])):
        assert hidden[line.index].sum() != 1, f"a lone hidden count:\n{line}"
        checked += 1
    assert checked > 50 and hidden.any()


def test_reasons_for_permanent_exclusions_are_published_for_the_borough_only(queries):
    """By phase, most reasons for permanent exclusion would be hidden: the registry publishes the borough's alone."""
    borough = queries.reason_counts(FilterState(measure="permanent_rate", year="2023/24"))
    assert (borough["status"] == SHOWN).any()
    with pytest.raises(NotOffered, match="reasons for permanent exclusions are shown for the whole borough"):
        queries.reason_counts(FilterState(measure="permanent_rate", year="2023/24", phase="secondary"))


def test_the_panel_lists_the_main_reasons_largest_first_and_hidden_ones_by_name(warehouse, queries):
    year = warehouse.query("SELECT max(academic_year) AS y FROM exclusion_reason")["y"].iat[0]
    panel = reasons_panel(queries, FilterState(measure="suspension_rate", year=year, phase="secondary"))
    cells = panel.table.set_index("Main reason")[year].drop("All reasons")
    shown = cells[~cells.isin(["c", "0"])]
    numbers = [int(text.split(" ")[0].replace(",", "")) for text in shown]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) >= 2
    # The reasons hidden this year follow the shown ones in name order: their true sizes do not set the order.
    hidden = list(cells[cells == "c"].index)
    assert hidden == sorted(hidden) and list(cells.index[-len(hidden) :]) == hidden if hidden else True
    total = int(panel.table.set_index("Main reason").at["All reasons", year].replace(",", ""))
    published = queries.reason_counts(FilterState(measure="suspension_rate", year=year, phase="secondary"))
    reasons = published[(published["year"] == year) & (published["reason"] != "all")]
    assert total == published[(published["year"] == year) & (published["reason"] == "all")]["count"].iat[0]
    # The hidden reasons hold what the shown ones leave of the total, at least 1 each (zeros are shown).
    hidden = (reasons["status"] == SUPPRESSED).sum()
    assert total - reasons["count"].sum() >= hidden if hidden else total == reasons["count"].sum()
    assert panel.summary.startswith(
        f"{shown.index[0]} was the most common main reason for suspensions in {year} (secondary schools)"
    )
    assert panel.figure is not None and list(panel.figure.data[0].y)[::-1][: len(numbers)] == list(shown.index)
    # SEN provision is not recorded with reasons: the filter is set aside, and the panel says so.
    # Reasons sit beside exclusions only: with the EHC plan rate chosen there is no reasons panel.
    assert reasons_panel(queries, FilterState(measure="ehcp_rate", year=year)) is None
    with_sen = reasons_panel(queries, FilterState(measure="suspension_rate", year=year, phase="secondary", sen="ehcp"))
    assert with_sen.table.equals(panel.table) and any("not recorded by SEN provision" in n for n in with_sen.notes)


def test_a_filter_the_reasons_cannot_follow_says_so(template_set, tmp_path):
    # Reasons for the whole LA only (no school, no phase): no phase can be shown.
    rows = rows_of(template_set / "exclusion_reasons.csv")
    write_rows(template_set / "exclusion_reasons.csv", [rows[0], rows[1][:1] + ["", ""] + rows[1][3:]])
    load(template_set, tmp_path / "wh.duckdb")
    warehouse = Warehouse(tmp_path / "wh.duckdb")
    queries = Queries(warehouse)
    state = FilterState(year="2023/24")
    counts = queries.reason_counts(state)
    # Three exclusions, all for one reason: the reason and the total are both hidden, and neither value travels.
    assert counts[["reason", "status"]].values.tolist() == [
        ["all", "suppressed"],
        ["persistent_disruptive", "suppressed"],
    ]
    assert counts["count"].isna().all()
    with pytest.raises(NotRecorded, match="do not say which phase"):
        queries.reason_counts(replace(state, phase="primary"))
    # A locality's reasons beside the borough's would give small numbers away: the panel says why it shows none.
    cluster = warehouse.query("SELECT min(cluster_code) AS c FROM cluster")["c"].iat[0]
    panel = reasons_panel(queries, replace(state, cluster=cluster))
    assert panel.empty and "not a locality or cluster" in panel.notes[-1]
