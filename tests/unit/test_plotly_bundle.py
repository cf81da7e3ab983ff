"""The app's own plotly.js bundle (assets/plotly-app.min.js, built by make plotly-bundle) is the version plotly.py
ships, so the figures the server builds are read by the plotly.js they were built for."""

from __future__ import annotations

import re

from plotly.offline import get_plotlyjs_version

from dashboard.config import ROOT

BUNDLE = ROOT / "assets" / "plotly-app.min.js"


def test_the_apps_plotly_bundle_is_the_version_plotly_py_ships_with_the_traces_the_app_draws():
    head = BUNDLE.read_text(encoding="utf-8")[:300]
    found = re.match(r"/\*! plotly\.js v(\S+): core, bar, choropleth and scattergeo", head)
    assert found, f"{BUNDLE} does not start with the banner make plotly-bundle writes"
    assert found.group(1) == get_plotlyjs_version(), "run make plotly-bundle after upgrading plotly"
    entry = (ROOT / "tools" / "plotly-bundle" / "entry.js").read_text(encoding="utf-8")
    assert re.findall(r"plotly\.js/lib/(\w+)", entry) == ["core", "bar", "choropleth", "scattergeo"]
