"""The board's own targets (targets.csv) for a measure, and a place where one is asked for."""

from __future__ import annotations

from dashboard.domain.targets import Target
from dashboard.store.warehouse import Warehouse


def targets(warehouse: Warehouse, measure_id: str, level: str | None = None, place: str | None = None) -> list[Target]:
    """The targets set for a measure, oldest year first; with level (and place), only those for that place.

    A borough's target has no place: asking for level "borough" finds it whatever place is given. None where no
    targets are loaded, or the version was loaded by a release before targets were.
    """

    def build() -> list[Target]:
        if not warehouse.columns("board_target"):
            return []
        rows = warehouse.query(
            "SELECT measure, academic_year, level, place, target, direction FROM board_target WHERE measure = ? "
            "ORDER BY academic_year, level, place",
            [measure_id],
        )
        return [
            Target(measure, year, level, None if place is None or place != place else place, float(value), direction)
            for measure, year, level, place, value, direction in rows.itertuples(index=False, name=None)
        ]

    found = warehouse.cached(("targets", measure_id), build)
    if level is None:
        return list(found)
    return [t for t in found if t.level == level and (level == "borough" or place is None or t.place == place)]
