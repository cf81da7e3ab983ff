"""The fact rows read by way of arrow come out as duckdb's own .df() would give them: the same columns, types and
values, a NULL as pandas' missing value of the column's type."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from dashboard.publish.cells import _frame

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
