"""Colour classes fixed per measure and map level, so colours mean the same in every year and filter."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.query.catalogue import filter_options
from dashboard.query.rates import rates_where_possible
from dashboard.store.warehouse import Warehouse


def measure_bins(warehouse: Warehouse, measure_id: str, level: str = "area", classes: int = 5) -> list[float]:
    """Class breaks for a measure at a map level, fixed across years and filters so colours mean the same everywhere.

    Taken from the quintiles of every place at that level in every year (of every school, where no place has a figure),
    rounded to two significant figures.
    """

    def build() -> list[float]:
        years = [y for y, _ in filter_options(warehouse).years]
        values = pd.concat(
            [
                rates_where_possible(warehouse, measure_id, FilterState(measure=measure_id, year=y), level)["value"]
                for y in years
            ]
        ).dropna()
        if values.empty and level == "area" and "cluster" in MEASURES[measure_id].filters:
            # No place has a figure (public data give exclusions per school): the school points set the classes.
            values = pd.concat(
                [
                    rates_where_possible(warehouse, measure_id, FilterState(measure=measure_id, year=y), "school")[
                        "value"
                    ]
                    for y in years
                ]
            ).dropna()
        if values.empty:
            return []
        breaks = sorted({_two_figures(q) for q in values.quantile(np.linspace(0, 1, classes + 1)[1:-1])})
        return [b for b in breaks if b > 0] or [float(values.max())]

    return warehouse.cached(("bins", measure_id, level), build)


def _two_figures(value: float) -> float:
    if value <= 0:
        return 0.0
    digits = 1 - int(math.floor(math.log10(value)))
    return round(value, digits)
