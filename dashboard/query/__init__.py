"""Reads the warehouse: rates with small numbers hidden, the catalogue of options and labels, geometry and classes."""
