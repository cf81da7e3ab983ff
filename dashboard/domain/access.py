"""Who may see what: the roles, what each may open, and the sentence a refusal gives; plain data, no Flask.

The web edge decides who is asking and hands an Audience to every page, callback, export and data route, which ask
`may` here and nothing else. A refusal is a sentence, never data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dashboard.domain.filters import FilterState

# Each role holds every right of the ones before it.
ROLES = ("viewer", "officer", "admin")
# What a right lets a reader open.
AGGREGATES = "aggregates"  # the protected publication at borough, locality, ward, small area and cluster level
SCHOOLS = "schools"  # school-level rows: the Schools page, school points on the map, the funnel of schools
ADMINISTER = "administer"  # data administration: versions, load reports, rollback, loading extracts
RIGHTS = {
    "viewer": frozenset({AGGREGATES}),
    "officer": frozenset({AGGREGATES, SCHOOLS}),
    "admin": frozenset({AGGREGATES, SCHOOLS, ADMINISTER}),
}
ROLE_NAMES = {"viewer": "board viewer", "officer": "officer", "admin": "administrator"}
REFUSALS = {
    AGGREGATES: "Sign in to see the dashboard.",
    SCHOOLS: (
        "School-level figures are for officers only; the whole area, its localities, wards, small areas and "
        "clusters are open to you."
    ),
    ADMINISTER: "Data administration is for administrators.",
}

# How a reader came to be let in.
SIGNED_IN = "signed in"  # with a password or the council's single sign-on
DEMO = "demo"  # synthetic data: open to anyone, nothing to protect beyond the figures themselves
OPEN = "open access"  # the LA has turned sign-in off for a real warehouse
SIGNED_OUT = "signed out"
CLOSED = "closed"  # a real warehouse, sign-in required, and no way to sign in set up: nobody is let in


@dataclass(frozen=True)
class Audience:
    """Who is asking: a role (None when signed out), their name to show, and how they were let in."""

    role: str | None
    name: str = ""
    how: str = SIGNED_OUT

    def __post_init__(self):
        if self.role is not None and self.role not in RIGHTS:
            raise ValueError(f"There is no role '{self.role}'; roles are {', '.join(ROLES)}.")


NOBODY = Audience(None)


def may(audience: Audience, right: str) -> bool:
    """Whether the audience holds the right."""
    return audience.role is not None and right in RIGHTS[audience.role]


def refusal(right: str) -> str:
    """The sentence a refused reader reads."""
    return REFUSALS[right]


def role_at_least(role: str, least: str) -> bool:
    """Whether role holds every right of least."""
    return RIGHTS[least] <= RIGHTS[role]


def admission(*, open_access: str, sign_in: bool, synthetic: bool) -> str:
    """How readers are let in: open access if the LA turned sign-in off; else by signing in if anyone can; else the
    demo's synthetic data is open to all, and real data to nobody."""
    if open_access:
        return OPEN
    if sign_in:
        return SIGNED_IN
    return DEMO if synthetic else CLOSED


def restricted(audience: Audience, state: FilterState) -> tuple[FilterState, list[str]]:
    """The filters as the audience may see them, and a sentence for anything taken away (school points on the map
    for a reader without the schools right)."""
    if state.schools != "hide" and not may(audience, SCHOOLS):
        return replace(state, schools="hide"), [refusal(SCHOOLS)]
    return state, []


def describe(audience: Audience) -> str:
    """Who the header says is reading, and on what terms, in words."""
    if audience.how == SIGNED_IN:
        return f"Signed in as {audience.name} ({ROLE_NAMES[audience.role]})."
    if audience.how == DEMO:
        return "Demo: anyone can open it, no sign-in."
    if audience.how == OPEN:
        role = ROLE_NAMES[audience.role]
        article = "an" if role[0] in "aeiou" else "a"
        return f"Open access: sign-in is turned off; everyone sees what {article} {role} sees."
    return "Not signed in."
