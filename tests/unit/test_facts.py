"""The fact rows read by way of arrow come out as duckdb's own .df() would give them: the same columns, types and
values, a NULL as pandas' missing value of the column's type. A year's facts read alone are that year's rows, and a
count's cells come out the same whatever order its rows arrive in."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from dashboard.publish.cells import _frame, count_year, fact_years, read_facts
from dashboard.publish.registry import COUNTS

# Three rows: text with a NULL, text all NULL, integers with and without a NULL, booleans with and without.
QUERY = """
SELECT * FROM (VALUES
    ('2023/24', NULL::VARCHAR, 12::BIGINT, 1::INTEGER, TRUE, TRUE),
    ('2024/25', NULL, 0, NULL, FALSE, NULL),
    (NULL, NULL, 7, 3, TRUE, FALSE)
) rows(year, school, value, symbol_rank, rest, flag)
"""


def read(query: str) -> pd.DataFrame:
    """The query's rows as read_facts reads them."""
    with duckdb.connect() as con:
        return _frame(con.sql(query).to_arrow_table())


def test_each_column_keeps_its_values_and_the_type_df_gives_it():
    frame = read(QUERY)
    assert list(frame.columns) == ["year", "school", "value", "symbol_rank", "rest", "flag"]
    assert frame["year"].dtype == pd.StringDtype(na_value=np.nan)
    assert frame["year"].tolist()[:2] == ["2023/24", "2024/25"] and pd.isna(frame["year"].iloc[2])
    assert frame["school"].dtype == object and frame["school"].tolist() == [None, None, None]
    assert frame["value"].dtype == np.int64 and frame["value"].tolist() == [12, 0, 7]
    assert frame["symbol_rank"].dtype == pd.Int32Dtype()
    assert frame["symbol_rank"].tolist()[0] == 1 and frame["symbol_rank"].isna().tolist() == [False, True, False]
    assert frame["rest"].dtype == bool and frame["rest"].tolist() == [True, False, True]
    assert frame["flag"].dtype == pd.BooleanDtype() and frame["flag"].isna().tolist() == [False, True, False]


def test_the_frame_is_the_one_duckdb_gives_itself_full_and_empty():
    with duckdb.connect() as con:
        for query in (QUERY, QUERY + " LIMIT 0"):
            pd.testing.assert_frame_equal(read(query), con.sql(query).df(), check_exact=True)


# Two small areas of one locality, one school, and exclusions in two years: suspensions in both, a permanent
# exclusion in neither. A pupil living outside the borough (home Z9) has no area.
TABLES = {
    "area": pd.DataFrame(
        {"area_code": ["A1", "A2"], "ward_code": ["W1", "W1"], "locality_code": ["L1", "L1"], "idaci_decile": [3, 7]}
    ),
    "school": pd.DataFrame({"urn": ["100"], "cluster_code": ["C1"], "phase": ["Primary"]}),
    "cluster": pd.DataFrame({"cluster_code": ["C1"], "locality_code": ["L1"]}),
    "need": pd.DataFrame({"need_code": ["SEMH"], "broad_area": ["Social, emotional and mental health"]}),
    "fact_exclusion": pd.DataFrame(
        {
            "academic_year": ["2023/24", "2024/25", "2023/24", "2024/25", "2024/25"],
            "term": ["Full year"] * 5,
            "home_area_code": ["A1", "A1", "A2", "Z9", "A2"],
            "urn": ["100"] * 5,
            "sen_provision": ["EHCP", "None", "None", "EHCP", "None"],
            "primary_need": ["SEMH", None, None, "SEMH", None],
            "exclusion_type": ["suspension"] * 5,
            "exclusions": [3, 5, 2, 4, 1],
        }
    ),
}


def facts_of(year: str | None = None) -> tuple[dict[str, list[str]], dict[str, pd.DataFrame]]:
    """The years of the suspensions and permanent exclusions in the tables above, and their facts (of one year or
    all)."""
    with duckdb.connect() as con:
        for name, frame in TABLES.items():
            con.register(name, frame)
        counts = [COUNTS["suspensions"], COUNTS["permanent"]]
        return fact_years(con, counts), read_facts(con, counts, year)


def test_a_year_read_alone_is_that_years_rows_and_no_other():
    years, facts = facts_of("2024/25")
    assert years == {"suspensions": ["2023/24", "2024/25"]}  # no permanent exclusion in any year
    rows = facts["suspensions"].sort_values("value")
    assert rows["year"].unique().tolist() == ["2024/25"] and rows["value"].tolist() == [1, 4, 5]
    assert rows["area"].iloc[0] == "A2" and pd.isna(rows["area"].iloc[1]) and rows["area"].iloc[2] == "A1"  # Z9 is out
    assert rows["sen"].tolist() == ["None", "EHCP", "None"] and rows["school"].tolist() == ["100"] * 3
    assert facts["permanent"].empty


def test_a_counts_cells_are_the_same_whatever_order_its_rows_come_in():
    # DuckDB's joins give rows in an order of their own, which reading one year changes: the cells must not follow it.
    _, facts = facts_of()
    rows = facts["suspensions"]
    cells = count_year(COUNTS["suspensions"], "2024/25", rows).cells
    backwards = count_year(COUNTS["suspensions"], "2024/25", rows.iloc[::-1].reset_index(drop=True)).cells
    pd.testing.assert_frame_equal(cells, backwards)
    # 2024/25's suspensions: 5 + 4 + 1; by small area, A1's 5 before A2's 1, and last the 4 of no area.
    assert cells.loc[cells["family"] == "borough", "value"].tolist() == [10.0]
    by_area = cells[cells["family"] == "area"]
    assert by_area["area"].tolist()[:2] == ["A1", "A2"] and by_area["value"].tolist() == [5.0, 1.0, 4.0]
