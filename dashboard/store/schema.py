"""The warehouse's star schema, and the order its tables load in."""

from __future__ import annotations

SCHEMA_SQL = """
CREATE TABLE locality (
    locality_code VARCHAR PRIMARY KEY,
    locality_name VARCHAR NOT NULL
);
CREATE TABLE cluster (
    cluster_code VARCHAR PRIMARY KEY,
    cluster_name VARCHAR NOT NULL,
    locality_code VARCHAR NOT NULL REFERENCES locality
);
CREATE TABLE area (
    area_code VARCHAR PRIMARY KEY,
    area_name VARCHAR NOT NULL,
    ward_code VARCHAR NOT NULL,
    ward_name VARCHAR NOT NULL,
    locality_code VARCHAR NOT NULL REFERENCES locality,
    imd_decile TINYINT,
    idaci_decile TINYINT
);
CREATE TABLE area_geometry (
    area_code VARCHAR PRIMARY KEY REFERENCES area,
    geojson VARCHAR NOT NULL
);
CREATE TABLE school (
    urn VARCHAR PRIMARY KEY,
    school_name VARCHAR NOT NULL,
    phase VARCHAR NOT NULL,
    school_type VARCHAR NOT NULL,
    cluster_code VARCHAR NOT NULL REFERENCES cluster,
    area_code VARCHAR REFERENCES area,
    latitude DOUBLE,
    longitude DOUBLE,
    open_date DATE,
    close_date DATE
);
CREATE TABLE need (
    need_code VARCHAR PRIMARY KEY,
    need_label VARCHAR NOT NULL,
    broad_area VARCHAR NOT NULL
);
CREATE TABLE period (
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    period_code VARCHAR NOT NULL UNIQUE,
    term_order TINYINT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    PRIMARY KEY (academic_year, term)
);
CREATE TABLE fact_population (
    academic_year VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL REFERENCES area,
    age_band VARCHAR NOT NULL,
    population INTEGER,
    symbols VARCHAR,  -- EES symbols standing for counts, as 'column=c;column=x'
    PRIMARY KEY (academic_year, area_code, age_band)
);
CREATE TABLE fact_census (
    academic_year VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: the part of a total not given school by school
    home_area_code VARCHAR REFERENCES area,
    sen_provision VARCHAR,  -- blank: not known (a public file without this breakdown)
    primary_need VARCHAR REFERENCES need,
    pupils INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE fact_exclusion (
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: the part of a total not given school by school
    home_area_code VARCHAR REFERENCES area,
    sen_provision VARCHAR,  -- blank: not known (a public file without this breakdown)
    primary_need VARCHAR REFERENCES need,
    exclusion_type VARCHAR NOT NULL,
    exclusions INTEGER,
    pupils_excluded INTEGER,
    sessions_lost INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE exclusion_reason (
    academic_year VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: a figure for a phase or the whole LA
    phase VARCHAR,  -- blank: the school's phase, or not known
    exclusion_type VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    exclusions INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'exclusions=x'
);
CREATE TABLE fact_attendance (
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: the part of a total not given school by school
    home_area_code VARCHAR REFERENCES area,
    sen_provision VARCHAR,  -- blank: not known (a public file without this breakdown)
    primary_need VARCHAR REFERENCES need,
    enrolments INTEGER,
    sessions_possible BIGINT,
    sessions_authorised BIGINT,
    sessions_unauthorised BIGINT,
    sessions_missed BIGINT,
    persistent_absentees INTEGER,
    severe_absentees INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE fact_ehcp (
    academic_year VARCHAR NOT NULL,
    home_area_code VARCHAR REFERENCES area,
    age_band VARCHAR,  -- blank: not known
    primary_need VARCHAR REFERENCES need,
    setting_type VARCHAR,
    urn VARCHAR REFERENCES school,
    plans INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE benchmark (
    geography_code VARCHAR NOT NULL,
    geography_name VARCHAR NOT NULL,
    geography_level VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    source VARCHAR NOT NULL,
    phase VARCHAR,  -- blank: all phases
    sen_provision VARCHAR,  -- blank: all pupils
    primary_need VARCHAR,  -- blank: all pupils
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE event (
    event_date DATE NOT NULL,
    label VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL
);
-- A board's own targets (targets.csv): a measure's figure for a place, at most or at least a value, by a year.
CREATE TABLE board_target (
    measure VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,  -- the year by which the target is to be met
    level VARCHAR NOT NULL,  -- borough, locality or cluster
    place VARCHAR,  -- the locality's or cluster's code; blank for the borough
    target DOUBLE NOT NULL,  -- in the measure's own unit as shown: 8.0 per 100 pupils, 18.5 for 18.5%
    direction VARCHAR NOT NULL  -- at most, at least
);
CREATE TABLE load_version (
    version VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    data_kind VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    area_kind VARCHAR NOT NULL  -- what sentences call the whole area: borough, county, region (domain/area.py)
);
CREATE TABLE load_source (
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    form VARCHAR NOT NULL
);
CREATE TABLE dataset_status (
    dataset VARCHAR PRIMARY KEY,
    rows_loaded INTEGER NOT NULL,
    first_year VARCHAR,
    latest_year VARCHAR,
    as_of DATE
);
-- Every cell the app can show, protected once at load (dashboard/publish): the only counts the app reads.
CREATE TABLE published (
    count VARCHAR NOT NULL,  -- pupils, suspensions, plans... (dashboard/publish/registry.py)
    family VARCHAR NOT NULL,  -- the cut: 'locality|sen', 'school', 'borough'
    academic_year VARCHAR NOT NULL,
    term VARCHAR,  -- blank: the full year
    area VARCHAR, ward VARCHAR, locality VARCHAR, decile VARCHAR,  -- decile: IDACI decile of the pupils' homes
    school VARCHAR, cluster VARCHAR, school_locality VARCHAR,
    phase VARCHAR, sen VARCHAR, need VARCHAR, broad_area VARCHAR, reason VARCHAR,
    value DOUBLE,  -- blank unless shown
    status VARCHAR NOT NULL  -- shown, suppressed, not published, or a source's symbol (c, low, x, z, u)
);
CREATE TABLE publication (
    threshold INTEGER NOT NULL,  -- counts of 1 to this many are hidden, and none can be worked out
    built_at TIMESTAMP NOT NULL,
    method VARCHAR NOT NULL,
    seconds DOUBLE
);
CREATE TABLE publication_family (
    count VARCHAR NOT NULL,
    family VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    cells INTEGER NOT NULL,
    primary_hidden INTEGER NOT NULL,  -- counts of 1 to the threshold
    secondary_hidden INTEGER NOT NULL,  -- hidden so that those cannot be worked out
    published BOOLEAN NOT NULL,
    reason VARCHAR  -- why a family is not published that year
);
-- What the protection assumed a reader knows beyond sums (registry.RELATIONS), per relation and year.
CREATE TABLE publication_relation (
    relation VARCHAR NOT NULL,  -- the reason a reader can give for it
    kind VARCHAR NOT NULL,  -- at_most, year_at_least_each_term, year_at_most_sum_of_terms, same, same_over_terms
    counts VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    instances INTEGER NOT NULL,  -- bounds, or pairs of cells that could be one figure
    broken INTEGER NOT NULL,  -- bounds the data contradict, left out
    tied INTEGER NOT NULL  -- pairs taken as one figure (they coincide), shown or hidden together
);
"""
# Load order respects the foreign keys above.
TABLE_ORDER = (
    "locality",
    "cluster",
    "area",
    "area_geometry",
    "school",
    "need",
    "period",
    "fact_population",
    "fact_census",
    "fact_exclusion",
    "exclusion_reason",
    "fact_attendance",
    "fact_ehcp",
    "benchmark",
    "event",
    "board_target",
    "load_version",
    "load_source",
    "dataset_status",
    "published",
    "publication",
    "publication_family",
    "publication_relation",
)
