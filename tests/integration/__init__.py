"""Integration tests: the warehouse, ingest, views and callbacks called as functions, the WSGI app."""
