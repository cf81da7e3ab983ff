"""Protect a country's publication LA by LA, then its national figures in one joint stage (dashboard/domain/joint.py).

England's publication is too large to protect as one system a year (a year of pupils would be about a million
cells), but only its national figures tie its LAs together: each is the sum of every LA's own figure of the same
kind (England's pupils by SEN provision, its LAs' pupils by SEN provision). So each LA is protected alone, as a
borough is (its localities are the LA itself, its wards its districts), on the dask engine one LA a job; the LA's
own totals of every family the country offers without a place (by SEN provision, phase, need, reason, deprivation
decile) are its interface. The joint stage then hides national figures wherever an LA's hidden cells need it, from
what each LA keeps of its solutions, never holding an LA's small areas. The result is the same whatever the number
of workers: each LA alone is, and the joint stage runs in the loading process in one order.

What England's publication holds: every LA's cells in a place of it (the LA as a locality, its districts, small
areas, schools and clusters) as its own protection left them, and England's cells in no LA, each the sum of every
LA's: its totals by a characteristic, its pupils living outside England, the rest of a total not given by school.
An LA's own totals by a characteristic are shown where England offers that family with the LA as a locality (its
pupils by SEN provision), and otherwise kept back (its protection took them as shown, so a reader knows no more
than it assumed).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.domain.disclosure import Unprotectable, primary_cells
from dashboard.domain.joint import Part, joint_hidden, part_of
from dashboard.domain.status import NOT_PUBLISHED, SHOWN, SUPPRESSED
from dashboard.publish.cells import count_year, fact_years, read_facts
from dashboard.publish.engine import Engine, release_memory
from dashboard.publish.protect import (
    FAMILY_COLUMNS,
    PUBLISHED_COLUMNS,
    RELATION_COLUMNS,
    SOURCE_TABLES,
    Publication,
    protect_system,
)
from dashboard.publish.registry import COUNTS, FAMILIES, FAMILIES_BY_NAME, KEY_COLUMNS, Count, related_counts
from dashboard.publish.relations import ties

# Dimensions that name a place: a family with none of them is a total of the whole area by some characteristic.
PLACES = {"area", "ward", "locality", "school", "cluster", "school_locality"}
# England's families of no place: an LA's cells of them are published only inside England's sums.
NATIONAL = frozenset(family.name for family in FAMILIES if not set(family.dims) & PLACES)
INTERFACE_COLUMNS = ["count", "family", "term", *KEY_COLUMNS]


class CrossingRows(ValueError):
    """A fact row whose school is in one LA and whose home is in another: each LA is protected alone, so not yet."""


def split_by_la(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """The tables the load protects, one set per LA (the localities of a country): each fact row goes to its
    school's LA, or where it names no school to its home's."""
    area, school, cluster = tables["area"], tables["school"], tables["cluster"]
    area_la = dict(zip(area["area_code"], area["locality_code"]))
    cluster_la = dict(zip(cluster["cluster_code"], cluster["locality_code"]))
    school_la = {urn: cluster_la.get(c) for urn, c in zip(school["urn"], school["cluster_code"])}
    owner = {
        "area": area["locality_code"].to_numpy(object),
        "cluster": cluster["locality_code"].to_numpy(object),
        "school": school["cluster_code"].map(cluster_la).to_numpy(object),
    }
    for name in SOURCE_TABLES:
        frame = tables.get(name)
        if frame is None or name in owner or name == "need":
            continue
        owner[name] = _fact_owner(name, frame, area_la, school_la)
    codes = sorted(set(area["locality_code"].dropna()))
    split = {code: ({"need": tables["need"]} if "need" in tables else {}) for code in codes}
    for name, owners in owner.items():
        # Each table's rows grouped by LA once, in their order (a mask per LA would read every row 151 times).
        rows = pd.Series(np.arange(len(owners))).groupby(pd.Series(owners, dtype=object)).indices
        for code in codes:
            split[code][name] = tables[name].take(rows.get(code, np.zeros(0, dtype=int))).reset_index(drop=True)
    return split


def _fact_owner(name: str, frame: pd.DataFrame, area_la: dict, school_la: dict) -> np.ndarray:
    """Each fact row's LA: its school's, else its home's (its area's, for residents)."""
    home_column = "area_code" if "area_code" in frame and "home_area_code" not in frame else "home_area_code"
    home = frame[home_column].map(area_la) if home_column in frame else pd.Series(None, index=frame.index)
    by_school = frame["urn"].map(school_la) if "urn" in frame else pd.Series(None, index=frame.index)
    crossing = by_school.notna() & home.notna() & (by_school != home)
    if crossing.any():
        row = int(np.flatnonzero(crossing.to_numpy())[0])
        raise CrossingRows(
            f"{name}, row {row + 1}: school {frame['urn'].iloc[row]} is in {by_school.iloc[row]} but the home "
            f"{frame[home_column].iloc[row]} is in {home.iloc[row]}; a country is protected LA by LA, so each row "
            "must lie in one LA"
        )
    owners = by_school.where(by_school.notna(), home)
    if owners.isna().any():
        row = int(np.flatnonzero(owners.isna().to_numpy())[0])
        raise CrossingRows(f"{name}, row {row + 1}: neither a school nor a home in any LA, so no LA to protect it in")
    return owners.to_numpy(object)


@dataclass
class LaResult:
    """One LA protected alone: its cells as England publishes them, its report, and its share of each joint stage."""

    code: str
    cells: pd.DataFrame
    stats: list[pd.DataFrame]
    used: list[tuple]
    interfaces: dict[tuple[int, str], tuple[pd.DataFrame, Part]]


def protect_la(code: str, tables: dict[str, pd.DataFrame], threshold: int, blocks_above: int) -> LaResult:
    """An LA's systems protected one after another, as a borough's are, and what the joint stage needs of each."""
    with duckdb.connect() as con:
        for name in SOURCE_TABLES:
            if tables.get(name) is not None:
                con.register(name, tables[name])
        present = [c for c in COUNTS.values() if tables.get(c.table) is not None and not tables[c.table].empty]
        years_of = fact_years(con, present)
        kept, stats, used, interfaces = [], [], [], {}
        for number, group in enumerate(related_counts()):
            members = [COUNTS[c] for c in sorted(group) if c in years_of]
            for year in sorted({year for count in members for year in years_of[count.id]}):
                mine = [count for count in members if year in years_of[count.id]]
                # Each system's facts are read when it is protected, one year's at a time: all the years' at once were
                # a worker's largest holding (Kent's, 650 MB, against its tables' 130 MB).
                facts = read_facts(con, mine, year)
                system = protect_system(mine, year, facts, threshold, blocks_above, NATIONAL)
                cells = system.cells
                interface = np.flatnonzero(_interface(cells))
                part = part_of(system.problem, system.hidden, interface, np.arange(len(interface)), threshold)
                frame = cells.iloc[interface][[*INTERFACE_COLUMNS, "published"]].assign(
                    value=system.problem.values[interface], held=False
                )
                kept.append(_placed(cells, interface))
                if system.dropped:
                    # A family the LA cannot publish this year: its cells are shown as not published (a reader sees
                    # them missing), and its national figures are not published either (national_stage).
                    held = _held_back(mine, year, facts, system.dropped)
                    beside = _interface(held)
                    frame = pd.concat([frame, held[beside].assign(held=True)[frame.columns]], ignore_index=True)
                    kept.append(_placed(held, np.flatnonzero(beside)))
                interfaces[(number, year)] = (frame.reset_index(drop=True), part)
                stats += system.stats
                used += system.used
    published = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=PUBLISHED_COLUMNS)
    return LaResult(code, published, stats, used, interfaces)


def _held_back(counts: list[Count], year: str, facts: dict, dropped: dict[tuple[str, str], str]) -> pd.DataFrame:
    """The cells of the families a system could not publish, with their true values, marked not published."""
    frames = []
    for count in counts:
        families = [FAMILIES_BY_NAME[name] for c, name in dropped if c == count.id]
        if families:
            made = count_year(count, year, facts[count.id], families)
            frames.append(made.cells.assign(count=count.id))
    held = pd.concat(frames, ignore_index=True)
    held["status"], held["academic_year"], held["_primary"], held["_hidden"] = NOT_PUBLISHED, year, False, False
    return held


def _interface(cells: pd.DataFrame) -> np.ndarray:
    """Cells of an LA that are in no place of it, so part of a national figure: its totals by a characteristic,
    its pupils living outside it, the rest of a total not given by school. England publishes their sums."""
    mask = np.ones(len(cells), dtype=bool)
    family = cells["family"].to_numpy(object)
    for name in set(family.tolist()):
        mine = family == name
        for dim in (d for d in FAMILIES_BY_NAME[name].dims if d in PLACES):
            mask[mine] &= cells[dim].isna().to_numpy()[mine]
    return mask


def _placed(cells: pd.DataFrame, interface: np.ndarray) -> pd.DataFrame:
    """An LA's cells that England publishes as the LA's: those in a place of it."""
    keep = np.ones(len(cells), dtype=bool)
    keep[interface] = False
    placed = cells[keep].copy()
    placed["value"] = placed["value"].where(placed["status"] == SHOWN)
    return placed[[*PUBLISHED_COLUMNS, "_primary", "_hidden"]]


def publish_by_la(tables: dict[str, pd.DataFrame], threshold: int, engine: Engine | None = None) -> Publication:
    """A country's publication: each LA protected alone on the engine, then the national figures jointly."""
    started = time.perf_counter()
    engine = engine or Engine.from_config()
    split = split_by_la(tables)
    sizes = [sum(len(frame) for frame in mine.values()) for mine in split.values()]
    jobs = [(code, mine, threshold, engine.blocks_above) for code, mine in split.items()]
    results: list[LaResult] = engine.map(protect_la, jobs, sum(sizes), sizes)
    national_started = time.perf_counter()
    # Each system and year's national figures are a job of their own too, on the same engine.
    stages = sorted({key for result in results for key in result.interfaces})
    shares = [[result.interfaces[key] for result in results if key in result.interfaces] for key in stages]
    jobs = [([f for f, _ in share], [p for _, p in share], threshold, key[1]) for key, share in zip(stages, shares)]
    points = [sum(len(part.points) for _, part in share) for share in shares]
    national = engine.map(national_stage, jobs, sum(sizes), points)
    joint_seconds = time.perf_counter() - national_started
    cells = pd.concat([*(r.cells for r in results), *national], ignore_index=True)
    withheld = [
        (count, family, key[1]) for key, frame in zip(stages, national) for count, family in frame.attrs["withheld"]
    ]
    families = _family_report(cells, [s for r in results for s in r.stats], withheld)
    published = cells[PUBLISHED_COLUMNS].sort_values(["count", "family", "academic_year"], kind="stable")
    published = published.reset_index(drop=True)
    relations = _relation_report([row for r in results for row in r.used])
    seconds = time.perf_counter() - started
    meta = pd.DataFrame(
        [
            (
                threshold,
                pd.Timestamp.now().floor("s").to_pydatetime(),
                "Gaussian elimination; linear-programming audit with the relations between counts; "
                f"{len(results)} LAs protected alone on {engine.describe(sum(sizes))}, then their national figures "
                f"jointly from what each LA kept of its solutions ({joint_seconds:.0f} s)",
                round(seconds, 1),
            )
        ],
        columns=["threshold", "built_at", "method", "seconds"],
    )
    return Publication(published, meta, families, relations, seconds)


def national_stage(frames: list[pd.DataFrame], parts: list[Part], threshold: int, year: str) -> pd.DataFrame:
    """The national cells of one system and year, summed from every LA's interface, and which must be hidden."""
    every = pd.concat(frames, ignore_index=True)
    keys = every[INTERFACE_COLUMNS].astype(object).where(every[INTERFACE_COLUMNS].notna(), None)
    codes, unique = pd.factorize(pd.MultiIndex.from_frame(keys.fillna("\x00")))
    size = len(unique)
    values = np.bincount(codes, weights=np.nan_to_num(every["value"].to_numpy(float)), minlength=size)
    unknown = np.bincount(codes, weights=every["value"].isna().to_numpy(float), minlength=size) > 0
    first = np.unique(codes, return_index=True)[1]
    cells = keys.iloc[first].reset_index(drop=True)
    cells["published"] = every["published"].to_numpy(bool)[first]
    offsets = np.cumsum([0] + [len(frame) for frame in frames])
    parts = [dataclasses.replace(part, keys=codes[offset + part.keys]) for part, offset in zip(parts, offsets)]
    children = ~cells["count"].map(lambda c: COUNTS[c].pattern_of is not None).to_numpy(bool)
    published = cells["published"].to_numpy(bool).copy()
    free = ~published | unknown  # never shown, or unknown to everyone: no figure to keep
    primary = primary_cells(values, threshold) & children & ~free
    tied = ties(cells.assign(value=values), lambda relation, a, b: values[a] == values[b])
    same = [(line.parent, line.children[0]) for line in tied.lines]
    # A family an LA could not publish: its national figures would add in that LA's cells, which its protection
    # never saw published, and a reader could take them back out along the hierarchy. Not published that year.
    withheld = set(zip(every.loc[every["held"], "count"], every.loc[every["held"], "family"]))
    while True:
        # A national family the joint stage cannot protect is not published that year, as an LA's would not be:
        # it fails closed.
        out = np.array([key in withheld for key in zip(cells["count"], cells["family"])], dtype=bool)
        floor = np.where(children & ~free & ~out, 1.0, 0.0)
        try:
            hidden = joint_hidden(parts, values, threshold, primary & ~out, floor, same, tied.follows, free | out)
            break
        except Unprotectable as failure:
            withheld |= {(cells["count"].iloc[n], cells["family"].iloc[n]) for n in failure.cells}
        release_memory()  # the attempt's programs, freed, before the next builds its own
    published &= ~out
    status = np.where(~published, NOT_PUBLISHED, np.where(hidden | unknown, SUPPRESSED, SHOWN))
    cells["value"] = np.where(status == SHOWN, values, np.nan)
    cells["status"], cells["academic_year"] = status, year
    cells["_primary"] = (primary | (tied.follows >= 0) & hidden[tied.follows]) & published
    cells["_hidden"] = hidden & published
    cells = cells[[*PUBLISHED_COLUMNS, "_primary", "_hidden"]]
    cells.attrs["withheld"] = sorted(withheld)
    return cells


def _family_report(cells: pd.DataFrame, la_stats: list[pd.DataFrame], withheld: list[tuple]) -> pd.DataFrame:
    """Per count, family and year: England's cells, those hidden as small and those hidden for others; a family an
    LA could not publish is published where any LA does it, and the reason names how many do not; a national family
    withheld (count, family, year) is not published, and says so."""
    year_rows = cells[cells["term"].isna() & (cells["status"] != NOT_PUBLISHED)]
    report = (
        year_rows.groupby(["count", "family", "academic_year"], sort=True)
        .agg(cells=("status", "size"), primary_hidden=("_primary", "sum"), hidden=("_hidden", "sum"))
        .reset_index()
    )
    report["secondary_hidden"] = report["hidden"] - report["primary_hidden"]
    las = pd.concat(la_stats, ignore_index=True) if la_stats else pd.DataFrame(columns=FAMILY_COLUMNS)
    held = las[~las["published"].astype(bool)]
    reasons = {
        key: (len(rows), rows["reason"].iloc[0])
        for key, rows in held.groupby(["count", "family", "academic_year"], sort=True)
    }
    las_of = las.groupby(["count", "family", "academic_year"]).size().to_dict()
    keys = list(zip(report["count"], report["family"], report["academic_year"]))
    report["published"] = True
    report["reason"] = [
        f"not published for {reasons[k][0]} of {las_of[k]} LAs (the first: {reasons[k][1]})" if k in reasons else ""
        for k in keys
    ]
    for count, family, year in withheld:
        if not set(FAMILIES_BY_NAME[family].dims) & PLACES and (count, family, year) not in set(keys):
            why = reasons.get((count, family, year), (0, ""))[1]
            reasons[(count, family, year)] = (0, why or "could not be protected for England as a whole this year")
    missing = [k for k in reasons if k not in set(keys)]
    gone = pd.DataFrame(
        [(c, f, y, 0, 0, 0, False, reasons[(c, f, y)][1]) for c, f, y in missing], columns=FAMILY_COLUMNS
    )
    report = pd.concat([report[FAMILY_COLUMNS], gone], ignore_index=True)
    return report.sort_values(["count", "academic_year"], kind="stable").reset_index(drop=True)


def _relation_report(rows: list[tuple]) -> pd.DataFrame:
    """Per relation and year, its instances, broken and tied pairs summed over the LAs."""
    frame = pd.DataFrame(rows, columns=RELATION_COLUMNS)
    keys = ["relation", "kind", "counts", "academic_year"]
    return frame.groupby(keys, sort=True)[["instances", "broken", "tied"]].sum().reset_index()[RELATION_COLUMNS]
