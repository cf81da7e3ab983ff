"""Data administration for administrators: the kept versions, their load reports, rollback, and loading a folder of
extracts through the browser with the same validation and report as `python -m dashboard.ingest load`."""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
import time
from pathlib import Path

from dash import Dash
from flask import g, redirect, request
from werkzeug.utils import secure_filename

from dashboard.config import Config
from dashboard.domain.access import ADMINISTER, may, refusal
from dashboard.domain.area import AREA_KINDS, BOROUGH
from dashboard.ingest.build import IngestError, load
from dashboard.query.queries import Queries
from dashboard.store.versions import current_version, list_versions, rollback, versions_folder
from dashboard.store.warehouse import WarehouseMissing
from web.log import event
from web.pages import form_token, plain_page, token_ok

MAX_UPLOAD = 512 * 1024 * 1024  # a folder of a county's pupil-level extracts fits; nothing else may be this large
EXTRACTS = (".csv", ".geojson", ".json", ".topojson", ".gpkg")


class Loads:
    """One load at a time, in a thread beside the server: what it is doing and how the last one ended."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = False
        self.last: tuple[str, str, str] | None = None  # (outcome, when, the report's text)

    def start(self, folder: Path, db_path: Path, options: dict, who: str) -> bool:
        """Start loading folder into db_path unless a load is running; False if one is."""
        with self.lock:
            if self.running:
                return False
            self.running = True
        threading.Thread(target=self._run, args=(folder, db_path, options, who), daemon=True, name="load").start()
        return True

    def _run(self, folder: Path, db_path: Path, options: dict, who: str) -> None:
        started = time.perf_counter()
        try:
            report = load(folder, db_path, **options)
            outcome = "loaded"
        except IngestError as exc:
            report, outcome = exc.report, "refused"
        except Exception as exc:  # noqa: BLE001 - the administrator gets a sentence; the log keeps the detail
            event("load failed", user=who, reason=type(exc).__name__)
            self._finish("failed", f"The load stopped: {exc}")
            shutil.rmtree(folder, ignore_errors=True)
            return
        text = report.path.read_text() if report.path and report.path.exists() else "\n".join(map(str, report.errors))
        event("load", user=who, outcome=outcome, seconds=round(time.perf_counter() - started, 1))
        self._finish(outcome, text)
        shutil.rmtree(folder, ignore_errors=True)

    def _finish(self, outcome: str, text: str) -> None:
        with self.lock:
            self.running = False
            self.last = (outcome, time.strftime("%Y-%m-%d %H:%M"), text)


def register(app: Dash, queries: Queries, config: Config, limiter) -> None:
    """Attach the data administration pages (/admin) to the app's server."""
    server, loads, db_path = app.server, Loads(), config.warehouse_path

    def refused():
        if may(g.audience, ADMINISTER):
            return None
        event("refused", what="administration")
        return plain_page("Not allowed", refusal(ADMINISTER), status=403)

    @server.route("/admin")
    def administration():
        return refused() or plain_page(
            "Data administration", _overview(db_path, loads, _served_area(queries)), raw=True, wide=True
        )

    @server.route("/admin/report/<name>")
    def report(name: str):
        if refusal_page := refused():
            return refusal_page
        path = versions_folder(db_path) / secure_filename(name)
        if path.suffix != ".md" or not path.exists():
            return plain_page("No such report", f"There is no load report called {name[:80]}.", status=404)
        return plain_page(
            f"Load report {path.stem}", f"<pre>{html.escape(path.read_text())}</pre>", raw=True, wide=True
        )

    @server.route("/admin/rollback", methods=["POST"])
    def roll_back():
        if refusal_page := refused():
            return refusal_page
        if not token_ok():
            return plain_page("Form expired", "The form had expired; nothing was changed.", status=400)
        try:
            served = rollback(db_path)
        except ValueError as exc:
            return plain_page("Nothing to roll back to", str(exc), status=409, link=("/admin", "Back"))
        event("rollback", user=g.audience.name, version=served.stem)
        return redirect("/admin")

    @server.route("/admin/load", methods=["POST"])
    @limiter.limit("6 per hour")
    def load_extracts():
        if refusal_page := refused():
            return refusal_page
        if not token_ok():
            return plain_page("Form expired", "The form had expired; nothing was loaded.", status=400)
        files = [f for f in request.files.getlist("files") if f.filename]
        if not files:
            return plain_page("No files", "Choose the extract files to load.", status=400, link=("/admin", "Back"))
        folder = Path(tempfile.mkdtemp(prefix="extracts-"))
        for upload in files:
            name = secure_filename(Path(upload.filename).name)
            if not name.lower().endswith(EXTRACTS):
                shutil.rmtree(folder, ignore_errors=True)
                return plain_page(
                    "Not an extract",
                    f"{name[:80]} is not a CSV extract or a boundary file; nothing was loaded.",
                    status=400,
                    link=("/admin", "Back"),
                )
            upload.save(folder / name)
        options = {
            "data_kind": "synthetic" if request.form.get("data_kind") == "synthetic" else "real",
            "area_kind": request.form.get("area_kind") if request.form.get("area_kind") in AREA_KINDS else BOROUGH.kind,
        }
        boundaries = [p for p in folder.iterdir() if p.suffix.lower() in (".geojson", ".json", ".topojson", ".gpkg")]
        if boundaries:
            options |= {"boundaries": boundaries[0], "code_field": request.form.get("code_field") or "area_code"}
        if not loads.start(folder, db_path, options, g.audience.name):
            shutil.rmtree(folder, ignore_errors=True)
            return plain_page("A load is running", "Wait for the load running now to finish.", status=409)
        event("load started", user=g.audience.name, files=len(files))
        return redirect("/admin")

    @server.before_request
    def allow_large_uploads():
        if request.path == "/admin/load" and may(g.audience, ADMINISTER):
            request.max_content_length = MAX_UPLOAD  # only an administrator's load may send this much


def _overview(db_path: Path, loads: Loads, served: str) -> str:
    """The administration page's body: versions, the last load, and the forms."""
    current = current_version(db_path)
    rows = "".join(
        f"<tr><td>{html.escape(v.stem)}</td><td>{'Being served' if v == current else ''}</td>"
        f"<td>{_report_link(v)}</td></tr>"
        for v in reversed(list_versions(db_path))
    )
    versions = (
        '<table class="table table-sm"><caption>Kept versions, newest first</caption><thead><tr>'
        '<th scope="col">Version</th><th scope="col">Status</th><th scope="col">Load report</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if rows
        else "<p>No version is kept yet.</p>"
    )
    if loads.running:
        status = '<p class="alert alert-info" role="status">A load is running. Reload this page to see how it ends.</p>'
    elif loads.last:
        outcome, when, text = loads.last
        status = (
            f'<div class="alert {"alert-success" if outcome == "loaded" else "alert-danger"}" role="status">'
            f"<p>The load at {when} was <strong>{outcome}</strong>.</p>"
            f"<details><summary>Its report</summary><pre>{html.escape(text)}</pre></details></div>"
        )
    else:
        status = ""
    token = form_token()
    areas = "".join(f'<option value="{k}"{" selected" if k == served else ""}>the {k}</option>' for k in AREA_KINDS)
    return f"""<p><a href="/">Back to the dashboard</a></p>
{status}
<h2 class="h5 mt-4">Versions</h2>
{versions}
<form method="post" action="/admin/rollback" class="mb-4">
  <input type="hidden" name="token" value="{token}">
  <button class="btn btn-outline-danger" type="submit">Serve the version before the one being served</button>
</form>
<h2 class="h5">Load a folder of extracts</h2>
<p>Choose every file of the folder: the template CSVs (see data/templates) and, if the boundaries change, a GeoJSON
file. They are checked as <code>python -m dashboard.ingest load</code> checks them; a refused load changes nothing.</p>
<form method="post" action="/admin/load" enctype="multipart/form-data">
  <input type="hidden" name="token" value="{token}">
  <div class="mb-3"><label class="form-label" for="files">Extract files</label>
    <input class="form-control" type="file" id="files" name="files" multiple required></div>
  <div class="mb-3"><label class="form-label" for="code_field">Boundary file's area code field</label>
    <input class="form-control" id="code_field" name="code_field" value="area_code"></div>
  <div class="mb-3"><label class="form-label" for="data_kind">The data is</label>
    <select class="form-select" id="data_kind" name="data_kind">
      <option value="real">Real local authority data</option><option value="synthetic">Synthetic (made up)</option>
    </select></div>
  <div class="mb-3"><label class="form-label" for="area_kind">Sentences call the whole area</label>
    <select class="form-select" id="area_kind" name="area_kind">{areas}</select></div>
  <button class="btn btn-primary" type="submit">Check and load</button>
</form>"""


def _served_area(queries: Queries) -> str:
    """What the version being served calls the whole area, offered again for the next load."""
    try:
        return queries.info().area_kind
    except WarehouseMissing:  # nothing loaded yet
        return BOROUGH.kind


def _report_link(version: Path) -> str:
    report = version.with_suffix(".md")
    if not report.exists():
        candidates = sorted(version.parent.glob(f"{version.stem}*.md"))
        report = candidates[0] if candidates else None
    return f'<a href="/admin/report/{html.escape(report.name)}">Report</a>' if report else ""
