"""Core of the inclusion dashboard: data model, ingest, queries and figures, importable without Dash."""
