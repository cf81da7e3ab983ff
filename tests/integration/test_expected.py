"""Expected given deprivation on the demo borough, against a direct recount from the pupil-level extracts."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.domain.filters import FilterState
from dashboard.query.queries import NotApplicable, Queries
from dashboard.store.warehouse import Warehouse

YEAR = "2024/25"


@pytest.fixture(scope="module")
def recount(demo_build):
    """The extracts' own rows for the year: each census row a pupil, each suspension row a suspension, with the
    IDACI decile of the home's small area ('outside' for pupils living elsewhere), counted with pandas alone."""
    extracts, _ = demo_build
    areas = pd.read_csv(extracts / "areas.csv", dtype=str)
    schools = pd.read_csv(extracts / "schools.csv", dtype=str)

    def read(name: str) -> pd.DataFrame:
        frame = pd.read_csv(extracts / name, dtype=str)
        frame = frame[frame["academic_year"] == YEAR].merge(
            areas[["area_code", "ward_code", "locality_code", "idaci_decile"]],
            left_on="home_area_code",
            right_on="area_code",
            how="left",
        )
        frame = frame.merge(schools[["urn", "phase", "cluster_code"]], on="urn", how="left")
        return frame.assign(decile=frame["idaci_decile"].fillna("outside"))

    census = read("census_pupil.csv")
    suspensions = read("exclusions_pupil.csv")
    return census, suspensions[suspensions["exclusion_type"] == "suspension"]


def _direct(census: pd.DataFrame, events: pd.DataFrame, place: str, within: list[str]) -> pd.Series:
    """Sum over deciles of the place's pupils times the rate of all pupils (within the group) in that decile."""
    rate = events.groupby([*within, "decile"]).size() / census.groupby([*within, "decile"]).size()
    pupils = census.groupby([place, *within, "decile"]).size().rename("pupils").reset_index()
    pupils["rate"] = rate.reindex(pd.MultiIndex.from_frame(pupils[[*within, "decile"]])).fillna(0).to_numpy()
    return (pupils["pupils"] * pupils["rate"]).groupby(pupils[place]).sum()


def test_locality_expected_counts_equal_a_direct_recount_from_the_pupil_rows(demo_build, recount):
    census, suspensions = recount
    queries = Queries(Warehouse(demo_build[1]))
    frame = queries.expected("suspension_rate", FilterState(year=YEAR), "locality").set_index("locality")
    # The standard is the borough's rate for pupils of each SEN provision in each decile: the demo publishes each
    # small area's pupils by SEN provision, so a locality's are its small areas' added up.
    direct = _direct(census, suspensions, "locality_code", ["sen_provision"])
    assert set(frame.index) == set(direct.index) == {"E", "N", "SC", "W"}
    whole = frame[frame["covered"] == 1]
    assert len(whole) >= 2
    for locality in direct.index:
        # Where a small area's pupils of one provision are hidden, they are pooled at the rest of the borough's rate:
        # exact where nothing is pooled, and close where a few pupils are.
        tolerance = 1e-9 if locality in whole.index else 0.02
        assert frame.at[locality, "expected"] == pytest.approx(direct[locality], rel=tolerance)
        assert frame.at[locality, "numerator"] == (suspensions["locality_code"] == locality).sum()
    assert (frame["covered"] > 0.95).all()


def test_ward_expected_counts_add_up_their_small_areas_decile_by_decile_and_equal_a_recount(demo_build, recount):
    # No family of wards by decile is published: a ward's pupils in a decile are its small areas' in that decile.
    census, suspensions = recount
    queries = Queries(Warehouse(demo_build[1]))
    frame = queries.expected("suspension_rate", FilterState(year=YEAR), "ward").set_index("ward")
    direct = _direct(census, suspensions, "ward_code", ["sen_provision"])
    whole = frame[frame["covered"] == 1]
    assert len(whole) >= 0.6 * len(direct)
    for ward in direct.index:
        tolerance = 1e-9 if ward in whole.index else 0.05
        assert frame.at[ward, "expected"] == pytest.approx(direct[ward], rel=tolerance)


def test_what_each_level_takes_into_account_follows_what_the_publication_holds(demo_build):
    queries = Queries(Warehouse(demo_build[1]))
    # Pupils by small area and SEN provision are published: where pupils live, SEN provision is taken in too.
    home = queries.expected_design("suspension_rate", "ward")
    assert home.strata == ("sen", "decile") and "SEN provision" in home.adjusted_for
    assert "SEN" not in home.not_adjusted_for and home.placed_by == "decile and SEN provision"
    # EHC plans per resident: residents have no SEN provision, so deprivation alone.
    plans = queries.expected_design("ehcp_rate", "locality")
    assert plans.strata == ("decile",) and "SEN" in plans.not_adjusted_for
    # Schools: their phase's rates by decile; a school's pupils by SEN provision and decile are not published.
    school = queries.expected_design("suspension_rate", "school")
    assert school.strata == ("phase", "decile") and "SEN" in school.not_adjusted_for
    map_note = " ".join(queries_map_notes(queries))
    assert "SEN provision (none, SEN support or an EHC plan), taken together" in map_note
    assert "Not adjusted for ethnicity, prior attainment" in map_note


def queries_map_notes(queries: Queries) -> list[str]:
    """The Map's notes at ward level compared with expected given deprivation."""
    from dashboard.views.map import map_panel

    return map_panel(queries, FilterState(year=YEAR, level="ward", compare="expected")).notes


def test_cluster_expected_counts_add_up_their_schools_and_match_where_every_decile_is_shown(demo_build, recount):
    census, suspensions = recount
    queries = Queries(Warehouse(demo_build[1]))
    frame = queries.expected("suspension_rate", FilterState(year=YEAR), "cluster").set_index("cluster")
    direct = _direct(census, suspensions, "cluster_code", [])
    assert set(frame.index) >= set(direct.index)
    shown = frame[frame["status"] == "shown"]
    assert len(shown) >= 4
    for cluster in shown.index:
        # A cluster's schools with hidden deciles pool those pupils at the rest of the borough's rate: close, and
        # equal where every decile of every school is shown.
        tolerance = 1e-9 if shown.at[cluster, "covered"] == 1 else 0.1
        assert shown.at[cluster, "expected"] == pytest.approx(direct[cluster], rel=tolerance)
        assert shown.at[cluster, "covered"] > 0.6


def test_school_expected_counts_use_the_rates_for_the_schools_phase_and_match_where_every_decile_is_shown(
    demo_build, recount
):
    census, suspensions = recount
    queries = Queries(Warehouse(demo_build[1]))
    frame = queries.expected("suspension_rate", FilterState(year=YEAR), "school").set_index("school")
    direct = _direct(census, suspensions, "urn", ["phase"])
    whole = frame[frame["covered"] == 1]
    assert len(whole) >= 5
    for urn in whole.index:
        assert whole.at[urn, "expected"] == pytest.approx(direct[urn], rel=1e-9)
    # Where some of a school's deciles are hidden, its hidden pupils take the rest of the phase's rate: with three
    # quarters of its pupils placed by decile, within 15% of the recount (the views say when fewer are placed).
    partial = frame[(frame["covered"] >= 0.75) & (frame["covered"] < 1)]
    assert len(partial) >= 20
    ratio = partial["expected"] / direct.reindex(partial.index)
    assert ratio.between(0.85, 1.15).all()
    # A school whose figure is hidden has no expected count to give away.
    assert frame.loc[frame["status"] != "shown", "expected"].isna().all()


def test_a_pupil_group_is_refused_with_a_sentence_naming_the_filter(demo_build):
    queries = Queries(Warehouse(demo_build[1]))
    with pytest.raises(NotApplicable, match="clear the SEN provision filter"):
        queries.expected("suspension_rate", FilterState(year=YEAR, sen="ehcp"), "locality")
    with pytest.raises(NotApplicable, match="not published by deprivation decile"):
        queries.expected("permanent_rate", FilterState(year=YEAR), "locality")


def test_the_locality_table_compared_with_expected_prints_the_recounted_expected_counts_and_their_verdicts(
    demo_build, recount
):
    from dashboard.views.overview import locality_table

    census, suspensions = recount
    queries = Queries(Warehouse(demo_build[1]))
    borough = locality_table(queries, FilterState(year=YEAR)).table.set_index("Locality")
    panel = locality_table(queries, FilterState(year=YEAR, compare="expected"))
    table = panel.table.set_index("Locality")
    direct = _direct(census, suspensions, "locality_code", ["sen_provision"])
    names = queries.labels("locality")
    assert "Compared with the borough" in borough and "Compared with the borough" not in table
    covered = queries.expected("suspension_rate", FilterState(year=YEAR), "locality").set_index("locality")["covered"]
    for code, expected in direct.items():
        row = table.loc[names[code]]
        printed = float(row["Suspensions expected given deprivation"].replace(",", ""))
        if covered[code] == 1:
            assert row["Suspensions expected given deprivation"] == f"{expected:,.1f}"
        else:
            assert printed == pytest.approx(expected, rel=0.02)  # a few pupils pooled (see above)
            expected = printed
        observed = (suspensions["locality_code"] == code).sum()
        ratio = float(row["Times expected (95% interval)"].split(" ")[0])
        assert ratio == pytest.approx(observed / expected, abs=0.005)
        low, high = (float(x) for x in row["Times expected (95% interval)"].split("(")[1].rstrip(")").split(" to "))
        word = "Worse" if low > 1 else "Better" if high < 1 else "Similar"
        assert row["Compared with expected given deprivation"].startswith(word)
    # A locality no different from the borough can still be above what its deprivation predicts: the point of it.
    changed = [
        name
        for name in table.index
        if table.at[name, "Compared with expected given deprivation"].split(" ")[0]
        != borough.at[name, "Compared with the borough"].split(" ")[0]
        and name not in ("Borough", "Outside the borough")
    ]
    assert changed
    for name in table.index:
        if table.at[name, "Compared with expected given deprivation"].startswith("Worse"):
            assert name in panel.summary.split("Against the count expected for their pupils")[1].split("fewer")[0]


def test_the_map_compared_with_expected_colours_by_that_verdict_and_counts_its_places_from_its_rows(demo_build):
    from dashboard.views.map import display_table, map_view

    queries = Queries(Warehouse(demo_build[1]))
    state = FilterState(year=YEAR, level="ward", compare="expected", colour="verdict")
    view = map_view(queries, state, with_geometry=False)
    assert view.reference_name == "expected given deprivation"
    assert "against expected given deprivation" in view.patch["coloraxis"]["colorbar"]["title"]["text"]
    table = display_table(view, queries.measure_in("suspension_rate"), "Ward").iloc[1:]
    verdicts = table["Compared with expected given deprivation"]
    more, fewer = int(verdicts.str.startswith("Worse").sum()), int(verdicts.str.startswith("Better").sum())
    assert f"{more} of {len(table)} wards have significantly more suspensions than expected and {fewer}" in (
        view.summary
    )
    assert "SEN provision (none, SEN support or an EHC plan), taken together. Not adjusted for ethnicity" in view.note
    # With a pupil group chosen, the map says why and compares with the borough instead.
    grouped = map_view(queries, FilterState(year=YEAR, compare="expected", sen="ehcp"), with_geometry=False)
    assert grouped.reference_name == "the borough"
    assert "clear the SEN provision filter" in grouped.note


def test_the_worked_example_on_data_and_methods_adds_up_to_the_figures_it_quotes(demo_build):
    from dashboard.views.methods import standardisation_example

    queries = Queries(Warehouse(demo_build[1]))
    example = standardisation_example(queries, FilterState(year=YEAR, locality="N"))
    table = example.table
    parts = table["Suspensions expected"].iloc[:-1].str.replace(",", "").astype(float)
    total = table["Suspensions expected"].iat[-1]
    assert parts.sum() == pytest.approx(float(total.replace(",", "")), abs=0.1 * len(parts))
    pupils = table["North's pupils on roll"]
    assert pupils.iloc[:-1].str.replace(",", "").astype(int).sum() == int(pupils.iat[-1].replace(",", ""))
    assert f"Its {pupils.iat[-1]} pupils on roll" in example.sentences[0]
    assert f"{total} suspensions expected" in example.sentences[0]
    row = queries.expected("suspension_rate", FilterState(year=YEAR), "locality").set_index("locality").loc["N"]
    assert (
        f"North had {row['numerator']:,.0f} suspensions, {row['ratio']:.2f} times the {total} expected"
        in (example.sentences[1])
    )


def test_a_localitys_card_and_pack_summary_cells_set_it_against_its_recounted_expected_count(demo_build, recount):
    from dashboard.views.overview import overview

    census, suspensions = recount
    queries = Queries(Warehouse(demo_build[1]))
    expected = _direct(census, suspensions, "locality_code", ["sen_provision"])["N"]
    cards = {c.measure.id: c for c in overview(queries, FilterState(year=YEAR, locality="N", compare="expected"))[0]}
    card = cards["suspension_rate"]
    assert card.reference == f"Expected given deprivation: {expected:,.0f} suspensions"
    observed = (suspensions["locality_code"] == "N").sum()
    assert f"({observed / expected:.2f} times" in card.against and card.reference in card.benchmark
    # Permanent exclusions are not published by decile: the card says so rather than comparing.
    assert "not published by deprivation decile" in cards["permanent_rate"].reference
    whole = overview(queries, FilterState(year=YEAR, compare="expected"))[0][0]
    assert whole.against == "not compared (the borough itself)"
