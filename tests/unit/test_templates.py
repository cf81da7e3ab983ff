"""The templates shipped in data/templates are the ones the code defines, README included."""

from __future__ import annotations

from dashboard.config import ROOT
from dashboard.ingest.templates import TEMPLATES, template_rows, templates_markdown
from tests.conftest import rows_of


def test_shipped_templates_match_the_schema():
    folder = ROOT / "data" / "templates"
    for template in TEMPLATES:
        assert rows_of(folder / template.filename) == template_rows(template)
        if template.pupil_columns:
            assert rows_of(folder / template.pupil_filename) == template_rows(template, pupil_level=True)
    assert (folder / "README.md").read_text() == templates_markdown()
