"""One way in: extract files validated, aggregated and served as a new warehouse version (python -m dashboard.ingest)."""
