"""The DuckDB warehouse: its schema, the versions kept, the atomic swap, rollback and read-only access."""
