"""Versioned warehouse: every load kept with its sources, rollback, dry runs, reports, and loads killed midway."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dashboard.config import ROOT
from dashboard.ingest.build import IngestError, load
from dashboard.ingest.dry_run import dry_run
from dashboard.store.versions import current_version, list_versions, rollback, versions_folder
from dashboard.store.warehouse import Warehouse
from tests.conftest import digest, rows_of, write_rows


def pupils(db: Path) -> list[int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [row[0] for row in con.execute("SELECT pupils FROM fact_census ORDER BY pupils").fetchall()]
    finally:
        con.close()


def change_census(folder: Path) -> None:
    """Change the example row's count and add a second row, as a new month's extract might."""
    rows = rows_of(folder / "census.csv")
    changed = rows[1][:5] + ["24"]
    added = rows[1][:3] + ["ehcp"] + rows[1][4:5] + ["7"]
    write_rows(folder / "census.csv", [rows[0], changed, added])


def test_each_load_is_a_version_with_its_sources_and_rollback_returns_to_the_one_before(template_set, tmp_path):
    db = tmp_path / "wh.duckdb"
    first = load(template_set, db)
    time.sleep(1.1)  # versions are named by the second they were loaded
    change_census(template_set)
    second = load(template_set, db)
    versions = list_versions(db)
    assert len(versions) == 2 and current_version(db) == versions[1]
    con = duckdb.connect(str(versions[1]), read_only=True)
    sources = dict(con.execute("SELECT file, sha256 FROM load_source").fetchall())
    con.close()
    assert sources["census.csv"] == digest(template_set / "census.csv")
    reader = Warehouse(db)
    assert reader.query("SELECT count(*) AS n FROM fact_census")["n"].iat[0] == 2
    assert rollback(db) == versions[0]
    # A reader that was open sees the rolled-back version on its next query.
    assert reader.query("SELECT count(*) AS n FROM fact_census")["n"].iat[0] == 1 and pupils(db) == [23]
    with pytest.raises(ValueError, match="no earlier version"):
        rollback(db)
    assert first.path.exists() and second.path.exists() and first.path != second.path


def test_a_dry_run_counts_rows_added_changed_and_removed_and_changes_nothing(template_set, tmp_path):
    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    before = digest(db)
    change_census(template_set)
    report, changes = dry_run(template_set, db)
    assert report.errors == []
    by_table = {table: (added, changed, removed) for table, added, changed, removed in changes}
    assert by_table["fact_census"] == (1, 1, 0)
    assert by_table["fact_exclusion"] == (0, 0, 0) and by_table["school"] == (0, 0, 0)
    assert digest(db) == before and len(list_versions(db)) == 1


def test_the_command_line_has_help_for_each_subcommand_and_a_dry_run(template_set, tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "dashboard.ingest", *args], capture_output=True, text=True, cwd=ROOT
        )

    for command, phrase in (("load", "--dry-run"), ("versions", "being served"), ("rollback", "loaded before")):
        result = run(command, "--help")
        assert result.returncode == 0 and phrase in result.stdout
    db = tmp_path / "wh.duckdb"
    assert run("--source", str(template_set), "--db", str(db)).returncode == 0
    change_census(template_set)
    result = run("load", "--source", str(template_set), "--db", str(db), "--dry-run")
    assert result.returncode == 0 and "nothing was changed" in result.stdout
    assert any(line.split()[:4] == ["fact_census", "1", "1", "0"] for line in result.stdout.splitlines())
    assert "* " in run("versions", "--db", str(db)).stdout


def test_every_load_writes_a_data_quality_report(template_set, tmp_path):
    db = tmp_path / "wh.duckdb"
    rows = rows_of(template_set / "exclusions.csv")
    write_rows(template_set / "exclusions.csv", rows + [rows[1][:1] + ["Autumn"] + rows[1][2:7] + ["c", "c", "2"]])
    report = load(template_set, db)
    text = report.path.read_text()
    assert report.path.parent == versions_folder(db) and current_version(db).stem in text
    assert f"`{digest(template_set / 'census.csv')}`" in text
    assert "| fact_exclusion | exclusions | c (confidential" in text
    rows = rows_of(template_set / "census.csv")
    write_rows(template_set / "census.csv", [rows[0], rows[1][:5] + ["twelve"]])
    with pytest.raises(IngestError) as refused:
        load(template_set, db)
    refused_text = refused.value.report.path.read_text()
    assert "load refused" in refused_text and "census.csv, row 2, column 'pupils'" in refused_text


def test_a_load_killed_midway_leaves_the_previous_version_serving_intact(small_demo_build, template_set, tmp_path):
    """SIGKILL a real load of a (small) demo borough at several moments; each time the old version still serves."""
    extracts = small_demo_build[0]
    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    served = digest(db)
    command = [sys.executable, "-m", "dashboard.ingest", "load", "--source", str(extracts), "--db", str(db)]
    # How long a whole load takes here, so the kills land across parsing, writing and swapping. Modules are compiled
    # first: in a fresh clone the first load would also compile them, and later loads be quicker by that much.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "dashboard"], check=True, cwd=ROOT)
    started = time.monotonic()
    probe = [*command[:-2], "--db", str(tmp_path / "probe.duckdb")]
    subprocess.run(probe, check=True, capture_output=True, cwd=ROOT)
    duration = time.monotonic() - started
    killed = 0
    # Three kills well inside the probe's time, as the other test process may slow the probe more than the loads
    # after it; the last lands near the end, where the swap is.
    for fraction in (0.15, 0.4, 0.65, 0.95):
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
        if process.returncode == 0 or digest(db) != served:
            # The load got as far as its one atomic swap (the kill then only stopped pruning or the report):
            # the new version is served, and it must be the whole version, kept and listed.
            assert current_version(db) == list_versions(db)[-1], (
                f"after a kill at {fraction:.0%} the served file is not a kept version"
            )
            assert Warehouse(db).query("SELECT count(*) AS n FROM school")["n"].iat[0] == 33
            break
        assert pupils(db) == [23]
        assert Warehouse(db).info().version == current_version(db).stem
    assert killed >= 3
    # The next load clears what the killed ones left behind and serves the new version.
    report = load(extracts, db)
    assert report.errors == [] and Warehouse(db).query("SELECT count(*) AS n FROM school")["n"].iat[0] == 33
    assert not [p for p in versions_folder(db).iterdir() if ".tmp" in p.name]


def test_the_files_exported_from_a_version_are_pruned_with_it(tmp_path):
    from dashboard.store.versions import exports_folder, prune_versions

    db = tmp_path / "warehouse.duckdb"
    folder = versions_folder(db)
    folder.mkdir()
    for name in ("20250101-000000-a", "20250102-000000-b", "20250103-000000-c"):
        (folder / f"{name}.duckdb").write_bytes(b"")
        exports_folder(db, name).mkdir()
        (exports_folder(db, name) / "made").write_bytes(b"a file")
    db.hardlink_to(folder / "20250103-000000-c.duckdb")  # the newest is served
    prune_versions(db, keep=2)
    assert [v.stem for v in list_versions(db)] == ["20250102-000000-b", "20250103-000000-c"]
    assert sorted(p.name for p in folder.glob("*.exports")) == [
        "20250102-000000-b.exports",
        "20250103-000000-c.exports",
    ]


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "dashboard.ingest", "versions"],
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "web/gunicorn.conf.py", "app:server"],
    ],
    ids=["ingest", "web server"],
)
def test_a_mistyped_setting_stops_the_ingest_and_the_web_server_with_a_sentence_naming_it(command, tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "INCLUSION_DB": str(tmp_path / "w.duckdb"),
        "INCLUSION_WORKERS": "two",
        "SUPPRESSION_THRESHOLD": "five",
        "PORT": "8097",
    }
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 1
    assert "SUPPRESSION_THRESHOLD must be a whole number, such as 4; it is set to 'five'." in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "w.duckdb").exists()


def test_the_web_server_reads_its_workers_threads_and_address_from_the_settings():
    env = {"PATH": "/usr/bin:/bin", "PORT": "8097", "HOST": "127.0.0.1", "INCLUSION_WORKERS": "3"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "--print-config", "--config", "web/gunicorn.conf.py", "app:server"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    settings = {line.split("=")[0].strip(): line.split("=", 1)[1].strip() for line in result.stdout.splitlines()}
    assert (settings["bind"], settings["workers"], settings["threads"]) == ("['127.0.0.1:8097']", "3", "4")
