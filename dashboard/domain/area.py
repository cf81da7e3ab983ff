"""What sentences call the whole area a load covers: the borough, the county, the region."""

from __future__ import annotations

from dataclasses import dataclass

# A load says which: a county's board reading "the whole borough" would stop trusting every sentence beside it.
AREA_KINDS = ("borough", "county", "city", "district", "region", "country", "area")


@dataclass(frozen=True)
class Area:
    """The whole area as words: 'the county', 'the whole county', 'County', "the county's", 'Outside the county'."""

    kind: str = "borough"

    def __post_init__(self):
        if self.kind not in AREA_KINDS:
            raise ValueError(f"the whole area is one of {', '.join(AREA_KINDS)}, not {self.kind!r}")

    @property
    def the(self) -> str:
        """'the county', the subject of a sentence about the whole area."""
        return f"the {self.kind}"

    @property
    def whole(self) -> str:
        """'the whole county', where a part could be meant instead."""
        return f"the whole {self.kind}"

    @property
    def title(self) -> str:
        """'County', a row, column or line label."""
        return self.kind.capitalize()

    @property
    def its(self) -> str:
        """ "the county's", as in "the county's rates"."""
        return f"the {self.kind}'s"

    @property
    def outside(self) -> str:
        """'Outside the county', the row of pupils or plans of people who live elsewhere."""
        return f"Outside the {self.kind}"


BOROUGH = Area()
