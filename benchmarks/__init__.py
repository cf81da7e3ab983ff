"""Benchmarks run from the repository: python -m benchmarks.map_update."""
