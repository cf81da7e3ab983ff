"""Unit tests: pure functions, no warehouse, no browser."""
