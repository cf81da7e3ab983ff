"""How far each map level's outlines may move when simplified: under a pixel at the scale the level is read at."""

from __future__ import annotations

import shapely

from dashboard.query.geometry import SIMPLIFY, tolerance


def squares(side: float, count: int = 5) -> list:
    return [shapely.box(i * side, 0, (i + 1) * side, side) for i in range(count)]


def test_small_places_keep_the_levels_own_tolerance():
    # A borough's wards are about 0.05 degrees across: a 500th is 0.0001, under the ward's 0.0002.
    assert tolerance("ward", squares(0.05)) == SIMPLIFY["ward"]
    assert tolerance("area", squares(0.01)) == SIMPLIFY["area"]


def test_large_places_move_by_a_500th_of_their_size():
    # England's districts are about 0.4 degrees a side: a diagonal of 0.5657, of which a 500th is 0.00113.
    assert abs(tolerance("ward", squares(0.4)) - 0.4 * 2**0.5 / 500) < 1e-12
    # The median place decides, not one large outlier.
    places = squares(0.05, 4) + [shapely.box(10, 10, 12, 12)]
    assert tolerance("ward", places) == SIMPLIFY["ward"]
