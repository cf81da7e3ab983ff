"""The demo generator's arithmetic at scale: nearest schools by area, and enough names for a county's schools."""

from __future__ import annotations

import numpy as np

from dashboard.sources.demo.geography import _names
from dashboard.sources.demo.people import _nearest


def test_nearest_schools_ranked_once_per_home_point_match_every_person_ranked_alone():
    rng = np.random.default_rng(3)
    homes = rng.uniform(-1, 1, (50, 2))
    # Many people share a home point (their area's), as in the generator; a few live at points of their own.
    people = np.vstack([homes[rng.integers(0, 50, 3_000)], rng.uniform(-1, 1, (40, 2))])
    schools = rng.uniform(-1, 1, (25, 2))
    alone = np.argsort(((people[:, None, :] - schools[None]) ** 2).sum(-1), axis=1)[:, :3]
    assert np.array_equal(_nearest(people, schools, 3), alone)
    # By hand: the nearest of three schools on a line to a person at 0.9 is the one at 1.0, then 0.5, then -1.
    line = np.array([[-1.0, 0.0], [0.5, 0.0], [1.0, 0.0]])
    assert _nearest(np.array([[0.9, 0.0]]), line, 3).tolist() == [[2, 1, 0]]


def test_a_county_gets_as_many_different_school_names_as_it_has_schools():
    names = _names(np.random.default_rng(1), 600)
    assert len(names) == len(set(names)) == 600


def test_an_unreadable_boundary_file_is_named_in_a_sentence_not_a_traceback(tmp_path, capsys):
    from dashboard.sources.demo.cli import main

    missing = tmp_path / "no-such.geojson"
    assert main(["--boundaries", str(missing), "--code-field", "LSOA21CD", "--db", str(tmp_path / "w.duckdb")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("The demo was not built: ") and "no-such.geojson" in error and "Traceback" not in error
    assert not (tmp_path / "w.duckdb").exists()


def test_a_mistyped_setting_is_named_in_a_sentence_before_anything_is_built(tmp_path, capsys, monkeypatch):
    from dashboard.sources.demo.cli import main

    monkeypatch.setenv("INCLUSION_PROTECT_BLOCKS_ABOVE", "lots")
    assert main(["--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "extracts")]) == 1
    assert capsys.readouterr().err == (
        "The demo was not built: INCLUSION_PROTECT_BLOCKS_ABOVE must be a whole number, such as 20000; it is set to "
        "'lots'.\n"
    )
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "extracts").exists()
