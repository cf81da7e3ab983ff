"""Every small area placed in a locality and every school in a cluster, from the files or mapping.csv."""

from __future__ import annotations

import pandas as pd

from dashboard.domain.reference import PHASES, UNMAPPED, UNMAPPED_NAME
from dashboard.ingest.parse import ParsedFile
from dashboard.ingest.report import LoadIssue, LoadReport
from dashboard.ingest.templates import MAPPING


def place_in_localities(
    localities: ParsedFile | None,
    clusters: ParsedFile | None,
    areas: pd.DataFrame,
    schools: pd.DataFrame,
    mapping: pd.DataFrame | None,
    report: LoadReport,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Give every area a locality and every school a cluster, from the files or mapping.csv; list what is left over.

    A small area's own mapping row wins over its ward's. A school with no cluster joins its locality's
    cluster for its phase ("North primary schools"), its locality being its own mapping row's, else that
    of the area it stands in. Whatever still has no place goes to the "Not mapped" locality, and the
    report names each one.
    """
    mapping = mapping if mapping is not None else pd.DataFrame(columns=[c.name for c in MAPPING.columns])
    rows = {level: part.set_index("code") for level, part in mapping.groupby("level")}
    empty = pd.DataFrame(columns=["locality_code", "locality_name", "cluster_code", "cluster_name"])
    area_rows, ward_rows, school_rows = (rows.get(level, empty) for level in ("area", "ward", "school"))
    names = (
        {} if localities is None else dict(localities.frame[["locality_code", "locality_name"]].itertuples(index=False))
    )
    for code, name in (
        mapping[["locality_code", "locality_name"]].dropna(subset=["locality_code"]).itertuples(index=False)
    ):
        names.setdefault(code, name if isinstance(name, str) else code)

    def look_up(keys: pd.Series, values: pd.Series) -> pd.Series:
        return keys.map(values).astype(object)  # an empty mapping gives float NaN, which text must not be filled from

    areas = areas.assign(
        locality_code=areas["locality_code"]
        .astype(object)
        .fillna(look_up(areas["area_code"], area_rows["locality_code"]))
        .fillna(look_up(areas["ward_code"], ward_rows["locality_code"]))
    )
    unplaced = areas[areas["locality_code"].isna()]
    if len(unplaced):
        report.issues.append(
            LoadIssue(
                "areas.csv",
                f"{len(unplaced)} small area(s) have no locality in areas.csv or mapping.csv "
                f"and are shown as '{UNMAPPED_NAME}': {', '.join(_listed(unplaced, 'area_code', 'ward_name'))}",
                fatal=False,
            )
        )
        areas["locality_code"] = areas["locality_code"].fillna(UNMAPPED)

    # Each school's locality: its own mapping row's, else its area's.
    locality = (
        look_up(schools["urn"], school_rows["locality_code"])
        .fillna(look_up(schools["area_code"], areas.set_index("area_code")["locality_code"]))
        .fillna(UNMAPPED)
    )
    cluster_rows = (
        []
        if clusters is None
        else list(clusters.frame[["cluster_code", "cluster_name", "locality_code"]].itertuples(index=False, name=None))
    )
    known = {code for code, _, _ in cluster_rows}
    for urn, row in school_rows.dropna(subset=["cluster_code"]).iterrows():
        if row.cluster_code not in known:  # a cluster named only in the mapping, in its first school's locality
            known.add(row.cluster_code)
            cluster_rows.append(
                (
                    row.cluster_code,
                    row.cluster_name if isinstance(row.cluster_name, str) else row.cluster_code,
                    locality[schools["urn"] == urn].iat[0] if (schools["urn"] == urn).any() else UNMAPPED,
                )
            )
    schools = schools.assign(
        cluster_code=schools["cluster_code"].astype(object).fillna(look_up(schools["urn"], school_rows["cluster_code"]))
    )
    unclustered = schools["cluster_code"].isna()
    if unclustered.any():
        defaults = locality + "-" + schools["phase"]
        schools.loc[unclustered, "cluster_code"] = defaults[unclustered]
        for code, place, phase in sorted(
            set(zip(defaults[unclustered], locality[unclustered], schools.loc[unclustered, "phase"]))
        ):
            cluster_rows.append((code, f"{names.get(place, UNMAPPED_NAME)} {PHASES[phase].lower()} schools", place))
        report.issues.append(
            LoadIssue(
                "schools.csv",
                f"{int(unclustered.sum())} school(s) have no cluster in schools.csv or "
                "mapping.csv and join their locality's cluster for their phase",
                fatal=False,
            )
        )
        homeless = schools[unclustered & locality.eq(UNMAPPED)]
        if len(homeless):
            report.issues.append(
                LoadIssue(
                    "schools.csv",
                    f"{len(homeless)} school(s) stand outside every mapped area and are shown "
                    f"as '{UNMAPPED_NAME}': {', '.join(_listed(homeless, 'urn', 'school_name'))}",
                    fatal=False,
                )
            )
    clusters_frame = pd.DataFrame(
        cluster_rows, columns=["cluster_code", "cluster_name", "locality_code"]
    ).drop_duplicates("cluster_code")
    used = set(areas["locality_code"]) | set(clusters_frame["locality_code"])
    if UNMAPPED in used:
        names[UNMAPPED] = UNMAPPED_NAME
    unnamed = sorted(used - set(names))
    if unnamed:
        report.issues.append(
            LoadIssue(
                "mapping.csv", f"locality code(s) {', '.join(unnamed)} have no name in localities.csv or mapping.csv"
            )
        )
    localities_frame = pd.DataFrame(
        sorted((code, name) for code, name in names.items() if code in used or localities is not None),
        columns=["locality_code", "locality_name"],
    )
    return localities_frame, clusters_frame, areas, schools


def _listed(frame: pd.DataFrame, code: str, name: str, most: int = 20) -> list[str]:
    """'code (name)' for the first few rows, and how many more."""
    shown = [f"{c} ({n})" for c, n in zip(frame[code], frame[name])][:most]
    return shown + ([f"and {len(frame) - most} more"] if len(frame) > most else [])
