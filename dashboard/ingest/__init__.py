"""One way in: extracts validated, aggregated and served as a new warehouse version (python -m dashboard.ingest)."""
