"""Core of the inclusion dashboard: data model, ingest, queries and figures, importable without Dash."""

import pandas as pd

# A request slices many small frames. Pandas 3 keeps strings in Arrow by default, where comparing a column with one
# value and taking rows costs about a millisecond each; its Python-backed strings hold the same values and are
# quicker at that size (a county's Overview 24 to 19 ms, its map table 11 to 8 ms, measured in one run).
pd.set_option("mode.string_storage", "python")
