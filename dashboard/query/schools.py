"""Schools and clusters as places: names, where they sit, and their points on the map."""

from __future__ import annotations

import pandas as pd

from dashboard.store.warehouse import Warehouse


def school_places(warehouse: Warehouse) -> pd.DataFrame:
    """Every school with its name, phase, cluster and locality names (columns school, school_name, phase, ...)."""
    # DuckDB folds the case of names, so the display names are given in pandas.
    return warehouse.query(
        "SELECT s.urn AS school, s.school_name, s.phase, c.cluster_name, l.locality_name "
        "FROM school s JOIN cluster c USING (cluster_code) JOIN locality l ON l.locality_code = c.locality_code"
    )


def cluster_places(warehouse: Warehouse) -> pd.DataFrame:
    """Every cluster with its name and its locality's name (columns cluster, cluster_name, locality_name)."""
    return warehouse.query(
        "SELECT c.cluster_code AS cluster, c.cluster_name, l.locality_name "
        "FROM cluster c JOIN locality l USING (locality_code)"
    )


def school_info(warehouse: Warehouse, urn: str) -> pd.DataFrame:
    """One school's name, cluster code and cluster name (no rows if there is no such school)."""
    return warehouse.query(
        "SELECT s.school_name, s.cluster_code, c.cluster_name "
        "FROM school s JOIN cluster c USING (cluster_code) WHERE s.urn = ?",
        [urn],
    )


def school_points(warehouse: Warehouse) -> pd.DataFrame:
    """Every school's point and locality, for the map (columns school, name, latitude, longitude, locality_code)."""
    return warehouse.query(
        "SELECT s.urn AS school, s.school_name AS name, s.latitude, s.longitude, c.locality_code "
        "FROM school s JOIN cluster c USING (cluster_code)"
    )
